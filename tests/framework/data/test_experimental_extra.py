"""tf.data.experimental's functional forms, sources and option enums (values as TF 2.21)."""
import sqlite3

import numpy as np
import pytest

import cuflow as cf

E = cf.data.experimental
DS = cf.data.Dataset.range(10)


def _list(ds):
    return [tuple(np.asarray(x).tolist() for x in v) if isinstance(v, tuple)
            else np.asarray(v).tolist() for v in ds.as_numpy_iterator()]


def test_functional_forms_match_methods():
    assert _list(DS.apply(E.map_and_batch(lambda x: x * 2, 4, drop_remainder=True))) == [
        [0, 2, 4, 6], [8, 10, 12, 14]]
    assert _list(cf.data.Dataset.range(3).apply(E.parallel_interleave(
        lambda x: cf.data.Dataset.range(x + 1), 2))) == [0, 0, 1, 0, 1, 2]
    assert _list(DS.apply(E.enumerate_dataset(5)).take(2)) == [(5, 0), (6, 1)]
    assert _list(DS.apply(E.scan(cf.constant(0, cf.int64), lambda s, x: (s + x, s))))[-1] == 36
    out = _list(DS.take(3).apply(E.shuffle_and_repeat(3, 2, seed=1)))
    assert sorted(out) == [0, 0, 1, 1, 2, 2]
    with pytest.raises(ValueError, match="only one of"):
        E.map_and_batch(lambda x: x, 2, num_parallel_batches=1, num_parallel_calls=1)


def test_group_by_reducer_and_reducer_unpacking():
    r = E.Reducer(lambda k: (k, cf.constant(0, cf.int64)), lambda s, x: (s[0], s[1] + x),
                  lambda k, s: (k, s))
    assert _list(DS.apply(E.group_by_reducer(lambda x: x % 4, r))) == [
        (0, 12), (1, 15), (2, 8), (3, 10)]


def test_from_list_at_and_pad_to_cardinality():
    ds = E.from_list([[1, 2], [3]])
    assert ds.element_spec.shape.as_list() == [None]
    assert _list(ds) == [[1, 2], [3]]
    assert int(E.at(DS.map(lambda x: x * 2), 4)) == 8
    with pytest.raises(cf.errors.OutOfRangeError):
        E.at(DS, 30)
    padded = list(cf.data.Dataset.from_tensor_slices({"a": [1, 2]}).apply(
        E.pad_to_cardinality(4)).as_numpy_iterator())
    assert [int(e["a"]) for e in padded] == [1, 2, 0, 0]
    assert [bool(e["valid"]) for e in padded] == [True, True, False, False]


def test_sql_and_tfrecord_writer(tmp_path):
    path = str(tmp_path / "db.sqlite")
    con = sqlite3.connect(path)
    con.execute("create table t (name text, age integer)")
    con.executemany("insert into t values (?, ?)", [("ann", 30), ("bob", 41)])
    con.commit()
    con.close()
    rows = _list(E.SqlDataset("sqlite", path, "select name, age from t",
                              (cf.string, cf.int32)))
    assert rows == [(b"ann", 30), (b"bob", 41)]
    rec = str(tmp_path / "x.tfrecord")
    E.TFRecordWriter(rec, "GZIP").write(cf.data.Dataset.from_tensor_slices([b"a", b"bc"]))
    assert _list(cf.data.TFRecordDataset(rec, "GZIP")) == [b"a", b"bc"]
    with pytest.raises(TypeError, match="scalar"):
        E.TFRecordWriter(rec).write(DS)


def test_options_enums_and_optional():
    opts = cf.data.Options()
    opts.experimental_distribute.auto_shard_policy = E.AutoShardPolicy.OFF
    opts.experimental_external_state_policy = E.ExternalStatePolicy.IGNORE
    got = DS.with_options(opts).options()
    assert got.experimental_distribute.auto_shard_policy == -1
    assert got.experimental_external_state_policy is E.ExternalStatePolicy.IGNORE
    assert [p.name for p in E.AutotuneAlgorithm][:2] == ["DEFAULT", "HILL_CLIMB"]
    it = iter(DS.take(1))
    first, second = E.get_next_as_optional(it), E.get_next_as_optional(it)
    assert bool(first.has_value()) and not bool(second.has_value())
    assert isinstance(first, E.Optional) and E.get_structure(it) == DS.element_spec


def test_make_batched_features_dataset(tmp_path):
    for f in range(2):
        with cf.io.TFRecordWriter(str(tmp_path / f"part-{f}.tfrecord")) as w:
            for i in range(3):
                v = f * 10 + i
                feats = {"x": cf.train.Feature(float_list=cf.train.FloatList(value=[v])),
                         "y": cf.train.Feature(int64_list=cf.train.Int64List(value=[v % 2]))}
                w.write(cf.train.Example(
                    features=cf.train.Features(feature=feats)).SerializeToString())
    spec = {"x": cf.io.FixedLenFeature([1], cf.float32), "y": cf.io.FixedLenFeature([], cf.int64)}
    ds = E.make_batched_features_dataset(str(tmp_path / "*.tfrecord"), 4, spec,
                                         label_key="y", num_epochs=1, shuffle=False)
    batches = list(ds.as_numpy_iterator())
    assert [len(lbl) for _, lbl in batches] == [4, 2]
    xs = sorted(float(v) for feats, _ in batches for v in feats["x"].ravel())
    assert xs == [0.0, 1.0, 2.0, 10.0, 11.0, 12.0]
    with pytest.raises(ValueError, match="label_key"):
        E.make_batched_features_dataset(str(tmp_path / "*.tfrecord"), 4, spec, label_key="z")


def test_tables_from_datasets_match_tf():
    pairs = cf.data.Dataset.from_tensor_slices((["a", "b", "c"], [10, 20, 30])).map(
        lambda k, v: (k, cf.cast(v, cf.int64)))
    table = E.table_from_dataset(pairs, default_value=-1)
    assert table.lookup(cf.constant(["b", "z"])).numpy().tolist() == [20, -1]
    idx = E.index_table_from_dataset(cf.data.Dataset.from_tensor_slices(["x", "y"]),
                                     num_oov_buckets=2)
    assert idx.lookup(cf.constant(["y", "q", "x"])).numpy().tolist() == [1, 3, 0]  # TF's
    init = E.DatasetInitializer(pairs)
    assert isinstance(init, cf.lookup.KeyValueTensorInitializer)
    assert cf.lookup.StaticHashTable(init, -5).lookup(cf.constant(["c", "?"])).numpy(
        ).tolist() == [30, -5]
    with pytest.raises(cf.errors.InvalidArgumentError, match="vocab_size"):
        E.table_from_dataset(pairs, vocab_size=2)
