"""Op database entries for the image codecs (cuflow.ops.image_codec_ops; see opdb.py).
TF-parity of the decoders against real TF decodes lives in tests/framework/io."""
from __future__ import annotations

import cuflow as cf
import numpy as np
from cuflow.errors import InvalidArgumentError

from .opdb import OpInfo, Sample


def _png_round_trip(x, channels=0):
    return cf.io.decode_png(cf.io.encode_png(x), channels=channels, dtype=x.dtype)


def _png_ref(x, channels=0):
    if channels == 4 and x.shape[-1] == 3:
        return np.concatenate([x, np.full(x.shape[:-1] + (1,), np.iinfo(x.dtype).max)], -1)
    return x


def _png_samples(rng, d):
    top = np.iinfo(d).max
    return [Sample((rng.integers(0, top, s).astype(d),), {"channels": c}, grad=False)
            for s, c in (((3, 4, 3), 0), ((1, 1, 1), 0), ((2, 5, 4), 0), ((3, 2, 3), 4),
                         ((2, 3, 2), 0))]


def _jpeg_round_trip(x):
    return cf.io.decode_jpeg(cf.io.encode_jpeg(x, quality=100))


OPS = [
    OpInfo("encode_png", _png_round_trip, _png_ref, _png_samples, ("uint8", "uint16"),
           grad=False, covers=("decode_image",),
           errors=((lambda: cf.io.decode_png(b"not an image"), InvalidArgumentError,
                    "Unknown image file format"),
                   (lambda: cf.io.encode_png(np.zeros((2, 2, 5), np.uint8)),
                    InvalidArgumentError, "channels"),
                   (lambda: cf.io.encode_png(np.zeros((2, 2, 1), np.float32)),
                    InvalidArgumentError, "encode_png"))),
    # a flat grey image survives JPEG exactly (DC terms only)
    OpInfo("encode_jpeg", _jpeg_round_trip, lambda x: x,
           lambda r, d: [Sample((np.full(s, 128, np.uint8),), grad=False)
                         for s in ((8, 8, 3), (16, 8, 1), (5, 3, 3))], ("uint8",), grad=False,
           errors=((lambda: cf.io.encode_jpeg(np.zeros((2, 2, 2), np.uint8)),
                    InvalidArgumentError, "1 or 3 channels"),)),
]
