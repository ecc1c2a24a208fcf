"""Image codecs against TensorFlow's decodes of the same files (fixtures/codecs.npz, made
by make_tf_fixtures.py): PNG / GIF / BMP bit-exact, JPEG within libjpeg builds."""
from __future__ import annotations

import os

import cuflow as cf
import numpy as np
import pytest
from cuflow.errors import InvalidArgumentError

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "codecs.npz"))


def _file(name):
    return FIX[f"file_{name}"].tobytes()


def _cases(prefix):
    for k in FIX.files:
        if k.startswith(f"tf_{prefix}") and k.split("_")[-1] in ("uint8", "uint16"):
            name, ch, dt = k[3:].rsplit("_", 2)
            yield pytest.param(name, int(ch), dt, id=k[3:])


@pytest.mark.parametrize("name,channels,dtype", list(_cases("png")) + list(_cases("bmp")))
def test_png_bmp_bit_exact(name, channels, dtype):
    fn = cf.io.decode_png if name.startswith("png") else cf.io.decode_image
    got = fn(_file(name), channels=channels, dtype=dtype)
    want = FIX[f"tf_{name}_{channels}_{dtype}"]
    assert got.dtype.name == dtype and tuple(got.shape) == want.shape
    np.testing.assert_array_equal(got.numpy(), want)


@pytest.mark.parametrize("name,channels,dtype", list(_cases("jpeg")))
def test_jpeg_close_to_tf(name, channels, dtype):
    got = cf.io.decode_jpeg(_file(name), channels=channels).numpy().astype(float)
    want = FIX[f"tf_{name}_{channels}_{dtype}"].astype(float)
    assert got.shape == want.shape
    # TF's default dct_method '' is libjpeg's IFAST (+ fancy upsampling): bit-exact
    np.testing.assert_array_equal(got, want)
    if channels == 0:  # Pillow's own ISLOW is TF's INTEGER_ACCURATE: identical
        acc = cf.io.decode_jpeg(_file(name), dct_method="INTEGER_ACCURATE").numpy()
        np.testing.assert_array_equal(acc, FIX[f"tf_{name}_0_INTEGER_ACCURATE"])


def test_gif_and_decode_image():
    np.testing.assert_array_equal(cf.io.decode_gif(_file("gif")).numpy(), FIX["tf_gif"])
    np.testing.assert_array_equal(cf.io.decode_image(_file("gif")).numpy(), FIX["tf_gif_image"])
    first = cf.io.decode_image(_file("gif"), expand_animations=False)
    np.testing.assert_array_equal(first.numpy(), FIX["tf_gif"][0])
    got = cf.io.decode_image(_file("png_rgb"), dtype=cf.float32)
    np.testing.assert_allclose(got.numpy(), FIX["tf_png_rgb_float32"], rtol=1e-6)


@pytest.mark.parametrize("shape,dtype", [((4, 5, 1), np.uint8), ((4, 5, 2), np.uint8),
                                         ((3, 2, 3), np.uint16), ((1, 7, 4), np.uint16)])
def test_encode_png_round_trips(shape, dtype):
    img = np.random.default_rng(0).integers(0, np.iinfo(dtype).max, shape).astype(dtype)
    png = cf.io.encode_png(img, compression=9)
    assert png.dtype == cf.string and png.shape == ()
    np.testing.assert_array_equal(cf.io.decode_png(png, dtype=dtype).numpy(), img)


def test_encode_jpeg_decodes_close():
    img = FIX["tf_jpeg_rgb_0_INTEGER_ACCURATE"]
    back = cf.io.decode_jpeg(cf.io.encode_jpeg(img, quality=95)).numpy().astype(float)
    assert np.abs(back - img).mean() < 3
    gray = cf.io.encode_jpeg(img[..., :1], chroma_downsampling=False)
    assert cf.image.is_jpeg(gray).numpy()
    assert cf.image.extract_jpeg_shape(gray).numpy().tolist() == [24, 32, 1]
    crop = cf.image.decode_and_crop_jpeg(gray, [2, 3, 4, 5])
    np.testing.assert_array_equal(crop.numpy(), cf.io.decode_jpeg(gray).numpy()[2:6, 3:8])


def test_decoders_in_function_and_dataset(tmp_path):
    path = str(tmp_path / "x.png")
    cf.io.write_file(path, _file("png_rgba"))
    fn = cf.function(lambda s: cf.image.decode_png(s, channels=3))
    got = fn(cf.io.read_file(path))
    np.testing.assert_array_equal(got.numpy(), FIX["tf_png_rgba_3_uint8"])
    ds = cf.data.Dataset.from_tensor_slices([path] * 2).map(cf.io.read_file).map(
        lambda s: cf.io.decode_image(s, channels=1))
    for x in ds:
        np.testing.assert_array_equal(x.numpy(), FIX["tf_png_rgba_1_uint8"])


def test_errors():
    with pytest.raises(InvalidArgumentError, match="Unknown image file format"):
        cf.io.decode_png(b"abc")
    with pytest.raises(InvalidArgumentError, match="must be 0, 1 or 3 for JPEG"):
        cf.io.decode_image(_file("jpeg_rgb"), channels=4)
    with pytest.raises(InvalidArgumentError, match="must be scalar"):
        cf.io.decode_png([_file("png_rgb")])
    with pytest.raises(InvalidArgumentError, match="Invalid PNG"):
        cf.io.decode_png(_file("png_rgb")[:40])
    with pytest.raises(InvalidArgumentError, match="1 or 2 or 3 or 4 channels"):
        cf.io.encode_png(np.zeros((2, 2), np.uint8))


@pytest.mark.parametrize("name", ["webp", "webpa"])
def test_webp_as_tf(name):
    got = cf.io.decode_image(_file(name))
    np.testing.assert_array_equal(got.numpy(), FIX[f"tf_{name}"])  # [1, H, W, C], as TF
    first = cf.io.decode_image(_file(name), expand_animations=False)
    np.testing.assert_array_equal(first.numpy(), FIX[f"tf_{name}_first"])
    np.testing.assert_array_equal(cf.io.decode_webp(_file(name)).numpy(), FIX[f"tf_{name}"])
    with pytest.raises(InvalidArgumentError, match="WebP only supports 3 or 4 channels"):
        cf.io.decode_image(_file(name), channels=1)


@pytest.mark.parametrize("ratio", [2, 4])
def test_jpeg_ratio(ratio):
    got = cf.io.decode_jpeg(_file("jpeg_rgb"), ratio=ratio)
    np.testing.assert_array_equal(got.numpy(), FIX[f"tf_jpeg_rgb_ratio{ratio}"])
