"""Augmentation layers: deterministic factor ranges against outputs recorded from Keras
3.15 / TF 2.21 (fixtures/tf_augmentation.npz), random draws by their properties."""
import os

import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
TF = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_augmentation.npz"))
IMG = TF["img"]                               # (2, 5, 4, 2) in [0, 255)
MODES = ["reflect", "wrap", "constant", "nearest"]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("interp", ["bilinear", "nearest"])
def test_geometric_layers_match_keras(mode, interp):
    rot = L.RandomRotation((0.1, 0.1), fill_mode=mode, interpolation=interp, fill_value=7.0)
    np.testing.assert_allclose(rot(IMG).numpy(), TF[f"rot_{mode}_{interp}"], atol=2e-3)
    zoom = L.RandomZoom((0.3, 0.3), (-0.2, -0.2), fill_mode=mode, interpolation=interp)
    np.testing.assert_allclose(zoom(IMG).numpy(), TF[f"zoom_{mode}_{interp}"], atol=2e-3)
    tr = L.RandomTranslation((0.2, 0.2), (-0.3, -0.3), fill_mode=mode, interpolation=interp)
    np.testing.assert_allclose(tr(IMG).numpy(), TF[f"trans_{mode}_{interp}"], atol=2e-3)


def test_single_image_channels_first_colour_and_crop_match_keras():
    np.testing.assert_allclose(L.RandomRotation((0.25, 0.25))(IMG[0]).numpy(),
                               TF["rot90_single"], atol=2e-3)
    rot = L.RandomRotation((0.1, 0.1), data_format="channels_first")
    np.testing.assert_allclose(rot(IMG.transpose(0, 3, 1, 2)).numpy(),
                               TF["rot_channels_first"], atol=2e-3)
    np.testing.assert_allclose(L.RandomZoom((0.5, 0.5))(IMG).numpy(), TF["zoom_keep_aspect"],
                               atol=2e-3)
    np.testing.assert_allclose(L.RandomBrightness((0.1, 0.1))(IMG).numpy(), TF["brightness"],
                               atol=1e-4)
    np.testing.assert_allclose(L.RandomBrightness((-0.3, -0.3), value_range=(0, 1))(
        IMG / 255).numpy(), TF["brightness_neg"], atol=1e-6)
    np.testing.assert_allclose(L.RandomCrop(4, 2)(IMG[:, :4]).numpy(), TF["crop_small"],
                               atol=1e-4)
    np.testing.assert_allclose(L.RandomCrop(8, 8)(IMG).numpy(), TF["crop_resize"], atol=1e-3)
    np.testing.assert_allclose(L.RandomContrast((0, 0))(IMG).numpy(), IMG, atol=1e-4)


def test_inference_is_identity_and_training_default_augments():
    layers = [L.RandomFlip(seed=1), L.RandomRotation(0.2, seed=1), L.RandomZoom(0.3, seed=1),
              L.RandomTranslation(0.2, 0.2, seed=1), L.RandomContrast(0.5, seed=1),
              L.RandomBrightness(0.3, seed=1), L.RandomCrop(3, 3, seed=1)]
    for layer in layers:
        np.testing.assert_array_equal(layer(IMG, training=False).numpy(), IMG)
        outs = [layer(IMG).numpy() for _ in range(4)]
        assert any(o.shape != IMG.shape or not np.allclose(o, IMG) for o in outs), layer.name
    model = cf.keras.Sequential([cf.keras.Input((5, 4, 2)), L.RandomFlip(seed=2),
                                 L.RandomRotation(0.3, seed=2)])
    np.testing.assert_array_equal(model.predict(IMG, verbose=0), IMG)


def test_random_flip_modes_and_seeded_reproducibility():
    img = np.arange(40, dtype="float32").reshape(10, 1, 4, 1)
    out = L.RandomFlip("horizontal", seed=3)(img).numpy()
    flipped = [bool((o == i[:, ::-1]).all()) for o, i in zip(out, img)]
    assert all(f or (o == i).all() for f, o, i in zip(flipped, out, img))
    assert 0 < sum(flipped) < 10
    both = L.RandomFlip(seed=3)(np.arange(60, dtype="float32").reshape(15, 2, 2, 1)).numpy()
    src = np.arange(60, dtype="float32").reshape(15, 2, 2, 1)
    for o, i in zip(both, src):     # Keras flips both axes together, never one alone
        assert (o == i).all() or (o == i[::-1, ::-1]).all()
    cf.random.set_seed(5)
    a = L.RandomRotation(0.2, seed=9)(IMG).numpy()
    cf.random.set_seed(5)
    b = L.RandomRotation(0.2, seed=9)(IMG).numpy()
    np.testing.assert_array_equal(a, b)


def test_contrast_factor_range_and_clip():
    layer = L.RandomContrast((0.2, 0.5), seed=4)
    x = np.random.default_rng(1).uniform(50, 200, (8, 6, 6, 3)).astype("float32")
    y = layer(x).numpy()
    mean = x.mean(axis=(1, 2), keepdims=True)
    f = ((y - mean) / (x - mean)).reshape(8, -1)
    assert np.allclose(f, f[:, :1], atol=1e-3)          # one factor per image
    assert (f[:, 0] >= 0.8 - 1e-4).all() and (f[:, 0] <= 1.5 + 1e-4).all()
    assert L.RandomContrast(0.2).factor == (0, 0.2)     # Keras 3: scalar only raises contrast
    clipped = L.RandomContrast((0.0, 1.0), value_range=(0, 1), seed=2)(x / 200).numpy()
    assert clipped.max() <= 1.0 and clipped.min() >= 0.0 and (clipped == 1.0).any()


def test_random_crop_window_is_a_subimage():
    x = np.arange(2 * 7 * 6, dtype="float32").reshape(2, 7, 6, 1)
    for _ in range(5):
        y = L.RandomCrop(3, 2)(x).numpy()
        assert y.shape == (2, 3, 2, 1)
        top, left = divmod(int(y[0, 0, 0, 0]), 6)
        np.testing.assert_array_equal(y, x[:, top:top + 3, left:left + 2])
    assert L.RandomCrop(3, 2).compute_output_shape((None, 7, 6, 1)) == (None, 3, 2, 1)


def test_validation_errors_and_configs():
    with pytest.raises(ValueError, match=r"\(-1.0, 1.0\]"):
        L.RandomZoom(-1.0)
    with pytest.raises(ValueError, match=r"\[-1.0, 1.0\]"):
        L.RandomTranslation(1.5, 0)
    with pytest.raises(ValueError, match="factor"):
        L.RandomRotation(2)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        L.RandomContrast(-0.5)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        L.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="rank 3"):
        L.RandomFlip()(np.zeros((2, 3), "float32"))
    cfg = L.RandomRotation(0.1, fill_mode="constant", seed=3).get_config()
    assert (cfg["factor"], cfg["fill_mode"], cfg["seed"]) == ((-0.1, 0.1), "constant", 3)
    assert L.RandomBrightness(0.4).get_config()["value_range"] == [0, 255]


def test_augmentation_model_fits_and_saves(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((16, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 2, 16)
    model = cf.keras.Sequential([
        cf.keras.Input((8, 8, 1)), L.RandomFlip("horizontal", seed=1),
        L.RandomRotation(0.1, seed=1), L.RandomZoom(0.1, seed=1),
        L.RandomTranslation(0.1, 0.1, seed=1), L.RandomContrast(0.1, seed=1),
        L.RandomBrightness(0.1, value_range=(0, 1), seed=1),
        L.Flatten(), L.Dense(2)])
    model.compile("adam", cf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    assert np.isfinite(hist.history["loss"]).all()
    path = str(tmp_path / "aug.keras")
    model.save(path)
    loaded = cf.keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5)


def test_random_crop_symbolic_shape_is_the_target_as_in_keras():
    # Keras 3.15: inference returns the input unchanged, but symbolic outputs (and so the
    # layers built after it) take the target size; fit works, predict then fails as there
    x = np.random.RandomState(0).rand(4, 6, 8, 1).astype("float32")
    crop = L.RandomCrop(4, 4)
    assert crop(x, training=False).shape == (4, 6, 8, 1)
    assert cf.keras.Input((6, 8, 1)).shape == (None, 6, 8, 1)
    assert L.RandomCrop(4, 4)(cf.keras.Input((6, 8, 1))).shape == (None, 4, 4, 1)
    model = cf.keras.Sequential([cf.keras.Input((6, 8, 1)), L.RandomCrop(4, 4), L.Flatten(),
                                 L.Dense(2)])
    assert tuple(model.layers[-1].kernel.shape) == (16, 2)
    assert model.output_shape == (None, 2) and model.count_params() == 34
    model.compile("adam", "mse")
    model.fit(x, np.zeros((4, 2)), verbose=0)
    with pytest.raises(ValueError, match="incompatible"):
        model.predict(x, verbose=0)
