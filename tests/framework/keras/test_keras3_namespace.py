"""Keras 3.15 names added for parity: activations, losses and aliases. Expected values were
printed by Keras 3.15 on TF 2.21 for the same inputs (/work/e2e2/acts.py, losses2.py)."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras
X = np.array([[-2.5, -1.0, -0.3, 0.0, 0.4, 1.0, 2.2, 3.1]], "float32")


@pytest.mark.parametrize("name,want", [
    ("celu", [-0.91792, -0.63212, -0.25918, 0.0, 0.4, 1.0, 2.2, 3.1]),
    ("glu", [-1.49672, -0.73106, -0.27007, 0.0]),
    ("hard_tanh", [-1.0, -1.0, -0.3, 0.0, 0.4, 1.0, 1.0, 1.0]),
    ("hard_shrink", [-2.5, -1.0, 0.0, 0.0, 0.0, 1.0, 2.2, 3.1]),
    ("soft_shrink", [-2.0, -0.5, 0.0, 0.0, 0.0, 0.5, 1.7, 2.6]),
    ("sparse_plus", [0.0, 0.0, 0.1225, 0.25, 0.49, 1.0, 2.2, 3.1]),
    ("sparse_sigmoid", [0.0, 0.0, 0.35, 0.5, 0.7, 1.0, 1.0, 1.0]),
    ("sparsemax", [0.0] * 8),   # Keras-on-TF's threshold rule gives zeros here
])
def test_keras3_activations(name, want):
    got = K.activations.get(name)(X).numpy()[0]
    np.testing.assert_allclose(got, want, atol=1e-5)
    assert K.activations.deserialize(K.activations.serialize(K.activations.get(name))) \
        is K.activations.get(name)


def test_keras3_losses_match_keras_values():
    rng = np.random.default_rng(0)
    yt = np.eye(4, dtype="float32")[rng.integers(0, 4, 6)]
    yp = rng.random((6, 4)).astype("float32")
    sw = np.arange(6, dtype="float32")
    cases = [(K.losses.CategoricalFocalCrossentropy(), 0.402859, 1.131271),
             (K.losses.CategoricalFocalCrossentropy(from_logits=True, label_smoothing=0.1,
                                                    gamma=1.5), 0.241341, 0.617204),
             (K.losses.Dice(), 0.668125, 1.670313),
             (K.losses.Tversky(alpha=0.3, beta=0.7), 0.709955, 1.774888),
             (K.losses.Dice(axis=-1), 0.694581, 1.801431)]
    for loss, plain, weighted in cases:
        np.testing.assert_allclose(float(loss(yt, yp)), plain, rtol=2e-5)
        np.testing.assert_allclose(float(loss(yt, yp, sample_weight=sw)), weighted, rtol=2e-5)
    gce = K.losses.CategoricalGeneralizedCrossEntropy(q=0.7)
    np.testing.assert_allclose(float(gce(np.argmax(yt, -1), yp / yp.sum(-1, keepdims=True))),
                               0.971993, rtol=2e-5)
    labels = np.array([[1, 2, 2, 0], [3, 1, 0, 0]], "int32")
    logits = rng.standard_normal((2, 7, 5)).astype("float32")
    np.testing.assert_allclose(K.losses.ctc(labels, logits).numpy(), [6.8524, 8.34716],
                               rtol=1e-4)
    assert K.losses.get("dice") is K.losses.dice
    assert type(K.losses.get("Tversky")).__name__ == "Tversky"


def test_keras3_aliases():
    assert K.initializers.glorot_uniform is K.initializers.GlorotUniform
    assert K.optimizers.LossScaleOptimizer is K.mixed_precision.LossScaleOptimizer
    assert K.metrics.mean_squared_error is K.losses.mean_squared_error
    assert K.backend.backend() == "tensorflow" and K.backend.is_int_dtype("uint8")
    assert K.utils.standardize_dtype(int) == "int64"
    assert K.mixed_precision.dtype_policy().name == "float32"
    reg = K.regularizers.deserialize(K.regularizers.serialize(K.regularizers.L2(0.1)))
    assert type(reg).__name__ == "L2"


def _fit_losses(opt, eager=False, batch_size=8, epochs=3):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 5)).astype("float32")
    y = rng.standard_normal((32, 2)).astype("float32")
    init = [rng.standard_normal(s).astype("float32") * 0.5
            for s in [(5, 4), (4,), (4, 2), (2,)]]
    m = K.Sequential([K.Input((5,)), K.layers.Dense(4, activation="tanh"), K.layers.Dense(2)])
    m.set_weights(init)
    m.compile(opt, "mse", run_eagerly=eager)
    return m.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0,
                 shuffle=False).history["loss"]


@pytest.mark.parametrize("make,want", [
    (lambda: K.optimizers.Adafactor(learning_rate=0.01), [1.299353, 1.269164, 1.241637]),
    (lambda: K.optimizers.Adafactor(relative_step=False, learning_rate=0.05,
                                    clip_threshold=0.5), [1.294569, 1.227912, 1.172594]),
    (lambda: K.optimizers.Ftrl(learning_rate=0.1, l1_regularization_strength=0.01,
                               l2_regularization_strength=0.01, beta=0.1,
                               l2_shrinkage_regularization_strength=0.01),
     [1.071658, 1.018094, 0.996043]),
    (lambda: K.optimizers.Lamb(learning_rate=0.01), [1.301471, 1.23355, 1.175394]),
])
def test_adafactor_ftrl_lamb_match_keras(make, want):
    """Losses printed by Keras 3.15 on TF 2.21 for the same model, data and weights."""
    np.testing.assert_allclose(_fit_losses(make()), want, rtol=2e-5)


@pytest.mark.parametrize("eager", [True, False])
def test_gradient_accumulation_applies_the_mean_every_n_steps(eager):
    """Keras 3.15's values; iterations counts applied updates (16 steps // 3 = 5)."""
    opt = K.optimizers.Adam(0.05, gradient_accumulation_steps=3)
    losses = _fit_losses(opt, eager, batch_size=4, epochs=2)
    np.testing.assert_allclose(losses, [1.313026, 1.027462], rtol=2e-5)
    assert int(opt.iterations.numpy()) == 5
    assert opt.variables[2].name.endswith("gradient_accumulator:0") or \
        "gradient_accumulator" in opt.variables[2].name
    sgd = K.optimizers.SGD(0.1, momentum=0.9, gradient_accumulation_steps=2, clipnorm=0.5)
    np.testing.assert_allclose(_fit_losses(sgd, eager, batch_size=4, epochs=2),
                               [1.332498, 1.034137], rtol=2e-5)
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        K.optimizers.Adam(gradient_accumulation_steps=1)


def test_optimizer_default_names_are_keras_auto_names():
    K.backend.clear_session()
    names = [K.optimizers.Adam().name, K.optimizers.Adam().name, K.optimizers.SGD().name,
             K.optimizers.AdamW().name, K.optimizers.RMSprop().name]
    assert names == ["adam", "adam_1", "sgd", "adam_w", "rm_sprop"]


def test_metric_constructors_take_keras_positional_order():
    """Keras 3: Metric(dtype, name); TopK metrics take k first; from_sorted_ids works."""
    class Custom(K.metrics.Metric):
        def update_state(self, *a, **k):
            pass

        def result(self):
            return 0.0
    m = Custom("float64", "mine")
    assert (m.name, m.dtype) == ("mine", "float64")
    t = K.metrics.TopKCategoricalAccuracy(3)
    assert t.name == "top_k_categorical_accuracy" and t.get_config()["k"] == 3
    s = K.metrics.SparseTopKCategoricalAccuracy(k=2, from_sorted_ids=True)
    s.update_state(np.array([1, 3, 0]), np.array([[1, 2, 0], [0, 1, 2], [2, 0, 1]]))
    np.testing.assert_allclose(float(s.result()), 2 / 3, rtol=1e-6)   # Keras 3.15's value


def test_functional_models_take_one_auto_name_each():
    K.backend.clear_session()
    i = K.Input((3,))
    first = K.Model(i, K.layers.Dense(2)(i))
    second = K.Model(i, K.layers.Dense(2)(i))
    assert (first.name, second.name) == ("functional", "functional_1")   # as Keras 3.15


def test_config_caps_epochs_and_steps_per_epoch():
    model = K.Sequential([K.Input((2,)), K.layers.Dense(1)])
    model.compile("sgd", "mse")
    x, y = np.ones((32, 2), "float32"), np.ones((32, 1), "float32")
    K.config.set_max_epochs(2)
    K.config.set_max_steps_per_epoch(3)
    try:
        with pytest.warns(UserWarning, match="Limiting"):
            hist = model.fit(x, y, epochs=5, batch_size=4, verbose=0)
    finally:
        K.config.set_max_epochs(None)
        K.config.set_max_steps_per_epoch(None)
    assert len(hist.history["loss"]) == 2 and int(model.optimizer.iterations.numpy()) == 6
