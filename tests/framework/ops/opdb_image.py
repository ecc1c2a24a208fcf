"""Op database entries for cuflow.ops.image_ops (see opdb.py).

Resize references follow TF's kernels pixel by pixel (resize_bilinear_op.cc and
resize_nearest_neighbor_op.cc with half_pixel_centers=True, resize_area_op.cc).
"""
from __future__ import annotations

import cuflow as cf
import numpy as np
from cuflow.errors import InvalidArgumentError

from .opdb import FH, F, I, OpInfo, Sample, _arr

f32 = np.float32


def _bilinear_ref(x, size):
    n, h, w, c = x.shape
    oh, ow = size
    sy, sx = f32(h) / f32(oh), f32(w) / f32(ow)
    out = np.zeros((n, oh, ow, c))
    for i in range(oh):
        fy = (f32(i) + f32(0.5)) * sy - f32(0.5)
        y0, y1, ly = max(int(np.floor(fy)), 0), min(int(np.ceil(fy)), h - 1), fy - np.floor(fy)
        for j in range(ow):
            fx = (f32(j) + f32(0.5)) * sx - f32(0.5)
            x0, x1 = max(int(np.floor(fx)), 0), min(int(np.ceil(fx)), w - 1)
            lx = fx - np.floor(fx)
            top = x[:, y0, x0] + (x[:, y0, x1] - x[:, y0, x0]) * lx
            bot = x[:, y1, x0] + (x[:, y1, x1] - x[:, y1, x0]) * lx
            out[:, i, j] = top + (bot - top) * ly
    return out.astype(np.float32)


def _nearest_ref(x, size):
    _n, h, w, _c = x.shape
    iy = [min(int(np.floor((f32(i) + f32(0.5)) * (f32(h) / f32(size[0])))), h - 1)
          for i in range(size[0])]
    ix = [min(int(np.floor((f32(j) + f32(0.5)) * (f32(w) / f32(size[1])))), w - 1)
          for j in range(size[1])]
    return x[:, iy][:, :, ix]


def _area_ref(x, size):
    n, h, w, c = x.shape
    sy, sx = h / size[0], w / size[1]
    out = np.zeros((n, size[0], size[1], c))
    for i in range(size[0]):
        for j in range(size[1]):
            acc = 0
            for yy in range(int(np.floor(i * sy)), int(np.ceil((i + 1) * sy))):
                wy = min(yy + 1, (i + 1) * sy) - max(yy, i * sy)
                for xx in range(int(np.floor(j * sx)), int(np.ceil((j + 1) * sx))):
                    wx = min(xx + 1, (j + 1) * sx) - max(xx, j * sx)
                    acc = acc + wy * wx * x[:, min(yy, h - 1), min(xx, w - 1)]
            out[:, i, j] = acc / (sy * sx)
    return out.astype(np.float32)


def _resize_fn(method):
    return lambda x, size: cf.image.resize(x, size, method)


def _resize_samples(rng, d):
    return [Sample((_arr(rng, (2, 3, 4, 2), d), [5, 7])),
            Sample((_arr(rng, (1, 6, 5, 1), d), [4, 2])),
            Sample((_arr(rng, (1, 4, 4, 3), d), [4, 4])),
            Sample((_arr(rng, (1, 1, 3, 1), d), [3, 1]))]


def _f32(_):
    return "float32"


def _crop_fn(x, off, size):
    return cf.ops.apply(cf.ops.get("crop_window"), (x, off), {"size": size})


def _crop_grad_fn(g, off, shape):
    return cf.ops.apply(cf.ops.get("crop_window_grad"), (g, off), {"shape": shape})


def _crop_grad_ref(g, off, shape):
    out = np.zeros(shape)
    out[tuple(slice(o, o + s) for o, s in zip(off, g.shape))] = g
    return out


def _img(rng, d, shape=(2, 4, 5, 3)):
    return _arr(rng, shape, d, 0, 1) if "float" in d else rng.integers(0, 200, shape).astype(d)


def _std_ref(x):
    x = x.astype(np.float64)
    m = x.mean((-1, -2, -3), keepdims=True)
    s = x.std((-1, -2, -3), keepdims=True)
    return (x - m) / np.maximum(s, 1 / np.sqrt(np.prod(x.shape[-3:])))


def _geometry(name, fn, ref):
    return OpInfo(name, fn, ref, lambda r, d: [Sample((_img(r, d),)),
                                               Sample((_img(r, d, (3, 2, 4)),))],
                  F + I, grad=False)


OPS = [
    # resize returns float32 (as TF), too coarse for float64 finite differences; its
    # gradient is that of matmul and transpose, checked there
    OpInfo("resize_bilinear", _resize_fn("bilinear"), _bilinear_ref, _resize_samples, F,
           out_dtype=_f32, grad=False,
           errors=((lambda: cf.image.resize(cf.zeros([4, 4]), [2, 2]), ValueError,
                    "3 or 4 dimensions"),
                   (lambda: cf.image.resize(cf.zeros([4, 4, 1]), [2]), ValueError,
                    "2 elements"),
                   (lambda: cf.image.resize(cf.zeros([4, 4, 1]), [2, 2], "cubic"),
                    ValueError, "not implemented"),
                   (lambda: cf.image.resize(cf.zeros([4, 4, 1]), [0, 2]),
                    InvalidArgumentError, "positive"))),
    OpInfo("resize_nearest_neighbor", _resize_fn("nearest"), _nearest_ref, _resize_samples,
           FH + I),
    OpInfo("resize_area", _resize_fn("area"), _area_ref, _resize_samples, F, out_dtype=_f32,
           grad=False),
    OpInfo("resize_uint8", _resize_fn("bilinear"),
           lambda x, size: _bilinear_ref(x.astype(np.float64), size), lambda r, d: [
               Sample((r.integers(0, 255, (1, 3, 3, 1)).astype(d), [5, 4]))], ("uint8",),
           grad=False, out_dtype=_f32, atol=1e-4),
    OpInfo("resize_preserve_aspect", lambda x: cf.image.resize(x, [6, 6],
                                                              preserve_aspect_ratio=True),
           lambda x: _bilinear_ref(x, (6, 3)),
           lambda r, d: [Sample((_arr(r, (4, 2, 1), d)[None],))], F, out_dtype=_f32,
           grad=False),
    OpInfo("crop_window", _crop_fn, lambda x, off, size: x[tuple(
        slice(o, o + s) for o, s in zip(off, size))], lambda r, d: [
        Sample((_arr(r, (4, 5), d), np.array([1, 2], np.int64), (2, 3))),
        Sample((_arr(r, (3, 3, 2), d), np.array([0, 0, 1], np.int32), (3, 0, 1)))], F + I),
    OpInfo("crop_window_grad", _crop_grad_fn, _crop_grad_ref, lambda r, d: [
        Sample((_arr(r, (2, 3), d), np.array([1, 2], np.int64), (4, 5)))], F),
    _geometry("flip_left_right", cf.image.flip_left_right, lambda x: np.flip(x, -2)),
    _geometry("flip_up_down", cf.image.flip_up_down, lambda x: np.flip(x, -3)),
    _geometry("image_transpose", cf.image.transpose, lambda x: np.swapaxes(x, -3, -2)),
    OpInfo("rot90", cf.image.rot90, lambda x, k=1: np.rot90(x, k, axes=(-3, -2)),
           lambda r, d: [Sample((_img(r, d, (3, 2, 4)),), {"k": k}) for k in range(4)] +
           [Sample((_img(r, d),), {"k": 3})], F + I, grad=False),
    OpInfo("central_crop", cf.image.central_crop,
           lambda x, f: x[..., 1:5, 1:7, :],
           lambda r, d: [Sample((_img(r, d, (6, 8, 1)), 0.6)),
                         Sample((_img(r, d, (2, 6, 8, 1)), 0.6))], F,
           errors=((lambda: cf.image.central_crop(cf.zeros([4, 4, 1]), 0.0), ValueError,
                    r"\(0, 1\]"),)),
    OpInfo("crop_to_bounding_box", cf.image.crop_to_bounding_box,
           lambda x, oh, ow, th, tw: x[..., oh:oh + th, ow:ow + tw, :],
           lambda r, d: [Sample((_img(r, d), 1, 2, 2, 3))], F + I,
           errors=((lambda: cf.image.crop_to_bounding_box(cf.zeros([4, 4, 1]), 0, 2, 2, 3),
                    ValueError, "width must be >= target"),)),
    OpInfo("pad_to_bounding_box", cf.image.pad_to_bounding_box,
           lambda x, oh, ow, th, tw: np.pad(x, [(0, 0)] * (x.ndim - 3) + [
               (oh, th - oh - x.shape[-3]), (ow, tw - ow - x.shape[-2]), (0, 0)]),
           lambda r, d: [Sample((_img(r, d), 1, 0, 6, 8)), Sample((_img(r, d, (2, 2, 1)), 0, 0,
                                                                  2, 2))], F + I,
           errors=((lambda: cf.image.pad_to_bounding_box(cf.zeros([4, 4, 1]), 1, 0, 4, 4),
                    ValueError, "height must be <= target - offset"),)),
    OpInfo("resize_with_crop_or_pad", cf.image.resize_with_crop_or_pad,
           lambda x, th, tw: np.pad(x[1:4], ((0, 0), (1, 2), (0, 0))),
           lambda r, d: [Sample((_img(r, d, (5, 2, 1)), 3, 5))], F + I),
    OpInfo("rgb_to_grayscale", cf.image.rgb_to_grayscale,
           lambda x: (x @ np.array([0.2989, 0.5870, 0.1140]))[..., None],
           lambda r, d: [Sample((_img(r, d),))], F, rtol=1e-6, grad=False),
    OpInfo("grayscale_to_rgb", cf.image.grayscale_to_rgb, lambda x: np.repeat(x, 3, -1),
           lambda r, d: [Sample((_img(r, d, (2, 2, 1)),))], F + I),
    OpInfo("convert_image_dtype", cf.image.convert_image_dtype,
           lambda x, dtype, saturate=False: {
               "float32": lambda: (x / 255.0).astype(np.float32),
               "uint8": lambda: (x * 255.5).astype(np.uint8),
               "int16": lambda: (x.astype(np.int64) * 128).astype(np.int16)}[dtype](),
           lambda r, d: [Sample((r.integers(0, 256, (5,)).astype(np.uint8), "float32")),
                         Sample((r.random((5,)), "uint8")),
                         Sample((r.integers(0, 256, (5,)).astype(np.uint8), "int16"))],
           ("float64",), grad=False, out_dtype_from_ref=True, rtol=1e-6),
    OpInfo("adjust_brightness", lambda x: cf.image.adjust_brightness(x, 0.1),
           lambda x: x + 0.1, lambda r, d: [Sample((_img(r, d),))], F),
    OpInfo("adjust_contrast", lambda x: cf.image.adjust_contrast(x, 1.5),
           lambda x: (x - x.mean((-3, -2), keepdims=True)) * 1.5 + x.mean((-3, -2),
                                                                          keepdims=True),
           lambda r, d: [Sample((_img(r, d),))], F),
    OpInfo("per_image_standardization", cf.image.per_image_standardization, _std_ref,
           lambda r, d: [Sample((_img(r, d),)), Sample((np.ones((2, 2, 1), d),), grad=False)],
           F + ("uint8",), out_dtype=_f32, rtol=1e-5, atol=1e-5, grad=False),
]
