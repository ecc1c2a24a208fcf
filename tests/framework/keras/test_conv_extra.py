"""Conv2DTranspose, DepthwiseConv2D, SeparableConv2D vs float64 NumPy loops."""
import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
rng = np.random.default_rng(0)
X = rng.standard_normal((2, 5, 6, 3)).astype(np.float32)


def _depthwise_ref(x, k, stride):
    n, h, w, c = x.shape
    kh, kw, _, m = k.shape
    oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n, oh, ow, c * m))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]
            out[:, i, j, :] = np.einsum("nhwc,hwcm->ncm", patch, k).reshape(n, c * m)
    return out


def test_depthwise_vs_numpy():
    layer = L.DepthwiseConv2D(3, strides=1, depth_multiplier=2)
    y = layer(X).numpy()
    k, b = layer.get_weights()
    assert k.shape == (3, 3, 3, 2) and b.shape == (6,)
    np.testing.assert_allclose(y, _depthwise_ref(X.astype(np.float64), k, 1) + b,
                               rtol=1e-4, atol=1e-5)
    assert L.DepthwiseConv2D.from_config(layer.get_config()).depth_multiplier == 2


def test_separable_vs_numpy():
    layer = L.SeparableConv2D(4, 3, use_bias=False)
    y = layer(X).numpy()
    dk, pk = layer.get_weights()
    assert pk.shape == (1, 1, 3, 4)
    ref = _depthwise_ref(X.astype(np.float64), dk, 1) @ pk[0, 0]
    np.testing.assert_allclose(y, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("padding,stride", [("valid", 2), ("same", 2), ("valid", 1)])
def test_conv2d_transpose_vs_numpy(padding, stride):
    layer = L.Conv2DTranspose(4, 3, strides=stride, padding=padding, use_bias=False)
    y = layer(X).numpy()
    (k,) = layer.get_weights()
    assert k.shape == (3, 3, 4, 3)
    n, h, w, c = X.shape
    full = np.zeros((n, (h - 1) * stride + 3, (w - 1) * stride + 3, 4))
    for i in range(h):
        for j in range(w):
            full[:, i * stride:i * stride + 3, j * stride:j * stride + 3, :] += np.einsum(
                "nc,hwfc->nhwf", X[:, i, j, :].astype(np.float64), k)
    if padding == "same":
        oh, ow = h * stride, w * stride
        pt = max((h - 1) * stride + 3 - oh, 0) // 2
        pl = max((w - 1) * stride + 3 - ow, 0) // 2
        full = full[:, pt:pt + oh, pl:pl + ow]
    np.testing.assert_allclose(y, full, rtol=1e-4, atol=1e-4)


def test_trains_in_a_model():
    m = cf.keras.Sequential([L.InputLayer(input_shape=(5, 6, 3)),
                             L.SeparableConv2D(4, 3, padding="same", activation="relu"),
                             L.Conv2DTranspose(2, 2, strides=2), L.DepthwiseConv2D(3),
                             L.Flatten(), L.Dense(1)])
    m.compile("adam", "mse")
    h = m.fit(X, np.ones((2, 1), np.float32), epochs=3, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
