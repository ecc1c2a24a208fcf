"""Normalization layers vs NumPy float64: BatchNormalization train/inference and the
moving-statistics update, LayerNormalization, GroupNormalization, UnitNormalization."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras
L = K.layers


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(loc=1.0, size=shape).astype("float32")


def test_batch_norm_train_updates_moving_stats_and_inference_uses_them():
    x = _x(8, 3, 4)
    bn = L.BatchNormalization(momentum=0.9, gamma_initializer="random_normal",
                              beta_initializer="random_normal")
    y = bn(x, training=True).numpy()
    assert [w.name for w in bn.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.name for w in bn.trainable_weights] == ["gamma", "beta"]
    g, b = (w.astype(np.float64) for w in bn.get_weights()[:2])
    xd = x.astype(np.float64)
    mean, var = xd.mean((0, 1)), xd.var((0, 1))
    np.testing.assert_allclose(y, (xd - mean) / np.sqrt(var + 1e-3) * g + b, atol=1e-5)
    mm, mv = bn.get_weights()[2:]
    np.testing.assert_allclose(mm, 0.1 * mean, atol=1e-6)
    np.testing.assert_allclose(mv, 0.9 + 0.1 * var, atol=1e-6)
    y = bn(x, training=False).numpy()
    np.testing.assert_allclose(y, (xd - mm) / np.sqrt(mv + 1e-3) * g + b, atol=1e-5)
    assert L.BatchNormalization().momentum == 0.99
    assert L.BatchNormalization().epsilon == 1e-3


def test_batch_norm_moving_stats_update_inside_fit():
    model = K.Sequential([K.Input((4,)), L.Dense(4), L.BatchNormalization(), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(_x(32, 4), _x(32, 1), epochs=1, batch_size=8, verbose=0)
    bn = model.layers[1]
    assert not np.allclose(bn.moving_mean.numpy(), 0.0)


def test_layer_norm_and_group_norm():
    x = _x(2, 5, 8)
    ln = L.LayerNormalization(axis=[1, 2])
    y = ln(x).numpy()
    xd = x.astype(np.float64)
    m, v = xd.mean((1, 2), keepdims=True), xd.var((1, 2), keepdims=True)
    np.testing.assert_allclose(y, (xd - m) / np.sqrt(v + 1e-3), atol=1e-5)
    gn = L.GroupNormalization(groups=4, gamma_initializer="random_normal")
    y = gn(x).numpy()
    g, b = (w.astype(np.float64) for w in gn.get_weights())
    xg = xd.reshape(2, 5, 4, 2)
    m, v = xg.mean((1, 3), keepdims=True), xg.var((1, 3), keepdims=True)
    ref = ((xg - m) / np.sqrt(v + 1e-3)).reshape(2, 5, 8) * g + b
    np.testing.assert_allclose(y, ref, atol=1e-5)
    xc = _x(2, 6, 3, 3)
    y = L.GroupNormalization(groups=3, axis=1)(xc).numpy()
    xg = xc.astype(np.float64).reshape(2, 3, 2, 3, 3)
    m, v = xg.mean((2, 3, 4), keepdims=True), xg.var((2, 3, 4), keepdims=True)
    np.testing.assert_allclose(y, ((xg - m) / np.sqrt(v + 1e-3)).reshape(xc.shape), atol=1e-5)
    with pytest.raises(ValueError):
        L.GroupNormalization(groups=3)(x)


def test_unit_normalization():
    x = _x(3, 4)
    y = L.UnitNormalization()(x).numpy()
    np.testing.assert_allclose(y, x / np.linalg.norm(x, axis=-1, keepdims=True), atol=1e-6)


@pytest.mark.parametrize("layer", [L.GroupNormalization(groups=2), L.UnitNormalization(axis=1),
                                   L.BatchNormalization(momentum=0.5),
                                   L.LayerNormalization(epsilon=1e-5)])
def test_config_round_trip_and_gradients(layer):
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()
    x = cf.constant(_x(4, 3, 4))
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = cf.reduce_sum(layer(x, training=True) * cf.constant(_x(4, 3, 4, seed=1)))
    grads = tape.gradient(y, [x] + layer.trainable_weights)
    assert all(g is not None for g in grads)
