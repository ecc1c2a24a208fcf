"""Core Keras layers against NumPy float64 references; models, fit, saving, optimizers."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras
L = cf.keras.layers


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_dense_matches_numpy_and_config_round_trips():
    layer = L.Dense(4, activation="relu", name="d")
    x = _rand(3, 5)
    out = layer(x).numpy()
    w, b = layer.get_weights()
    np.testing.assert_allclose(out, np.maximum(x @ w + b, 0), rtol=1e-5, atol=1e-6)
    assert [v.name for v in layer.weights] == ["kernel", "bias"]
    assert [v.path for v in layer.weights] == ["d/kernel", "d/bias"]
    clone = L.Dense.from_config(layer.get_config())
    assert clone.units == 4 and clone.activation is layer.activation


def _conv_ref(x, w, stride=1):
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    oh, ow = (h - kh) // stride + 1, (wd - kw) // stride + 1
    out = np.zeros((n, oh, ow, f))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.tensordot(patch, w, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_conv2d_and_pooling_match_loops():
    x = _rand(2, 7, 6, 3)
    conv = L.Conv2D(4, 3, strides=2)
    out = conv(x).numpy()
    w, b = conv.get_weights()
    np.testing.assert_allclose(out, _conv_ref(x.astype(np.float64), w, 2) + b, rtol=1e-4,
                               atol=1e-5)
    pooled = L.MaxPooling2D(2)(x).numpy()
    ref = x[:, :6, :6, :].reshape(2, 3, 2, 3, 2, 3).max(axis=(2, 4))
    np.testing.assert_allclose(pooled, ref)
    avg = L.GlobalAveragePooling2D()(x).numpy()
    np.testing.assert_allclose(avg, x.mean(axis=(1, 2)), rtol=1e-5)
    same = L.Conv2D(2, 3, padding="same")(x)
    assert tuple(same.shape) == (2, 7, 6, 2)


def test_batch_normalization_training_and_inference():
    x = _rand(16, 3) * 2 + 1
    bn = L.BatchNormalization(momentum=0.9)
    y = bn(x, training=True).numpy()
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    y_inf = bn(x, training=False).numpy()
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    np.testing.assert_allclose(y_inf, (x - mm) / np.sqrt(mv + 1e-3), rtol=1e-4, atol=1e-5)
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert len(bn.trainable_weights) == 2


def test_layer_normalization_and_embedding():
    x = _rand(4, 6)
    y = L.LayerNormalization()(x).numpy()
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    emb = L.Embedding(10, 3)
    ids = np.array([[1, 2], [9, 0]])
    np.testing.assert_allclose(emb(ids).numpy(), emb.get_weights()[0][ids])


def test_functional_model_with_shared_layer_and_two_outputs():
    a = K.Input(shape=(3,))
    shared = L.Dense(2, name="shared")
    out1 = shared(a)
    out2 = L.Dense(1)(shared(a * 2.0))
    model = K.Model(a, [out1, out2])
    x = _rand(5, 3)
    y1, y2 = model(x)
    w, b = shared.get_weights()
    np.testing.assert_allclose(y1.numpy(), x @ w + b, rtol=1e-5, atol=1e-6)
    assert tuple(y2.shape) == (5, 1)
    assert model.get_layer("shared") is shared
    assert model.count_params() == 2 * 3 + 2 + 2 + 1


def test_subclassed_model_tracks_layers_and_trains():
    class MLP(K.Model):
        def __init__(self):
            super().__init__()
            self.hidden = L.Dense(8, activation="tanh")
            self.out = L.Dense(1)

        def call(self, x, training=None):
            return self.out(self.hidden(x))

    K.utils.set_random_seed(0)  # the initial loss depends on the global init stream
    model = MLP()
    model.compile(optimizer=K.optimizers.SGD(0.1), loss="mse")
    x = _rand(64, 2)
    y = (x[:, :1] * 0.5 - x[:, 1:] * 0.25).astype("float32")
    hist = model.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert len(model.trainable_variables) == 4
    assert hist.history["loss"][-1] < 0.2 * hist.history["loss"][0]


def test_compiled_and_eager_fit_agree():
    def run(eager):
        K.utils.set_random_seed(5)
        m = K.Sequential([L.Dense(4, activation="relu", input_shape=(3,)), L.Dense(2)])
        m.compile(optimizer="adam", loss="mse", run_eagerly=eager)
        m.fit(_rand(40, 3), _rand(40, 2, seed=1), batch_size=8, epochs=2, shuffle=False,
              verbose=0)
        return m.get_weights()
    for a, b in zip(run(True), run(False)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_validation_split_takes_the_last_samples_and_history_keys():
    x = np.arange(20, dtype="float32").reshape(10, 2)
    y = np.zeros((10, 1), "float32")
    seen = []

    class Spy(K.callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            pass

    m = K.Sequential([L.Dense(1, input_shape=(2,))])
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    orig = m.test_step

    def test_step(data):
        seen.append(np.asarray(data[0].numpy()))
        return orig(data)
    m.test_step = test_step
    m.run_eagerly = True
    h = m.fit(x, y, validation_split=0.2, epochs=1, verbose=0, callbacks=[Spy()])
    assert set(h.history) == {"loss", "mae", "val_loss", "val_mae"}
    np.testing.assert_array_equal(np.concatenate(seen), x[8:])


def test_adam_and_sgd_momentum_follow_keras_formulas():
    g = np.array([0.5, -1.0], np.float32)
    v = cf.Variable([1.0, 2.0])
    opt = K.optimizers.Adam(learning_rate=0.1)
    m = np.zeros(2)
    s = np.zeros(2)
    w = np.array([1.0, 2.0])
    for t in range(1, 4):
        opt.apply_gradients([(cf.constant(g), v)])
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        alpha = 0.1 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        w = w - alpha * m / (np.sqrt(s) + 1e-7)
    np.testing.assert_allclose(v.numpy(), w, rtol=1e-5)
    v2 = cf.Variable([1.0, 2.0])
    sgd = K.optimizers.SGD(learning_rate=0.1, momentum=0.9, nesterov=True)
    vel = np.zeros(2)
    w2 = np.array([1.0, 2.0])
    for _ in range(3):
        sgd.apply_gradients([(cf.constant(g), v2), (None, cf.Variable(0.0))])
        vel = 0.9 * vel - 0.1 * g
        w2 = w2 + 0.9 * vel - 0.1 * g
    np.testing.assert_allclose(v2.numpy(), w2, rtol=1e-6)


def test_save_load_round_trip_and_lambda_refused(tmp_path):
    inputs = K.Input(shape=(4,))
    h = L.Dense(3, activation="relu")(inputs)
    outputs = L.Dense(2, activation="softmax")(h)
    model = K.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x = _rand(6, 4)
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = K.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
    lam = K.Sequential([L.Lambda(lambda t: t * 2, input_shape=(2,))])
    lam.save(str(tmp_path / "lam.keras"))
    with pytest.raises(ValueError, match="safe_mode"):
        K.models.load_model(str(tmp_path / "lam.keras"))
    again = K.models.load_model(str(tmp_path / "lam.keras"), safe_mode=False)
    np.testing.assert_allclose(again.predict(np.ones((1, 2), "float32"), verbose=0), [[2, 2]])
    model.save_weights(str(tmp_path / "w.weights.h5"))
    fresh = K.Model.from_config(model.get_config())
    fresh.load_weights(str(tmp_path / "w.weights.h5"))
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)


def test_binary_labels_of_rank_one_line_up_with_column_predictions():
    y = np.array([0.0, 1.0, 1.0], "float32")
    p = np.array([[0.2], [0.7], [0.9]], "float32")
    # Keras 3: the Loss class lines them up; the bare function (and so the
    # BinaryCrossentropy metric) raises on the rank mismatch (TF 2.21 / Keras 3.15)
    ref = -(y * np.log(p[:, 0]) + (1 - y) * np.log(1 - p[:, 0]))
    loss = K.losses.BinaryCrossentropy(reduction=None)(y, p)
    assert tuple(loss.shape) == (3,)
    np.testing.assert_allclose(loss.numpy(), ref, rtol=1e-5)
    with pytest.raises(ValueError, match="same rank"):
        K.losses.binary_crossentropy(y, p)
    with pytest.raises(ValueError, match="same rank"):
        K.metrics.BinaryCrossentropy().update_state(y, p)
    with pytest.raises(ValueError, match="same rank"):
        K.losses.categorical_crossentropy(y, p)
    acc = K.metrics.BinaryAccuracy()
    acc.update_state(y, p)
    assert float(acc.result()) == 1.0
