"""get_file (offline cache lookup, hashes, extraction) and the Pillow image helpers."""
import hashlib
import os
import tarfile

import numpy as np
import pytest

import cuflow as cf

U = cf.keras.utils


def test_get_file_uses_cache_and_never_downloads(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    url = "https://storage.googleapis.com/x/data.csv"
    with pytest.raises(FileNotFoundError, match=r"downloads are off.*data.csv"):
        U.get_file(origin=url)
    os.makedirs(tmp_path / "datasets")
    (tmp_path / "datasets" / "data.csv").write_text("a,b\n")
    assert U.get_file(origin=url) == str(tmp_path / "datasets" / "data.csv")
    md5 = hashlib.md5(b"a,b\n").hexdigest()
    assert U.get_file("data.csv", url, md5_hash=md5).endswith("data.csv")
    sha = hashlib.sha256(b"a,b\n").hexdigest()
    assert U.get_file("data.csv", url, file_hash=sha).endswith("data.csv")
    with pytest.raises(ValueError, match="hash does not match"):
        U.get_file("data.csv", url, file_hash="0" * 64)
    with pytest.raises(ValueError, match="origin"):
        U.get_file("data.csv")
    with pytest.raises(ValueError, match="cache_dir"):
        U.get_file("sub/data.csv", url)


def test_get_file_extracts_archives(tmp_path):
    src = tmp_path / "src"
    os.makedirs(src / "pkg")
    (src / "pkg" / "f.txt").write_text("hello")
    cache = tmp_path / "cache" / "datasets"
    os.makedirs(cache)
    with tarfile.open(cache / "pkg.tar.gz", "w:gz") as t:
        t.add(src / "pkg", arcname="pkg")
    out = U.get_file("pkg.tar.gz", "https://x/pkg.tar.gz", extract=True,
                     cache_dir=str(tmp_path / "cache"))
    assert out == str(cache / "pkg_extracted")
    assert open(os.path.join(out, "pkg", "f.txt")).read() == "hello"
    # Keras's untar naming: fname without suffix -> <fname>_archive holds the archive
    os.rename(cache / "pkg.tar.gz", cache / "pkg_archive")
    out = U.get_file("pkg", "https://x/pkg.tar.gz", untar=True, cache_dir=str(tmp_path / "cache"))
    assert out == str(cache / "pkg") and os.path.exists(os.path.join(out, "pkg", "f.txt"))


def test_img_to_array_without_pillow_shapes():
    assert U.img_to_array(np.zeros((2, 3), "uint8")).shape == (2, 3, 1)
    assert U.img_to_array(np.zeros((2, 3, 3)), data_format="channels_first").shape == (3, 2, 3)
    assert U.img_to_array(np.zeros((2, 3)), dtype="uint8").dtype == np.uint8
    with pytest.raises(ValueError, match="Unsupported image shape"):
        U.img_to_array(np.zeros((2,)))


def test_save_load_array_to_img_roundtrip(tmp_path):
    pytest.importorskip("PIL")
    rng = np.random.default_rng(0)
    x = rng.integers(0, 255, (6, 5, 3)).astype("float32")
    path = str(tmp_path / "a.png")
    U.save_img(path, x, scale=False)
    img = U.load_img(path)
    assert img.size == (5, 6) and img.mode == "RGB"
    np.testing.assert_array_equal(U.img_to_array(img), x)
    gray = U.img_to_array(U.load_img(path, color_mode="grayscale", target_size=(3, 4)))
    assert gray.shape == (3, 4, 1)
    assert U.img_to_array(U.load_img(path, target_size=(4, 4), keep_aspect_ratio=True)).shape \
        == (4, 4, 3)
    scaled = U.img_to_array(U.array_to_img(x / 1000.0))      # min..max -> 0..255
    assert scaled.min() == 0 and scaled.max() == 255
    assert U.array_to_img(np.zeros((2, 2, 1))).mode == "L"
    with pytest.raises(ValueError, match="rank 3"):
        U.array_to_img(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="color_mode"):
        U.load_img(path, color_mode="cmyk")
    from cuflow.keras.preprocessing import image as legacy
    assert legacy.load_img is U.load_img


def test_smart_resize_crops_to_aspect_then_resizes():
    from cuflow.keras.preprocessing.image import smart_resize
    x = np.arange(4 * 8, dtype="float32").reshape(4, 8, 1)
    out = smart_resize(x, (2, 2), interpolation="nearest")
    assert isinstance(out, np.ndarray) and out.shape == (2, 2, 1)
    np.testing.assert_array_equal(out[..., 0], [[11, 13], [27, 29]])        # Keras's values
    np.testing.assert_allclose(smart_resize(x, (3, 2))[..., 0],
                               [[4.333333, 5.333333], [15, 16], [25.666668, 26.666668]],
                               rtol=1e-6)
