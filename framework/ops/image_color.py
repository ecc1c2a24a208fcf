"""More of ``tf.image``: the YUV / YIQ colour spaces and the stateless brightness /
contrast / crop augmentations (composites of cuflow ops, so they trace and
differentiate; the stateless draws are TF's own Philox numbers). HSV, hue/saturation,
PSNR/SSIM, Sobel and the box ops live in image_color_ops / image_quality_ops /
image_box_ops."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import math_ops as _m
from ._util import shape_of, static_value
from .constant import constant, convert_to_tensor
from .image_ops import adjust_brightness, adjust_contrast

_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617],
               [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021],
               [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512],
               [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def _channels(images, op):
    images = convert_to_tensor(images)
    if not shape_of(images) or shape_of(images)[-1] != 3:
        raise InvalidArgumentError(None, op, f"{op}: the last dimension must be 3 (RGB), "
                                   f"got shape {list(shape_of(images))}")
    return images


def _mix(images, kernel, op):
    from .linalg_ops import tensordot
    images = _channels(images, op)
    k = constant(np.asarray(kernel), dtype=images.dtype)
    return tensordot(images, k, [[len(shape_of(images)) - 1], [0]])


def rgb_to_yiq(images):
    """RGB to YIQ (floating images)."""
    return _mix(images, _RGB_TO_YIQ, "rgb_to_yiq")


def yiq_to_rgb(images):
    """YIQ to RGB."""
    return _mix(images, _YIQ_TO_RGB, "yiq_to_rgb")


def rgb_to_yuv(images):
    """RGB to YUV (floating images)."""
    return _mix(images, _RGB_TO_YUV, "rgb_to_yuv")


def yuv_to_rgb(images):
    """YUV to RGB."""
    return _mix(images, _YUV_TO_RGB, "yuv_to_rgb")


def _check_range(op, lower, upper):
    if upper <= lower:
        raise ValueError(f"{op}: upper must be > lower.")
    if lower < 0:
        raise ValueError(f"{op}: lower must be non-negative.")


def _check_delta(op, max_delta, limit=None):
    if max_delta < 0:
        raise ValueError(f"{op}: max_delta must be non-negative.")
    if limit is not None and max_delta > limit:
        raise ValueError(f"{op}: max_delta must be <= {limit}.")


def stateless_random_brightness(image, max_delta, seed):
    """adjust_brightness by a delta from the stateless stream of ``seed`` (TF's numbers)."""
    from .random_generator import stateless_uniform
    _check_delta("stateless_random_brightness", max_delta)
    return adjust_brightness(image, stateless_uniform([], seed, -max_delta, max_delta))


def stateless_random_contrast(image, lower, upper, seed):
    """adjust_contrast by a factor from the stateless stream of ``seed``."""
    from .random_generator import stateless_uniform
    _check_range("stateless_random_contrast", lower, upper)
    return adjust_contrast(image, stateless_uniform([], seed, lower, upper))


def stateless_random_crop(value, size, seed, name=None):
    """A window of shape ``size`` at offsets from the stateless stream of ``seed``."""
    from .manip_ops import slice as _slice
    from .random_generator import stateless_uniform
    value = convert_to_tensor(value)
    shape = [int(d) for d in shape_of(value)]
    size = [int(v) for v in np.asarray(static_value(size)).ravel().tolist()]
    if len(size) != len(shape) or any(s > d or s < 0 for s, d in zip(size, shape)):
        raise InvalidArgumentError(None, "stateless_random_crop", "stateless_random_crop: "
                                   f"Need value.shape >= size, got {shape} and {size}")
    limit = np.asarray(shape, np.int32) - np.asarray(size, np.int32) + 1
    u = stateless_uniform([len(shape)], seed, 0, np.iinfo(np.int32).max, _dt.int32)
    return _slice(value, _m.floormod(u, constant(limit)), size)
