"""fit / evaluate / predict semantics, data sources, eager vs compiled steps."""
import numpy as np
import pytest

import cuflow as cf

keras = cf.keras


def seed_model(seed=0):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.layers.Dense(128, activation='relu', input_shape=(784,)),
                              keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    return model


def synthetic(n=256, seed=0):
    rng = np.random.RandomState(seed)
    centers = rng.normal(0, 1, (10, 784)).astype(np.float32)
    labels = rng.randint(0, 10, n)
    x = centers[labels] + 0.5 * rng.normal(0, 1, (n, 784)).astype(np.float32)
    return x.astype(np.float32), np.eye(10, dtype=np.float32)[labels], labels


def small(seed=0, **compile_kw):
    keras.utils.set_random_seed(seed)
    m = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                          keras.layers.Dense(1)])
    m.compile(**{"optimizer": keras.optimizers.SGD(0.05), "loss": "mse", **compile_kw})
    return m


def test_seed_snippet_learns_and_history_keys():
    x, y, _ = synthetic()
    model = seed_model()
    hist = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert len(hist.history["loss"]) == 3
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    loss, acc = model.evaluate(x, y, verbose=0)
    assert acc > 0.9 and np.isfinite(loss)
    d = model.evaluate(x, y, verbose=0, return_dict=True)
    assert set(d) == {"loss", "accuracy"}
    assert hist.params["epochs"] == 3 and hist.epoch == [0, 1, 2]


def test_validation_split_takes_last_fraction():
    x = np.arange(10, dtype=np.float32).reshape(10, 1).repeat(3, 1)
    y = np.zeros((10, 1), np.float32)
    m = small()
    seen = []

    class Spy(keras.callbacks.Callback):
        def on_test_batch_begin(self, batch, logs=None):
            pass

    orig = m.test_step

    def spy_step(data):
        seen.append(np.asarray(data[0].numpy())[:, 0].copy())
        return orig(data)
    m.test_step = spy_step
    m.run_eagerly = True
    m.fit(x, y, epochs=1, validation_split=0.3, verbose=0, shuffle=True, callbacks=[Spy()])
    np.testing.assert_array_equal(np.concatenate(seen), [7, 8, 9])


def test_batch_size_default_32_and_steps_per_epoch():
    x = np.random.rand(100, 3).astype(np.float32)
    y = np.random.rand(100, 1).astype(np.float32)
    m = small()
    counts = []

    class Count(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            counts.append(0)

        def on_train_batch_end(self, batch, logs=None):
            counts[-1] += 1
    m.fit(x, y, epochs=1, verbose=0, callbacks=[Count()])
    assert counts == [4]  # ceil(100 / 32)
    m.fit(x, y, epochs=2, steps_per_epoch=2, verbose=0, callbacks=[Count()])
    assert counts[1:] == [2, 2]


def test_initial_epoch():
    x = np.random.rand(8, 3).astype(np.float32)
    y = np.random.rand(8, 1).astype(np.float32)
    h = small().fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert h.epoch == [3, 4]


def test_sample_weight_and_class_weight():
    x = np.random.RandomState(1).rand(16, 3).astype(np.float32)
    y = np.random.RandomState(2).rand(16, 1).astype(np.float32)
    m = small()
    pred = m.predict(x, verbose=0)
    sw = np.linspace(0, 2, 16).astype(np.float32)
    got = m.evaluate(x, y, sample_weight=sw, batch_size=16, verbose=0)
    ref = np.sum(sw * ((pred - y) ** 2)[:, 0]) / 16  # sum_over_batch_size
    np.testing.assert_allclose(got, ref, rtol=1e-5)
    # class_weight: zero weight for class 1 means those samples don't move the weights
    keras.utils.set_random_seed(0)
    c = keras.Sequential([keras.layers.Dense(2, activation="softmax", input_shape=(3,))])
    c.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy")
    w0 = c.get_weights()
    c.fit(x, np.ones(16, np.int64), class_weight={0: 1.0, 1: 0.0}, epochs=1, verbose=0)
    for a, b in zip(w0, c.get_weights()):
        np.testing.assert_allclose(a, b)


def test_dataset_and_generator_inputs():
    x = np.random.rand(64, 3).astype(np.float32)
    y = x.sum(1, keepdims=True)
    ds = cf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    m = small()
    h = m.fit(ds, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    assert np.isfinite(m.evaluate(ds, verbose=0))
    assert m.predict(ds.map(lambda a, b: a), verbose=0).shape == (64, 1)

    def gen():
        while True:
            for i in range(0, 64, 16):
                yield x[i:i + 16], y[i:i + 16]
    h = m.fit(gen(), steps_per_epoch=4, epochs=2, verbose=0)
    assert len(h.history["loss"]) == 2
    with pytest.raises(ValueError):
        m.fit(ds, y, epochs=1, verbose=0)


def test_on_batch_methods():
    x = np.random.rand(8, 3).astype(np.float32)
    y = np.random.rand(8, 1).astype(np.float32)
    m = small(metrics=["mae"])
    out = m.train_on_batch(x, y)
    assert isinstance(out, list) and len(out) == 2
    d = m.test_on_batch(x, y, return_dict=True)
    assert set(d) == {"loss", "mae"}
    p = m.predict_on_batch(x)
    np.testing.assert_allclose(d["mae"], np.mean(np.abs(p - y)), rtol=1e-5)
    np.testing.assert_allclose(d["loss"], np.mean((p - y) ** 2), rtol=1e-5)


@pytest.mark.parametrize("opt", ["sgd", "adam", "rmsprop"])
def test_compiled_matches_eager(opt):
    x, y, _ = synthetic(96)
    results = []
    for eager in (True, False):
        keras.utils.set_random_seed(3)
        m = keras.Sequential([keras.layers.Dense(16, activation='relu', input_shape=(784,)),
                              keras.layers.Dense(10, activation='softmax')])
        m.compile(optimizer=opt, loss='categorical_crossentropy', metrics=['accuracy'],
                  run_eagerly=eager)
        h = m.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0)
        results.append((m.get_weights(), h.history))
    for a, b in zip(results[0][0], results[1][0]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(results[0][1]["loss"], results[1][1]["loss"], rtol=1e-4)


def test_fit_requires_compile():
    """Keras 3.15: a ValueError with this message (evaluate too)."""
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using"):
        m.evaluate(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)
    with pytest.raises(ValueError, match=r"You must call `compile\(\)` before using"):
        m.fit(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0)


def test_verbose_progress_bar(capsys):
    x = np.random.rand(40, 3).astype(np.float32)
    y = np.random.rand(40, 1).astype(np.float32)
    small().fit(x, y, epochs=2, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "2/2" in out and "loss:" in out


def test_multi_output_logs_per_output_losses_as_keras():
    """Keras 3 logs each output's unweighted loss as <output>_loss; numbers from Keras-TF."""
    rng = np.random.default_rng(0)
    xa, xb = rng.random((64, 5)).astype("float32"), rng.random((64, 3)).astype("float32")
    ya, yb = rng.integers(0, 3, 64), rng.random((64, 1)).astype("float32")
    a, b = keras.Input((5,), name="a"), keras.Input((3,), name="b")
    h = keras.layers.Concatenate()([keras.layers.Dense(8, activation="relu")(a), b])
    o1 = keras.layers.Dense(3, activation="softmax", name="cls")(h)
    o2 = keras.layers.Dense(1, name="reg")(h)
    m = keras.Model({"a": a, "b": b}, {"cls": o1, "reg": o2})
    r = np.random.default_rng(1)
    m.set_weights([r.uniform(-.3, .3, w.shape).astype("float32") for w in m.get_weights()])
    m.compile(optimizer=keras.optimizers.SGD(0.05),
              loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
              loss_weights={"cls": 1.0, "reg": 0.5}, metrics={"cls": ["accuracy"], "reg": ["mae"]})
    hist = m.fit({"a": xa, "b": xb}, {"cls": ya, "reg": yb}, batch_size=16, epochs=2,
                 shuffle=False, verbose=0)
    want = {"cls_accuracy": [0.3906, 0.3906], "cls_loss": [1.1097, 1.105],
            "loss": [1.4229, 1.2453], "reg_loss": [0.6263, 0.2806], "reg_mae": [0.7405, 0.4621]}
    assert list(hist.history) == sorted(want)
    for key, values in want.items():
        np.testing.assert_allclose(hist.history[key], values, atol=6e-5)
    ev = m.evaluate({"a": xa, "b": xb}, {"cls": ya, "reg": yb}, verbose=0)
    np.testing.assert_allclose(ev, [1.1905, 1.1003, 0.1804, 0.3906, 0.3501], atol=6e-5)
    assert m.output_names == ["cls", "reg"]


def _rms_model():
    m = keras.Sequential([keras.Input((6,)), keras.layers.Dense(8, activation="tanh"),
                          keras.layers.Dense(1, activation="sigmoid")])
    r = np.random.default_rng(1)
    m.set_weights([r.uniform(-.5, .5, w.shape).astype("float32") for w in m.get_weights()])
    m.compile(optimizer=keras.optimizers.RMSprop(0.01), loss="binary_crossentropy",
              metrics=["accuracy"])
    return m


def test_class_weight_with_a_dataset_and_validation_steps_as_keras_tf():
    """Numbers recorded from Keras 3.15 on TF 2.21 for the same program: class weights apply
    per dataset batch; validation_steps covers the same first batches every epoch."""
    rng = np.random.default_rng(0)
    x, y = rng.random((100, 6)).astype("float32"), rng.integers(0, 2, 100)
    ds = cf.data.Dataset.from_tensor_slices((x, y)).batch(16)
    h = _rms_model().fit(ds.repeat(), steps_per_epoch=5, epochs=3, validation_data=ds,
                         validation_steps=2, verbose=0, class_weight={0: 1.0, 1: 3.0})
    np.testing.assert_allclose(h.history["loss"], [1.1935, 1.1161, 1.112], atol=6e-5)
    np.testing.assert_allclose(h.history["val_loss"], [0.7476, 0.787, 0.8093], atol=6e-5)
    np.testing.assert_allclose(h.history["val_accuracy"], [0.5312] * 3, atol=6e-5)


def test_class_weight_rules():
    m = _rms_model()
    x, y = np.zeros((4, 6), "float32"), np.array([0, 1, 1, 0])
    with pytest.raises(ValueError, match="at the same time"):
        m.fit(x, y, class_weight={0: 1.0}, sample_weight=np.ones(4), verbose=0)
    from cuflow.keras.data_adapter import class_weight_to_sample_weight
    np.testing.assert_array_equal(class_weight_to_sample_weight(
        np.eye(3)[[2, 0, 1]], {0: 0.5, 2: 4.0}), [4.0, 0.5, 1.0])
    np.testing.assert_array_equal(class_weight_to_sample_weight(
        np.array([[1.0], [0.0]]), {1: 2.0}), [2.0, 1.0])


def test_per_output_sample_weights_and_structure_errors():
    """Keras 3: sample_weight may be a dict keyed by output (each output's loss weighted
    by its own); a target list shorter than the outputs is a ValueError; a loss dict key
    naming no output is a KeyError."""
    import pytest
    K = cf.keras
    a = K.Input((3,), name="a")
    h = K.layers.Dense(4)(a)
    m = K.Model(a, {"p": K.layers.Dense(1, name="p")(h), "q": K.layers.Dense(1, name="q")(h)})
    m.compile("sgd", loss={"p": "mse", "q": "mse"})
    x = np.random.default_rng(0).standard_normal((8, 3)).astype("float32")
    y = {"p": np.ones((8, 1), "float32"), "q": np.zeros((8, 1), "float32")}
    full = m.evaluate(x, y, verbose=0, return_dict=True)
    half = m.evaluate(x, y, sample_weight={"p": np.zeros(8, "float32"),
                                           "q": np.ones(8, "float32")},
                      verbose=0, return_dict=True)
    assert half["p_loss"] == 0.0 and half["q_loss"] == pytest.approx(full["q_loss"])
    m2 = K.Model(a, [K.layers.Dense(1)(h), K.layers.Dense(1)(h)])
    m2.compile("sgd", ["mse", "mse"])
    with pytest.raises(ValueError, match="different structures"):
        m2.fit(x, [y["p"]], verbose=0)
    m.compile("sgd", loss={"nope": "mse"})
    with pytest.raises(KeyError, match="nope"):
        m.fit(x, y, verbose=0)
