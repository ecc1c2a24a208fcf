"""compile(steps_per_execution=N): N steps per call, callbacks once per N steps.

The expected event sequences were recorded from Keras 3.15 on TensorFlow 2.21 with the
same script (40 samples, batch 4, steps_per_execution=4).
"""
import warnings

import numpy as np
import pytest

import cuflow as cf

K = cf.keras


class Recorder(K.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.events = []

    def on_train_batch_begin(self, batch, logs=None):
        self.events.append(("tb", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.events.append(("te", batch, sorted(logs),
                            int(self.model.optimizer.iterations.numpy())))

    def on_test_batch_end(self, batch, logs=None):
        self.events.append(("ve", batch))

    def on_predict_batch_end(self, batch, logs=None):
        self.events.append(("pe", batch, logs["outputs"].shape))

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(("ee", epoch))


def _data():
    rng = np.random.default_rng(0)
    return rng.random((40, 3), dtype=np.float32), rng.random((40, 1), dtype=np.float32)


def _model(spe, run_eagerly=False):
    K.utils.set_random_seed(0)
    m = K.Sequential([K.layers.Input((3,)), K.layers.Dense(1)])
    m.compile("sgd", "mse", steps_per_execution=spe, metrics=["mae"], run_eagerly=run_eagerly)
    return m


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_fit_callbacks_once_per_execution(run_eagerly):
    x, y = _data()
    m, r = _model(4, run_eagerly), Recorder()
    m.fit(x, y, batch_size=4, epochs=2, verbose=0, callbacks=[r],
          validation_data=(x[:12], y[:12]))
    te = ["loss", "mae"]
    assert r.events == [
        ("tb", 0), ("te", 3, te, 4), ("tb", 4), ("te", 7, te, 8), ("tb", 8),
        ("te", 11, te, 10), ("ve", 3), ("ee", 0),
        ("tb", 0), ("te", 3, te, 14), ("tb", 4), ("te", 7, te, 18), ("tb", 8),
        ("te", 11, te, 20), ("ve", 3), ("ee", 1)]
    assert int(m.optimizer.iterations.numpy()) == 20


def test_same_training_as_one_step_per_execution():
    x, y = _data()
    results = []
    for spe in (1, 3):
        m = _model(spe)
        h = m.fit(x, y, batch_size=4, epochs=2, verbose=0, shuffle=False)
        results.append((m.get_weights(), h.history, m.evaluate(x, y, batch_size=8, verbose=0),
                        m.predict(x, batch_size=8, verbose=0)))
    (w1, h1, e1, p1), (w3, h3, e3, p3) = results
    for a, b in zip(w1, w3):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    assert h1.keys() == h3.keys()
    for k in h1:
        np.testing.assert_allclose(h1[k], h3[k], rtol=1e-6)
    np.testing.assert_allclose(e1, e3, rtol=1e-6)
    np.testing.assert_allclose(p1, p3, rtol=1e-6)


def test_evaluate_and_predict_chunks():
    x, y = _data()
    m, r = _model(4), Recorder()
    m.evaluate(x, y, batch_size=4, verbose=0, callbacks=[r])
    assert r.events == [("ve", 3), ("ve", 7), ("ve", 11)]
    r.events = []
    p = m.predict(x, batch_size=4, verbose=0, callbacks=[r])
    assert p.shape == (40, 1)
    # each call's outputs are the chunk's batches concatenated (16, 16 and the last 8 rows)
    assert r.events == [("pe", 3, (16, 1)), ("pe", 7, (16, 1)), ("pe", 11, (8, 1))]


def test_steps_per_epoch_not_a_multiple_runs_whole_executions():
    """TF: range(0, steps_per_epoch, N) executions of N steps each (8 steps for 6)."""
    x, y = _data()
    m, r = _model(4), Recorder()
    m.fit(x, y, batch_size=4, epochs=1, verbose=0, callbacks=[r], steps_per_epoch=6)
    assert r.events == [("tb", 0), ("te", 3, ["loss", "mae"], 4), ("tb", 4),
                        ("te", 7, ["loss", "mae"], 8), ("ee", 0)]


def test_dataset_and_generator_partial_last_chunk():
    x, y = _data()
    ds = cf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    m, r = _model(4), Recorder()
    m.fit(ds, epochs=2, verbose=0, callbacks=[r])
    ends = [e for e in r.events if e[0] == "te"]
    assert [e[1] for e in ends] == [3, 7, 11, 3, 7, 11]
    assert int(m.optimizer.iterations.numpy()) == 20

    def gen():
        for i in range(0, 40, 4):
            yield x[i:i + 4], y[i:i + 4]
    m, r = _model(3), Recorder()
    m.fit(gen(), epochs=1, verbose=0, callbacks=[r])
    assert [e[1] for e in r.events if e[0] == "te"] == [2, 5, 8, 11]
    assert int(m.optimizer.iterations.numpy()) == 10
    # Keras-TF announces the step that finds the generator empty: a begin with no end
    assert r.events[-2:] == [("tb", 12), ("ee", 0)]


def test_steps_per_epoch_carries_the_iterator_over_epochs():
    """TF: with steps_per_epoch the data iterator continues into the next epoch; it
    restarts once every batch has been seen (an epoch that runs out ends early)."""
    x = np.arange(40, dtype=np.float32).reshape(40, 1)
    seen = []

    class M(K.Model):
        def __init__(self):
            super().__init__()
            self.d = K.layers.Dense(1)

        def call(self, x):
            return self.d(x)

        def train_step(self, data):
            seen.append(float(np.asarray(data[0])[0, 0]))
            return {"a": 1.0}
    m = M()
    m.compile("sgd", "mse", run_eagerly=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        m.fit(x, x, batch_size=4, epochs=3, steps_per_epoch=6, verbose=0, shuffle=False)
    assert seen == [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 0, 4, 8, 12, 16, 20]
    assert any("ran out of data" in str(i.message) for i in w)


def test_progbar_never_shows_more_than_the_total(capsys):
    x, y = _data()
    _model(4).fit(x, y, batch_size=4, epochs=1, verbose=1)
    out = capsys.readouterr().out
    assert "10/10" in out and "12/10" not in out
