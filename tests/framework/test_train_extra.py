"""cf.train: ExponentialMovingAverage, ClusterSpec, CheckpointOptions,
checkpoints_iterator, Coordinator (expected values from TensorFlow 2.21)."""
import threading

import numpy as np
import pytest

import cuflow as cf


def test_ema_eager_with_num_updates_matches_tf():
    v = cf.Variable([1., 2.], name="w")
    u = cf.Variable(3., name="b", dtype=cf.float64)
    step = cf.Variable(0, name="step")
    ema = cf.train.ExponentialMovingAverage(0.9, num_updates=step)
    assert ema.average_name(v) == "w/ExponentialMovingAverage"
    assert ema.apply([v, u]) is None
    avg = ema.average(v)
    assert avg.name == "w/ExponentialMovingAverage:0" and not avg.trainable
    assert avg.numpy().tolist() == [1., 2.]
    v.assign([3., 4.])
    u.assign(5.)
    step.assign(5)
    ema.apply([v, u])      # decay = min(0.9, 6/15) = 0.4, computed in float32
    np.testing.assert_allclose(ema.average(v).numpy(), [2.2, 3.2], rtol=1e-6)
    assert ema.average(u).numpy() == pytest.approx(4.200000047683716, abs=1e-12)
    assert ema.average(u).dtype == cf.float64
    assert list(ema.variables_to_restore([v])) == ["w/ExponentialMovingAverage"]
    assert ema.average(step) is None
    with pytest.raises(TypeError, match="half, float, or double"):
        ema.apply([step])
    with pytest.raises(TypeError, match="non-Variable"):
        ema.apply([cf.constant(1.)])


def test_ema_inside_function_starts_from_outside_value():
    v = cf.Variable([3., 4.], name="w")
    ema = cf.train.ExponentialMovingAverage(0.5, name="EMA2")

    @cf.function
    def f():
        v.assign_add([1., 1.])
        ema.apply([v])
        return ema.average(v).read_value()
    assert f().numpy().tolist() == [3.5, 4.5]
    assert f().numpy().tolist() == [4.25, 5.25]
    assert ema.average(v).name == "w/EMA2:0"


def test_cluster_spec():
    cs = cf.train.ClusterSpec({"worker": ["w0:2222", "w1:2222"], "ps": ["p0:2222"]})
    assert cs.jobs == ["worker", "ps"] and cs.num_tasks("worker") == 2
    assert cs.task_address("worker", 1) == "w1:2222" and cs.task_indices("ps") == [0]
    assert cs.as_dict() == {"worker": ["w0:2222", "w1:2222"], "ps": ["p0:2222"]}
    assert cf.train.ClusterSpec(cs) == cs and bool(cs)
    assert repr(cs) == "ClusterSpec({'ps': ['p0:2222'], 'worker': ['w0:2222', 'w1:2222']})"
    sparse = cf.train.ClusterSpec({"worker": {1: "w1:2222", 3: "w3:2222"}})
    assert sparse.as_dict() == {"worker": {1: "w1:2222", 3: "w3:2222"}}
    assert sparse.job_tasks("worker") == [None, "w1:2222", None, "w3:2222"]
    with pytest.raises(ValueError, match="No task with index 0"):
        sparse.task_address("worker", 0)
    with pytest.raises(ValueError, match="No such job"):
        cs.num_tasks("nope")
    assert not cf.train.ClusterSpec({})


def test_checkpoint_options_and_iterator(tmp_path):
    opts = cf.train.CheckpointOptions(experimental_io_device="/job:localhost",
                                      enable_async=True)
    assert opts.experimental_enable_async_checkpoint and opts.enable_async
    ckpt = cf.train.Checkpoint(v=cf.Variable(1.))
    path = ckpt.save(str(tmp_path / "ckpt"), options=opts)
    ckpt.restore(path, options=opts)
    it = cf.train.checkpoints_iterator(str(tmp_path), timeout=0)
    assert list(it) == [path]
    calls = []
    it = cf.train.checkpoints_iterator(str(tmp_path / "empty"), timeout=0,
                                       timeout_fn=lambda: calls.append(1) or len(calls) > 1)
    assert list(it) == [] and len(calls) == 2


def test_coordinator_reraises_and_clean_stop():
    coord = cf.train.Coordinator()

    def worker():
        with coord.stop_on_exception():
            raise RuntimeError("boom")
    t = threading.Thread(target=worker)
    t.start()
    with pytest.raises(RuntimeError, match="boom"):
        coord.join([t])
    assert coord.joined
    coord.clear_stop()
    assert not coord.should_stop()
    coord.request_stop(cf.errors.OutOfRangeError(None, None, "end"))   # a clean stop
    coord.join([])
    assert coord.should_stop() and coord.wait_for_stop(0)
