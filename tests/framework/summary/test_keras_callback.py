"""The Keras TensorBoard callback driven by a fake model through TF's hook order."""
import glob
import json
import os
import sys
import types

import cuflow as cf
import numpy as np
import pytest
from cuflow.summary.keras_callback import TensorBoard

from .helpers import load, plugin, values


class Weight:
    def __init__(self, path, value):
        self.path, self.name, self._value = path, path.split("/")[-1] + ":0", value

    def numpy(self):
        return self._value


class Optimizer:
    def __init__(self, learning_rate=0.01):
        self.learning_rate = learning_rate
        self.iterations = 0


class Model:
    def __init__(self, learning_rate=0.01):
        rng = np.random.default_rng(0)
        self.weights = [Weight("dense/kernel", rng.normal(size=(6, 4)).astype(np.float32)),
                        Weight("dense/bias", np.arange(4, dtype=np.float32))]
        self.optimizer = Optimizer(learning_rate)

    def to_json(self):
        return json.dumps({"class_name": "Sequential", "config": {"layers": []}})


def loss(epoch, batch):
    return 1.0 / (1 + epoch) + 0.01 * batch


def fit(cb, model, epochs=3, steps=4, val_steps=2, train_step=None):
    """Call the hooks in the order Keras's fit does."""
    cb.set_model(model)
    cb.set_params({"epochs": epochs, "steps": steps, "verbose": 0})
    cb.on_train_begin()
    for epoch in range(epochs):
        cb.on_epoch_begin(epoch)
        for b in range(steps):
            cb.on_train_batch_begin(b)
            if train_step:
                train_step(epoch, b)
            model.optimizer.iterations += 1
            cb.on_train_batch_end(b, {"loss": loss(epoch, b), "accuracy": 0.5})
        cb.on_test_begin()
        for b in range(val_steps):
            cb.on_test_batch_begin(b)
            cb.on_test_batch_end(b, {"loss": 2.0})
        cb.on_test_end({"loss": 2.0 + epoch})
        cb.on_epoch_end(epoch, {"loss": loss(epoch, steps - 1), "accuracy": 0.5 + epoch / 10,
                                "val_loss": 2.0 + epoch, "val_accuracy": 0.25})
    cb.on_train_end()


def scalars(acc, tag):
    return [(s, v.item()) for s, v in values(acc, tag)]


def test_epoch_metrics_learning_rate_and_runs(tmp_path):
    fit(TensorBoard(log_dir=str(tmp_path)), Model())
    train, val = load(tmp_path / "train"), load(tmp_path / "validation")
    f32 = lambda x: float(np.float32(x))
    assert scalars(train, "epoch_loss") == [(e, f32(loss(e, 3))) for e in range(3)]
    assert scalars(train, "epoch_accuracy") == [(e, f32(0.5 + e / 10)) for e in range(3)]
    assert scalars(train, "epoch_learning_rate") == [(e, f32(0.01)) for e in range(3)]
    assert scalars(val, "epoch_loss") == [(e, 2.0 + e) for e in range(3)]
    assert scalars(val, "epoch_accuracy") == [(e, 0.25) for e in range(3)]
    assert scalars(val, "evaluation_loss_vs_iterations") == [(4, 2.0), (8, 3.0), (12, 4.0)]
    assert not [t for t in train.Tags()["tensors"] if t.startswith(("batch_", "val_"))]
    assert plugin(train, "keras") == "graph_keras_model"  # write_graph=True
    assert not [t for t in train.Tags()["tensors"] if "histogram" in t]


@pytest.mark.parametrize("freq, expected", [("batch", list(range(1, 13))), (5, [5, 10])])
def test_batch_level_logs(tmp_path, freq, expected):
    seen = []

    def train_step(epoch, b):  # a summary written inside the "train step" of fit
        seen.append(cf.summary.scalar("custom", float(b)))
    fit(TensorBoard(log_dir=str(tmp_path), update_freq=freq), Model(), train_step=train_step)
    train = load(tmp_path / "train")
    got = scalars(train, "batch_loss")
    assert [s for s, _ in got] == expected
    assert [v for _, v in got] == [float(np.float32(loss((s - 1) // 4, (s - 1) % 4)))
                                   for s in expected]
    assert [s for s, _ in scalars(train, "custom")] == expected
    assert sum(seen) == len(expected)


def test_epoch_update_freq_batch_scalars_go_to_a_user_default_writer(tmp_path):
    # Keras 3.15 on TF 2.21 (the "TensorBoard Scalars" guide's LearningRateScheduler set-up
    # with file_writer.set_as_default()): on_train_batch_end writes batch_<metric> into
    # whatever default writer is set, at steps 1, 2, ...
    user = cf.summary.create_file_writer(str(tmp_path / "user"))
    user.set_as_default(step=0)
    fit(TensorBoard(log_dir=str(tmp_path / "tb")), Model())
    user.close()
    tags = load(tmp_path / "user").Tags()["tensors"]
    assert "batch_loss" in tags
    assert [s for s, _ in values(load(tmp_path / "user"), "batch_loss")][:2] == [1, 2]
    assert "batch_loss" not in load(tmp_path / "tb" / "train").Tags()["tensors"]


def test_weight_histograms_and_images(tmp_path):
    model = Model()
    fit(TensorBoard(log_dir=str(tmp_path), histogram_freq=2, write_images=True), model)
    train = load(tmp_path / "train")
    kernel = values(train, "dense/kernel/histogram")
    assert [s for s, _ in kernel] == [0, 2]
    h = kernel[0][1]
    assert h.shape == (30, 3) and h[:, 2].sum() == 24
    assert h[0, 0] == model.weights[0].numpy().min()
    (_, img), _ = values(train, "dense/kernel/image")
    assert (img[0], img[1]) == (b"6", b"4")  # width, height: the transposed 6x4 kernel
    assert plugin(train, "dense/bias/image") == "images"


def test_steps_per_second(tmp_path):
    fit(TensorBoard(log_dir=str(tmp_path), write_steps_per_second=True, update_freq=1),
        Model())
    train = load(tmp_path / "train")
    assert all(v > 0 for _, v in scalars(train, "epoch_steps_per_second"))
    assert len(scalars(train, "batch_steps_per_second")) == 12


def test_learning_rate_schedule_and_variable(tmp_path):
    schedule = lambda step: 0.1 / (1 + step)
    fit(TensorBoard(log_dir=str(tmp_path / "a")), Model(learning_rate=schedule), epochs=1)
    assert scalars(load(tmp_path / "a" / "train"), "epoch_learning_rate") == [
        (0, float(np.float32(0.1 / 5)))]
    fit(TensorBoard(log_dir=str(tmp_path / "b")), Model(learning_rate=cf.Variable(0.5)),
        epochs=1)
    assert scalars(load(tmp_path / "b" / "train"), "epoch_learning_rate") == [(0, 0.5)]


def test_profile_batch_range(tmp_path):
    fit(TensorBoard(log_dir=str(tmp_path), profile_batch=(2, 3)), Model())
    paths = glob.glob(str(tmp_path / "train" / "plugins" / "profile" / "*" / "*.trace.json"))
    assert len(paths) == 1
    with open(paths[0]) as f:
        events = json.load(f)["traceEvents"]
    steps = [e["args"]["step_num"] for e in events if e.get("name") == "Profiled Step"]
    assert steps == [2, 3]
    assert not cf.profiler.active()


def test_bad_arguments():
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoard(update_freq=0)
    with pytest.raises(ValueError, match="profile_batch"):
        TensorBoard(profile_batch=(3, 1))
    with pytest.raises(ValueError, match="profile_batch"):
        TensorBoard(profile_batch="a,b")
    assert TensorBoard(profile_batch="2,4")._stop_batch == 4
    with pytest.warns(UserWarning, match="embeddings"):
        TensorBoard(embeddings_freq=1)


class NVMLError(Exception):
    pass


def fake_nvml(fail=False):
    mod = types.ModuleType("pynvml")
    mod.NVMLError = NVMLError
    mod.calls = []

    def init():
        if fail:
            raise NVMLError("Driver Not Loaded")
        mod.calls.append("init")
    mod.nvmlInit = init
    mod.nvmlShutdown = lambda: mod.calls.append("shutdown")
    mod.nvmlDeviceGetCount = lambda: 1
    mod.nvmlDeviceGetHandleByIndex = lambda i: ("gpu", i)
    mod.nvmlDeviceGetMemoryInfo = lambda h: types.SimpleNamespace(used=3 * 2**30, total=2**34)
    mod.nvmlDeviceGetUtilizationRates = lambda h: types.SimpleNamespace(gpu=42, memory=7)
    return mod


def test_gpu_stats_through_nvml(tmp_path, monkeypatch):
    mod = fake_nvml()
    monkeypatch.setitem(sys.modules, "pynvml", mod)
    fit(TensorBoard(log_dir=str(tmp_path)), Model(), epochs=2)
    train = load(tmp_path / "train")
    assert scalars(train, "epoch_gpu0_memory_used_mib") == [(0, 3072.0), (1, 3072.0)]
    assert scalars(train, "epoch_gpu0_utilization") == [(0, 42.0), (1, 42.0)]
    assert mod.calls == ["init", "shutdown"]


@pytest.mark.parametrize("module", [None, "failing"])
def test_no_nvml_is_quiet(tmp_path, monkeypatch, module, recwarn):
    monkeypatch.setitem(sys.modules, "pynvml", None if module is None else fake_nvml(True))
    fit(TensorBoard(log_dir=str(tmp_path)), Model(), epochs=1)
    assert not [t for t in load(tmp_path / "train").Tags()["tensors"] if "gpu" in t]
    assert len(recwarn) == 0


def test_fit_twice_reuses_log_dir(tmp_path):
    cb = TensorBoard(log_dir=str(tmp_path))
    fit(cb, Model(), epochs=1)
    fit(cb, Model(), epochs=1)
    assert len(os.listdir(tmp_path / "train")) == 2  # one event file per fit
    assert [s for s, _ in scalars(load(tmp_path / "train"), "epoch_loss")] == [0, 0]


def test_cuflow_variables_as_weights(tmp_path):
    model = Model()
    model.weights = [cf.Variable(np.arange(6, dtype=np.float32).reshape(2, 3),
                                 name="dense_1/kernel")]
    fit(TensorBoard(log_dir=str(tmp_path), histogram_freq=1), model, epochs=1)
    (step, h), = values(load(tmp_path / "train"), "dense_1/kernel_0/histogram")
    assert step == 0 and h[:, 2].sum() == 6 and h[-1, 1] == 5.0


def test_train_function_graph_is_written(tmp_path):
    if not hasattr(cf, "function"):
        pytest.skip("this core has no cf.function")
    model = Model()
    model.train_function = cf.function(lambda x: cf.nn.relu(x * 2.0))
    model.train_function(cf.constant([1.0, -1.0]))
    fit(TensorBoard(log_dir=str(tmp_path)), model, epochs=1)
    ops = [n.op for n in load(tmp_path / "train").Graph().node]
    assert "relu" in ops and "multiply" in ops


def test_subclasses_cuflow_keras_callback_when_present(monkeypatch):
    import importlib

    from cuflow.summary import keras_callback

    class Callback:
        def __init__(self):
            self.model, self.params = None, {}

        def set_model(self, model):
            self.model = model

    fake = types.ModuleType("cuflow.keras.callbacks")
    fake.Callback = Callback
    package = types.ModuleType("cuflow.keras")
    package.__path__, package.callbacks = [], fake
    monkeypatch.setitem(sys.modules, "cuflow.keras", package)
    monkeypatch.setitem(sys.modules, "cuflow.keras.callbacks", fake)
    try:
        assert issubclass(importlib.reload(keras_callback).TensorBoard, Callback)
        del fake.Callback  # cuflow.keras.callbacks mid-import (a cycle): a loud error
        with pytest.raises(ImportError, match="after defining"):
            importlib.reload(keras_callback)
    finally:
        monkeypatch.undo()
        importlib.reload(keras_callback)
