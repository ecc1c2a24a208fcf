"""Pure NumPy encoders behind the summary ops: histogram buckets, PNG, WAV, uint8 images.

Each follows the TensorFlow op TensorBoard's own ``summary_v2`` modules call, so files
written here read back the same: ``_buckets`` (histograms), ``tf.image.encode_png``,
``tf.image.convert_image_dtype(..., uint8, saturate=True)`` and ``tf.audio.encode_wav``.
"""
from __future__ import annotations

import io
import struct
import wave
import zlib

import numpy as np

DEFAULT_BUCKET_COUNT = 30


def histogram_buckets(data, bucket_count: int = DEFAULT_BUCKET_COUNT) -> np.ndarray:
    """``[k, 3]`` float64 rows ``(left, right, count)``, as TensorBoard's ``_buckets``.

    ``bucket_count`` equal-width buckets over ``[min, max]``: each is closed-open except
    the last, which is closed; the last right edge is exactly ``max``. Empty data gives
    zeros of shape ``[bucket_count, 3]``; a single distinct value gives
    ``bucket_count`` zero-width buckets at that value with all the count in the last.
    Non-finite values (NaN, +-inf) are left out (TF's op gives garbage for them).

    Example:
        >>> histogram_buckets([0.0, 1.0, 1.0, 2.0], 2)[:, 2].tolist()
        [1.0, 3.0]
    """
    bucket_count = max(0, int(bucket_count))
    data = np.asarray(data, dtype=np.float64).ravel()
    data = data[np.isfinite(data)]
    if data.size == 0 or bucket_count == 0:
        return np.zeros((bucket_count, 3), dtype=np.float64)
    lo, hi = data.min(), data.max()
    span = hi - lo
    if span == 0:
        counts = np.zeros(bucket_count, dtype=np.float64)
        counts[-1] = data.size
        edges = np.full(bucket_count, hi)
        return np.stack([edges, edges, counts], axis=1)
    width = span / bucket_count
    index = np.minimum(np.floor((data - lo) / width).astype(np.int64), bucket_count - 1)
    counts = np.bincount(index, minlength=bucket_count).astype(np.float64)
    edges = np.linspace(lo, hi, bucket_count + 1)
    edges[-1] = hi
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def to_uint8_images(data) -> np.ndarray:
    """``tf.image.convert_image_dtype(data, uint8, saturate=True)`` in NumPy.

    Floats are scaled by 255.5 and clipped (so 1.0 -> 255, 0.5 -> 127); wider unsigned
    or signed integers are shifted down to 8 bits; bools become 0 / 255.
    """
    data = np.asarray(data)
    kind = data.dtype.kind
    if data.dtype == np.uint8:
        return data
    if kind == "b":
        return data.astype(np.uint8) * np.uint8(255)
    if kind == "f" or data.dtype.name == "bfloat16":
        scaled = np.nan_to_num(data.astype(np.float32), nan=0.0) * np.float32(255.5)
        return np.clip(scaled, 0, 255).astype(np.uint8)
    if kind in "iu":
        top = int(np.iinfo(data.dtype).max) + 1
        wide = data.astype(np.int64)
        wide = wide // (top // 256) if top >= 256 else wide * (256 // top)
        return np.clip(wide, 0, 255).astype(np.uint8)
    raise TypeError(f"image data must be numeric, got dtype {data.dtype}")


_PNG_COLOR_TYPE = {1: 0, 2: 4, 3: 2, 4: 6}  # channels -> gray, gray+alpha, RGB, RGBA


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def encode_png(image, compression: int = -1) -> bytes:
    """PNG bytes of one ``[h, w, c]`` uint8 image (c in 1..4), like ``tf.image.encode_png``.

    Example:
        >>> encode_png(np.zeros((2, 3, 1), np.uint8))[:8]
        b'\\x89PNG\\r\\n\\x1a\\n'
    """
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] not in _PNG_COLOR_TYPE or image.dtype != np.uint8:
        raise ValueError(f"encode_png needs a [h, w, c] uint8 image with c in 1..4, got "
                         f"shape {image.shape} dtype {image.dtype}")
    h, w, c = image.shape
    rows = np.empty((h, 1 + w * c), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "None" for every row
    rows[:, 1:] = image.reshape(h, w * c)
    header = struct.pack(">IIBBBBB", w, h, 8, _PNG_COLOR_TYPE[c], 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), compression))
            + _png_chunk(b"IEND", b""))


def encode_wav(audio, sample_rate: int) -> bytes:
    """16-bit PCM WAV bytes of ``[t, c]`` floats in [-1, 1] (``tf.audio.encode_wav``).

    Example:
        >>> encode_wav(np.zeros((4, 1)), 8000)[:4]
        b'RIFF'
    """
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim != 2:
        raise ValueError(f"encode_wav needs [samples, channels] audio, got {audio.shape}")
    pcm = np.clip(np.round(audio * 32768.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as f:
        f.setnchannels(audio.shape[1])
        f.setsampwidth(2)
        f.setframerate(int(sample_rate))
        f.writeframes(pcm.tobytes())
    return buf.getvalue()
