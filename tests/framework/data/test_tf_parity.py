"""Same pipelines through tf.data and cf.data, compared element by element (shuffles as
multisets). Runs where TensorFlow is importable (e.g. the bench venv); skipped otherwise.
"""
import numpy as np
import pytest

import cuflow as cf

tf = pytest.importorskip("tensorflow")


def _py(v):
    if isinstance(v, dict):
        return {k: _py(x) for k, x in sorted(v.items())}
    if isinstance(v, tuple):
        return tuple(_py(x) for x in v)
    return np.asarray(v).tolist()


def _run(ds):
    out = []
    for e in ds:
        if hasattr(e, "as_numpy_iterator") or (isinstance(e, tuple) and e and
                                               hasattr(e[0], "as_numpy_iterator")):
            e = tuple(_run(d) for d in e) if isinstance(e, tuple) else _run(e)
            out.append(e)
            continue
        out.append(_py(tf.nest.map_structure(lambda t: t.numpy(), e) if not hasattr(
            e, "numpy") else e.numpy()) if not isinstance(e, (tuple, dict)) else _py(
            tf.nest.map_structure(lambda t: t.numpy(), e)))
    return out


def _elements():
    return [[0], [1, 2, 3, 4], [5, 6, 7], [7, 8, 9, 10, 11], [13, 14, 15, 16, 19, 20],
            [21, 22]]


PIPELINES = {
    "batch_zip": lambda L: L.data.Dataset.zip((L.data.Dataset.range(10),
                                               L.data.Dataset.range(0, -10, -1))).batch(4),
    "padded": lambda L: L.data.Dataset.range(10).map(
        lambda x: L.fill([L.cast(x, L.int32)], x)).padded_batch(3, padded_shapes=(None,)),
    "padded_default": lambda L: L.data.Dataset.range(6).map(
        lambda x: L.fill([L.cast(x, L.int32)], x)).padded_batch(4),
    "unbatch_rebatch": lambda L: L.data.Dataset.range(11).batch(4).unbatch().batch(3),
    "rebatch": lambda L: L.data.Dataset.range(11).batch(4).rebatch(3),
    "window": lambda L: L.data.Dataset.range(9).window(4, 2, 2).flat_map(
        lambda w: w.batch(4)),
    "window_drop": lambda L: L.data.Dataset.range(100).window(10, 5, 3, True).flat_map(
        lambda w: w.batch(10)).take(4),
    "interleave": lambda L: L.data.Dataset.range(1, 6).interleave(
        lambda x: L.data.Dataset.from_tensors(x).repeat(x), cycle_length=3, block_length=2),
    "group": lambda L: L.data.Dataset.range(13).group_by_window(
        lambda x: x % 3, lambda k, d: d.batch(3), window_size=3),
    "bucket": lambda L: L.data.Dataset.from_generator(
        _elements, L.int64, output_shapes=[None]).bucket_by_sequence_length(
        lambda e: L.size(e), [3, 5], [2, 2, 2]),
    "bucket_boundary": lambda L: L.data.Dataset.from_generator(
        _elements, L.int64, output_shapes=[None]).bucket_by_sequence_length(
        lambda e: L.size(e), [3, 7], [2, 2, 2], pad_to_bucket_boundary=True),
    "scan_enum": lambda L: L.data.Dataset.range(6).scan(
        L.constant(0, L.int64), lambda s, x: (s + x, s)).enumerate(3),
    "shard_skip_take": lambda L: L.data.Dataset.range(30).shard(4, 1).skip(2).take(4),
    "take_while": lambda L: L.data.Dataset.range(10).take_while(lambda x: x < 4).repeat(2),
    "unique": lambda L: L.data.Dataset.from_tensor_slices([3, 1, 3, 2, 1]).unique(),
    "filter_map": lambda L: L.data.Dataset.range(20).filter(lambda x: x % 3 == 0).map(
        lambda x: (x, x * 2)),
    "dict": lambda L: L.data.Dataset.from_tensor_slices(
        {"a": [1, 2, 3], "b": [[1.0], [2.0], [3.0]]}).batch(2),
    "fused_repeat_batch": lambda L: L.data.Dataset.from_tensor_slices(
        (np.arange(10), np.arange(10.0))).map(lambda a, b: (a * 2, b - 1)).repeat(3).batch(4),
    "fused_drop": lambda L: L.data.Dataset.from_tensor_slices(np.arange(24).reshape(12, 2))
    .map(lambda v: v + 1).batch(5, drop_remainder=True),
    "fused_unlifted": lambda L: L.data.Dataset.from_tensor_slices(
        np.arange(12.0).reshape(4, 3)).map(lambda v: v - L.reduce_mean(v)).batch(3),
    "choose": lambda L: L.data.Dataset.choose_from_datasets(
        [L.data.Dataset.range(3), L.data.Dataset.range(10, 13)],
        L.data.Dataset.from_tensor_slices(np.array([0, 1, 1, 0, 1], np.int64))),
}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_same_elements_as_tf_data(name):
    build = PIPELINES[name]
    assert _run(build(cf)) == _run(build(tf))


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_same_cardinality_as_tf_data(name):
    build = PIPELINES[name]
    assert int(build(cf).cardinality()) == int(build(tf).cardinality())


def test_shuffle_multiset_and_buffer_bound():
    for L in (cf, tf):
        out = [int(v) for v in L.data.Dataset.range(500).shuffle(50).as_numpy_iterator()]
        assert sorted(out) == list(range(500))
        assert all(v <= i + 49 for i, v in enumerate(out))


def _spec(s):
    if isinstance(s, dict):
        return {k: _spec(v) for k, v in sorted(s.items())}
    if isinstance(s, tuple):
        return tuple(_spec(v) for v in s)
    if not hasattr(s, "shape") or s.dtype.name == "variant":
        return "dataset"
    return (None if s.shape.rank is None else list(s.shape.as_list()), s.dtype.name)


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_same_element_spec_as_tf_data(name):
    build = PIPELINES[name]
    assert _spec(build(cf).element_spec) == _spec(build(tf).element_spec)


def test_csv_readers_match(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('a,b,c,d\n1,2.5,x,7\n2,,y,8\n3,4.5,"q,z",9\n4,1,w,3000000000\n')
    out = []
    for L in (cf, tf):
        ds = L.data.experimental.make_csv_dataset(str(path), batch_size=3, label_name="d",
                                                  num_epochs=1, shuffle=False)
        rows = [({k: (v.dtype.name, v.numpy().tolist()) for k, v in f.items()},
                 label.dtype.name, label.numpy().tolist()) for f, label in ds]
        csv = L.data.experimental.CsvDataset(str(path), [L.int32, [0.0], [""], L.int64],
                                             header=True)
        rows.append([tuple(np.asarray(x.numpy()).tolist() for x in e) for e in csv])
        out.append(rows)
    assert out[0] == out[1]
