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


def test_gaussian_blur_kernel_matches_keras():
    from cuflow.keras.layers.augmentation_mix import gaussian_kernel
    k = gaussian_kernel((3, 5), cf.constant([0.7, 1.3]), 3, "float32")
    y = cf.nn.depthwise_conv2d(IMG, k, strides=(1, 1, 1, 1), padding="SAME")
    np.testing.assert_allclose(y.numpy(), TF["blur_3x5"], rtol=1e-5, atol=1e-3)
    layer = L.RandomGaussianBlur(factor=(1.0, 1.0), kernel_size=5, sigma=(0.2, 0.9), seed=1)
    out = layer(IMG).numpy()
    assert out.shape == IMG.shape and out.min() >= 0 and out.max() <= 255
    assert not np.allclose(out, IMG)
    np.testing.assert_array_equal(layer(IMG, training=False).numpy(), IMG)
    with pytest.raises(ValueError):
        L.RandomGaussianBlur(kernel_size=4)


def test_mixup_mixes_images_and_labels_with_one_draw():
    x = np.random.RandomState(0).rand(5, 4, 3, 2).astype("float32")
    out = L.MixUp(alpha=0.4, seed=2)({"images": x, "labels": np.eye(5, dtype="float32")})
    lab, img = out["labels"].numpy(), out["images"].numpy()
    np.testing.assert_allclose(lab.sum(1), 1, rtol=1e-6)
    for i in range(5):
        w = lab[i, i]                              # label i keeps weight w, its partner 1-w
        others = np.delete(np.arange(5), i)
        j = others[np.argmax(lab[i, others])] if w < 1 else i
        np.testing.assert_allclose(img[i], w * x[i] + (1 - w) * x[j], rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(L.MixUp()(x, training=False).numpy(), x)


def test_cutmix_pastes_boxes_from_the_batch():
    x = np.arange(4)[:, None, None, None] * np.ones((4, 8, 8, 1), "float32")
    out = L.CutMix(seed=3)({"images": x, "labels": np.eye(4, dtype="float32")})
    img, lab = out["images"].numpy(), out["labels"].numpy()
    np.testing.assert_allclose(lab.sum(1), 1, rtol=1e-5)
    for i in range(4):
        src = set(np.unique(img[i]).tolist())
        assert src <= {float(i)} | {float(j) for j in range(4) if lab[i, j] > 0}
    assert tuple(L.CutMix()(x[0]).shape) == (8, 8, 1)       # single image: unchanged
    cfg = L.CutMix(factor=0.5).get_config()
    assert cfg["factor"] == (0, 0.5)


def test_random_erasing_fills_one_box():
    x = np.full((3, 10, 10, 1), 100.0, "float32")
    y = L.RandomErasing(factor=(1.0, 1.0), scale=(0.1, 0.3), fill_value=0.0, seed=4)(x)
    y = y.numpy()
    assert set(np.unique(y).tolist()) <= {0.0, 100.0}
    frac = (y == 0).reshape(3, -1).mean(1)
    assert np.all(frac > 0.02) and np.all(frac < 0.5)
    noisy = L.RandomErasing(seed=5)(x).numpy()
    assert noisy.min() >= 0 and noisy.max() <= 255


def test_pipeline_runs_layers_in_order_and_round_trips():
    p = L.Pipeline([L.RandomInvert((1.0, 1.0)), L.AutoContrast()])
    np.testing.assert_allclose(p(IMG).numpy(), L.AutoContrast()(255 - IMG).numpy())
    np.testing.assert_allclose(p(IMG, training=False).numpy(), L.AutoContrast()(IMG).numpy())
    again = L.deserialize(L.serialize(p))
    assert [type(layer).__name__ for layer in again.layers] == ["RandomInvert", "AutoContrast"]


def test_shear_and_perspective_maps_match_keras():
    from cuflow.keras.layers.augmentation_geometric import homography
    from cuflow.ops.image_transform_ops import image_projective_transform_v3 as project
    f = TF["shear_factor"]
    t = np.zeros((2, 8), "float32")
    t[:, 0], t[:, 1], t[:, 3], t[:, 4] = 1, f[:, 0], f[:, 1], 1
    y = project(cf.constant(IMG), cf.constant(t), [6, 5], 0.0, "bilinear", "constant")
    np.testing.assert_allclose(y.numpy(), TF["shear"], atol=1e-3)
    start = np.array([[[0, 0], [4, 0], [0, 5], [4, 5]]] * 2, "float32")
    h = homography(cf.constant(start), cf.constant(TF["persp_end"]))
    y = project(cf.constant(IMG), h, [6, 5], 0.0, "bilinear", "constant")
    np.testing.assert_allclose(y.numpy(), TF["perspective"], atol=1e-3)


@pytest.mark.parametrize("layer", [L.RandomShear(0.3, 0.2, seed=1),
                                   L.RandomPerspective(scale=0.5, seed=1)],
                         ids=lambda l: type(l).__name__)
def test_geometric_layers_shapes_and_inference(layer):
    y = layer(IMG)
    assert tuple(y.shape) == IMG.shape and y.dtype == cf.float32
    np.testing.assert_array_equal(layer(IMG, training=False).numpy(), IMG)
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError):
        L.RandomPerspective(scale=2.0)


@pytest.mark.parametrize("layer", [L.RandAugment(seed=1), L.RandAugment(num_ops=3, factor=0.8),
                                   L.AugMix(seed=2), L.AugMix(all_ops=False, num_chains=2)],
                         ids=lambda l: type(l).__name__)
def test_policies_keep_shape_range_and_round_trip(layer):
    y = layer(IMG).numpy()
    assert y.shape == IMG.shape and y.dtype == np.float32
    assert y.min() >= -1e-3 and y.max() <= 255 + 1e-3
    np.testing.assert_array_equal(layer(IMG, training=False).numpy(), IMG)
    cfg = layer.get_config()
    assert type(layer).from_config(cfg).get_config() == cfg
    assert tuple(layer(IMG[0]).shape) == IMG.shape[1:]


def test_colour_layers_take_keras_dict_inputs():
    data = {"images": IMG, "labels": np.eye(2, dtype="float32"),
            "segmentation_masks": np.ones((2, 6, 5, 1), "float32")}
    out = L.RandomInvert(factor=(1.0, 1.0))(data)
    np.testing.assert_allclose(out["images"].numpy(), TF["invert"])
    np.testing.assert_array_equal(np.asarray(out["labels"]), data["labels"])
    np.testing.assert_array_equal(np.asarray(out["segmentation_masks"]),
                                  data["segmentation_masks"])
    out = L.AutoContrast()(data, training=False)
    np.testing.assert_allclose(out["images"].numpy(), TF["autocontrast"], atol=5e-5)
