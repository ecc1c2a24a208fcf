"""TF's default JPEG decoding (fast IDCT + fancy upsampling) and the JPEG-quality
augmentations; expected values are TF 2.21's (its docstrings' examples)."""
import io

import numpy as np
import pytest

import cuflow as cf
from cuflow.ops.image_jpeg_fast import fancy_upsample

X8 = np.array([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]], np.uint8)


def test_adjust_jpeg_quality_matches_tf_examples():
    out = cf.image.adjust_jpeg_quality(cf.constant(X8), 100)
    assert out.dtype == cf.uint8
    assert out.numpy().tolist() == [[[0, 1, 3], [3, 4, 6]], [[6, 7, 9], [9, 10, 12]]]
    x = [[[0.01, 0.02, 0.03], [0.04, 0.05, 0.06]], [[0.07, 0.08, 0.09], [0.10, 0.11, 0.12]]]
    got = cf.image.adjust_jpeg_quality(x, 75)
    assert got.dtype == cf.float32
    np.testing.assert_allclose(got.numpy()[0, 0], [0.00392157, 0.01960784, 0.03137255],
                               atol=1e-7)
    big = cf.image.adjust_jpeg_quality([[[1.0, 2.0, 3.0]]], 75)   # clipped to [0, 1)
    assert big.numpy().tolist() == [[[1.0, 1.0, 1.0]]]


def test_stateless_random_jpeg_quality_matches_tf_example():
    out = cf.image.stateless_random_jpeg_quality(X8, 75, 95, seed=(1, 2))
    assert out.numpy().tolist() == [[[0, 4, 5], [1, 5, 6]], [[5, 9, 10], [5, 9, 10]]]


def test_jpeg_quality_errors():
    with pytest.raises(cf.errors.InvalidArgumentError):
        cf.image.adjust_jpeg_quality(X8, 101)
    with pytest.raises(ValueError):
        cf.image.random_jpeg_quality(X8, 90, 50)
    with pytest.raises(ValueError):
        cf.image.stateless_random_jpeg_quality(X8, -1, 50, seed=(1, 2))
    assert cf.image.random_jpeg_quality(X8, 50, 90).shape == (2, 2, 3)


def test_fancy_upsample_h2v1_and_h2v2_rules():
    # h2v1: out = (3 * nearer + farther + 1 or 2) >> 2, edges replicated
    assert fancy_upsample(np.array([[10, 20, 40]], np.uint8), False).tolist() == [
        [10, 13, 17, 25, 35, 40]]
    # h2v2: column sums 3 * nearer row + farther row, then (3 * s + s' + 8 or 7) >> 4
    up = fancy_upsample(np.array([[0], [160]], np.uint8), True)
    assert up.shape == (4, 2)
    assert up[:, 0].tolist() == [0, 40, 120, 160]
    assert up[:, 1].tolist() == [0, 40, 120, 160]


def test_decode_dct_methods():
    from PIL import Image
    img = np.random.default_rng(0).integers(0, 256, (9, 11, 3)).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=80)
    data = buf.getvalue()
    fast = cf.io.decode_jpeg(data).numpy()
    assert np.array_equal(fast, cf.io.decode_jpeg(data, dct_method="INTEGER_FAST").numpy())
    acc = cf.io.decode_jpeg(data, dct_method="INTEGER_ACCURATE").numpy()
    assert np.array_equal(acc, np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    assert fast.shape == acc.shape == (9, 11, 3) and np.abs(fast.astype(int) - acc).max() < 20
    with pytest.raises(cf.errors.InvalidArgumentError):
        cf.io.decode_jpeg(data, dct_method="FLOAT")
