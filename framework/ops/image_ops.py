"""Image ops (``tf.image``): resizing, flips and rotations, crops and pads, colour and
dtype conversion. Images are [batch, height, width, channels] or [height, width, channels].

Resizing (every method but 'nearest') is separable linear resampling: per axis, a
weight matrix [out, in] built on the host with TF's exact sampling rules (half-pixel
centres, TF2's bilinear and Keys-cubic, area coverage, scale_and_translate kernels),
applied with two matmuls, so it is fast, differentiable and device-neutral. 'nearest'
is a gather primitive whose gradient is the adjoint matmul.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import math_ops as _m
from . import reduce_ops as _r
from ._nn_infer import dims
from ._util import shape_of, static_value
from .constant import constant, convert_to_tensor
from .dispatch import apply as _apply
from .linalg_ops import matmul
from .registry import MOVEMENT, defop


class ResizeMethod:
    """Names of the ``method`` argument of :func:`resize`."""
    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"


_f32 = np.float32


# --- 1-D sampling weights (host, float32 as TF's kernels) -----------------------------------
def _bilinear_weights(n_in, n_out):
    scale = _f32(n_in) / _f32(n_out)
    w = np.zeros((n_out, n_in), np.float64)
    for o in range(n_out):
        x = (_f32(o) + _f32(0.5)) * scale - _f32(0.5)
        xf = np.floor(x)
        lo, hi = max(int(xf), 0), min(int(np.ceil(x)), n_in - 1)
        lerp = float(x - xf)
        w[o, lo] += 1 - lerp
        w[o, hi] += lerp
    return w


def _keys(x, a=-0.5):
    x = abs(x)
    if x >= 2:
        return 0.0
    if x >= 1:
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _bicubic_weights(n_in, n_out):
    """TF's resize_bicubic(half_pixel_centers=True): Keys a=-0.5 from a 1024-entry table,
    taps outside the image dropped and the rest renormalized."""
    scale = _f32(n_in) / _f32(n_out)
    w = np.zeros((n_out, n_in), np.float64)
    for o in range(n_out):
        x = (_f32(o) + _f32(0.5)) * scale - _f32(0.5)
        base = int(np.floor(x))
        t = int(np.rint(float(x - base) * 1024)) / 1024.0
        taps = {base - 1: _keys(1 + t), base: _keys(t), base + 1: _keys(1 - t),
                base + 2: _keys(2 - t)}
        kept = {i: v for i, v in taps.items() if 0 <= i < n_in}
        total = sum(kept.values())
        for i, v in kept.items():
            w[o, i] += v / total if abs(total) > 1e-35 else v
    return w


def _area_weights(n_in, n_out):
    scale = n_in / n_out
    w = np.zeros((n_out, n_in), np.float64)
    for o in range(n_out):
        x0, x1 = o * scale, (o + 1) * scale
        for i in range(int(np.floor(x0)), int(np.ceil(x1))):
            w[o, min(i, n_in - 1)] += (min(i + 1, x1) - max(i, x0)) / scale
    return w


def _lanczos(radius):
    def k(x):
        x = abs(x)
        if x > radius:
            return 0.0
        if x <= 1e-3:
            return 1.0
        return radius * np.sin(np.pi * x) * np.sin(np.pi * x / radius) / (np.pi * np.pi * x * x)
    return k, float(radius)


def _mitchell(x):
    x = abs(x)
    if x >= 2:
        return 0.0
    if x >= 1:
        return (((-7 / 18) * x + 2) * x - 10 / 3) * x + 16 / 9
    return ((7 / 6) * x - 2) * x * x + 8 / 9


_KERNELS = {
    "lanczos3": _lanczos(3), "lanczos5": _lanczos(5),
    "gaussian": (lambda x: 0.0 if abs(x) >= 1.5 else float(np.exp(-x * x / (2 * 0.25))), 1.5),
    "mitchellcubic": (_mitchell, 2.0), "triangle": (lambda x: max(0.0, 1 - abs(x)), 1.0),
    "keyscubic": (_keys, 2.0),
}


def _scale_translate_weights(n_in, n_out, kernel, antialias):
    """TF's scale_and_translate (translation 0): kernel samples at pixel centres."""
    fn, radius = _KERNELS[kernel]
    inv = 1.0 / (n_out / n_in)
    ks = max(inv, 1.0) if antialias else 1.0
    w = np.zeros((n_out, n_in), np.float64)
    for o in range(n_out):
        s = (o + 0.5) * inv
        if s < 0 or s > n_in:
            continue
        lo = min(max(int(np.ceil(s - radius * ks - 0.5)), 0), n_in - 1)
        hi = min(max(int(np.floor(s + radius * ks - 0.5)), 0), n_in - 1) + 1
        vals = [fn((i + 0.5 - s) / ks) for i in range(lo, hi)]
        total = sum(vals)
        for i, v in zip(range(lo, hi), vals):
            w[o, i] = v / total if abs(total) > 1e-35 else v
    return w


def _weights(method, antialias, n_in, n_out):
    if method == "bilinear" and not antialias:
        return _bilinear_weights(n_in, n_out)
    if method == "bicubic" and not antialias:
        return _bicubic_weights(n_in, n_out)
    if method == "area":
        return _area_weights(n_in, n_out)
    kernel = {"bilinear": "triangle", "bicubic": "keyscubic"}.get(method, method)
    return _scale_translate_weights(n_in, n_out, kernel, antialias)


def _nearest_index(n_in, n_out):
    scale = _f32(n_in) / _f32(n_out)
    idx = np.floor((np.arange(n_out, dtype=_f32) + _f32(0.5)) * scale).astype(np.int64)
    return np.clip(idx, 0, n_in - 1)


def _one_hot_rows(idx, n_in, dtype):
    m = np.zeros((len(idx), n_in), dtype)
    m[np.arange(len(idx)), idx] = 1
    return m


def _nearest_impl(xp, x, size):
    iy = _nearest_index(x.shape[1], size[0])
    ix = _nearest_index(x.shape[2], size[1])
    return x[:, xp.asarray(iy)][:, :, xp.asarray(ix)]


def _nearest_vjp(g, y, x, size):
    h, w = shape_of(x)[1:3]
    my = constant(_one_hot_rows(_nearest_index(h, size[0]), h, g.dtype.np))
    mx = constant(_one_hot_rows(_nearest_index(w, size[1]), w, g.dtype.np))
    return _separable(g, my, mx, transpose=True)


_NEAREST = defop("resize_nearest_neighbor", MOVEMENT, dtypes=_dt.REAL | _dt.BOOL,
                 vjp=_nearest_vjp)(_nearest_impl)


def _separable(x, wy, wx, transpose=False):
    """y[n, o, p, c] = sum_hw wy[o, h] wx[p, w] x[n, h, w, c] (or the adjoint)."""
    t = _a.transpose(x, [0, 2, 3, 1])                     # N W C H
    t = matmul(t, wy, transpose_b=not transpose)          # N W C Ho
    t = _a.transpose(t, [0, 3, 2, 1])                     # N Ho C W
    t = matmul(t, wx, transpose_b=not transpose)          # N Ho C Wo
    return _a.transpose(t, [0, 1, 3, 2])


# --- resize --------------------------------------------------------------------------------------
def _err(op, msg):
    return InvalidArgumentError(None, op, f"{op}: {msg}")


def _batched(images, op):
    images = convert_to_tensor(images)
    rank = len(shape_of(images))
    if rank not in (3, 4):
        raise ValueError(f"{op}: 'images' must have either 3 or 4 dimensions, got shape "
                         f"{list(shape_of(images))}")
    return (images, False) if rank == 4 else (_a.expand_dims(images, 0), True)


def _unbatch(x, squeeze):
    return _a.squeeze(x, [0]) if squeeze else x


def _size_pair(op, size):
    s = np.asarray(static_value(size))
    if s.shape != (2,) or s.dtype.kind not in "iu":
        raise ValueError(f"{op}: 'size' must be a 1-D Tensor of 2 elements: new_height, "
                         f"new_width (got {s.tolist()})")
    return int(s[0]), int(s[1])


def resize(images, size, method=ResizeMethod.BILINEAR, preserve_aspect_ratio=False,
           antialias=False, name=None):
    """Resizes to ``size`` = [height, width] (``tf.image.resize``, TF2 semantics).

    Returns float32, except 'nearest' which keeps the input dtype.

    >>> import cuflow as cf
    >>> x = cf.reshape(cf.range(4.0), [2, 2, 1])
    >>> cf.image.resize(x, [4, 4])[..., 0].numpy()[0].tolist()
    [0.0, 0.25, 0.75, 1.0]
    """
    op = "resize"
    x, squeeze = _batched(images, op)
    method = getattr(method, "value", method)
    if method not in ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                      "gaussian", "mitchellcubic"):
        raise ValueError(f"Resize method is not implemented: [{method}]")
    h, w = shape_of(x)[1:3]
    nh, nw = _size_pair(op, size)
    if preserve_aspect_ratio:
        f = min(_f32(nh) / _f32(h), _f32(nw) / _f32(w))
        nh, nw = int(np.round(f * _f32(h))), int(np.round(f * _f32(w)))
    if nh <= 0 or nw <= 0:
        raise _err(op, f"output dimensions must be positive, got [{nh}, {nw}]")
    if method == "nearest":
        return _unbatch(_apply(_NEAREST, (x,), {"size": (nh, nw)}), squeeze)
    if x.dtype != _dt.float32:
        x = _m.cast(x, _dt.float32)
    wy = constant(_weights(method, antialias, h, nh).astype(np.float32))
    wx = constant(_weights(method, antialias, w, nw).astype(np.float32))
    return _unbatch(_separable(x, wy, wx), squeeze)


def resize_with_pad(image, target_height, target_width, method=ResizeMethod.BILINEAR,
                    antialias=False):
    """Resizes keeping the aspect ratio, then zero-pads to the target size."""
    x, squeeze = _batched(image, "resize_with_pad")
    h, w = shape_of(x)[1:3]
    th, tw = int(static_value(target_height)), int(static_value(target_width))
    if th <= 0 or tw <= 0:
        raise ValueError("target_height and target_width must be > 0")
    ratio = max(_f32(w) / _f32(tw), _f32(h) / _f32(th))
    rh, rw = _f32(h) / ratio, _f32(w) / ratio
    ph = max(0, int(np.floor((_f32(th) - rh) / _f32(2))))
    pw = max(0, int(np.floor((_f32(tw) - rw) / _f32(2))))
    resized = resize(x, [int(np.floor(rh)), int(np.floor(rw))], method, antialias=antialias)
    return _unbatch(pad_to_bounding_box(resized, ph, pw, th, tw), squeeze)


# --- geometry ------------------------------------------------------------------------------------
def _axes(image, op):
    rank = len(shape_of(convert_to_tensor(image)))
    if rank not in (3, 4):
        raise ValueError(f"{op}: 'image' must be 3-D or 4-D, got shape "
                         f"{list(shape_of(image))}")
    return rank - 3  # index of the height axis


def _reverse(x, axis):
    key = [slice(None)] * len(shape_of(x))
    key[axis] = slice(None, None, -1)
    return x[tuple(key)]


def flip_left_right(image):
    """Mirrors the width axis."""
    image = convert_to_tensor(image)
    return _reverse(image, _axes(image, "flip_left_right") + 1)


def flip_up_down(image):
    """Mirrors the height axis."""
    image = convert_to_tensor(image)
    return _reverse(image, _axes(image, "flip_up_down"))


def _random_flip(image, axis_from_h, u):
    image = convert_to_tensor(image)
    h_axis = _axes(image, "random_flip")
    flipped = _reverse(image, h_axis + axis_from_h)
    if h_axis == 1:  # TF: a batch flips where round(u) == 1, a single image where u < 0.5
        cond = _a.reshape(_m.greater(u, 0.5), [-1, 1, 1, 1])
    else:
        cond = _m.less(u, 0.5)
    return _m.where_v(cond, flipped, image)


def _flip_draw(image, seed, stateless):
    from . import random_generator, random_ops
    shape = [shape_of(image)[0]] if len(shape_of(image)) == 4 else []
    if stateless:
        return random_generator.stateless_uniform(shape, seed)
    return random_ops.uniform(shape, seed=seed)


def random_flip_left_right(image, seed=None):
    """Mirrors the width axis with probability 1/2 (per image in a batch)."""
    return _random_flip(image, 1, _flip_draw(image, seed, False))


def random_flip_up_down(image, seed=None):
    """Mirrors the height axis with probability 1/2 (per image in a batch)."""
    return _random_flip(image, 0, _flip_draw(image, seed, False))


def stateless_random_flip_left_right(image, seed):
    return _random_flip(image, 1, _flip_draw(image, seed, True))


def stateless_random_flip_up_down(image, seed):
    return _random_flip(image, 0, _flip_draw(image, seed, True))


def transpose(image, name=None):
    """Swaps height and width."""
    image = convert_to_tensor(image)
    h = _axes(image, "transpose")
    perm = [0, 2, 1, 3] if h == 1 else [1, 0, 2]
    return _a.transpose(image, perm)


def rot90(image, k=1, name=None):
    """Rotates by k * 90 degrees counter-clockwise."""
    image = convert_to_tensor(image)
    h = _axes(image, "rot90")
    k = int(static_value(k)) % 4
    if k == 0:
        return image
    if k == 2:
        return _reverse(_reverse(image, h), h + 1)
    if k == 1:
        return transpose(_reverse(image, h + 1))
    return _reverse(transpose(image), h + 1)


# --- crops and pads ------------------------------------------------------------------------------
def _hw(image, op):
    image = convert_to_tensor(image)
    h_axis = _axes(image, op)
    s = shape_of(image)
    return image, h_axis, s[h_axis], s[h_axis + 1]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """The [target_height, target_width] window at (offset_height, offset_width)."""
    image, h_axis, h, w = _hw(image, "crop_to_bounding_box")
    oh, ow, th, tw = (int(static_value(v)) for v in (offset_height, offset_width,
                                                      target_height, target_width))
    if ow < 0:
        raise ValueError("offset_width must be >= 0.")
    if oh < 0:
        raise ValueError("offset_height must be >= 0.")
    if tw <= 0:
        raise ValueError("target_width must be > 0.")
    if th <= 0:
        raise ValueError("target_height must be > 0.")
    if w < tw + ow:
        raise ValueError("width must be >= target + offset.")
    if h < th + oh:
        raise ValueError("height must be >= target + offset.")
    key = [slice(None)] * h_axis + [slice(oh, oh + th), slice(ow, ow + tw)]
    return image[tuple(key)]


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width):
    """Zero-pads to [target_height, target_width] with the image at the offsets."""
    image, h_axis, h, w = _hw(image, "pad_to_bounding_box")
    oh, ow, th, tw = (int(static_value(v)) for v in (offset_height, offset_width,
                                                      target_height, target_width))
    if oh < 0:
        raise ValueError("offset_height must be >= 0")
    if ow < 0:
        raise ValueError("offset_width must be >= 0")
    after_h, after_w = th - oh - h, tw - ow - w
    if after_h < 0:
        raise ValueError("height must be <= target - offset")
    if after_w < 0:
        raise ValueError("width must be <= target - offset")
    out = image
    for axis, before, after in ((h_axis, oh, after_h), (h_axis + 1, ow, after_w)):
        parts = []
        for n in (before, after):
            shape = list(shape_of(out))
            shape[axis] = n
            parts.append(_a.zeros(shape, out.dtype) if n else None)
        pieces = [p for p in (parts[0], out, parts[1]) if p is not None]
        out = _a.concat(pieces, axis) if len(pieces) > 1 else out
    return out


def resize_with_crop_or_pad(image, target_height, target_width):
    """Centre-crops and/or zero-pads to the target size (TF's offsets)."""
    image, _h_axis, h, w = _hw(image, "resize_with_crop_or_pad")
    th, tw = int(static_value(target_height)), int(static_value(target_width))
    if th <= 0 or tw <= 0:
        raise ValueError("target_height and target_width must be > 0")
    wd, hd = tw - w, th - h
    cropped = crop_to_bounding_box(image, max(-hd // 2, 0), max(-wd // 2, 0), min(th, h),
                                   min(tw, w))
    return pad_to_bounding_box(cropped, max(hd // 2, 0), max(wd // 2, 0), th, tw)


def central_crop(image, central_fraction):
    """The central ``central_fraction`` (0, 1] of the height and width."""
    image, _h_axis, h, w = _hw(image, "central_crop")
    f = float(static_value(central_fraction))
    if f <= 0.0 or f > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    if f == 1.0:
        return image
    sh = int((h - h * f) / 2)
    sw = int((w - w * f) / 2)
    return crop_to_bounding_box(image, sh, sw, h - 2 * sh, w - 2 * sw)


def _crop_impl(xp, x, offsets, size):
    o = [int(v) for v in offsets.tolist()]
    if any(v < 0 or v + s > d for v, s, d in zip(o, size, x.shape)):
        raise ValueError(f"crop window {o} + {list(size)} exceeds the shape {x.shape}")
    return x[tuple(slice(v, v + s) for v, s in zip(o, size))]


def _crop_grad_impl(xp, g, offsets, shape):
    out = xp.zeros(shape, dtype=g.dtype)
    o = [int(v) for v in offsets.tolist()]
    out[tuple(slice(v, v + s) for v, s in zip(o, g.shape))] = g
    return out


_CROP = defop("crop_window", MOVEMENT, dtypes=None, vjp=lambda g, y, x, off, size: (
    _apply(_CROP_GRAD, (g, off), {"shape": tuple(shape_of(x))}), None))(_crop_impl)
_CROP_GRAD = defop("crop_window_grad", MOVEMENT, dtypes=None, vjp=lambda g, y, dy, off, shape: (
    _apply(_CROP, (g, off), {"size": tuple(shape_of(dy))}), None))(_crop_grad_impl)


_CROP.def_infer(lambda x, off, size: (list(size), x.dtype))
_CROP_GRAD.def_infer(lambda g, off, shape: (list(shape), g.dtype))
_NEAREST.def_infer(lambda x, size: ([dims(x)[0], size[0], size[1], dims(x)[3]], x.dtype))


def random_crop(value, size, seed=None, name=None):
    """A random window of shape ``size`` (offsets drawn when the op runs)."""
    from . import random_ops
    value = convert_to_tensor(value)
    shape = tuple(shape_of(value))
    size = tuple(int(v) for v in np.asarray(static_value(size)).ravel().tolist())
    if len(size) != len(shape) or any(s > d or s < 0 for s, d in zip(size, shape)):
        raise InvalidArgumentError(None, "random_crop", f"random_crop: Need value.shape >= "
                                   f"size, got {list(shape)} and {list(size)}")
    limit = np.asarray(shape, np.int64) - np.asarray(size, np.int64) + 1
    u = random_ops.uniform([len(shape)], maxval=np.iinfo(np.int32).max, dtype=_dt.int32,
                           seed=seed)
    offsets = _m.floormod(_m.cast(u, _dt.int64), constant(limit))
    return _apply(_CROP, (value, offsets), {"size": size})


# --- colour and dtype ---------------------------------------------------------------------------
def convert_image_dtype(image, dtype, saturate=False, name=None):
    """Converts between dtypes, rescaling: floats are in [0, 1], integers in [0, MAX].

    >>> import cuflow as cf
    >>> cf.image.convert_image_dtype(cf.constant([0, 255], cf.uint8), cf.float32).numpy().tolist()
    [0.0, 1.0]
    """
    image = convert_to_tensor(image)
    dtype = _dt.as_dtype(dtype)
    src = image.dtype
    if not (src.is_integer or src.is_floating) or not (dtype.is_integer or dtype.is_floating):
        raise AttributeError(f"Invalid image dtype: {src.name} -> {dtype.name}")
    if src == dtype:
        return _m.identity(image)
    if src.is_integer and dtype.is_integer:
        if src.max > dtype.max:
            scaled = _m.floordiv(image, (src.max + 1) // (dtype.max + 1))
            return _m.saturate_cast(scaled, dtype) if saturate else _m.cast(scaled, dtype)
        cast = _m.saturate_cast(image, dtype) if saturate else _m.cast(image, dtype)
        return _m.multiply(cast, _m.cast((dtype.max + 1) // (src.max + 1), dtype))
    if src.is_floating and dtype.is_floating:
        return _m.cast(image, dtype)
    if src.is_integer:
        return _m.cast(image, dtype) * (1.0 / src.max)
    scaled = image * (dtype.max + 0.5)
    return _m.saturate_cast(scaled, dtype) if saturate else _m.cast(scaled, dtype)


def _as_float(image):
    image = convert_to_tensor(image)
    return image, (image if image.dtype.is_floating else
                   convert_image_dtype(image, _dt.float32))


def rgb_to_grayscale(images, name=None):
    """Weighted sum [0.2989, 0.5870, 0.1140] of the channels, keeping a channel of 1."""
    images = convert_to_tensor(images)
    flt = convert_image_dtype(images, _dt.float32)  # float32 for every input, as TF
    w = constant(np.array([0.2989, 0.5870, 0.1140], np.float32))
    gray = _r.reduce_sum(flt * w, -1, keepdims=True)
    return convert_image_dtype(gray, images.dtype)


def grayscale_to_rgb(images, name=None):
    """Repeats the single channel three times."""
    images = convert_to_tensor(images)
    if shape_of(images)[-1] != 1:
        raise ValueError(f"grayscale_to_rgb: the last dimension must be 1, got shape "
                         f"{list(shape_of(images))}")
    return _a.concat([images, images, images], -1)


def adjust_brightness(image, delta):
    """image + delta in float, converted back to the input dtype (saturating)."""
    image, flt = _as_float(image)
    adjusted = flt + _m.cast(delta, flt.dtype)
    return convert_image_dtype(adjusted, image.dtype, saturate=True)


def adjust_contrast(images, contrast_factor):
    """(x - mean) * contrast_factor + mean, per image and channel."""
    images, flt = _as_float(images)
    mean = _r.reduce_mean(flt, [-3, -2], keepdims=True)
    adjusted = (flt - mean) * _m.cast(contrast_factor, flt.dtype) + mean
    return convert_image_dtype(adjusted, images.dtype, saturate=True)


def adjust_gamma(image, gamma=1, gain=1):
    """gain * image ** gamma in float, converted back to the input dtype."""
    image, flt = _as_float(image)
    if isinstance(gamma, (int, float)) and gamma < 0:
        raise ValueError("Gamma should be a non-negative real number.")
    adjusted = _m.cast(gain, flt.dtype) * _m.pow(flt, _m.cast(gamma, flt.dtype))
    return convert_image_dtype(adjusted, image.dtype, saturate=True)


def random_brightness(image, max_delta, seed=None):
    """adjust_brightness by a delta drawn from [-max_delta, max_delta)."""
    from . import random_ops
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, random_ops.uniform([], -max_delta, max_delta, seed=seed))


def random_contrast(image, lower, upper, seed=None):
    """adjust_contrast by a factor drawn from [lower, upper)."""
    from . import random_ops
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, random_ops.uniform([], lower, upper, seed=seed))


def per_image_standardization(image):
    """(x - mean) / max(stddev, 1/sqrt(num_pixels)) per image, in float32."""
    image = convert_to_tensor(image)
    _axes(image, "per_image_standardization")
    x = _m.cast(image, _dt.float32)
    n = int(np.prod(shape_of(x)[-3:]))
    mean = _r.reduce_mean(x, [-1, -2, -3], keepdims=True)
    std = _r.reduce_std(x, [-1, -2, -3], keepdims=True)
    adjusted = _m.maximum(std, _f32(1.0 / np.sqrt(max(n, 1))))
    return (x - mean) / adjusted


def total_variation(images, name=None):
    """Sum of absolute differences of neighbouring pixels, per image."""
    images = convert_to_tensor(images)
    h = _axes(images, "total_variation")
    dh = _m.abs(images[(slice(None),) * h + (slice(1, None),)] -
                images[(slice(None),) * h + (slice(None, -1),)])
    dw = _m.abs(images[(slice(None),) * (h + 1) + (slice(1, None),)] -
                images[(slice(None),) * (h + 1) + (slice(None, -1),)])
    axes = [-3, -2, -1]
    return _r.reduce_sum(dh, axes) + _r.reduce_sum(dw, axes)


def image_gradients(image):
    """(dy, dx): forward differences of a 4-D batch, zero in the last row / column."""
    image = convert_to_tensor(image)
    if len(shape_of(image)) != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not "
                         f"{list(shape_of(image))}")
    n, h, w, c = shape_of(image)
    dy = image[:, 1:] - image[:, :-1]
    dx = image[:, :, 1:] - image[:, :, :-1]
    dy = _a.concat([dy, _a.zeros([n, 1, w, c], image.dtype)], 1)
    dx = _a.concat([dx, _a.zeros([n, h, 1, c], image.dtype)], 2)
    return dy, dx
