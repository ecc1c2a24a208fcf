"""Activation layers against TF 2.21 / Keras 3.15 outputs recorded for the same inputs."""
import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
X = np.array([[-10, -2.5, -0.5, 0.0, 0.5, 3.0, 7.0]], "float32")
X3 = np.arange(24, dtype="float32").reshape(2, 3, 4) / 7

# Recorded with TF 2.21 / Keras 3.15.
TF_LEAKY = [[-3.0, -0.75, -0.15, 0.0, 0.5, 3.0, 7.0]]
TF_LEAKY_01 = [[-1.0, -0.25, -0.05, 0.0, 0.5, 3.0, 7.0]]
TF_RELU_FULL = [[-5.5, -1.75, -0.75, -0.5, -0.25, 3.0, 5.0]]
TF_ELU = [[-0.9999545812606812, -0.9179149866104126, -0.39346933364868164, 0.0, 0.5, 3.0, 7.0]]
TF_ELU_05 = [[-0.4999772906303406, -0.4589574933052063, -0.19673466682434082, 0, 0.5, 3, 7]]
TF_SOFTMAX = [[4.0533620904170675e-08, 7.328650826821104e-05, 0.0005415180348791182,
               0.0008928124443627894, 0.001471998868510127, 0.01793261617422104,
               0.9790877103805542]]
TF_SOFTMAX_12 = [[0.03373, 0.03891, 0.044886, 0.051778], [0.05973, 0.068902, 0.079483, 0.091689],
                 [0.105769, 0.122012, 0.140748, 0.162362]]
TF_SOFTMAX_MASK = [[[0.241796] * 4, [0.0] * 4, [0.758204] * 4],
                   [[0.360907] * 4, [0.639093] * 4, [0.0] * 4]]
TF_PRELU = [[[-0.375, -0.339286, -0.303571, -0.267857], [-0.232143, -0.196429, -0.160714, -0.125],
             [-0.089286, -0.053571, -0.017857, 0.071429]],
            [[0.214286, 0.357143, 0.5, 0.642857], [0.785714, 0.928571, 1.071428, 1.214286],
             [1.357143, 1.5, 1.642857, 1.785714]]]


def test_relu_family_values():
    np.testing.assert_allclose(L.LeakyReLU()(X).numpy(), TF_LEAKY, rtol=1e-6)
    np.testing.assert_allclose(L.LeakyReLU(negative_slope=0.1)(X).numpy(), TF_LEAKY_01,
                               rtol=1e-6)
    with pytest.warns(UserWarning):
        np.testing.assert_allclose(L.LeakyReLU(alpha=0.1)(X).numpy(), TF_LEAKY_01, rtol=1e-6)
    r = L.ReLU(max_value=5.0, negative_slope=0.5, threshold=1.0)
    np.testing.assert_allclose(r(X).numpy(), TF_RELU_FULL)
    np.testing.assert_allclose(L.ReLU()(X).numpy(), np.maximum(X, 0))
    np.testing.assert_allclose(L.ELU()(X).numpy(), TF_ELU, rtol=1e-6)
    np.testing.assert_allclose(L.ELU(alpha=0.5)(X).numpy(), TF_ELU_05, rtol=1e-6)
    with pytest.raises(ValueError, match="max_value of a ReLU layer cannot be a negative"):
        L.ReLU(max_value=-1)
    with pytest.raises(ValueError, match="negative_slope"):
        L.LeakyReLU(negative_slope=-1)
    again = L.ReLU.from_config(r.get_config())
    assert (again.max_value, again.negative_slope, again.threshold) == (5.0, 0.5, 1.0)


def test_softmax_axes_and_mask():
    np.testing.assert_allclose(L.Softmax()(X).numpy(), TF_SOFTMAX, rtol=1e-5, atol=1e-12)
    out = L.Softmax(axis=[1, 2])(X3).numpy()
    np.testing.assert_allclose(out, [TF_SOFTMAX_12] * 2, atol=1e-6)
    mask = np.array([[[1], [0], [1]], [[1], [1], [0]]], bool)
    np.testing.assert_allclose(L.Softmax(axis=1)(X3, mask=mask).numpy(), TF_SOFTMAX_MASK,
                               atol=1e-6)
    with pytest.raises(ValueError, match="broadcastable"):
        L.Softmax()(X3, mask=np.ones((2, 5), bool))


def test_prelu_shared_axes_weights_and_gradient():
    p = L.PReLU(alpha_initializer=cf.keras.initializers.Constant(0.25), shared_axes=[1])
    np.testing.assert_allclose(p(X3 - 1.5).numpy(), TF_PRELU, atol=1e-6)
    assert [tuple(w.shape) for w in p.weights] == [(1, 4)]
    cfg = p.get_config()
    assert cfg["shared_axes"] == [1] and cfg["alpha_initializer"]["class_name"] == "Constant"
    x = cf.constant(X3 - 1.5)
    with cf.GradientTape() as tape:
        y = cf.reduce_sum(p(x))
    g = tape.gradient(y, p.alpha).numpy()
    np.testing.assert_allclose(g, np.minimum(X3 - 1.5, 0).sum(axis=(0, 1), keepdims=True)[0],
                               rtol=1e-5)


def test_alpha_dropout_training_only_and_moments():
    np.testing.assert_array_equal(L.AlphaDropout(0.3)(X).numpy(), X)
    y = L.AlphaDropout(0.5, seed=1)(np.ones((1000, 100), "float32"), training=True).numpy()
    # Keras: the two output values for input 1 at rate 0.5.
    np.testing.assert_allclose(np.unique(y.round(5)), [-0.77919, 1.6656], atol=1e-4)
    z = L.AlphaDropout(0.2, seed=3)(np.random.default_rng(0).normal(size=(200, 500))
                                    .astype("float32"), training=True).numpy()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02


def test_activation_layers_in_saved_model(tmp_path):
    model = cf.keras.Sequential([cf.keras.Input((7,)), L.Dense(4), L.LeakyReLU(0.2), L.PReLU(),
                                 L.ELU(0.7), L.ReLU(6.0), L.Dense(3), L.Softmax()])
    path = str(tmp_path / "m.keras")
    model.save(path)
    loaded = cf.keras.models.load_model(path)
    np.testing.assert_allclose(loaded(X).numpy(), model(X).numpy(), rtol=1e-6)
    assert [type(la).__name__ for la in loaded.layers][1:5] == ["LeakyReLU", "PReLU", "ELU",
                                                               "ReLU"]
