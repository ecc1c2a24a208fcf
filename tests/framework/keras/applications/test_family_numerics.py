"""Numerics of ConvNeXt, EfficientNetV2, InceptionResNetV2 and NASNet (weights=None).

Every weight is set by ``_fill`` (BatchNorm/LayerNorm at identity, He-scaled NumPy normals
seeded by the weight's index, small biases; preprocessing statistics kept), then the
outputs on two fixed images are compared with the values TF 2.21 (Keras 3.15, /work/tfenv)
gave for the same models filled the same way. Their structure (layers, counts, shapes) is
checked against Keras by test_structure.py."""
import numpy as np
import pytest

import cuflow as cf

A = cf.keras.applications

# TF 2.21: out[:, :4], sum |out|, sum |out[0] - out[1]|
TF_VALUES = {
    "EfficientNetV2B0": ([-0.0014983501, 0.83464146, -0.26185182, 1.9372354],
                        [-0.00057268207, 3.1204009, -0.1209498, -8.5883003e-05],
                        8380.27344, 5157.97266),
    "ConvNeXtTiny": ([-0.87366879, -1.4044951, -0.063588277, 0.059945785],
                    [0.15468302, -0.97743785, -1.7987533, 0.77317446],
                    1179.58899, 706.31897),
    "NASNetMobile": ([0.0, 3.7632458, 32.191814, 24.258286],
                    [0.0, 0.003476555, 10.59044, 8.5928354],
                    9370.25684, 4769.6499),
    "InceptionResNetV2": ([8.6464243, 0.0, 8.1687603, 0.0],
                         [9.5700617, 2.8144042, 7.5065351, 0.0],
                         16797.5605, 3251.61035),
    "EfficientNetV2S": ([0.11944604, -0.011026122, -0.024985658, 0.2050181],
                       [0.1509506, 0.032177947, 0.062714413, 0.090991735],
                       169.855148, 64.0998459),
}


def _fill(model, scale):
    for k, w in enumerate(model.weights):
        name, shape = w.name.split("/")[-1].split(":")[0], tuple(w.shape)
        if name in ("mean", "variance", "count"):
            continue
        if name in ("moving_mean", "beta"):
            v = np.zeros(shape)
        elif name in ("moving_variance", "gamma"):
            v = np.ones(shape)
        elif name == "bias":
            v = np.cos(np.arange(int(np.prod(shape))) + k).reshape(shape) * 0.01
        else:
            depthwise = name == "depthwise_kernel" or (len(shape) == 4 and shape[-1] == 1)
            fan_in = int(np.prod(shape[:-2] if depthwise else shape[:-1]))
            v = np.random.RandomState(k).normal(size=shape) * np.sqrt(scale / max(fan_in, 1))
        w.assign(v.astype(w.dtype.name))


def _images(side):
    x = np.cos(np.arange(2 * 75 * 75 * 3) * 0.11).reshape(2, 75, 75, 3) * 127.5 + 127.5
    x[1] = x[1, ::-1] * np.linspace(0.1, 1.0, 75)[:, None, None]
    return x[:, :side, :side].astype("float32")


def _check(name, side, scale=1.0):
    model = getattr(A, name)(weights=None, include_top=False, input_shape=(side, side, 3),
                             pooling="avg")
    _fill(model, scale)
    out = model.predict(_images(side), verbose=0)
    row0, row1, total, diff = TF_VALUES[name]
    np.testing.assert_allclose(out[:, :4], [row0, row1], rtol=1e-4, atol=1e-4)
    assert np.abs(out).sum() == pytest.approx(total, rel=1e-4)
    assert np.abs(out[0] - out[1]).sum() == pytest.approx(diff, rel=1e-4)


def test_efficientnet_v2_b0_matches_tf():
    _check("EfficientNetV2B0", 32, scale=2.0)


def test_convnext_tiny_matches_tf():
    _check("ConvNeXtTiny", 32)


def test_nasnet_mobile_matches_tf():
    _check("NASNetMobile", 32)


@pytest.mark.slow
def test_inception_resnet_v2_matches_tf():
    _check("InceptionResNetV2", 75)


@pytest.mark.slow
def test_efficientnet_v2_s_matches_tf():
    _check("EfficientNetV2S", 32, scale=1.5)


def test_imagenet_weights_name_the_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="efficientnetv2-b0_notop.h5"):
        A.EfficientNetV2B0(include_top=False, input_shape=(32, 32, 3))
    with pytest.raises(ValueError, match="classes"):
        A.ConvNeXtTiny(weights="imagenet", classes=10)
    with pytest.raises(ValueError, match="at least 75x75"):
        A.InceptionResNetV2(weights=None, include_top=False, input_shape=(60, 60, 3))


def test_family_modules_and_preprocessing():
    assert A.convnext.preprocess_input(np.array([255.0])).tolist() == [255.0]
    assert A.efficientnet_v2.preprocess_input(np.array([3.0])).tolist() == [3.0]
    np.testing.assert_allclose(A.inception_resnet_v2.preprocess_input(
        np.array([[0.0, 127.5, 255.0]])), [[-1.0, 0.0, 1.0]])
    np.testing.assert_allclose(A.nasnet.preprocess_input(np.array([[0.0, 255.0, 63.75]])),
                               [[-1.0, 1.0, -0.5]])
    assert A.ConvNeXtXLarge is A.convnext.ConvNeXtXLarge
    assert A.NASNetLarge is A.nasnet.NASNetLarge
    assert A.EfficientNetV2L.__name__ == "EfficientNetV2L"
