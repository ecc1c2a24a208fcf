"""Op database entry for cuflow.ops.image_transform_ops (see opdb.py).

The reference is TF's ProjectiveGenerator (core/kernels/image/image_ops.h) pixel by pixel
in float32; test_image_transform_ops.py also checks recorded TF outputs.
"""
from __future__ import annotations

import math

import numpy as np
from cuflow.errors import InvalidArgumentError
from cuflow.ops.image_transform_ops import image_projective_transform_v3 as _project

from .opdb import F, I, OpInfo, Sample

f32 = np.float32


def _map(c, n, mode):
    if mode == "constant":
        return c
    if n <= 1:
        return f32(0)
    if mode == "reflect":
        if c < 0:
            c = 2 * n * int(-c / (2 * n)) + c
            c = c + 2 * n if c < -n else -c - 1
        elif c > n - 1:
            c -= 2 * n * int(c / (2 * n))
            if c >= n:
                c = 2 * n - c - 1
    elif mode == "wrap":
        if c < 0:
            c += n * (int(-c / (n - 1)) + 1)
        elif c > n - 1:
            c -= n * int(c / (n - 1))
    return f32(min(max(c, 0), n - 1))


def projective_ref(img, t, output_shape, fill_value=0.0, interpolation="BILINEAR",
                   fill_mode="CONSTANT"):
    img = img.astype(f32)
    interp, mode, fill = interpolation.lower(), fill_mode.lower(), f32(fill_value)
    n, h, w, c = img.shape
    out = np.zeros((n,) + tuple(output_shape) + (c,), f32)

    def read(b, y, x):
        return img[b, y, x] if 0 <= y < h and 0 <= x < w else np.full(c, fill, f32)

    for b in range(n):
        a0, a1, a2, b0, b1, b2, c0, c1 = (f32(v) for v in t[b if len(t) > 1 else 0])
        for oy in range(output_shape[0]):
            for ox in range(output_shape[1]):
                k = c0 * f32(ox) + c1 * f32(oy) + f32(1)
                if k == 0:
                    out[b, oy, ox] = fill
                    continue
                x = _map(f32((a0 * ox + a1 * oy + a2) / k), w, mode)
                y = _map(f32((b0 * ox + b1 * oy + b2) / k), h, mode)
                if interp == "nearest":
                    out[b, oy, ox] = read(b, int(math.floor(y + 0.5) if y >= 0 else
                                                 math.ceil(y - 0.5)),
                                          int(math.floor(x + 0.5) if x >= 0 else
                                              math.ceil(x - 0.5)))
                    continue
                y0, x0 = math.floor(y), math.floor(x)
                top = (x0 + 1 - x) * read(b, y0, x0) + (x - x0) * read(b, y0, x0 + 1)
                bot = (x0 + 1 - x) * read(b, y0 + 1, x0) + (x - x0) * read(b, y0 + 1, x0 + 1)
                out[b, oy, ox] = (y0 + 1 - y) * top + (y - y0) * bot
    return out


def _samples(rng, d):
    img = (rng.random((2, 4, 5, 2)) * 20).astype(d)
    rot = [[0.6, -0.8, 2.2, 0.8, 0.6, -1.3, 0.0, 0.0]]
    two = np.array([[1.3, 0.2, -2.5, -0.1, 0.7, 3.1, 0.02, -0.03],
                    [-1, 0, 4, 0, 1, 0, 0, 0]], "float32")
    out = []
    for interp in ("NEAREST", "BILINEAR"):
        for mode in ("REFLECT", "WRAP", "CONSTANT", "NEAREST"):
            out.append(Sample((img, np.array(rot, "float32"), (4, 5), 1.5, interp, mode)))
            out.append(Sample((img, two, (3, 6), 0.0, interp, mode)))
    return out


def _fn(img, t, shape, fill, interp, mode):
    return _project(img, t, shape, fill, interp, mode)


OPS = [
    OpInfo("image_projective_transform", _fn,
           lambda img, t, *a: projective_ref(img, t, *a).astype(img.dtype)
           if img.dtype.kind == "f" else np.trunc(projective_ref(img, t, *a)).astype(img.dtype),
           _samples, F + I, grad=False, rtol=1e-5, atol=1e-4,
           errors=((lambda: _project(np.zeros((3, 3, 1)), [[1, 0, 0, 0, 1, 0, 0, 0]], [3, 3]),
                    InvalidArgumentError, "4-D"),
                   (lambda: _project(np.zeros((1, 3, 3, 1)), [[1, 0, 0]], [3, 3]),
                    InvalidArgumentError, r"\[1, 8\]"),
                   (lambda: _project(np.zeros((1, 3, 3, 1)), [[1, 0, 0, 0, 1, 0, 0, 0]],
                                     [3, 3], fill_mode="mirror"),
                    InvalidArgumentError, "fill_mode"))),
]
