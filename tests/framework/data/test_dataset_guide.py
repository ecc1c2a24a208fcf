"""tf.data guide and API-doc examples with TF's documented outputs, element by element."""
import numpy as np
import pytest

import cuflow as cf

D = cf.data.Dataset


def values(ds):
    return [np.asarray(v).tolist() if not isinstance(v, tuple) else
            tuple(np.asarray(x).tolist() for x in v) for v in ds.as_numpy_iterator()]


def test_range_signatures_and_dtype():
    assert values(D.range(5)) == [0, 1, 2, 3, 4]
    assert values(D.range(2, 5)) == [2, 3, 4]
    assert values(D.range(1, 5, 2)) == [1, 3]
    assert values(D.range(1, 5, -2)) == []
    assert values(D.range(5, 1, -2)) == [5, 3]
    assert D.range(3).element_spec.dtype == cf.int64
    ds = D.range(1, 5, 2, output_type=cf.float32)
    assert ds.element_spec.dtype == cf.float32 and values(ds) == [1.0, 3.0]
    assert D.range(3, dtype=cf.int32).element_spec.dtype == cf.int32


def test_from_tensor_slices_structures():
    ds = D.from_tensor_slices({"a": [1, 2], "b": [[1.0, 2.0], [3.0, 4.0]]})
    out = list(ds.as_numpy_iterator())
    assert out[1]["a"] == 2 and out[1]["b"].tolist() == [3.0, 4.0]
    assert ds.element_spec["b"] == cf.TensorSpec([2], cf.float32)
    # a list is one tensor (tf.data's rule), a tuple is a structure
    assert values(D.from_tensor_slices([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
    assert values(D.from_tensor_slices(([1, 2], [3, 4]))) == [(1, 3), (2, 4)]
    assert values(D.from_tensors(([1, 2], 3))) == [([1, 2], 3)]


def test_mismatched_lengths_name_the_stage():
    with pytest.raises(ValueError, match="TensorSliceDataset.*same size"):   # TF: ValueError
        D.from_tensor_slices((np.zeros(3), np.zeros(4)))
    with pytest.raises(ValueError, match="rank 1"):
        D.from_tensor_slices(np.float32(1.0))


def test_batch_zip_guide():
    inc = D.range(100)
    dec = D.range(0, -100, -1)
    batched = D.zip((inc, dec)).batch(4)
    got = [tuple(a.tolist() for a in b) for b in batched.take(2).as_numpy_iterator()]
    assert got == [([0, 1, 2, 3], [0, -1, -2, -3]), ([4, 5, 6, 7], [-4, -5, -6, -7])]
    assert batched.element_spec[0].shape.as_list() == [None]
    assert D.zip((inc, dec)).batch(7, drop_remainder=True).element_spec[0].shape == [7]
    assert values(D.range(8).batch(3)) == [[0, 1, 2], [3, 4, 5], [6, 7]]
    assert values(D.range(8).batch(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]


def test_padded_batch_guide():
    ds = D.range(100).map(lambda x: cf.fill([cf.cast(x, cf.int32)], x))
    ds = ds.padded_batch(4, padded_shapes=(None,))
    got = values(ds.take(2))
    assert got[0] == [[0, 0, 0], [1, 0, 0], [2, 2, 0], [3, 3, 3]]
    assert got[1] == [[4, 4, 4, 4, 0, 0, 0], [5, 5, 5, 5, 5, 0, 0], [6, 6, 6, 6, 6, 6, 0],
                      [7, 7, 7, 7, 7, 7, 7]]


def test_padded_batch_shapes_and_values():
    ds = D.from_generator(lambda: iter([[1], [2, 3], [4, 5, 6]]), output_signature=(
        cf.TensorSpec([None], cf.int64)))
    assert values(ds.padded_batch(2, padded_shapes=[4], padding_values=np.int64(-1))) == [
        [[1, -1, -1, -1], [2, 3, -1, -1]], [[4, 5, 6, -1]]]
    with pytest.raises(cf.errors.InvalidArgumentError, match="smaller size"):
        list(ds.padded_batch(3, padded_shapes=[2]))


def test_unbatch_rebatch():
    ds = D.range(10).batch(4)
    assert values(ds.unbatch()) == list(range(10))
    assert values(D.range(10).batch(4).rebatch(3)) == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert int(D.from_tensor_slices(np.zeros((3, 2))).unbatch().cardinality()) == 6
    assert int(D.range(10).batch(4).unbatch().cardinality()) == cf.data.UNKNOWN_CARDINALITY


def test_window_api_doc_examples():
    def windows(ds):
        return [list(w.as_numpy_iterator()) for w in ds]
    assert windows(D.range(7).window(3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert windows(D.range(7).window(3, drop_remainder=True)) == [[0, 1, 2], [3, 4, 5]]
    assert windows(D.range(7).window(3, 2, 1, True)) == [[0, 1, 2], [2, 3, 4], [4, 5, 6]]
    assert windows(D.range(7).window(3, 1, 2, True)) == [[0, 2, 4], [1, 3, 5], [2, 4, 6]]
    assert int(D.range(7).window(3, 1, 2, True).cardinality()) == 3
    assert int(D.range(7).window(3).cardinality()) == 3
    # a window of a tuple is a tuple of datasets
    w = next(iter(D.from_tensor_slices(([1, 2, 3], [4, 5, 6])).window(2)))
    assert [list(d.as_numpy_iterator()) for d in w] == [[1, 2], [4, 5]]


def test_window_guide_make_window_dataset():
    ds = D.range(100000).window(10, shift=5, stride=3).flat_map(
        lambda sub: sub.batch(10, drop_remainder=True))
    got = values(ds.take(3))
    assert got == [[0, 3, 6, 9, 12, 15, 18, 21, 24, 27], [5, 8, 11, 14, 17, 20, 23, 26, 29, 32],
                   [10, 13, 16, 19, 22, 25, 28, 31, 34, 37]]


def test_interleave_api_doc():
    ds = D.range(1, 6).interleave(lambda x: D.from_tensors(x).repeat(6), cycle_length=2,
                                  block_length=4)
    assert values(ds) == [1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3,
                          4, 4, 5, 5, 5, 5, 5, 5]
    par = D.range(1, 6).interleave(lambda x: D.from_tensors(x).repeat(6), cycle_length=2,
                                   block_length=4, num_parallel_calls=2)
    assert values(par) == values(ds)


def test_flat_map_and_group_by_window():
    assert values(D.from_tensor_slices([[1, 2], [3, 4]]).flat_map(D.from_tensor_slices)) == [
        1, 2, 3, 4]
    ds = D.range(10).group_by_window(key_func=lambda x: x % 2,
                                     reduce_func=lambda key, d: d.batch(5), window_size=5)
    assert values(ds) == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]
    ds = D.range(7).group_by_window(lambda x: x % 2, lambda k, d: d.batch(10), window_size=10)
    assert values(ds) == [[0, 2, 4, 6], [1, 3, 5]]  # flushed at the end, by key


def test_bucket_by_sequence_length_api_doc():
    elements = [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20],
                [21, 22]]
    ds = D.from_generator(lambda: elements, cf.int64, output_shapes=[None])
    # TF's doc uses tf.shape(elem)[0]; cf.size is the same here (see the report on getitem)
    ds = ds.bucket_by_sequence_length(element_length_func=lambda elem: cf.size(elem),
                                      bucket_boundaries=[3, 5], bucket_batch_sizes=[2, 2, 2])
    assert values(ds) == [[[1, 2, 3, 4], [5, 6, 7, 0]],
                          [[7, 8, 9, 10, 11, 0], [13, 14, 15, 16, 19, 20]],
                          [[0, 0], [21, 22]]]


def test_cardinality_api_doc():
    ds = D.range(42)
    assert ds.cardinality().numpy() == 42 and len(ds) == 42
    ds = ds.repeat()
    assert bool(ds.cardinality() == cf.data.INFINITE_CARDINALITY)
    with pytest.raises(TypeError, match="infinite"):
        len(ds)
    ds = ds.filter(lambda x: True)
    assert bool(ds.cardinality() == cf.data.UNKNOWN_CARDINALITY)
    with pytest.raises(TypeError, match="unknown"):
        len(ds)


@pytest.mark.parametrize("make,expected", [
    (lambda: D.range(10).take(3), 3), (lambda: D.range(10).skip(3), 7),
    (lambda: D.range(10).skip(30), 0), (lambda: D.range(10).take(-1), 10),
    (lambda: D.range(10).repeat(3), 30), (lambda: D.range(0).repeat(), 0),
    (lambda: D.range(10).repeat().take(5), 5), (lambda: D.range(10).shard(3, 0), 4),
    (lambda: D.range(10).shard(3, 2), 3), (lambda: D.range(10).batch(3), 4),
    (lambda: D.zip((D.range(3), D.range(5))), 3),
    (lambda: D.zip((D.range(3), D.range(5).repeat())), 3),
    (lambda: D.range(3).concatenate(D.range(4)), 7),
    (lambda: D.range(3).concatenate(D.range(4).repeat()), -1),
    (lambda: D.range(3).concatenate(D.range(4).filter(lambda x: True)), -2),
    (lambda: D.range(3).enumerate(), 3), (lambda: D.range(3).map(lambda x: x), 3),
    (lambda: D.range(3).flat_map(lambda x: D.range(x)), -2),
    (lambda: D.range(5).filter(lambda x: True).take(2), -2),
    (lambda: D.range(10).repeat().skip(5), -1),
])
def test_cardinality_propagation(make, expected):
    assert int(make().cardinality()) == expected


def test_counting_transformations():
    assert values(D.range(10).take(3)) == [0, 1, 2]
    assert values(D.range(10).skip(7)) == [7, 8, 9]
    assert values(D.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert values(D.range(10).shard(3, 1)) == [1, 4, 7]
    assert values(D.range(3).enumerate(start=5)) == [(5, 0), (6, 1), (7, 2)]
    assert values(D.range(5).take_while(lambda x: x < 3)) == [0, 1, 2]
    assert values(D.from_tensor_slices([1, 1, 2, 3, 2]).unique()) == [1, 2, 3]
    assert values(D.range(5).scan(cf.constant(0, cf.int64), lambda s, x: (s + x, s * 10))) == [
        0, 0, 10, 30, 60]
    assert values(D.range(3).concatenate(D.range(10, 12))) == [0, 1, 2, 10, 11]
    with pytest.raises(cf.errors.InvalidArgumentError):
        D.range(3).shard(2, 2)
    with pytest.raises(TypeError, match="incompatible"):
        D.range(3).concatenate(D.from_tensor_slices([1.0]))


def test_reduce_and_get_single_element():
    assert int(D.range(5).reduce(np.int64(0), lambda s, x: s + x)) == 10
    assert int(D.from_tensors(7).get_single_element()) == 7
    with pytest.raises(cf.errors.InvalidArgumentError):
        D.range(2).get_single_element()


def test_map_unpacks_tuples_and_keeps_dicts():
    ds = D.from_tensor_slices(([1, 2], [10, 20])).map(lambda a, b: a + b)
    assert values(ds) == [11, 22]
    ds = D.from_tensor_slices({"a": [1, 2]}).map(lambda d: {"b": d["a"] * 2})
    assert [e["b"] for e in ds.as_numpy_iterator()] == [2, 4]
    ds = D.range(2).map(lambda x: [x, x + 1])  # a returned list becomes a tuple (TF)
    assert values(ds) == [(0, 1), (1, 2)]


def test_generator_signature_checks():
    def gen():
        yield 1, [1.0]
        yield 2, [2.0, 3.0]
    ds = D.from_generator(gen, output_signature=(cf.TensorSpec((), cf.int32),
                                                 cf.TensorSpec((None,), cf.float32)))
    assert values(ds) == [(1, [1.0]), (2, [2.0, 3.0])]
    assert D.from_generator(gen, (cf.int64, cf.float32)).element_spec[0].dtype == cf.int64

    def bad_structure():
        yield 1
    ds = D.from_generator(bad_structure, output_signature=(cf.TensorSpec((), cf.int32),
                                                           cf.TensorSpec((), cf.int32)))
    with pytest.raises(TypeError, match="from_generator\\(bad_structure\\).*structure"):
        list(ds)

    def bad_dtype():
        yield "abc"
    with pytest.raises(TypeError, match="float32"):
        list(D.from_generator(bad_dtype, output_signature=cf.TensorSpec((), cf.float32)))

    def bad_shape():
        yield [1, 2, 3]
    with pytest.raises(cf.errors.InvalidArgumentError, match="incompatible"):
        list(D.from_generator(bad_shape, output_signature=cf.TensorSpec((2,), cf.int32)))
    with pytest.raises(TypeError):
        D.from_generator(gen)


def test_sample_and_choose_from_datasets():
    ds = D.sample_from_datasets([D.from_tensors(0).repeat(50), D.from_tensors(1).repeat(50)],
                                weights=[0.5, 0.5], seed=3)
    out = values(ds)
    assert sorted(out) == [0] * 50 + [1] * 50 and out != sorted(out)
    choice = D.range(3).repeat(2)
    ds = D.choose_from_datasets([D.from_tensors("a").repeat(), D.from_tensors("b").repeat(),
                                 D.from_tensors("c").repeat()], choice)
    assert [v.decode() for v in ds.as_numpy_iterator()] == list("abcabc")


def test_options_and_apply():
    opts = cf.data.Options()
    opts.deterministic = False
    ds = D.range(4).with_options(opts).map(lambda x: x)
    assert ds.options().deterministic is False
    assert values(D.range(4).apply(lambda d: d.skip(2))) == [2, 3]
    with pytest.raises(AttributeError):
        opts.no_such_option = 1
    assert cf.data.AUTOTUNE == -1 and cf.data.experimental.AUTOTUNE == -1


def test_as_numpy_iterator_types():
    out = list(D.from_tensor_slices((["a", "b"], [1.5, 2.5])).as_numpy_iterator())
    assert out[0][0] == b"a" and isinstance(out[0][1], np.floating)
    it = iter(D.range(1))
    assert int(it.get_next()) == 0
    with pytest.raises(cf.errors.OutOfRangeError):
        it.get_next()
    opt = iter(D.range(0)).get_next_as_optional()
    assert not bool(opt.has_value())


def test_assert_cardinality():
    ds = D.range(5).filter(lambda x: True).apply(cf.data.experimental.assert_cardinality(5))
    assert int(ds.cardinality()) == 5 and len(list(ds)) == 5
    bad = D.range(5).apply(cf.data.experimental.assert_cardinality(3))
    with pytest.raises(cf.errors.FailedPreconditionError, match="expected to contain 3"):
        list(bad)


def test_from_tensor_slices_of_a_ragged_tensor_gives_its_rows():
    """TF slices a RaggedTensor into its rows (dense tensors of varying length)."""
    rt = cf.ragged.constant([[1, 2], [3], [4, 5, 6]])
    ds = D.from_tensor_slices((rt, [0, 1, 2]))
    assert ds.element_spec[0].shape.as_list() == [None]
    assert values(ds.map(lambda r, i: cf.reduce_sum(r) + i)) == [3, 4, 17]
    assert values(ds.map(lambda r, i: r).padded_batch(2)) == [[[1, 2], [3, 0]], [[4, 5, 6]]]
    assert sorted(values(ds.shuffle(3, seed=1).map(lambda r, i: cf.size(r)))) == [1, 2, 3]
