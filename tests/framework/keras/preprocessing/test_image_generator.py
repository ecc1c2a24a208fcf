"""tf.keras.preprocessing.image: ImageDataGenerator, its iterators and the NumPy transforms.

Values marked "TF 2.21" came from /work/tfenv (TensorFlow 2.21, Keras 3.15)."""
import os
import warnings

import numpy as np
import pytest

import cuflow as cf

I = cf.keras.preprocessing.image


def test_affine_transform_matches_tf():
    img = np.arange(30.0).reshape(5, 6, 1)
    out = I.apply_affine_transform(img, theta=90, row_axis=0, col_axis=1, channel_axis=2)
    np.testing.assert_allclose(out[..., 0], [  # TF 2.21
        [7.5, 13.5, 19.5, 25.5, 28.5, 28.5], [6.5, 12.5, 18.5, 24.5, 27.5, 27.5],
        [5.5, 11.5, 17.5, 23.5, 26.5, 26.5], [4.5, 10.5, 16.5, 22.5, 25.5, 25.5],
        [3.5, 9.5, 15.5, 21.5, 24.5, 24.5]])
    out = I.apply_affine_transform(img, theta=10, tx=1.5, ty=-1, shear=5, zx=0.8, zy=1.2,
                                   row_axis=0, col_axis=1, channel_axis=2,
                                   fill_mode="constant", cval=-1.0)
    np.testing.assert_allclose(out[..., 0], [  # TF 2.21
        [-1, -1, -1, -1, -1, -1], [-1, -1, 4.338722, 5.96008, -1, -1],
        [7.74009, 9.361448, 10.982805, 12.604163, -1, -1],
        [14.384174, 16.005531, 17.626888, 19.248246, -1, -1],
        [21.028257, 22.649614, 24.270972, 25.892329, 27.513686, -1]], rtol=1e-6)
    assert I.apply_affine_transform(img, row_axis=0, col_axis=1, channel_axis=2) is img
    with pytest.raises(ValueError, match="distinct"):
        I.apply_affine_transform(img, row_axis=0, col_axis=0, channel_axis=2)
    with pytest.raises(ValueError, match="first and last"):
        I.apply_affine_transform(img, row_axis=0, col_axis=2, channel_axis=1)
    with pytest.raises(ValueError, match="multi-channel"):
        I.apply_affine_transform(img[..., 0], theta=1)


def test_channel_and_brightness_shift():
    img = np.random.RandomState(0).rand(4, 4, 3)
    out = I.apply_channel_shift(img, 0.3, 2)
    np.testing.assert_allclose(out, np.clip(img + 0.3, img.min(), img.max()))
    img[0, 0, :2] = 0.0, 1.0  # spans [0, 255] after * 255: no rescaling on the way to PIL
    np.testing.assert_allclose(I.apply_brightness_shift(img * 255, 1.0), img * 255, atol=1)
    assert I.apply_brightness_shift(img * 255, 0.0).max() == 0
    with pytest.raises(ValueError, match="two floats"):
        I.random_brightness(img, (0.5,))
    with pytest.raises(ValueError, match="two floats"):
        I.random_zoom(img, (0.7,))


def test_random_transform_params_follow_keras_draw_order():
    gen = I.ImageDataGenerator(rotation_range=20, width_shift_range=0.1, horizontal_flip=True,
                               zoom_range=0.2)
    p = gen.get_random_transform((4, 4, 3), seed=7)
    expected = {"theta": -16.947668, "tx": 0.0, "ty": 0.223935, "shear": 0.0,  # TF 2.21
                "zx": 0.975364, "zy": 1.089386, "flip_horizontal": 0, "flip_vertical": 0}
    for k, v in expected.items():
        assert p[k] == pytest.approx(v, abs=1e-6), k
    assert p["channel_shift_intensity"] is None and p["brightness"] is None


def test_seeded_flow_matches_tf():
    x = np.arange(5 * 4 * 4 * 3, dtype="float32").reshape(5, 4, 4, 3)
    gen = I.ImageDataGenerator(rotation_range=20, width_shift_range=0.1, horizontal_flip=True,
                               zoom_range=0.2)
    it = gen.flow(x, np.arange(5), batch_size=2, seed=11)
    assert len(it) == 3 and isinstance(it, I.NumpyArrayIterator)
    batches = [next(it) for _ in range(4)]
    assert [b[1].tolist() for b in batches] == [[2, 4], [0, 3], [1], [1, 2]]  # TF 2.21
    np.testing.assert_allclose([b[0].sum() for b in batches],
                               [16282.767, 9088.918, 3363.518, 8930.145], rtol=1e-5)
    np.testing.assert_allclose(batches[0][0][0, :, :, 0], [  # TF 2.21
        [106.576, 103.97098, 101.36597, 98.76095], [118.57869, 115.97368, 113.36866, 110.76364],
        [130.58139, 127.97637, 125.37135, 122.76634], [140.98366, 138.08037, 135.17708,
                                                       132.2738]], rtol=1e-5)
    assert batches[0][0].dtype == np.float32


def test_flow_outputs_and_errors():
    x = np.random.RandomState(1).rand(7, 3, 3, 1).astype("float32")
    y = np.arange(7)
    gen = I.ImageDataGenerator()
    it = gen.flow(x, y, batch_size=3, shuffle=False)
    assert [next(it)[1].tolist() for _ in range(4)] == [[0, 1, 2], [3, 4, 5], [6], [0, 1, 2]]
    assert it[2][1].tolist() == [6]
    with pytest.raises(ValueError, match="length 3"):
        it[3]
    b = next(gen.flow(x, y, sample_weight=y * 0.5, batch_size=2, shuffle=False))
    assert len(b) == 3 and b[2].tolist() == [0.0, 0.5]
    xb = next(gen.flow((x, [y * 2.0, y]), batch_size=2, shuffle=False))
    assert isinstance(xb, list) and len(xb) == 3 and xb[1].tolist() == [0.0, 2.0]
    val = I.ImageDataGenerator(validation_split=0.3)
    assert len(val.flow(x, np.zeros(7), subset="validation", batch_size=1)) == 2
    assert len(val.flow(x, np.zeros(7), subset="training", batch_size=1)) == 5
    with pytest.raises(ValueError, match="different number of classes"):
        val.flow(x, y, subset="training")
    with pytest.raises(ValueError, match="rank 4"):
        gen.flow(x[0])
    with pytest.raises(ValueError, match="same length"):
        gen.flow(x, y[:3])
    for kw in [{"validation_split": 1.5}, {"zoom_range": (1, 2, 3)}, {"data_format": "nhwc"},
               {"brightness_range": 0.5}]:
        with pytest.raises(ValueError):
            I.ImageDataGenerator(**kw)
    assert I.ImageDataGenerator(zoom_range=0.25).zoom_range == [0.75, 1.25]


def test_fit_and_standardize():
    x = np.random.RandomState(2).rand(6, 4, 4, 3).astype("float32") * 255
    gen = I.ImageDataGenerator(featurewise_std_normalization=True)
    assert gen.featurewise_center  # implied, as in Keras
    gen.fit(x)
    np.testing.assert_allclose(gen.mean.ravel(), x.mean((0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(gen.std.ravel(), (x - gen.mean).std((0, 1, 2)), rtol=1e-5)
    out = gen.standardize(x[:2].copy())
    np.testing.assert_allclose(out, (x[:2] - gen.mean) / (gen.std + 1e-6), rtol=1e-5)
    sw = I.ImageDataGenerator(samplewise_std_normalization=True, rescale=0.5,
                              preprocessing_function=lambda a: a + 1)
    ref = (x[0] + 1) * 0.5
    ref = ref - ref.mean()
    np.testing.assert_allclose(sw.standardize(x[0].copy()), ref / (ref.std() + 1e-6), rtol=1e-4)
    zca = I.ImageDataGenerator(zca_whitening=True)
    zca.fit(x[:, :2, :2])
    assert zca.zca_whitening_matrix.shape == (12, 12)
    white = zca.standardize(x[:, :2, :2].copy()).reshape(6, -1)
    np.testing.assert_allclose(white.T @ white / 6, np.eye(12) * 0, atol=2.0)  # rank <= 6
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        I.ImageDataGenerator(featurewise_center=True).standardize(x[0].copy())
    assert "hasn't been fit" in str(w[-1].message)


def _make_tree(d, rng):
    from PIL import Image
    for ci, cls in enumerate(["cats", "dogs", "zebra"]):
        os.makedirs(os.path.join(d, cls, "sub"))
        for k in range(3 + ci):
            a = (rng.rand(8 + k, 10, 3) * 255).astype("uint8")
            Image.fromarray(a).save(os.path.join(d, cls, "sub" if k == 0 else "", f"{cls}{k}.png"))
        open(os.path.join(d, cls, "notes.txt"), "w").write("x")


def test_flow_from_directory(tmp_path, capsys):
    _make_tree(str(tmp_path), np.random.RandomState(0))
    gen = I.ImageDataGenerator(rescale=1 / 255.0)
    it = gen.flow_from_directory(str(tmp_path), target_size=(4, 5), batch_size=4, shuffle=False)
    assert "Found 12 images belonging to 3 classes." in capsys.readouterr().out
    assert it.class_indices == {"cats": 0, "dogs": 1, "zebra": 2}
    assert it.classes.tolist() == [0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2]
    assert [f.replace(os.sep, "/") for f in it.filenames][:3] == [
        "cats/cats1.png", "cats/cats2.png", "cats/sub/cats0.png"]  # TF 2.21's order
    xb, yb = it[0]
    assert xb.shape == (4, 4, 5, 3) and xb.dtype == np.float32 and xb.max() <= 1.0
    assert yb.tolist() == [[1, 0, 0]] * 3 + [[0, 1, 0]]
    b = gen.flow_from_directory(str(tmp_path), target_size=(3, 3), classes=["dogs", "cats"],
                                class_mode="binary", color_mode="grayscale", batch_size=3,
                                shuffle=False)[0]
    assert b[0].shape == (3, 3, 3, 1) and b[1].tolist() == [0.0, 0.0, 0.0]
    assert len(gen.flow_from_directory(str(tmp_path), class_mode=None, batch_size=5)) == 3
    with pytest.raises(ValueError, match="Invalid class_mode"):
        gen.flow_from_directory(str(tmp_path), class_mode="raw")
    with pytest.raises(ValueError, match="Invalid color mode"):
        gen.flow_from_directory(str(tmp_path), color_mode="cmyk")
    val = I.ImageDataGenerator(validation_split=0.34).flow_from_directory(
        str(tmp_path), subset="validation", target_size=(2, 2))
    assert [f.replace(os.sep, "/") for f in val.filenames] == [
        "cats/cats1.png", "dogs/dogs1.png", "zebra/zebra1.png"]  # TF 2.21
