"""ZeroPadding2D, Cropping2D, UpSampling2D, SpatialDropout2D, Masking, GroupNormalization,
Normalization: outputs vs NumPy (float64 references) and get_config round trips."""
import numpy as np

import cuflow as cf

L = cf.keras.layers
rng = np.random.default_rng(0)
X = rng.standard_normal((2, 4, 5, 6)).astype(np.float32)


def _roundtrip(layer):
    return type(layer).from_config(layer.get_config())


def test_zero_padding_cropping_upsampling():
    zp = L.ZeroPadding2D(((1, 2), (0, 1)))
    np.testing.assert_array_equal(zp(X).numpy(),
                                  np.pad(X, ((0, 0), (1, 2), (0, 1), (0, 0))))
    cr = L.Cropping2D(((1, 0), (1, 2)))
    np.testing.assert_array_equal(cr(X).numpy(), X[:, 1:, 1:3, :])
    up = L.UpSampling2D((2, 3))
    np.testing.assert_array_equal(up(X).numpy(), X.repeat(2, 1).repeat(3, 2))
    cf_up = L.UpSampling2D(2, data_format="channels_first")
    np.testing.assert_array_equal(cf_up(X).numpy(), X.repeat(2, 2).repeat(2, 3))
    for layer in (zp, cr, up):
        np.testing.assert_array_equal(_roundtrip(layer)(X).numpy(), layer(X).numpy())


def test_spatial_dropout_drops_whole_channels():
    sd = L.SpatialDropout2D(0.5, seed=3)
    np.testing.assert_array_equal(sd(X).numpy(), X)
    y = sd(np.ones((4, 3, 3, 16), np.float32), training=True).numpy()
    per_map = y.reshape(4, 9, 16)
    assert np.all(per_map.min(1) == per_map.max(1))  # each map all 0 or all 2
    assert set(np.unique(y)) <= {0.0, 2.0}


def test_masking():
    x = np.array([[[1.0, 2.0], [0.0, 0.0], [3.0, 0.0]]], np.float32)
    m = L.Masking(0.0)
    np.testing.assert_array_equal(m(x).numpy(), x)
    np.testing.assert_array_equal(m.compute_mask(cf.constant(x)).numpy(),
                                  [[True, False, True]])


def test_group_normalization_vs_numpy():
    gn = L.GroupNormalization(groups=3, epsilon=1e-3)
    y = gn(X).numpy()
    g = X.astype(np.float64).reshape(2, 4, 5, 3, 2)
    mean = g.mean(axis=(1, 2, 4), keepdims=True)
    var = g.var(axis=(1, 2, 4), keepdims=True)
    ref = ((g - mean) / np.sqrt(var + 1e-3)).reshape(X.shape)
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)
    assert [w.name for w in gn.weights] == ["gamma", "beta"]
    assert _roundtrip(gn).get_config()["groups"] == 3


def test_normalization_adapt():
    data = rng.standard_normal((100, 3)).astype(np.float32) * [1, 2, 3] + [5, 0, -1]
    n = L.Normalization()
    n.adapt(data)
    y = n(data).numpy()
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(y.std(0), 1, atol=1e-4)
    inv = L.Normalization(mean=[1.0], variance=[4.0], invert=True)
    np.testing.assert_allclose(inv(np.zeros((1, 2), np.float32)).numpy(), [[1.0, 1.0]])


def test_layers_in_a_compiled_model():
    m = cf.keras.Sequential([L.InputLayer(input_shape=(4, 4, 2)), L.ZeroPadding2D(1),
                             L.UpSampling2D(2), L.Cropping2D(1), L.GroupNormalization(2),
                             L.SpatialDropout2D(0.2), L.Flatten(), L.Dense(1)])
    m.compile("adam", "mse")
    x = rng.standard_normal((8, 4, 4, 2)).astype(np.float32)
    h = m.fit(x, np.zeros((8, 1), np.float32), epochs=2, verbose=0)
    assert np.isfinite(h.history["loss"]).all()
    assert m.predict(x, verbose=0).shape == (8, 1)
