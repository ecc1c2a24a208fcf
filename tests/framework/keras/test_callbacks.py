"""Callbacks: hook order, EarlyStopping, ModelCheckpoint, CSVLogger, BackupAndRestore,
LearningRateScheduler, ReduceLROnPlateau, TensorBoard."""
import os

import numpy as np
import pytest

import cuflow as cf

K = cf.keras


def _data(n=32):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x @ np.array([[1.0], [-1.0], [0.5]], "float32"))


def _model(lr=0.05):
    K.utils.set_random_seed(0)
    m = K.Sequential([K.layers.Dense(4, activation="relu", input_shape=(3,)),
                      K.layers.Dense(1)])
    m.compile(optimizer=K.optimizers.SGD(lr), loss="mse")
    return m


def test_hook_order_matches_tf():
    calls = []

    hooks = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end"]

    def recorder(name):
        return lambda self, *args, **kwargs: calls.append(name)
    Rec = type("Rec", (K.callbacks.Callback,), {h: recorder(h) for h in hooks})

    x, y = _data(16)
    _model().fit(x, y, batch_size=8, epochs=2, validation_data=(x, y), verbose=0,
                 callbacks=[Rec()])
    per_epoch = ["on_epoch_begin", "on_train_batch_begin", "on_train_batch_end",
                 "on_train_batch_begin", "on_train_batch_end", "on_test_begin",
                 "on_test_batch_begin", "on_test_batch_end", "on_test_batch_begin",
                 "on_test_batch_end", "on_test_end", "on_epoch_end"]
    assert calls == ["on_train_begin"] + per_epoch * 2 + ["on_train_end"]


def test_early_stopping_restores_best_weights():
    x, y = _data()
    m = _model(lr=5.0)  # diverges: val_loss gets worse
    es = K.callbacks.EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    hist = m.fit(x, y, epochs=20, verbose=0, callbacks=[es])
    assert len(hist.history["loss"]) < 20
    best = int(np.argmin(hist.history["loss"]))
    assert es.best == pytest.approx(hist.history["loss"][best])


def test_model_checkpoint_best_only_and_csv_logger(tmp_path):
    x, y = _data()
    ckpt = str(tmp_path / "best.keras")
    log = str(tmp_path / "log.csv")
    _model().fit(x, y, epochs=3, verbose=0, validation_data=(x, y), callbacks=[
        K.callbacks.ModelCheckpoint(ckpt, save_best_only=True),
        K.callbacks.CSVLogger(log)])
    assert os.path.exists(ckpt) and not any(p.endswith(".tmp") for p in os.listdir(tmp_path))
    lines = open(log).read().strip().splitlines()
    assert lines[0] == "epoch,loss,val_loss" and len(lines) == 4
    assert K.models.load_model(ckpt).predict(x[:2], verbose=0).shape == (2, 1)


def test_backup_and_restore_resumes_after_an_interruption(tmp_path):
    x, y = _data()

    class Crash(K.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                raise RuntimeError("interrupted")

    backup = K.callbacks.BackupAndRestore(str(tmp_path / "backup"))
    m = _model()
    with pytest.raises(RuntimeError):
        m.fit(x, y, epochs=4, verbose=0, callbacks=[backup, Crash()])
    w_after_epoch_1 = m.get_weights()
    iters = int(m.optimizer.iterations.numpy())
    m2 = _model()
    m2.fit(x, y, epochs=1, verbose=0)  # different state, to be overwritten by the backup
    seen = []
    hist = m2.fit(x, y, epochs=4, verbose=0, callbacks=[
        K.callbacks.BackupAndRestore(str(tmp_path / "backup")),
        K.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(e))])
    assert seen == [2, 3] and len(hist.history["loss"]) == 2
    assert iters == 2 * 1  # two epochs of one batch of 32
    assert w_after_epoch_1 is not None


def test_learning_rate_callbacks():
    x, y = _data()
    m = _model()
    m.fit(x, y, epochs=3, verbose=0,
          callbacks=[K.callbacks.LearningRateScheduler(lambda e, lr: 0.1 / (e + 1))])
    assert float(m.optimizer.learning_rate.numpy()) == pytest.approx(0.1 / 3)
    m2 = _model(lr=1e-9)
    m2.fit(x, y, epochs=4, verbose=0, callbacks=[
        K.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=1.0)])
    assert float(m2.optimizer.learning_rate.numpy()) < 1e-9


def test_tensorboard_callback_writes_train_and_validation_runs(tmp_path):
    pytest.importorskip("tensorboard")
    x, y = _data()
    _model().fit(x, y, epochs=2, verbose=0, validation_data=(x, y),
                 callbacks=[K.callbacks.TensorBoard(log_dir=str(tmp_path))])
    assert {"train", "validation"} <= set(os.listdir(tmp_path))


def _tiny():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 3)).astype("float32")
    y = (x.sum(1) > 0).astype("float32")
    model = cf.keras.Sequential([cf.keras.Input((3,)), cf.keras.layers.Dense(1, activation="sigmoid")])
    model.compile(cf.keras.optimizers.SGD(0.5), "binary_crossentropy", metrics=["accuracy"])
    return model, x, y


def test_model_checkpoint_messages_and_batch_frequency_follow_keras(tmp_path, capsys):
    """Keras 3.15's lines: 'improved from None', 'did not improve', 'finished saving';
    an integer save_freq saves every N batches, formatting {epoch} and {batch}."""
    model, x, y = _tiny()
    best = cf.keras.callbacks.ModelCheckpoint(str(tmp_path / "b.weights.h5"), "val_accuracy",
                                              verbose=1, save_best_only=True,
                                              save_weights_only=True)
    every = cf.keras.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.keras"),
                                               save_freq=3)
    model.fit(x[:24], y[:24], validation_data=(x[24:], y[24:]), epochs=3, batch_size=4,
              callbacks=[best, every], verbose=0, shuffle=False)
    out = capsys.readouterr().out
    assert "Epoch 1: val_accuracy improved from None to" in out
    assert "Epoch 1: finished saving model to" in out
    lines = [ln for ln in out.splitlines() if ln.startswith("Epoch ")]
    assert all(("improved" in ln or "finished" in ln or "did not improve" in ln)
               for ln in lines) and len(lines) >= 3
    saved = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".keras")
    assert saved == ["e1-b3.keras", "e1-b6.keras", "e2-b3.keras", "e2-b6.keras",
                     "e3-b3.keras", "e3-b6.keras"]


def test_auto_mode_reads_the_metrics_direction_and_refuses_unknown_ones():
    model, x, y = _tiny()
    es = cf.keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=1)
    model.fit(x, y, validation_split=0.25, epochs=2, callbacks=[es], verbose=0)
    assert es.monitor_op is np.greater                       # accuracy: higher is better
    lr = cf.keras.callbacks.ReduceLROnPlateau(monitor="mystery", patience=1)
    with pytest.raises(ValueError, match="automatically determine"):
        model.fit(x, y, epochs=1, callbacks=[lr], verbose=0)
    missing = cf.keras.callbacks.EarlyStopping(monitor="val_loss", mode="min")
    with pytest.warns(UserWarning, match="not available"):
        model.fit(x, y, epochs=1, callbacks=[missing], verbose=0)


def test_disable_interactive_logging_silences_the_progress_bar_and_messages(capsys):
    model, x, y = _tiny()
    cf.keras.utils.disable_interactive_logging()
    try:
        assert not cf.keras.utils.is_interactive_logging_enabled()
        model.fit(x, y, epochs=1, verbose=1)
    finally:
        cf.keras.utils.enable_interactive_logging()
    assert capsys.readouterr().out == ""
    model.fit(x, y, epochs=1, verbose=1)
    assert "loss:" in capsys.readouterr().out


def test_backup_and_restore_writes_keras_files_and_batch_freq(tmp_path):
    """Keras 3's layout: latest.weights.h5 (+ optimizer) and training_metadata.json with
    the next epoch; an int save_freq saves every N batches; restored optimizer state."""
    import json
    x, y = _data()
    d = tmp_path / "b"
    m = _model()
    m.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False, callbacks=[
        K.callbacks.BackupAndRestore(str(d), save_freq=3, delete_checkpoint=False)])
    assert sorted(os.listdir(d)) == ["latest.weights.h5", "training_metadata.json"]
    # 8 batches, saved after batches 3 and 6 (epoch 1's index 1): epoch 1 not done yet
    assert json.loads((d / "training_metadata.json").read_text()) == {"epoch": 1,
                                                                      "batch": 1}
    m2 = _model()
    seen = []
    m2.fit(x, y, epochs=2, batch_size=8, verbose=0, shuffle=False, callbacks=[
        K.callbacks.BackupAndRestore(str(d)),
        K.callbacks.LambdaCallback(on_epoch_begin=lambda e, logs: seen.append(e))])
    assert seen == [1] and int(m2.optimizer.iterations) == 6 + 4
    assert not d.exists()  # deleted once fit finished
    with pytest.raises(ValueError, match="save_freq"):
        K.callbacks.BackupAndRestore(str(d), save_freq="batch")


def test_csv_logger_adds_val_columns_and_appends_without_second_header(tmp_path):
    """Keras 3: a first epoch without val_ keys still gets val_ columns ('NA' until
    validation runs); append=True to a non-empty file writes no second header."""
    x, y = _data()
    p = tmp_path / "log.csv"
    m = _model()
    m.fit(x, y, epochs=2, verbose=0, validation_data=(x, y), validation_freq=2,
          callbacks=[K.callbacks.CSVLogger(str(p), separator=";")])
    lines = p.read_text().splitlines()
    assert lines[0] == "epoch;loss;val_loss"
    assert lines[1].endswith(";NA") and not lines[2].endswith("NA")
    m.fit(x, y, epochs=3, initial_epoch=2, verbose=0,
          callbacks=[K.callbacks.CSVLogger(str(p), separator=";", append=True)])
    lines = p.read_text().splitlines()
    assert [l.split(";")[0] for l in lines] == ["epoch", "0", "1", "2"]
    assert lines[3].endswith(";NA")


def test_epoch_logs_reach_callbacks_pythonified_and_sorted():
    """Keras's pythonify_logs: History lists val_ keys in sorted order among the rest."""
    x, y = _data()
    m = _model()
    m.compile(K.optimizers.SGD(0.05), "mse", metrics=["mae"])
    seen = []
    h = m.fit(x, y, epochs=1, verbose=0, validation_split=0.25, callbacks=[
        K.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(logs))])
    assert list(h.history) == ["loss", "mae", "val_loss", "val_mae"]
    assert list(seen[0]) == ["loss", "mae", "val_loss", "val_mae"]
    assert all(type(v) is float for v in seen[0].values())


def test_keras_steps_retracing_per_batch_size_warns_nothing():
    import warnings
    x, y = _data(30)
    m = _model()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for bs in (3, 4, 7, 8, 11, 13):
            m.evaluate(x, y, batch_size=bs, verbose=0)


def test_lambda_batch_hooks_aliases_and_empty_logs():
    """Keras: on_batch_begin/end are the train-batch hooks' old names (LambdaCallback
    takes them as keywords); begin hooks get {} logs; a tensor from a schedule is
    refused (ValueError)."""
    x, y = _data(16)
    m = _model()
    ev = []
    m.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[K.callbacks.LambdaCallback(
        on_batch_end=lambda b, logs: ev.append(("be", b, sorted(logs))),
        on_train_begin=lambda logs: ev.append(("tb", logs)),
        on_epoch_begin=lambda e, logs: ev.append(("eb", e, logs)))])
    assert ev == [("tb", {}), ("eb", 0, {}), ("be", 0, ["loss"]), ("be", 1, ["loss"])]

    class Old(K.callbacks.Callback):
        seen = []

        def on_batch_begin(self, batch, logs=None):
            self.seen.append(batch)
    m.fit(x, y, batch_size=8, epochs=1, verbose=0, callbacks=[Old()])
    assert Old.seen == [0, 1]
    with pytest.raises(ValueError, match="should be a float"):
        m.fit(x, y, epochs=1, verbose=0, callbacks=[
            K.callbacks.LearningRateScheduler(lambda e: cf.constant(0.1))])
