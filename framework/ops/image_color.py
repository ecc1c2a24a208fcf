"""More of ``tf.image``: HSV / YUV / YIQ colour spaces, hue and saturation (fixed,
random and stateless), stateless brightness / contrast / crop, PSNR and SSIM, Sobel
edges, ``crop_and_resize`` and greedy ``non_max_suppression``.

All are composites of cuflow ops (so they trace and differentiate), except NMS and
the box sampling of crop_and_resize, which follow TF's kernels on the host.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import math_ops as _m
from . import reduce_ops as _r
from ._util import shape_of, static_value
from .constant import constant, convert_to_tensor
from .image_ops import adjust_brightness, adjust_contrast, convert_image_dtype

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


def _split3(x):
    return x[..., 0], x[..., 1], x[..., 2]


def rgb_to_hsv(images, name=None):
    """RGB in [0, 1] to HSV (hue in [0, 1)), as TF's kernel.

    >>> import cuflow as cf
    >>> cf.image.rgb_to_hsv([[[1.0, 0.0, 0.0]]]).numpy().tolist()
    [[[0.0, 1.0, 1.0]]]
    """
    images = _channels(images, "rgb_to_hsv")
    r, g, b = _split3(images)
    v = _m.maximum(_m.maximum(r, g), b)
    rng = v - _m.minimum(_m.minimum(r, g), b)
    zero = _a.zeros_like(v)
    s = _m.where_v(v > 0, _m.div_no_nan(rng, v), zero)
    norm = _m.div_no_nan(_a.ones_like(rng), 6 * rng)
    h = _m.where_v(_m.equal(v, r), norm * (g - b),
                   _m.where_v(_m.equal(v, g), norm * (b - r) + 2.0 / 6.0,
                              norm * (r - g) + 4.0 / 6.0))
    h = _m.where_v(rng > 0, h, zero)
    h = _m.where_v(h < 0, h + 1, h)
    return _a.stack([h, s, v], -1)


def hsv_to_rgb(images, name=None):
    """HSV (hue in [0, 1]) to RGB, as TF's kernel."""
    images = _channels(images, "hsv_to_rgb")
    h, s, v = _split3(images)
    dh = h * 6

    def ramp(x):
        return _m.minimum(_m.maximum(x, 0.0), 1.0)
    dr = ramp(_m.abs(dh - 3) - 1)
    dg = ramp(2 - _m.abs(dh - 2))
    db = ramp(2 - _m.abs(dh - 4))
    one_minus_s = 1 - s
    return _a.stack([(one_minus_s + s * dr) * v, (one_minus_s + s * dg) * v,
                     (one_minus_s + s * db) * v], -1)


def _in_float(image, fn):
    """Runs ``fn`` on a float view of the image and converts back (TF's hue/saturation)."""
    image = _channels(image, "adjust")
    if image.dtype in (_dt.float16, _dt.float32):
        return fn(image)
    flt = convert_image_dtype(image, _dt.float32)
    return convert_image_dtype(fn(flt), image.dtype)


def adjust_hue(image, delta, name=None):
    """Rotates the hue by ``delta`` (a fraction of the colour wheel, in [-1, 1])."""
    delta_v = static_value(delta)
    if delta_v is not None and not -1 <= float(np.asarray(delta_v)) <= 1:
        raise InvalidArgumentError(None, "adjust_hue", f"adjust_hue: delta must be in "
                                   f"[-1, 1], got {float(np.asarray(delta_v))}")

    def fn(x):
        hsv = rgb_to_hsv(_m.cast(x, _dt.float32))
        h, s, v = _split3(hsv)
        h = _m.floormod(h + _m.cast(delta, _dt.float32), 1.0)
        return _m.cast(hsv_to_rgb(_a.stack([h, s, v], -1)), x.dtype)
    return _in_float(image, fn)


def adjust_saturation(image, saturation_factor, name=None):
    """Scales the saturation by ``saturation_factor`` (clipped to [0, 1])."""
    def fn(x):
        hsv = rgb_to_hsv(_m.cast(x, _dt.float32))
        h, s, v = _split3(hsv)
        s = _m.minimum(_m.maximum(s * _m.cast(saturation_factor, _dt.float32), 0.0), 1.0)
        return _m.cast(hsv_to_rgb(_a.stack([h, s, v], -1)), x.dtype)
    return _in_float(image, fn)


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


def random_hue(image, max_delta, seed=None):
    """adjust_hue by a delta drawn from [-max_delta, max_delta] (max_delta <= 0.5)."""
    from .random_ops import uniform
    _check_delta("random_hue", max_delta, 0.5)
    return adjust_hue(image, uniform([], -max_delta, max_delta, seed=seed))


def random_saturation(image, lower, upper, seed=None):
    """adjust_saturation by a factor drawn from [lower, upper)."""
    from .random_ops import uniform
    _check_range("random_saturation", lower, upper)
    return adjust_saturation(image, uniform([], lower, upper, seed=seed))


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


def stateless_random_hue(image, max_delta, seed):
    """adjust_hue by a delta from the stateless stream of ``seed``."""
    from .random_generator import stateless_uniform
    _check_delta("stateless_random_hue", max_delta, 0.5)
    return adjust_hue(image, stateless_uniform([], seed, -max_delta, max_delta))


def stateless_random_saturation(image, lower, upper, seed):
    """adjust_saturation by a factor from the stateless stream of ``seed``."""
    from .random_generator import stateless_uniform
    _check_range("stateless_random_saturation", lower, upper)
    return adjust_saturation(image, stateless_uniform([], seed, lower, upper))


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


# --- quality metrics -------------------------------------------------------------------------
def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio per image (over the last three axes), in float32."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    max_val = convert_image_dtype(_m.cast(max_val, a.dtype), _dt.float32)
    a, b = convert_image_dtype(a, _dt.float32), convert_image_dtype(b, _dt.float32)
    mse = _r.reduce_mean(_m.squared_difference(a, b), [-3, -2, -1])
    return (20 * _m.log(max_val) / _m.log(constant(10.0)) -
            np.float32(10 / np.log(10)) * _m.log(mse))


def _gauss_kernel(size, sigma):
    coords = np.arange(size, dtype=np.float32) - np.float32(size - 1) / 2
    g = np.square(coords) * np.float32(-0.5 / np.float32(sigma) ** 2)
    g = (g[None, :] + g[:, None]).reshape(1, -1)
    g = np.exp(g - g.max())
    return (g / g.sum()).reshape(size, size, 1, 1).astype(np.float32)


def _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2):
    from .conv_ops import depthwise_conv2d
    channels = int(shape_of(img1)[-1])
    kernel = constant(np.tile(_gauss_kernel(filter_size, filter_sigma), (1, 1, channels, 1)))

    def reducer(x):
        shape = [int(d) for d in shape_of(x)]
        y = depthwise_conv2d(_a.reshape(x, [-1] + shape[-3:]), kernel, [1, 1, 1, 1], "VALID")
        return _a.reshape(y, shape[:-3] + [int(d) for d in shape_of(y)[1:]])
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mean0, mean1 = reducer(img1), reducer(img2)
    num0 = mean0 * mean1 * 2.0
    den0 = _m.square(mean0) + _m.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(img1 * img2) * 2.0
    den1 = reducer(_m.square(img1) + _m.square(img2))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    return _r.reduce_mean(luminance * cs, [-3, -2]), _r.reduce_mean(cs, [-3, -2])


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """Structural similarity per image (Gaussian window, averaged over channels)."""
    img1, img2 = convert_to_tensor(img1), convert_to_tensor(img2)
    max_val = convert_image_dtype(_m.cast(max_val, img1.dtype), _dt.float32)
    img1, img2 = convert_image_dtype(img1, _dt.float32), convert_image_dtype(img2, _dt.float32)
    hw = [int(d) for d in shape_of(img1)[-3:-1]]
    if min(hw) < int(filter_size):
        raise InvalidArgumentError(None, "ssim", f"ssim: images ({hw}) must be at least "
                                   f"filter_size ({int(filter_size)}) in height and width")
    per_channel, _ = _ssim_per_channel(img1, img2, max_val, int(filter_size), filter_sigma,
                                       k1, k2)
    return _r.reduce_mean(per_channel, [-1])


def sobel_edges(image):
    """[..., h, w, d, 2]: Sobel dy and dx of each channel (reflect-padded)."""
    from .conv_ops import depthwise_conv2d
    from .manip_ops import pad
    image = convert_to_tensor(image)
    shape = [int(d) for d in shape_of(image)]
    k = np.transpose(np.asarray([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                                 [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]), (1, 2, 0))
    k = np.tile(np.expand_dims(k, -2), (1, 1, shape[-1], 1))
    padded = pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    out = depthwise_conv2d(padded, constant(k, dtype=image.dtype), [1, 1, 1, 1], "VALID")
    return _a.reshape(out, shape + [2])
