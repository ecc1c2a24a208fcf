"""cf.data with ragged and sparse elements: RaggedTensorSpec / SparseTensorSpec element
specs, batch / unbatch, ragged_batch and dense_to_ragged_batch (TF 2.21's results)."""
import pytest

import cuflow as cf

RT = [[1, 2, 3], [], [4, 5]]


def _spec(shape, dtype, rank, splits=cf.int64):
    return cf.RaggedTensorSpec(shape, dtype, rank, splits)


def test_slices_of_a_ragged_tensor_and_their_batches():
    ds = cf.data.Dataset.from_tensor_slices(cf.ragged.constant(RT))
    assert ds.element_spec == _spec([None], cf.int32, 0)
    assert [x.numpy().tolist() for x in ds] == RT
    b = ds.batch(2)
    assert b.element_spec == _spec([None, None], cf.int32, 1)
    assert [x.to_list() for x in b] == [[[1, 2, 3], []], [[4, 5]]]
    u = b.unbatch()
    assert u.element_spec == _spec([None], cf.int32, 0)
    assert [x.numpy().tolist() for x in u] == RT


def test_equal_length_rows_still_batch_ragged():
    ds = cf.data.Dataset.from_tensor_slices(cf.ragged.constant([[1, 2], [3, 4]])).batch(2)
    out = next(iter(ds))
    assert isinstance(out, cf.RaggedTensor) and out.to_list() == [[1, 2], [3, 4]]


def test_slices_of_nested_ragged_and_dicts():
    r2 = cf.ragged.constant([[[1], [2, 3]], [[4]]])
    ds = cf.data.Dataset.from_tensor_slices(r2)
    assert ds.element_spec == _spec([None, None], cf.int32, 1)
    assert [x.to_list() for x in ds] == [[[1], [2, 3]], [[4]]]
    d = cf.data.Dataset.from_tensor_slices({"a": cf.ragged.constant(RT), "b": [1, 2, 3]})
    assert d.element_spec == {"a": _spec([None], cf.int32, 0),
                              "b": cf.TensorSpec([], cf.int32)}
    first = next(iter(d.batch(2)))
    assert first["a"].to_list() == [[1, 2, 3], []] and first["b"].numpy().tolist() == [1, 2]


def test_from_tensors_of_ragged_and_batches():
    ds = cf.data.Dataset.from_tensors(cf.ragged.constant(RT))
    assert ds.element_spec == _spec([3, None], cf.int32, 1)
    b = ds.repeat(2).batch(2)
    assert b.element_spec == _spec([None, 3, None], cf.int32, 2)
    out = next(iter(b))
    assert out.shape.as_list() == [2, 3, None] and out.to_list() == [RT, RT]


def test_map_returning_ragged():
    m = cf.data.Dataset.range(1, 4).map(lambda x: cf.RaggedTensor.from_row_lengths(
        cf.range(x), [x]))
    assert m.element_spec == _spec([1, None], cf.int64, 1)
    assert [x.numpy().tolist() for x in m.unbatch()] == [[0], [0, 1], [0, 1, 2]]
    b = cf.data.Dataset.range(1, 4).map(lambda x: cf.ragged.range(x)).batch(2)
    assert b.element_spec == _spec([None, 1, None], cf.int64, 2)
    assert [x.to_list() for x in b] == [[[[0]], [[0, 1]]], [[[0, 1, 2]]]]


def test_ragged_batch():
    ds = cf.data.Dataset.range(1, 4).map(lambda x: cf.range(x))
    r = ds.ragged_batch(2)
    assert r.element_spec == _spec([None, None], cf.int64, 1)
    assert [x.to_list() for x in r] == [[[0], [0, 1]], [[0, 1, 2]]]
    assert ds.ragged_batch(2, row_splits_dtype=cf.int32).element_spec == \
        _spec([None, None], cf.int64, 1, cf.int32)
    assert next(iter(ds.ragged_batch(2, row_splits_dtype=cf.int32))).row_splits.dtype == \
        cf.int32
    pair = cf.data.Dataset.range(1, 4).map(lambda x: (cf.range(x), x))
    r = pair.ragged_batch(2, drop_remainder=True)
    assert r.element_spec == (_spec([2, None], cf.int64, 1), cf.TensorSpec([2], cf.int64))
    assert len(list(r)) == 1
    grid = cf.data.Dataset.range(1, 4).map(lambda x: cf.fill([2, x], x)).ragged_batch(2)
    assert grid.element_spec == _spec([None, 2, None], cf.int64, 2)
    assert next(iter(grid)).to_list() == [[[1], [1]], [[2, 2], [2, 2]]]


def test_dense_to_ragged_batch_keeps_fully_defined_components_dense():
    ds = cf.data.Dataset.range(1, 4).map(lambda x: (cf.zeros([2]), cf.range(x), x))
    d = ds.apply(cf.data.experimental.dense_to_ragged_batch(2))
    assert d.element_spec == (cf.TensorSpec([None, 2], cf.float32),
                              _spec([None, None], cf.int64, 1), cf.TensorSpec([None], cf.int64))
    z, r, x = next(iter(d))
    assert z.shape == (2, 2) and r.to_list() == [[0], [0, 1]] and x.numpy().tolist() == [1, 2]


def test_padded_batch_rejects_ragged_specs():
    ds = cf.data.Dataset.from_tensor_slices(cf.ragged.constant(RT))
    with pytest.raises(TypeError, match="not a subclass of TensorSpec"):
        ds.padded_batch(2)


def test_sparse_elements():
    st = cf.sparse.SparseTensor([[0, 1], [1, 0]], [5, 6], [2, 2])
    assert cf.data.Dataset.from_tensors(st).element_spec == cf.SparseTensorSpec([2, 2], cf.int32)
    b = cf.data.Dataset.range(3).map(lambda x: cf.sparse.SparseTensor([[0]], [x], [2])).batch(2)
    assert b.element_spec == cf.SparseTensorSpec([None, 2], cf.int64)
    first = next(iter(b))
    assert cf.sparse.to_dense(first).numpy().tolist() == [[0, 0], [1, 0]]
    rows = [cf.sparse.to_dense(r).numpy().tolist() for r in b.unbatch()]
    assert rows == [[0, 0], [1, 0], [2, 0]]
    assert b.unbatch().element_spec == cf.SparseTensorSpec([2], cf.int64)


def test_ragged_elements_in_a_traced_loop():
    ds = cf.data.Dataset.from_tensor_slices(cf.ragged.constant(RT)).batch(2)

    @cf.function
    def total(batch):
        return cf.reduce_sum(batch, axis=1)
    assert [total(b).numpy().tolist() for b in ds] == [[6, 0], [9]]


def test_next_inside_a_function_yields_composites():
    it = iter(cf.data.Dataset.range(1, 6).map(lambda x: cf.range(x)).ragged_batch(2))

    @cf.function
    def step():
        b = next(it)
        return cf.reduce_sum(b, axis=1), b
    assert step()[1].to_list() == [[0], [0, 1]]
    total, b = step()
    assert total.numpy().tolist() == [3, 6] and b.to_list() == [[0, 1, 2], [0, 1, 2, 3]]
    assert step.experimental_get_tracing_count() == 1
    sp = iter(cf.data.Dataset.range(3).map(lambda x: cf.sparse.SparseTensor([[0]], [x], [2]))
              .batch(2))
    dense = cf.function(lambda: cf.sparse.to_dense(next(sp)))
    assert dense().numpy().tolist() == [[0, 0], [1, 0]]
    assert dense().numpy().tolist() == [[2, 0]]


def test_python_for_over_a_dataset_inside_a_function():
    ds = cf.data.Dataset.range(1, 4).map(lambda x: cf.range(x)).ragged_batch(2)

    @cf.function
    def loop(d):
        s = cf.constant(0, cf.int64)
        for b in d:
            s += cf.reduce_sum(b.flat_values)
        return s
    assert int(loop(ds)) == 4


def test_from_generator_with_composite_signatures():
    def gen():
        yield cf.ragged.constant([[1], [2, 3]])
        yield [[4, 5, 6]]                       # a nested list converts to the spec
    ds = cf.data.Dataset.from_generator(
        gen, output_signature=cf.RaggedTensorSpec([None, None], cf.int32))
    assert ds.element_spec == _spec([None, None], cf.int32, 1)
    assert [x.to_list() for x in ds] == [[[1], [2, 3]], [[4, 5, 6]]]
    bad = cf.data.Dataset.from_generator(
        gen, output_signature=cf.RaggedTensorSpec([None, None], cf.float32))
    with pytest.raises(cf.errors.InvalidArgumentError):
        list(bad)
    sparse = cf.data.Dataset.from_generator(
        lambda: iter([cf.sparse.SparseTensor([[0]], [1], [3])]),
        output_signature=cf.SparseTensorSpec([None], cf.int32))
    assert [cf.sparse.to_dense(x).numpy().tolist() for x in sparse] == [[1, 0, 0]]


def test_slices_of_a_sparse_tensor():
    st = cf.sparse.SparseTensor([[0, 1], [1, 0]], [5, 6], [2, 2])
    ds = cf.data.Dataset.from_tensor_slices(st)
    assert ds.element_spec == cf.SparseTensorSpec([2], cf.int32)
    assert [cf.sparse.to_dense(x).numpy().tolist() for x in ds] == [[0, 5], [6, 0]]
