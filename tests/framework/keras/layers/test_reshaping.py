"""Padding, cropping, upsampling, noise and masking layers vs NumPy."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras
L = K.layers


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_padding_cropping_upsampling_match_numpy():
    x3, x4 = _x(2, 5, 3), _x(2, 4, 5, 3)
    np.testing.assert_array_equal(L.ZeroPadding1D((1, 2))(x3).numpy(),
                                  np.pad(x3, [(0, 0), (1, 2), (0, 0)]))
    np.testing.assert_array_equal(L.ZeroPadding2D(((1, 0), (2, 3)))(x4).numpy(),
                                  np.pad(x4, [(0, 0), (1, 0), (2, 3), (0, 0)]))
    np.testing.assert_array_equal(L.ZeroPadding2D(1)(x4).numpy(),
                                  np.pad(x4, [(0, 0), (1, 1), (1, 1), (0, 0)]))
    np.testing.assert_array_equal(L.Cropping1D((1, 2))(x3).numpy(), x3[:, 1:3])
    np.testing.assert_array_equal(L.Cropping2D(((1, 1), (0, 2)))(x4).numpy(), x4[:, 1:3, 0:3])
    np.testing.assert_array_equal(L.UpSampling1D(3)(x3).numpy(), np.repeat(x3, 3, axis=1))
    np.testing.assert_array_equal(L.UpSampling2D((2, 3))(x4).numpy(),
                                  np.repeat(np.repeat(x4, 2, 1), 3, 2))
    cf_first = L.UpSampling2D(2, data_format="channels_first")(x4).numpy()
    np.testing.assert_array_equal(cf_first, np.repeat(np.repeat(x4, 2, 2), 2, 3))
    bil = L.UpSampling2D(2, interpolation="bilinear")(x4).numpy()
    np.testing.assert_allclose(bil, cf.image.resize(x4, [8, 10]).numpy(), atol=1e-6)
    with pytest.raises(ValueError):
        L.Cropping2D(((2, 2), (0, 0)))(x4)


def test_noise_layers_are_identity_at_inference_and_noisy_in_training():
    x = np.ones((64, 6, 8), "float32")
    for layer in (L.SpatialDropout1D(0.5), L.GaussianNoise(0.3), L.GaussianDropout(0.3)):
        np.testing.assert_array_equal(layer(x).numpy(), x)
        assert not np.allclose(layer(x, training=True).numpy(), x)
    y = L.SpatialDropout1D(0.5)(x, training=True).numpy()
    assert np.all((y == 0) | (y == 2))
    assert np.all(y.min(axis=1) == y.max(axis=1))          # whole channels dropped
    y = L.SpatialDropout2D(0.5)(np.ones((8, 3, 3, 4), "float32"), training=True).numpy()
    assert np.all(y.reshape(8, 9, 4).min(1) == y.reshape(8, 9, 4).max(1))
    g = L.GaussianNoise(0.5)(np.zeros((200, 100), "float32"), training=True).numpy()
    assert abs(g.std() - 0.5) < 0.02


def test_activity_regularization_adds_loss():
    layer = L.ActivityRegularization(l1=0.1, l2=0.01)
    x = np.array([[1.0, -2.0]], "float32")
    np.testing.assert_array_equal(layer(x).numpy(), x)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0].numpy()), 0.1 * 3 + 0.01 * 5, rtol=1e-6)


def test_masking_feeds_lstm():
    x = _x(2, 4, 3)
    x[0, 2:] = 0.0
    masking = L.Masking(0.0)
    lstm = L.LSTM(2)
    model = K.Sequential([masking, lstm])
    full = model(x).numpy()
    short = lstm(x[:1, :2]).numpy()
    np.testing.assert_allclose(full[:1], short, atol=1e-6)
    mask = masking.compute_mask(cf.constant(x)).numpy()
    np.testing.assert_array_equal(mask, [[1, 1, 0, 0], [1, 1, 1, 1]])


@pytest.mark.parametrize("layer", [
    L.ZeroPadding1D(2), L.ZeroPadding2D(((1, 2), (3, 4))), L.Cropping1D(1),
    L.Cropping2D(((1, 0), (0, 1))), L.UpSampling1D(2), L.UpSampling2D(2, interpolation="bilinear"),
    L.SpatialDropout1D(0.2), L.SpatialDropout2D(0.3), L.GaussianNoise(0.1),
    L.GaussianDropout(0.2), L.ActivityRegularization(0.1), L.Masking(-1.0)])
def test_config_round_trip(layer):
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_in_functional_model_with_gradients():
    inp = K.Input((6, 6, 2))
    x = L.ZeroPadding2D(1)(inp)
    x = L.Conv2D(3, 3)(x)
    x = L.UpSampling2D(2)(x)
    x = L.Cropping2D(((1, 1), (1, 1)))(x)
    x = L.GaussianNoise(0.1)(x)
    model = K.Model(inp, x)
    assert tuple(model.outputs[0].shape) == (None, 10, 10, 3)
    with cf.GradientTape() as tape:
        y = cf.reduce_sum(model(_x(2, 6, 6, 2), training=True) ** 2)
    assert all(g is not None for g in tape.gradient(y, model.trainable_weights))
