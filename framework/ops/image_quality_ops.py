"""Image quality and edge ops (``tf.image``): SSIM, multiscale SSIM, PSNR, Sobel edges.

Composites of cuflow ops written as TF's image_ops_impl.py writes them (a Gaussian window
from a softmax, depthwise convolutions with VALID padding, averages over H and W), so
they are differentiable and trace into graphs. Images are [..., height, width, channels];
integer images are rescaled to [0, 1] with ``max_val`` as TF does.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import math_ops as _m
from . import reduce_ops as _r
from ._util import shape_of
from .constant import constant, convert_to_tensor

_MSSSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)


def _prepare(img1, img2, max_val, op):
    from .image_ops import convert_image_dtype
    img1, img2 = convert_to_tensor(img1), convert_to_tensor(img2)
    s1, s2 = list(shape_of(img1)), list(shape_of(img2))
    if len(s1) < 3 or len(s2) < 3:
        raise ValueError(f"{op}: images must have at least 3 dimensions [..., H, W, C], got "
                         f"{s1} and {s2}")
    if s1[-3:] != s2[-3:]:
        raise InvalidArgumentError(None, op, f"{op}: the images' shapes {s1} and {s2} are "
                                   "not compatible")
    max_val = convert_image_dtype(_m.cast(max_val, img1.dtype), _dt.float32)
    return (convert_image_dtype(img1, _dt.float32), convert_image_dtype(img2, _dt.float32),
            max_val)


def _gauss_1d(size, sigma):
    """TF's _fspecial_gauss window is softmax(-(x^2 + y^2) / (2 sigma^2)) = p p^T with
    p = softmax(-x^2 / (2 sigma^2)): separable, so it is applied as two matmuls."""
    coords = np.arange(size, dtype=np.float32) - np.float32(size - 1) / np.float32(2)
    g = np.square(coords) * np.float32(-0.5 / np.square(np.float32(sigma)))
    e = np.exp(g - g.max())
    return (e / e.sum()).astype(np.float32)


def _band(p, n_in):
    """[n_in - k + 1, n_in] matrix whose row o holds p at columns o..o+k-1 (VALID)."""
    k = len(p)
    w = np.zeros((n_in - k + 1, n_in), np.float32)
    for o in range(n_in - k + 1):
        w[o, o:o + k] = p
    return w


def _ssim_per_channel(img1, img2, max_val, filter_size, filter_sigma, k1, k2,
                      return_index_map=False):
    from .image_ops import _separable
    shape = list(shape_of(img1))
    if shape[-3] < filter_size or shape[-2] < filter_size:
        raise InvalidArgumentError(None, "ssim", f"ssim: the images ({shape}) must be at "
                                   f"least filter_size={filter_size} high and wide")
    from ._util import static_value
    p = _gauss_1d(filter_size, float(np.asarray(static_value(filter_sigma))))
    wy = constant(_band(p, shape[-3]))
    wx = constant(_band(p, shape[-2]))

    def reducer(x):
        s = list(shape_of(x))
        y = _separable(_a.reshape(x, [-1] + s[-3:]), wy, wx)
        return _a.reshape(y, s[:-3] + list(shape_of(y))[1:])
    c1 = _m.square(k1 * max_val)
    c2 = _m.square(k2 * max_val)
    mean0, mean1 = reducer(img1), reducer(img2)
    num0 = mean0 * mean1 * 2.0
    den0 = _m.square(mean0) + _m.square(mean1)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = reducer(img1 * img2) * 2.0
    den1 = reducer(_m.square(img1) + _m.square(img2))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    if return_index_map:
        return luminance * cs, cs
    return _r.reduce_mean(luminance * cs, [-3, -2]), _r.reduce_mean(cs, [-3, -2])


def ssim(img1, img2, max_val, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         return_index_map=False):
    """Structural similarity per image (mean over channels), TF's Gaussian-window SSIM.

    >>> import cuflow as cf
    >>> x = cf.random.stateless_uniform([1, 16, 16, 3], seed=[1, 2])
    >>> round(float(cf.image.ssim(x, x, 1.0)[0]), 5)
    1.0
    """
    img1, img2, max_val = _prepare(img1, img2, max_val, "ssim")
    per_channel, _ = _ssim_per_channel(img1, img2, max_val, int(filter_size), filter_sigma,
                                       k1, k2, return_index_map)
    return _r.reduce_mean(per_channel, [-1])


def ssim_multiscale(img1, img2, max_val, power_factors=_MSSSIM_WEIGHTS, filter_size=11,
                    filter_sigma=1.5, k1=0.01, k2=0.03):
    """Multiscale SSIM: SSIM at the coarsest of ``len(power_factors)`` 2x-downsampled
    scales times the contrast terms of the finer ones, weighted geometrically."""
    from .manip_ops import pad
    from .nn_ops import relu
    from .pool_ops import avg_pool
    img1, img2, max_val = _prepare(img1, img2, max_val, "ssim_multiscale")
    imgs = [img1, img2]
    head = list(shape_of(img1))[:-3]
    mcs = []
    for k in range(len(power_factors)):
        if k > 0:
            tail = list(shape_of(imgs[0]))[-3:]
            flat = [_a.reshape(x, [-1] + tail) for x in imgs]
            rh, rw = tail[0] % 2, tail[1] % 2
            if rh or rw:
                flat = [pad(x, [[0, 0], [0, rh], [0, rw], [0, 0]], mode="SYMMETRIC")
                        for x in flat]
            down = [avg_pool(x, [1, 2, 2, 1], [1, 2, 2, 1], "VALID") for x in flat]
            imgs = [_a.reshape(x, head + list(shape_of(x))[1:]) for x in down]
        ssim_pc, cs = _ssim_per_channel(imgs[0], imgs[1], max_val, int(filter_size),
                                        filter_sigma, k1, k2)
        mcs.append(relu(cs))
    mcs.pop()
    stacked = _a.stack(mcs + [relu(ssim_pc)], -1)
    weights = constant(np.asarray(power_factors, np.float32))
    return _r.reduce_mean(_r.reduce_prod(_m.pow(stacked, weights), [-1]), [-1])


def psnr(a, b, max_val, name=None):
    """Peak signal-to-noise ratio per image, in dB: 20 log10(max) - 10 log10(MSE).

    >>> import cuflow as cf
    >>> round(float(cf.image.psnr([[[0.0]]], [[[0.1]]], 1.0)), 3)
    20.0
    """
    a, b, max_val = _prepare(a, b, max_val, "psnr")
    mse = _r.reduce_mean(_m.squared_difference(a, b), [-3, -2, -1])
    return _m.subtract(20 * _m.log(max_val) / _m.log(constant(10.0)),
                       np.float32(10 / np.log(10)) * _m.log(mse))


def sobel_edges(image):
    """Sobel gradients [..., H, W, C, 2] (dy, dx) of a [batch, H, W, C] image, with
    REFLECT padding, as TF."""
    from .conv_ops import depthwise_conv2d
    from .manip_ops import pad, tile
    image = convert_to_tensor(image)
    shape = list(shape_of(image))
    if len(shape) != 4:
        raise ValueError(f"sobel_edges: image must be 4-D [batch, height, width, channels], "
                         f"got shape {shape}")
    kernels = np.transpose(np.asarray([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
                                       [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]), (1, 2, 0))
    k = tile(constant(kernels[:, :, None, :], image.dtype), [1, 1, shape[-1], 1])
    padded = pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    out = depthwise_conv2d(padded, k, [1, 1, 1, 1], "VALID")
    return _a.reshape(out, shape + [2])
