"""cf.lookup: static / vocabulary / mutable / dense tables, eager, traced and in cf.data.

Expected values were produced by TensorFlow 2.21 (DenseHashTable bucket layouts included).
"""
import numpy as np
import pytest

import cuflow as cf


def _kv(keys, values, **kw):
    return cf.lookup.KeyValueTensorInitializer(keys, values, **kw)


def test_static_hash_table_dense_ragged_sparse():
    t = cf.lookup.StaticHashTable(_kv(["a", "b", "c"], [1, 2, 3]), -1)
    assert t.key_dtype == cf.string and t.value_dtype == cf.int32
    assert t.lookup(cf.constant(["a", "x", "c"])).numpy().tolist() == [1, -1, 3]
    assert t[cf.constant([["a"], ["b"]])].shape == (2, 1)
    assert int(t.size()) == 3 and t.size().dtype == cf.int64
    assert t.lookup(cf.ragged.constant([["a"], ["b", "z"]])).to_list() == [[1], [2, -1]]
    sp = t.lookup(cf.sparse.from_dense(cf.constant([["a", ""], ["", "c"]])))
    assert sp.values.numpy().tolist() == [1, 3]
    keys, vals = t.export()
    assert sorted(zip(keys.numpy().tolist(), vals.numpy().tolist())) == \
        [(b"a", 1), (b"b", 2), (b"c", 3)]


def test_static_hash_table_dtype_errors():
    t = cf.lookup.StaticHashTable(_kv(["a"], [1]), -1)
    with pytest.raises(TypeError, match="must be <dtype: 'string'>"):
        t.lookup(cf.constant([1, 2]))
    with pytest.raises(TypeError):
        cf.lookup.StaticHashTable(_kv(["a"], [1]), -1.5)
    t2 = cf.lookup.StaticHashTable(_kv(cf.constant([1, 5], cf.int64), [0.5, 1.5]), 0.0)
    assert t2.lookup(cf.constant([5, 9], cf.int64)).numpy().tolist() == [1.5, 0.0]
    with pytest.raises(TypeError, match="int64"):
        t2.lookup(cf.constant([5]))


def test_vocabulary_table_oov_buckets_match_tf():
    v = cf.lookup.StaticVocabularyTable(
        _kv(["emerson", "lake", "palmer"], cf.constant([0, 1, 2], cf.int64)), 5)
    ids = v.lookup(cf.constant(["emerson", "lake", "palmer", "king", "crimson", "x"]))
    assert ids.numpy().tolist() == [0, 1, 2, 6, 7, 3] and int(v.size()) == 8
    v2 = cf.lookup.StaticVocabularyTable(
        _kv(cf.constant([10, 20], cf.int64), cf.constant([0, 1], cf.int64)), 3)
    assert v2.lookup(cf.constant([10, 30, 40, 7], cf.int64)).numpy().tolist() == [0, 4, 3, 3]
    v3 = cf.lookup.StaticVocabularyTable(None, 4, lookup_key_dtype=cf.string)
    assert v3.lookup(cf.constant(["a", "b"])).numpy().tolist() == [3, 2]
    with pytest.raises(ValueError):
        cf.lookup.StaticVocabularyTable(None, 0)
    with pytest.raises(TypeError, match="value_dtype"):
        cf.lookup.StaticVocabularyTable(_kv(["a"], [0]), 1)     # int32 values


def test_text_file_initializer(tmp_path):
    fn = tmp_path / "v.txt"
    fn.write_text("apple\t7\nbanana\t9\ncherry\t3\n")
    init = cf.lookup.TextFileInitializer(str(fn), cf.string, 0, cf.int64, 1)
    t = cf.lookup.StaticHashTable(init, -1)
    assert t.lookup(cf.constant(["banana", "kiwi"])).numpy().tolist() == [9, -1]
    idx = cf.lookup.TextFileIndex
    assert (idx.WHOLE_LINE, idx.LINE_NUMBER) == (-2, -1)
    t = cf.lookup.StaticHashTable(cf.lookup.TextFileInitializer(
        str(fn), cf.string, idx.WHOLE_LINE, cf.int64, idx.LINE_NUMBER), -1)
    assert t.lookup(cf.constant(["banana\t9", "kiwi"])).numpy().tolist() == [1, -1]
    t = cf.lookup.StaticHashTable(cf.lookup.TextFileInitializer(
        str(fn), cf.string, 0, cf.int64, idx.LINE_NUMBER, vocab_size=2), -1)
    assert int(t.size()) == 2
    with pytest.raises(ValueError, match="int64"):
        cf.lookup.TextFileInitializer(str(fn), cf.string, 0, cf.int32, idx.LINE_NUMBER)
    with pytest.raises(cf.errors.InvalidArgumentError, match="columns"):
        cf.lookup.StaticHashTable(cf.lookup.TextFileInitializer(
            str(fn), cf.string, 0, cf.int64, 4), -1)


def test_mutable_hash_table_vectors_and_dynamic_default():
    m = cf.lookup.experimental.MutableHashTable(cf.string, cf.int64, -1)
    m.insert(cf.constant(["a", "b"]), cf.constant([1, 2], cf.int64))
    assert m.lookup(cf.constant(["a", "c"])).numpy().tolist() == [1, -1]
    m.remove(cf.constant(["a"]))
    k, v = m.export()
    assert k.numpy().tolist() == [b"b"] and v.numpy().tolist() == [2] and int(m.size()) == 1
    got = m.lookup(cf.constant(["a", "b"]), dynamic_default_values=cf.constant([7, 7], cf.int64))
    assert got.numpy().tolist() == [7, 2]
    mv = cf.lookup.experimental.MutableHashTable(cf.int64, cf.float32, [0., 0.])
    mv.insert(cf.constant([3], cf.int64), cf.constant([[1., 2.]]))
    assert mv.lookup(cf.constant([3, 4], cf.int64)).numpy().tolist() == [[1, 2], [0, 0]]
    with pytest.raises(cf.errors.InvalidArgumentError, match="Expected shape"):
        mv.insert(cf.constant([3], cf.int64), cf.constant([1.]))


def test_mutable_table_inside_function_keeps_program_order():
    m = cf.lookup.experimental.MutableHashTable(cf.int64, cf.int64, -1)

    @cf.function
    def step(x):
        m.insert(x, x * 10)
        a = m.lookup(x + 1)
        m.remove(x[:1])
        return a, m.size()
    a, n = step(cf.constant([1, 2, 3], cf.int64))
    assert a.numpy().tolist() == [20, 30, -1] and int(n) == 2
    a, n = step(cf.constant([4, 5], cf.int64))
    assert a.numpy().tolist() == [50, -1] and int(n) == 3


def test_tables_in_dataset_map():
    t = cf.lookup.StaticHashTable(_kv(["x", "y"], [1., 2.]), 0.)
    ds = cf.data.Dataset.from_tensor_slices([["x", "z"], ["y", "y"]]).map(
        lambda s: (t.lookup(s), t.size()))
    assert [(a.tolist(), int(b)) for a, b in ds.as_numpy_iterator()] == \
        [([1.0, 0.0], 2), ([2.0, 2.0], 2)]


def test_dense_hash_table_bucket_layout_matches_tf():
    d = cf.lookup.experimental.DenseHashTable(cf.int64, cf.int64, default_value=-1,
                                              empty_key=0, deleted_key=-1,
                                              initial_num_buckets=8)
    d.insert(cf.constant([5, 13, 21, 2], cf.int64), cf.constant([50, 130, 210, 20], cf.int64))
    assert d.lookup(cf.constant([13, 2, 3], cf.int64)).numpy().tolist() == [130, 20, -1]
    d.erase(cf.constant([13], cf.int64))
    k, v = d.export()
    assert k.numpy().ravel().tolist() == [21, 0, 2, 0, 0, 5, -1, 0]
    assert v.numpy().ravel().tolist() == [210, 0, 20, 0, 0, 50, 130, 0]
    assert int(d.size()) == 3
    s = cf.lookup.experimental.DenseHashTable(cf.string, cf.int64, default_value=-1,
                                              empty_key="", deleted_key="$",
                                              initial_num_buckets=8)
    s.insert(cf.constant(["hello", "a", "bb"]), cf.constant([1, 2, 3], cf.int64))
    assert s.export()[0].numpy().ravel().tolist() == \
        [b"bb", b"", b"hello", b"", b"a", b"", b"", b""]
    with pytest.raises(cf.errors.InvalidArgumentError, match="empty_key"):
        s.insert(cf.constant([""]), cf.constant([1], cf.int64))


def test_dense_hash_table_grows_like_tf():
    d = cf.lookup.experimental.DenseHashTable(cf.string, cf.float32, [0., 0.], "<e>", "<d>",
                                              initial_num_buckets=4)
    words = [f"w{i}_abcdefghij"[:2 + i % 13] for i in range(30)]
    d.insert(cf.constant(words[:3]), cf.constant(np.arange(6, dtype=np.float32).reshape(3, 2)))
    d.insert(cf.constant(words[3:20]),
             cf.constant(np.arange(34, dtype=np.float32).reshape(17, 2)))
    d.erase(cf.constant(words[5:9]))
    d.insert(cf.constant(words[20:]), cf.constant(np.ones((10, 2), np.float32)))
    k, v = d.export()
    assert k.shape == (64, 1) and v.shape == (64, 2) and int(d.size()) == 26
    # TF 2.21's first 8 buckets
    assert k.numpy().ravel()[:8].tolist() == [b"<e>", b"w28_", b"w29_a", b"<e>", b"w1_",
                                               b"<e>", b"<e>", b"w25_abcdefghij"]
    assert v.numpy()[4].tolist() == [2.0, 3.0]


def test_hash64_is_tfs():
    from cuflow.ops.fingerprint import hash64
    # bucket indices TF gives these strings in an 8-bucket table (see above)
    assert [hash64(s) & 7 for s in (b"bb", b"hello", b"a")] == [0, 2, 4]


def test_string_keys_and_values_hold_bytes():
    t = cf.lookup.StaticHashTable(_kv([1, 2], ["a", "b"]), "z")
    assert t.lookup(cf.constant([1, 3])).numpy().tolist() == [b"a", b"z"]
    m = cf.lookup.experimental.MutableHashTable(cf.int32, cf.string, "z")
    m.insert(cf.constant([1]), cf.constant(["q"]))
    assert m.lookup(cf.constant([1, 2])).numpy().tolist() == [b"q", b"z"]
    assert m.export()[1].numpy().tolist() == [b"q"]


def test_mutable_tables_round_trip_through_checkpoints(tmp_path):
    m = cf.lookup.experimental.MutableHashTable(cf.string, cf.float32, [0., 0.])
    m.insert(cf.constant(["a", "bb\x00"]), cf.constant([[1., 2.], [3., 4.]]))
    d = cf.lookup.experimental.DenseHashTable(cf.int64, cf.int64, -1, 0, -1,
                                              initial_num_buckets=8)
    d.insert(cf.constant([5, 13, 21], cf.int64), cf.constant([50, 130, 210], cf.int64))
    d.erase(cf.constant([13], cf.int64))
    skip = cf.lookup.experimental.MutableHashTable(cf.int64, cf.int64, -1, checkpoint=False)
    skip.insert(cf.constant([1], cf.int64), cf.constant([1], cf.int64))
    path = cf.train.Checkpoint(m=m, d=d, skip=skip).save(str(tmp_path / "ck"))
    m2 = cf.lookup.experimental.MutableHashTable(cf.string, cf.float32, [0., 0.])
    d2 = cf.lookup.experimental.DenseHashTable(cf.int64, cf.int64, -1, 0, -1,
                                               initial_num_buckets=8)
    skip2 = cf.lookup.experimental.MutableHashTable(cf.int64, cf.int64, -1, checkpoint=False)
    cf.train.Checkpoint(m=m2, d=d2, skip=skip2).restore(path)
    assert m2.lookup(cf.constant(["bb\x00", "a", "c"])).numpy().tolist() == \
        [[3, 4], [1, 2], [0, 0]]
    assert d2.export()[0].numpy().ravel().tolist() == d.export()[0].numpy().ravel().tolist()
    assert int(d2.size()) == 2 and int(skip2.size()) == 0


@pytest.mark.parametrize("scale", [3, 10**9])      # a dense slot array / a binary search
def test_integer_static_table_paths_agree_with_a_dict(scale):
    keys = np.arange(0, 5000, dtype=np.int64) * scale
    t = cf.lookup.StaticHashTable(_kv(cf.constant(keys), cf.constant(np.arange(5000.))), -1.)
    q = np.concatenate([keys[::7], keys[:50] + 1, [-5, keys[-1] + scale]])
    want = [float(k // scale) if k % scale == 0 and 0 <= k <= keys[-1] else -1.0 for k in q]
    assert t.lookup(cf.constant(q)).numpy().tolist() == want


def test_duplicate_keys():
    t = cf.lookup.StaticHashTable(_kv(["a", "a"], [1, 1]), -1)
    assert int(t.size()) == 1
    with pytest.raises(cf.errors.FailedPreconditionError, match="different value"):
        cf.lookup.StaticHashTable(_kv(["a", "a"], [1, 2]), -1)
