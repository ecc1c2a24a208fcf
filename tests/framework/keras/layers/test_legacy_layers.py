"""RandomHeight, RandomWidth, ThresholdedReLU (TF 2.21's tf.keras legacy layers).

Values marked "TF 2.21" came from /work/tfenv (TensorFlow 2.21, Keras 3.15)."""
import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
X = np.arange(2 * 4 * 6 * 3, dtype="float32").reshape(2, 4, 6, 3)


def test_random_height_width_resize():
    assert L.RandomHeight(0.5)(X, training=False).shape == (2, 4, 6, 3)
    assert L.RandomHeight((0.5, 0.5))(X).shape == (2, 6, 6, 3)
    assert L.RandomWidth((-0.5, -0.5))(X).shape == (2, 4, 3, 3)
    out = L.RandomWidth((-0.5, -0.5), interpolation="nearest")(X)
    assert out.numpy()[0, :, :, 0].tolist() == [[3, 9, 15], [21, 27, 33], [39, 45, 51],
                                                [57, 63, 69]]  # TF 2.21
    out = L.RandomHeight((1.0, 1.0))(X)
    np.testing.assert_allclose(out.numpy()[0, :, 0, 0],
                               [0.0, 4.5, 13.5, 22.5, 31.5, 40.5, 49.5, 54.0])  # TF 2.21
    assert L.RandomHeight((1.0, 1.0))(X[0]).shape == (8, 6, 3)
    assert all(2 <= L.RandomHeight(0.5, seed=1)(X).shape[1] <= 6 for _ in range(5))
    assert L.RandomWidth(0.4, dtype="float16")(X).dtype == cf.float16


def test_random_height_width_errors_config_and_symbolic():
    with pytest.raises(ValueError, match="upper bound"):
        L.RandomHeight((0.5, 0.2))
    with pytest.raises(ValueError, match="larger than -1"):
        L.RandomWidth((-1.5, 0.2))
    assert L.RandomHeight(0.2).height_lower == -0.2 and L.RandomWidth([0.1, 0.3]).width_upper == 0.3
    cfg = L.RandomHeight(0.2, seed=3).get_config()
    assert (cfg["factor"], cfg["interpolation"], cfg["seed"]) == (0.2, "bilinear", 3)
    inp = cf.keras.Input((4, 6, 3))
    assert tuple(L.RandomWidth(0.3)(inp).shape) == (None, 4, None, 3)
    assert tuple(L.RandomHeight(0.3)(inp).shape) == (None, None, 6, 3)
    model = cf.keras.Sequential([cf.keras.Input((4, 6, 3)), L.RandomWidth(0.4), L.RandomHeight(0.4)])
    assert model.predict(X, verbose=0).shape == (2, 4, 6, 3)  # inference: unchanged
    with pytest.raises(ValueError):
        L.RandomHeight(0.5)(np.zeros((4, 6, 3), "uint8"))  # as TF: no int -> float cast


def test_thresholded_relu():
    out = L.ThresholdedReLU(1.5)(np.array([[1.0, 1.5, 2.0, -3.0]]))
    assert out.numpy().tolist() == [[0.0, 0.0, 2.0, 0.0]] and out.dtype == cf.float32
    assert L.ThresholdedReLU()(np.array([1.0, 1.01])).numpy().tolist() == [0.0, pytest.approx(1.01)]
    assert L.ThresholdedReLU(theta=0.25).get_config()["theta"] == 0.25
    assert L.ThresholdedReLU().supports_masking
    with pytest.raises(ValueError, match=">=0"):
        L.ThresholdedReLU(-1.0)
    with pytest.raises(ValueError, match="cannot be None"):
        L.ThresholdedReLU(None)
    layer = cf.keras.layers.deserialize(cf.keras.layers.serialize(L.ThresholdedReLU(0.5)))
    assert float(layer.theta) == 0.5
