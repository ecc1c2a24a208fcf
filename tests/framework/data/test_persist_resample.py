"""Dataset.save/load/snapshot and rejection_resample (checked against TF 2.21's results)."""
import os

import numpy as np
import pytest

import cuflow as cf


def test_save_load_round_trip_keeps_structure_and_spec(tmp_path):
    path = str(tmp_path / "saved")
    ds = cf.data.Dataset.range(3).map(lambda x: {"n": x, "s": (cf.strings.as_string(x),
                                                              cf.fill([2], x * 2))})
    assert ds.save(path) is None
    back = cf.data.Dataset.load(path)
    assert back.element_spec == ds.element_spec
    assert back.cardinality().numpy() == 3
    got = [(int(e["n"]), e["s"][0].numpy(), e["s"][1].numpy().tolist()) for e in back]
    assert got == [(0, b"0", [0, 0]), (1, b"1", [2, 2]), (2, b"2", [4, 4])]
    with pytest.raises(cf.errors.NotFoundError):
        cf.data.Dataset.load(str(tmp_path / "missing"))


def test_snapshot_reads_the_first_pass_back(tmp_path):
    calls = []

    def count(x):
        calls.append(1)
        return x
    ds = cf.data.Dataset.range(4).map(lambda x: cf.py_function(count, [x], cf.int64))
    snap = ds.snapshot(str(tmp_path / "snap"))
    snap.element_spec           # (probing the map function for its spec may call it)
    calls.clear()
    assert [int(x) for x in snap] == [0, 1, 2, 3]
    assert [int(x) for x in snap] == [0, 1, 2, 3]
    assert len(calls) == 4 and os.listdir(tmp_path / "snap")


def test_rejection_resample_reaches_the_target_distribution():
    ds = cf.data.Dataset.range(4000).map(lambda x: (x, cf.cast(x % 4 == 0, cf.int64)))
    out = ds.rejection_resample(lambda x, y: y, target_dist=[0.5, 0.5], seed=1)
    spec = out.element_spec
    assert spec[0] == cf.TensorSpec([], cf.int64) and len(spec[1]) == 2
    classes = np.array([int(c) for c, _ in out])
    assert 0.4 < classes.mean() < 0.6 and len(classes) > 1000
    given = cf.data.Dataset.range(100).map(lambda x: x % 2).apply(
        cf.data.experimental.rejection_resample(lambda x: x, [0.9, 0.1], [0.5, 0.5], seed=0))
    assert [int(c) for c, e in given] == [int(e) for c, e in given]


def test_from_tensor_slices_shape_errors_are_value_errors():
    with pytest.raises(ValueError, match="same size in the first dimension"):
        cf.data.Dataset.from_tensor_slices(([1, 2], [1, 2, 3]))
    with pytest.raises(ValueError, match="rank 1"):
        cf.data.Dataset.from_tensor_slices(cf.constant(1))
