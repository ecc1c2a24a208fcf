"""Callback hook order and the built-in callbacks."""
import csv
import os

import numpy as np
import pytest

import cuflow as cf

keras = cf.keras
X = np.random.RandomState(0).rand(40, 3).astype(np.float32)
Y = (X @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)


def small(seed=0, lr=0.05, opt=None):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                          keras.layers.Dense(1)])
    m.compile(opt or keras.optimizers.SGD(lr), "mse")
    return m


HOOKS = [n for n in dir(keras.callbacks.Callback) if n.startswith("on_")]


def _recorder(name):
    def hook(self, *args, **kwargs):
        self.calls.append(name)
    return hook


class Recorder(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []


for _name in HOOKS:
    setattr(Recorder, _name, _recorder(_name))


def test_hook_order_matches_tf():
    r = Recorder()
    small().fit(X, Y, batch_size=20, epochs=1, validation_data=(X[:10], Y[:10]), verbose=0,
                callbacks=[r])
    assert r.calls == [
        "on_train_begin", "on_epoch_begin",
        "on_train_batch_begin", "on_train_batch_end",
        "on_train_batch_begin", "on_train_batch_end",
        "on_test_begin", "on_test_batch_begin", "on_test_batch_end", "on_test_end",
        "on_epoch_end", "on_train_end"]
    r2 = Recorder()
    small().predict(X[:5], callbacks=[r2], verbose=0)
    assert r2.calls == ["on_predict_begin", "on_predict_batch_begin", "on_predict_batch_end",
                        "on_predict_end"]


def test_early_stopping_restores_best_weights():
    m = small(lr=0.05)
    snapshots = []

    class Snap(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            snapshots.append((logs["loss"], self.model.get_weights()))
    # a learning rate that diverges after a few epochs: loss rises, training stops
    es = keras.callbacks.EarlyStopping(monitor="loss", patience=2, restore_best_weights=True)

    class Diverge(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 3:
                self.model.optimizer.learning_rate = 5.0
    h = m.fit(X, Y, epochs=30, verbose=0, callbacks=[Diverge(), Snap(), es])
    assert len(h.history["loss"]) < 30
    best = int(np.argmin([s[0] for s in snapshots]))
    assert es.best_epoch == best
    for a, b in zip(m.get_weights(), snapshots[best][1]):
        np.testing.assert_allclose(a, b)


def test_model_checkpoint_save_best_only(tmp_path):
    path = str(tmp_path / "best.keras")
    ck = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True)
    m = small()
    saves = []
    real = m.save
    m.save = lambda p, **k: (saves.append(p), real(p, **k))
    m.fit(X, Y, epochs=3, verbose=0, callbacks=[ck])
    assert os.path.exists(path) and len(saves) >= 1
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".tmp")]
    loaded = keras.models.load_model(path)
    assert loaded.count_params() == m.count_params()
    with pytest.raises(ValueError):
        keras.callbacks.ModelCheckpoint(str(tmp_path / "x.txt"))
    wpath = str(tmp_path / "ep{epoch}.weights.h5")
    m.fit(X, Y, epochs=2, verbose=0, callbacks=[
        keras.callbacks.ModelCheckpoint(wpath, save_weights_only=True, monitor="loss")])
    assert os.path.exists(str(tmp_path / "ep2.weights.h5"))


def test_reduce_lr_and_scheduler():
    m = small(lr=0.1)
    rl = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1,
                                           min_delta=1e9)  # never "improves"
    h = m.fit(X, Y, epochs=3, verbose=0, callbacks=[rl])
    # logged before the reduction at the epoch's end, as Keras
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.1, 0.05], rtol=1e-6)
    np.testing.assert_allclose(float(m.optimizer.learning_rate.numpy()), 0.025, rtol=1e-6)
    m = small(lr=0.1)
    sched = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.1 / (epoch + 1))
    h = m.fit(X, Y, epochs=3, verbose=0, callbacks=[sched])
    np.testing.assert_allclose(h.history["learning_rate"], [0.1, 0.05, 0.1 / 3], rtol=1e-6)


def test_csv_logger(tmp_path):
    path = str(tmp_path / "log.csv")
    small().fit(X, Y, epochs=2, verbose=0, validation_split=0.25,
                callbacks=[keras.callbacks.CSVLogger(path)])
    rows = list(csv.DictReader(open(path)))
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert set(rows[0]) == {"epoch", "loss", "val_loss"}


def test_terminate_on_nan():
    m = small()
    y = Y.copy()
    y[5] = np.nan
    h = m.fit(X, y, epochs=3, batch_size=10, verbose=0,
              callbacks=[keras.callbacks.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1


def test_backup_and_restore_resumes(tmp_path):
    backup = str(tmp_path / "backup")

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("interrupted")
    # reference: 4 uninterrupted epochs
    ref = small(opt=keras.optimizers.Adam(0.01))
    ref.fit(X, Y, epochs=4, verbose=0, shuffle=False)
    m = small(opt=keras.optimizers.Adam(0.01))
    with pytest.raises(RuntimeError):
        m.fit(X, Y, epochs=4, verbose=0, shuffle=False,
              callbacks=[keras.callbacks.BackupAndRestore(backup), Interrupt()])
    assert os.path.isdir(backup)
    m2 = small(seed=5, opt=keras.optimizers.Adam(0.01))  # fresh weights, fresh optimizer
    epochs = []
    h = m2.fit(X, Y, epochs=4, verbose=0, shuffle=False,
               callbacks=[keras.callbacks.BackupAndRestore(backup),
                          keras.callbacks.LambdaCallback(
                              on_epoch_begin=lambda e, logs: epochs.append(e))])
    assert epochs == [2, 3]
    assert int(m2.optimizer.iterations.numpy()) == int(ref.optimizer.iterations.numpy())
    for a, b in zip(m2.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not os.path.exists(backup)
    assert h.epoch == [2, 3]


def test_tensorboard_writes_event_files(tmp_path):
    pytest.importorskip("tensorboard")
    tb = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"))
    small().fit(X, Y, epochs=2, verbose=0, validation_split=0.25, callbacks=[tb])
    found = [f for _, _, fs in os.walk(tmp_path / "logs") for f in fs
             if f.startswith("events.out.tfevents")]
    assert found
