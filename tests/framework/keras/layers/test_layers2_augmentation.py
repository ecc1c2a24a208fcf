"""Colour / mixing augmentation layers (keras-layers2): deterministic paths against
Keras 3.15 / TF 2.21 (fixtures/tf_layers2_aug.npz from fixtures/make_layers2_aug.py),
random draws by their ranges, shapes and dtypes."""
import os

import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
TF = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_layers2_aug.npz"))
IMG = TF["img"]
IMG01 = IMG / 255


def cases():
    return {
        "autocontrast": (L.AutoContrast(), IMG, {}),
        "autocontrast_01_inference": (L.AutoContrast(value_range=(0, 1)), IMG01,
                                      {"training": False}),
        "equalization": (L.Equalization(), IMG, {}),
        "equalization_bins_01": (L.Equalization(bins=16, value_range=(0, 1)), IMG01, {}),
        "equalization_cf": (L.Equalization(data_format="channels_first"),
                            IMG.transpose(0, 3, 1, 2), {}),
        "solarization": (L.Solarization(), IMG, {}),
        "solarization_01": (L.Solarization(value_range=(0, 1)), IMG01, {}),
        "invert": (L.RandomInvert(factor=(1.0, 1.0)), IMG, {}),
        "invert_inference": (L.RandomInvert(), IMG, {"training": False}),
        "grayscale": (L.RandomGrayscale(factor=1.0), IMG, {}),
        "grayscale_cf": (L.RandomGrayscale(factor=1.0, data_format="channels_first"),
                         IMG.transpose(0, 3, 1, 2), {}),
        "posterization": (L.RandomPosterization(factor=(3, 3)), IMG, {}),
        "posterization_01": (L.RandomPosterization(factor=(5, 5), value_range=(0, 1)), IMG01,
                             {}),
        "degeneration": (L.RandomColorDegeneration(factor=(0.3, 0.3)), IMG, {}),
        "saturation": (L.RandomSaturation(factor=(0.7, 0.7)), IMG, {}),
        "saturation_gray": (L.RandomSaturation(factor=(0.0, 0.0)), IMG, {}),
        "sharpness": (L.RandomSharpness(factor=(0.8, 0.8)), IMG, {}),
        "sharpness_single": (L.RandomSharpness(factor=(0.1, 0.1)), IMG[0], {}),
        "jitter_inference": (L.RandomColorJitter(brightness_factor=0.2, hue_factor=0.2), IMG,
                             {"training": False}),
        "saturation_inference": (L.RandomSaturation(factor=0.5), IMG, {"training": False}),
    }


@pytest.mark.parametrize("name", sorted(cases()))
def test_deterministic_paths_match_keras(name):
    layer, x, kw = cases()[name]
    y = layer(x, **kw)
    want = TF[name]
    assert tuple(y.shape) == want.shape and y.dtype.name == str(want.dtype)
    scale = 1.0 if x.max() > 1.5 else 1 / 255
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-5, atol=5e-5 * scale)
    again = type(layer).from_config(layer.get_config())
    assert again.get_config() == layer.get_config()


def test_random_hue_shifts_by_plus_or_minus_half_factor():
    y = L.RandomHue(factor=(0.4, 0.4), value_range=(0, 1), seed=3)(IMG01).numpy()
    for i in range(2):
        ok = [np.allclose(y[i], TF[f"hue_{t}"][i], atol=1e-5) for t in ("pos", "neg")]
        assert any(ok)


@pytest.mark.parametrize("layer", [
    L.RandomHue(0.3), L.RandomSaturation(0.4), L.RandomColorDegeneration(0.5),
    L.RandomSharpness(0.5), L.RandomPosterization((2, 7)), L.RandomInvert(0.5),
    L.RandomGrayscale(0.5), L.Solarization(0.3, 0.6),
    L.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.3, saturation_factor=0.4,
                        hue_factor=0.1)], ids=lambda l: type(l).__name__)
def test_random_colour_layers_stay_in_range_and_shape(layer):
    x = IMG.astype("float32")
    y = layer(x).numpy()
    assert y.shape == x.shape and y.dtype == np.float32
    assert y.min() >= -1e-3 and y.max() <= 255 + 1e-3
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)
    single = layer(x[0])
    assert tuple(single.shape) == x.shape[1:]


def test_factor_validation():
    with pytest.raises(ValueError):
        L.RandomGrayscale(1.5)
    with pytest.raises(ValueError):
        L.RandomPosterization(9)
    with pytest.raises(ValueError):
        L.Solarization(addition_factor=2)
    with pytest.raises(ValueError):
        L.AutoContrast(value_range=3)
