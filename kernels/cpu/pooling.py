"""2-D max / average pooling over NHWC on the CPU with Numba (reference/pooling API)."""
import numpy as np

from .._checks import acc_dtype, check_float, check_ndim
from ..reference.im2col import conv_geometry


def _jit():
    from . import _jit_nn
    return _jit_nn


def _run(name, size, *args):
    from . import _threads
    _threads.run(getattr(_jit(), name), size, *args)


def _prep(op, x, ksize, strides, padding):
    check_ndim(op, x, 4)
    check_float(op, x=x)
    strides = ksize if strides is None else strides
    g = conv_geometry(op, x.shape, ksize, strides, padding, 1)
    return g, np.ascontiguousarray(x, acc_dtype(x.dtype))


def _geo(g):
    return g["kh"], g["kw"], g["sh"], g["sw"], g["pt"], g["pl"]


def max_pool2d_nhwc(x, ksize, strides=None, padding="VALID"):
    """Max over each window; (N, OH, OW, C)."""
    g, a = _prep("max_pool2d_nhwc", x, ksize, strides, padding)
    out = np.empty((g["n"], g["oh"], g["ow"], g["c"]), a.dtype)
    if out.size:
        _run("max_pool_fwd", a.size, a, *_geo(g), out)
    return out.astype(x.dtype, copy=False)


def max_pool2d_nhwc_backward(x, dy, ksize, strides=None, padding="VALID"):
    """dx: each dy goes to the first argmax of its window (a later tap only wins when
    strictly greater)."""
    g, a = _prep("max_pool2d_nhwc_backward", x, ksize, strides, padding)
    _check_dy("max_pool2d_nhwc_backward", g, dy, x.shape)
    dyc = np.ascontiguousarray(dy, a.dtype)
    if dy.size and (g["sh"], g["sw"]) == (g["kh"], g["kw"]) and g["pt"] == g["pl"] == 0 \
            and g["oh"] * g["kh"] <= g["h"] and g["ow"] * g["kw"] <= g["w"]:
        dx = np.empty(a.shape, a.dtype)   # every element written once: no zero fill
        _run("max_pool_bwd_tiled", a.size, a, dyc, g["kh"], g["kw"], dx)
        return dx.astype(x.dtype, copy=False)
    dx = np.zeros(a.shape, a.dtype)
    if dy.size:
        _run("max_pool_bwd", a.size, a, dyc, *_geo(g), dx)
    return dx.astype(x.dtype, copy=False)


def avg_pool2d_nhwc(x, ksize, strides=None, padding="VALID"):
    """Mean over the real (unpadded) taps of each window."""
    g, a = _prep("avg_pool2d_nhwc", x, ksize, strides, padding)
    out = np.empty((g["n"], g["oh"], g["ow"], g["c"]), a.dtype)
    if out.size:
        _run("avg_pool_fwd", a.size, a, *_geo(g), out)
    return out.astype(x.dtype, copy=False)


def avg_pool2d_nhwc_backward(x_shape, dy, ksize, strides=None, padding="VALID"):
    """dx: each dy / count spread over its window's real taps."""
    check_float("avg_pool2d_nhwc_backward", dy=dy)
    strides = ksize if strides is None else strides
    g = conv_geometry("avg_pool2d_nhwc_backward", x_shape, ksize, strides, padding, 1)
    _check_dy("avg_pool2d_nhwc_backward", g, dy, x_shape)
    acc = acc_dtype(dy.dtype)
    dx = np.zeros(tuple(int(s) for s in x_shape), acc)
    if dy.size:
        _run("avg_pool_bwd", dx.size, np.ascontiguousarray(dy, acc), *_geo(g), dx)
    return dx.astype(dy.dtype, copy=False)


def _check_dy(op, g, dy, x_shape):
    want = (g["n"], g["oh"], g["ow"], g["c"])
    if tuple(dy.shape) != want:
        raise ValueError(f"{op}: dy {tuple(dy.shape)} does not match output {want} of x "
                         f"{tuple(x_shape)}")
