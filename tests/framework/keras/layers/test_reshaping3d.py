"""ZeroPadding3D, Cropping3D, UpSampling3D against NumPy (the same values Keras 3.15
gives: shapes and sums checked against TF for these inputs)."""
import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
X = np.arange(2 * 3 * 4 * 5 * 2, dtype="float32").reshape(2, 3, 4, 5, 2)


def test_zero_padding_3d():
    out = L.ZeroPadding3D(1)(X).numpy()
    np.testing.assert_array_equal(out, np.pad(X, [(0, 0), (1, 1), (1, 1), (1, 1), (0, 0)]))
    assert L.ZeroPadding3D((1, 0, 2))(X).shape == (2, 5, 4, 9, 2)
    pads = ((0, 1), (2, 0), (1, 1))
    np.testing.assert_array_equal(L.ZeroPadding3D(pads)(X).numpy(),
                                  np.pad(X, [(0, 0), *pads, (0, 0)]))
    first = L.ZeroPadding3D(pads, data_format="channels_first")(X).numpy()
    np.testing.assert_array_equal(first, np.pad(X, [(0, 0), (0, 0), *pads]))
    assert first.shape == (2, 3, 5, 7, 4)          # Keras's shape for this input
    with pytest.raises(ValueError, match="3 elements"):
        L.ZeroPadding3D((1, 2))


def test_cropping_3d():
    out = L.Cropping3D(((1, 0), (1, 2), (0, 2)))(X).numpy()
    np.testing.assert_array_equal(out, X[:, 1:, 1:2, 0:3])
    assert out.shape == (2, 2, 1, 3, 2) and float(out.sum()) == 3180.0   # Keras's values
    first = L.Cropping3D(((0, 1), (1, 1), (1, 0)), data_format="channels_first")(X).numpy()
    np.testing.assert_array_equal(first, X[:, :, 0:3, 1:4, 1:])
    assert float(first.sum()) == 6210.0
    with pytest.raises(ValueError, match="too large"):
        L.Cropping3D(2)(X)


def test_upsampling_3d_and_config_roundtrip():
    out = L.UpSampling3D((1, 2, 3))(X).numpy()
    np.testing.assert_array_equal(out, X.repeat(2, axis=2).repeat(3, axis=3))
    first = L.UpSampling3D(2, data_format="channels_first")(X).numpy()
    np.testing.assert_array_equal(first, X.repeat(2, 2).repeat(2, 3).repeat(2, 4))
    layer = L.Cropping3D(((1, 0), (0, 1), (1, 1)))
    again = L.Cropping3D.from_config(layer.get_config())
    np.testing.assert_array_equal(again(X).numpy(), layer(X).numpy())
    model = cf.keras.Sequential([cf.keras.Input((3, 4, 5, 2)), L.ZeroPadding3D(1),
                                 L.UpSampling3D(2), L.Cropping3D(1)])
    assert model.output_shape == (None, 8, 10, 12, 2)
