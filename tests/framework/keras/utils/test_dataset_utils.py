"""image/text_dataset_from_directory against Keras 3.15 + TF 2.21 outputs recorded for the
same folder trees (file order, seeded splits, labels, messages, decoded/resized pixels)."""
import os

import numpy as np
import pytest

import cuflow as cf

U = cf.keras.utils
CLASSES = [("cats", 5), ("dogs", 4), ("zebra", 3)]


@pytest.fixture
def text_root(tmp_path):
    for c, n in CLASSES:
        os.makedirs(tmp_path / c / "sub")
        for i in range(n):
            path = tmp_path / c / (f"t{i}.txt" if i % 2 else f"sub/t{i}.txt")
            path.write_text(f"{c} sample {i} " + "word " * i)
    (tmp_path / "cats" / "ignored.md").write_text("not a txt")
    return str(tmp_path)


def _texts(ds):
    return [[np.asarray(x).tolist() for x in b] for b in ds]


def test_text_dataset_order_labels_and_split(text_root, capsys):
    ds = U.text_dataset_from_directory(text_root, shuffle=False, batch_size=4)
    assert ds.class_names == ["cats", "dogs", "zebra"]
    assert _texts(ds) == [
        [[b"cats sample 1 word ", b"cats sample 3 word word word ", b"cats sample 0 ",
          b"cats sample 2 word word "], [0, 0, 0, 0]],
        [[b"cats sample 4 word word word word ", b"dogs sample 1 word ",
          b"dogs sample 3 word word word ", b"dogs sample 0 "], [0, 1, 1, 1]],
        [[b"dogs sample 2 word word ", b"zebra sample 1 word ", b"zebra sample 0 ",
          b"zebra sample 2 word word "], [1, 2, 2, 2]]]
    assert capsys.readouterr().out == "Found 12 files belonging to 3 classes.\n"
    one = U.text_dataset_from_directory(text_root, batch_size=None, label_mode="categorical",
                                        max_length=10, shuffle=False, verbose=False)
    first = next(iter(one))
    assert first[0].numpy() == b"cats sampl" and first[1].numpy().tolist() == [1.0, 0, 0]
    train, val = U.text_dataset_from_directory(text_root, validation_split=0.3,
                                               subset="both", seed=42, batch_size=2)
    assert capsys.readouterr().out.splitlines()[1:] == ["Using 9 files for training.",
                                                        "Using 3 files for validation."]
    assert _texts(val) == [[[b"dogs sample 0 ", b"cats sample 2 word word "], [1, 0]],
                           [[b"dogs sample 3 word word word "], [1]]]
    texts = sorted(t for b in train for t in b[0].numpy().tolist())
    assert texts == [b"cats sample 0 ", b"cats sample 1 word ", b"cats sample 3 word word word ",
                     b"cats sample 4 word word word word ", b"dogs sample 1 word ",
                     b"dogs sample 2 word word ", b"zebra sample 0 ", b"zebra sample 1 word ",
                     b"zebra sample 2 word word "]


def test_text_dataset_argument_errors(text_root):
    with pytest.raises(ValueError, match="must provide a `seed`"):
        U.text_dataset_from_directory(text_root, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        U.text_dataset_from_directory(text_root, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="did not match"):
        U.text_dataset_from_directory(text_root, class_names=["cats", "lions"])
    with pytest.raises(ValueError, match="label_mode"):
        U.text_dataset_from_directory(text_root, label_mode="sparse")


@pytest.fixture
def image_root(tmp_path):
    image = pytest.importorskip("PIL.Image")
    rng = np.random.default_rng(0)
    for c, n in CLASSES:
        os.makedirs(tmp_path / c)
        for i in range(n):
            h, w = rng.integers(5, 12, 2)
            image.fromarray(rng.integers(0, 255, (h, w, 3)).astype("uint8")).save(
                tmp_path / c / f"im{i}.png")
        image.fromarray(rng.integers(0, 255, (6, 6)).astype("uint8")).save(
            tmp_path / c / "gray.png")
    (tmp_path / "cats" / "notes.md").write_text("x")
    return str(tmp_path)


def test_image_dataset_pixels_labels_and_modes(image_root):
    ds = U.image_dataset_from_directory(image_root, shuffle=False, batch_size=5,
                                        image_size=(4, 3))
    rel = [os.path.relpath(p, image_root) for p in ds.file_paths]
    assert rel[:3] == ["cats/gray.png", "cats/im0.png", "cats/im1.png"] and len(rel) == 15
    got = [(tuple(x.shape), x.dtype, y.numpy().tolist(), float(x.numpy().sum())) for x, y in ds]
    want_sums = [22072.75, 21885.1875, 24077.541015625]      # TF's decode + bilinear resize
    assert [g[2] for g in got] == [[0] * 5, [0, 1, 1, 1, 1], [1, 2, 2, 2, 2]]
    assert all(g[0] == (5, 4, 3, 3) and g[1] == cf.float32 for g in got)
    np.testing.assert_allclose([g[3] for g in got], want_sums, rtol=1e-5)
    gray = U.image_dataset_from_directory(image_root, shuffle=False, batch_size=5,
                                          image_size=(4, 3), color_mode="grayscale",
                                          label_mode="binary", class_names=["dogs", "zebra"])
    got = [(tuple(x.shape), y.numpy().tolist(), float(x.numpy().sum())) for x, y in gray]
    assert [g[:2] for g in got] == [((5, 4, 3, 1), [[0.0]] * 5), ((4, 4, 3, 1), [[1.0]] * 4)]
    np.testing.assert_allclose([g[2] for g in got], [7433.9, 6496.62], atol=0.01)


def test_image_dataset_split_crop_pad(image_root):
    val = U.image_dataset_from_directory(image_root, seed=3, validation_split=0.25,
                                         subset="validation", image_size=(8, 8),
                                         crop_to_aspect_ratio=True, label_mode="categorical")
    assert [os.path.relpath(p, image_root) for p in val.file_paths] == \
        ["dogs/im2.png", "dogs/im1.png", "dogs/im3.png"]
    (x, y), = list(val)
    assert x.shape == (3, 8, 8, 3) and y.numpy().tolist() == [[0.0, 1.0, 0.0]] * 3
    np.testing.assert_allclose(float(x.numpy().sum()), 75549.3, atol=0.1)
    pad = U.image_dataset_from_directory(image_root, shuffle=False, image_size=(7, 9),
                                         pad_to_aspect_ratio=True, labels=None,
                                         interpolation="nearest")
    (x,), = [(b,) for b in pad]
    assert x.shape == (15, 7, 9, 3)
    np.testing.assert_allclose(float(x.numpy().sum()), 257193.0, atol=0.5)
    with pytest.raises(ValueError, match="color_mode"):
        U.image_dataset_from_directory(image_root, color_mode="hsv")
    with pytest.raises(ValueError, match="image_size"):
        U.image_dataset_from_directory(image_root, image_size=(3, 3, 3))


def test_image_dataset_trains_a_model(image_root):
    ds = U.image_dataset_from_directory(image_root, seed=1, batch_size=4, image_size=(8, 8),
                                        verbose=False)
    model = cf.keras.Sequential([cf.keras.Input((8, 8, 3)), cf.keras.layers.Rescaling(1 / 255),
                                 cf.keras.layers.Flatten(), cf.keras.layers.Dense(3)])
    model.compile("adam", cf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    hist = model.fit(ds, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2 and np.isfinite(hist.history["loss"]).all()


def test_image_dataset_from_directory_nearest_keeps_uint8_and_tf_jpeg(tmp_path):
    import io as _io
    from PIL import Image
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        img = rng.integers(0, 256, (12, 10, 3)).astype(np.uint8)
        buf = _io.BytesIO()
        Image.fromarray(img).save(buf, "JPEG", quality=90)
        (tmp_path / name / "0.jpg").write_bytes(buf.getvalue())
    near = cf.keras.utils.image_dataset_from_directory(
        str(tmp_path), image_size=(8, 8), interpolation="nearest", shuffle=False, verbose=False)
    assert near.element_spec[0].dtype == cf.uint8
    bil = cf.keras.utils.image_dataset_from_directory(
        str(tmp_path), image_size=(12, 10), shuffle=False, verbose=False)
    x, _ = next(iter(bil))
    assert x.dtype == cf.float32
    data = (tmp_path / "a" / "0.jpg").read_bytes()
    np.testing.assert_array_equal(x[0].numpy(), cf.io.decode_jpeg(data).numpy().astype("float32"))
