"""Projective image transforms (TF's ``ImageProjectiveTransformV3``), the primitive behind
Keras's ``affine_transform`` and the RandomRotation / RandomZoom / RandomTranslation
layers.

Each output pixel (x, y) of image b samples the input at
``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``, where
``transforms[b] = [a0, a1, a2, b0, b1, b2, c0, c1]`` maps OUTPUT to INPUT coordinates.
Coordinates outside the image are first mapped by ``fill_mode`` (reflect, wrap, nearest;
constant leaves them), then read with 'nearest' or 'bilinear' interpolation; reads that
still fall outside give ``fill_value``. Same arithmetic as TF's kernel (float32
coordinates, its reflect/wrap formulas), written once against ``xp`` as whole-array
gathers.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from .constant import convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

INTERPOLATIONS = ("nearest", "bilinear")
FILL_MODES = ("reflect", "wrap", "constant", "nearest")


def _map_coord(xp, c, n, mode):
    """TF's MapCoordinate<mode>: out-of-range float coordinates into [0, n - 1]."""
    f32 = np.float32
    if mode == "constant":
        return c
    hi = f32(n - 1)
    if n <= 1:
        return xp.zeros_like(c)
    if mode == "reflect":
        sz2 = f32(2 * n)
        neg = sz2 * xp.trunc(-c / sz2) + c
        neg = xp.where(neg < -n, neg + sz2, -neg - 1)
        pos = c - sz2 * xp.trunc(c / sz2)
        pos = xp.where(pos >= n, sz2 - pos - 1, pos)
        c = xp.where(c < 0, neg, xp.where(c > hi, pos, c))
    elif mode == "wrap":
        sz = f32(n - 1)
        neg = c + f32(n) * (xp.trunc(-c / sz) + 1)
        pos = c - f32(n) * xp.trunc(c / sz)
        c = xp.where(c < 0, neg, xp.where(c > hi, pos, c))
    return xp.clip(c, f32(0), hi).astype(np.float32)


def _read(xp, images, b, y, x, fill):
    """images[b, y, x, :] where (y, x) is inside the image, else ``fill`` (TF's
    read_with_fill_value)."""
    h, w = images.shape[1], images.shape[2]
    y = y.astype(np.int64)
    x = x.astype(np.int64)
    inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
    vals = images[b, xp.clip(y, 0, h - 1), xp.clip(x, 0, w - 1)]
    return xp.where(inside[..., None], vals, fill)


def _projective_impl(xp, images, transforms, *, output_shape, interpolation, fill_mode,
                     fill_value):
    """[N, H, W, C] images, [N or 1, 8] float32 transforms -> [N, oh, ow, C]."""
    n = images.shape[0]
    oh, ow = output_shape
    t = xp.broadcast_to(transforms.astype(np.float32), (n, 8))
    ys, xs = xp.meshgrid(xp.arange(oh, dtype=np.float32), xp.arange(ow, dtype=np.float32),
                         indexing="ij")
    a0, a1, a2, b0, b1, b2, c0, c1 = (t[:, i, None, None] for i in range(8))
    proj = c0 * xs + c1 * ys + np.float32(1)
    safe = xp.where(proj == 0, np.float32(1), proj)
    in_x = (a0 * xs + a1 * ys + a2) / safe
    in_y = (b0 * xs + b1 * ys + b2) / safe
    x = _map_coord(xp, in_x, images.shape[2], fill_mode)
    y = _map_coord(xp, in_y, images.shape[1], fill_mode)
    b = xp.arange(n)[:, None, None]
    img = images.astype(np.float32)
    fill = np.float32(fill_value)
    if interpolation == "nearest":
        # std::round: halves away from zero
        out = _read(xp, img, b, xp.trunc(y + xp.copysign(np.float32(0.5), y)),
                    xp.trunc(x + xp.copysign(np.float32(0.5), x)), fill)
    else:
        y0, x0 = xp.floor(y), xp.floor(x)
        y1, x1 = y0 + 1, x0 + 1
        wx0, wx1 = (x1 - x)[..., None], (x - x0)[..., None]
        top = wx0 * _read(xp, img, b, y0, x0, fill) + wx1 * _read(xp, img, b, y0, x1, fill)
        bot = wx0 * _read(xp, img, b, y1, x0, fill) + wx1 * _read(xp, img, b, y1, x1, fill)
        out = (y1 - y)[..., None] * top + (y - y0)[..., None] * bot
    out = xp.where((proj == 0)[..., None], fill, out)
    if images.dtype.kind in "iub":
        out = xp.trunc(out) if images.dtype.kind != "b" else out != 0
    return out.astype(images.dtype)


_PROJECTIVE = defop("image_projective_transform", OPAQUE,
                    dtypes=_dt.REAL | _dt.BOOL, differentiable=False)(_projective_impl)


def _err(msg):
    return InvalidArgumentError(None, "image_projective_transform", msg)


def image_projective_transform_v3(images, transforms, output_shape, fill_value=0.0,
                                  interpolation="BILINEAR", fill_mode="CONSTANT", name=None):
    """``tf.raw_ops.ImageProjectiveTransformV3``: images [N, H, W, C] resampled through
    ``transforms`` ([N, 8] or [1, 8], output -> input coordinates).

    >>> import cuflow as cf, numpy as np
    >>> img = np.arange(9, dtype="float32").reshape(1, 3, 3, 1)
    >>> shift = [[1, 0, 1, 0, 1, 0, 0, 0]]          # read one column to the right
    >>> image_projective_transform_v3(img, shift, [3, 3])[0, :, :, 0].numpy()[0]
    array([1., 2., 0.], dtype=float32)
    """
    images = convert_to_tensor(images)
    transforms = convert_to_tensor(transforms, dtype="float32")
    interpolation, fill_mode = str(interpolation).lower(), str(fill_mode).lower()
    if len(images.shape) != 4:
        raise _err(f"images must be 4-D [batch, height, width, channels], got shape "
                   f"{tuple(images.shape)} ({images.dtype.name})")
    if len(transforms.shape) != 2 or transforms.shape[1] != 8 or \
            transforms.shape[0] not in (1, images.shape[0]):
        raise _err(f"transforms must be [1, 8] or [batch={images.shape[0]}, 8], got shape "
                   f"{tuple(transforms.shape)}")
    if interpolation not in INTERPOLATIONS:
        raise _err(f"interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    if fill_mode not in FILL_MODES:
        raise _err(f"fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
    shape = tuple(int(s) for s in np.asarray(
        output_shape.numpy() if hasattr(output_shape, "numpy") else output_shape).ravel())
    if len(shape) != 2 or min(shape) <= 0:
        raise _err(f"output_shape must be 2 positive ints, got {shape}")
    return _apply(_PROJECTIVE, (images, transforms),
                  {"output_shape": shape, "interpolation": interpolation,
                   "fill_mode": fill_mode, "fill_value": float(fill_value)})
