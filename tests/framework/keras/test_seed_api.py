"""Keras core: layers vs NumPy, Sequential/functional models, fit API semantics."""
import numpy as np
import pytest

import cuflow as cf

keras = cf.keras


def test_dense_matches_numpy_and_defaults():
    d = keras.layers.Dense(3, activation="relu")
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    y = d(cf.constant(x)).numpy()
    k, b = d.get_weights()
    np.testing.assert_allclose(y, np.maximum(x @ k + b, 0), rtol=1e-5, atol=1e-6)
    assert np.all(b == 0)
    lim = np.sqrt(6 / (5 + 3))
    assert np.abs(k).max() <= lim
    assert d.kernel.path == f"{d.name}/kernel" and d.kernel.name == "kernel"
    cfg = d.get_config()
    d2 = keras.layers.Dense.from_config(cfg)
    assert d2.units == 3 and d2.get_config()["activation"] == "relu"


def test_dense_rank3_and_softmax():
    d = keras.layers.Dense(4, activation="softmax")
    x = np.random.default_rng(1).standard_normal((2, 3, 5)).astype(np.float32)
    y = d(x).numpy()
    k, b = d.get_weights()
    z = x @ k + b
    ref = np.exp(z - z.max(-1, keepdims=True))
    ref /= ref.sum(-1, keepdims=True)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-6)


def test_dropout_training_flag():
    layer = keras.layers.Dropout(0.5, seed=1)
    x = np.ones((100, 10), np.float32)
    assert np.all(layer(x).numpy() == 1)
    y = layer(x, training=True).numpy()
    assert set(np.unique(y)) <= {0.0, 2.0} and 0.3 < (y == 0).mean() < 0.7


def test_flatten_reshape():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(keras.layers.Flatten()(x).numpy(), x.reshape(2, 12))
    np.testing.assert_array_equal(keras.layers.Reshape((4, 3))(x).numpy(), x.reshape(2, 4, 3))


def _seed_model():
    return keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(8,)),
                             keras.layers.Dense(3, activation="softmax")])


def test_sequential_structure_and_summary(capsys):
    m = _seed_model()
    assert m.count_params() == 8 * 16 + 16 + 16 * 3 + 3
    assert len(m.layers) == 2 and m.get_layer(index=1) is m.layers[1]
    assert [tuple(w.shape) for w in m.weights] == [(8, 16), (16,), (16, 3), (3,)]
    m.summary()
    out = capsys.readouterr().out
    assert "Total params: 195" in out and "(None, 16)" in out
    popped = m.pop()
    assert isinstance(popped, keras.layers.Dense) and len(m.layers) == 1


def _data(n=256, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 8)).astype(np.float32)
    y = keras.utils.to_categorical(np.argmax(x[:, :3], 1), 3)
    return x, y


def test_fit_converges_and_history_keys():
    keras.utils.set_random_seed(0)
    x, y = _data()
    m = _seed_model()
    m.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
              metrics=["accuracy"])
    h = m.fit(x, y, epochs=15, batch_size=32, validation_split=0.25, verbose=0)
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(h.history["loss"]) == 15
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert h.history["accuracy"][-1] > 0.85
    loss, acc = m.evaluate(x, y, verbose=0)
    assert acc > 0.85
    assert m.predict(x, verbose=0).shape == (256, 3)


def test_validation_split_takes_the_end():
    x = np.arange(10, dtype=np.float32).reshape(10, 1)
    seen = []

    class Probe(keras.layers.Layer):
        def call(self, inputs):
            seen.append(inputs.numpy().ravel().copy())
            return inputs
    m = keras.Sequential([keras.layers.InputLayer(input_shape=(1,)), Probe(),
                          keras.layers.Dense(1)])
    m.compile("sgd", "mse", run_eagerly=True)
    seen.clear()
    m.fit(x, x, validation_split=0.2, epochs=1, batch_size=10, shuffle=True, verbose=0)
    train, val = seen[-2], seen[-1]
    assert sorted(train) == list(range(8)) and list(val) == [8, 9]


def test_callback_hook_order():
    calls = []

    hooks = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
             "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
             "on_test_batch_begin", "on_test_batch_end"]

    def rec(name):
        return lambda self, *a, **k: calls.append(name)
    Rec = type("Rec", (keras.callbacks.Callback,), {h: rec(h) for h in hooks})
    x, y = _data(64)
    m = _seed_model()
    m.compile("sgd", "categorical_crossentropy")
    m.fit(x, y, epochs=2, batch_size=32, validation_data=(x, y), callbacks=[Rec()],
          verbose=0)
    val = ["on_test_begin", "on_test_batch_begin", "on_test_batch_end",
           "on_test_batch_begin", "on_test_batch_end", "on_test_end"]
    epoch = (["on_epoch_begin"] + ["on_train_batch_begin", "on_train_batch_end"] * 2
             + val + ["on_epoch_end"])
    # TF: fit's validation runs the test hooks of fit's callbacks before on_epoch_end
    assert calls == ["on_train_begin"] + epoch * 2 + ["on_train_end"]


def test_generator_and_batch_apis():
    x, y = _data(64)
    m = _seed_model()
    m.compile("adam", "categorical_crossentropy", metrics=["accuracy"])

    def gen():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]
    h = m.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    loss, acc = m.train_on_batch(x, y)
    assert np.isfinite(loss)
    assert m.predict_on_batch(x).shape == (64, 3)
    r = m.test_on_batch(x, y, return_dict=True)
    assert set(r) == {"loss", "accuracy"}


def test_functional_multi_io_and_shared_layer():
    a = keras.Input((4,), name="a")
    b = keras.Input((4,), name="b")
    shared = keras.layers.Dense(3, name="shared")
    h = shared(a) + shared(b)
    o1 = keras.layers.Dense(1, name="o1")(h)
    o2 = keras.layers.Dense(2, name="o2")(h)
    m = keras.Model([a, b], [o1, o2])
    xa = np.random.rand(5, 4).astype(np.float32)
    xb = np.random.rand(5, 4).astype(np.float32)
    p1, p2 = m.predict([xa, xb], verbose=0)
    k, bias = shared.get_weights()
    hh = xa @ k + bias + xb @ k + bias
    k1, b1 = m.get_layer("o1").get_weights()
    np.testing.assert_allclose(p1, hh @ k1 + b1, rtol=1e-5, atol=1e-5)
    assert p2.shape == (5, 2)
    m.compile("adam", ["mse", "mse"], loss_weights=[1.0, 0.5])
    h = m.fit([xa, xb], [np.ones((5, 1)), np.ones((5, 2))], epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    outer = keras.Model([a, b], m([a, b])[0])  # nested model
    np.testing.assert_allclose(outer.predict([xa, xb], verbose=0),
                               m.predict([xa, xb], verbose=0)[0], rtol=1e-6)


def test_subclassed_model_trains():
    class MLP(keras.Model):
        def __init__(self):
            super().__init__()
            self.d1 = keras.layers.Dense(8, activation="relu")
            self.d2 = keras.layers.Dense(3)

        def call(self, x, training=None):
            return self.d2(self.d1(x))
    m = MLP()
    m.compile("adam", keras.losses.CategoricalCrossentropy(from_logits=True))
    x, y = _data(64)
    h = m.fit(x, y, epochs=3, verbose=0)
    assert len(m.trainable_weights) == 4 and h.history["loss"][-1] < h.history["loss"][0]


def test_regularizer_adds_loss():
    d = keras.layers.Dense(2, kernel_regularizer=keras.regularizers.L2(0.1))
    d(np.ones((1, 3), np.float32))
    k = d.get_weights()[0]
    np.testing.assert_allclose(float(d.losses[0].numpy()), 0.1 * (k ** 2).sum(), rtol=1e-5)


def test_early_stopping_restores_best():
    x, y = _data(64)
    m = _seed_model()
    m.compile(keras.optimizers.SGD(0.0), "categorical_crossentropy")
    es = keras.callbacks.EarlyStopping(monitor="loss", patience=2)
    # shuffle=False: the same batches in the same order give bit-identical epoch losses
    # (with shuffling, float32 summation order alone can "improve" the loss by 1 ulp)
    h = m.fit(x, y, epochs=20, callbacks=[es], verbose=0, shuffle=False)
    assert len(h.history["loss"]) == 3


def test_progbar_output(capsys):
    x, y = _data(64)
    m = _seed_model()
    m.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    m.fit(x, y, epochs=1, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    # Keras 3: no "Epoch 1/1" header for a single epoch; a bold step count, a bar of "━"
    assert "Epoch" not in out and "\x1b[1m4/4\x1b[0m" in out and "━" in out
    assert "loss:" in out and "accuracy:" in out and out.endswith("\n")
    m.fit(x, y, epochs=2, batch_size=16, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2"
    assert lines[1].startswith("4/4 - ") and "/step - accuracy: " in lines[1]
    assert lines[1].index("accuracy:") < lines[1].index("loss:")  # sorted keys, as Keras-TF
