"""2-D max / average pooling over NHWC on the GPU (CuPy RawModule over pooling.cu).

Same API as reference/pooling.py with CuPy arrays.
"""
import numpy as np

from .._checks import check_float, check_ndim
from ..reference.im2col import conv_geometry
from ._loader import acc_of, cupy, grid_for, kernel, suffix


def _geometry(op, shape, ksize, strides, padding):
    strides = ksize if strides is None else strides
    return conv_geometry(op, shape, ksize, strides, padding, 1)


def _geom_args(g):
    return tuple(np.int32(g[k]) for k in
                 ("n", "h", "w", "c", "oh", "ow", "kh", "kw", "sh", "sw", "pt", "pl"))


def _out_shape(g):
    return (g["n"], g["oh"], g["ow"], g["c"])


def _check_dy(op, g, dy, x_shape):
    if tuple(dy.shape) != _out_shape(g):
        raise ValueError(f"{op}: dy {tuple(dy.shape)} does not match output {_out_shape(g)} "
                         f"of x {tuple(x_shape)}")


def _forward(op, kname, x, ksize, strides, padding):
    check_ndim(op, x, 4)
    check_float(op, x=x)
    cp = cupy()
    g = _geometry(op, x.shape, ksize, strides, padding)
    y = cp.empty(_out_shape(g), x.dtype)
    if y.size:
        kernel("pooling", f"{kname}_{suffix(op, x)}")(
            grid_for(y.size), (256,), (cp.ascontiguousarray(x), y) + _geom_args(g))
    return y


def max_pool2d_nhwc(x, ksize, strides=None, padding="VALID"):
    """Max over each window; (N, OH, OW, C)."""
    return _forward("max_pool2d_nhwc", "max_pool_fwd", x, ksize, strides, padding)


def avg_pool2d_nhwc(x, ksize, strides=None, padding="VALID"):
    """Mean over the real (unpadded) taps of each window."""
    return _forward("avg_pool2d_nhwc", "avg_pool_fwd", x, ksize, strides, padding)


def max_pool2d_nhwc_backward(x, dy, ksize, strides=None, padding="VALID"):
    """dx: each dy goes to the first argmax of its window (atomicAdd in float32/64)."""
    op = "max_pool2d_nhwc_backward"
    check_ndim(op, x, 4)
    check_float(op, x=x, dy=dy)
    cp = cupy()
    g = _geometry(op, x.shape, ksize, strides, padding)
    _check_dy(op, g, dy, x.shape)
    dx = cp.zeros(x.shape, acc_of(x))
    if dy.size:
        kernel("pooling", f"max_pool_bwd_{suffix(op, x)}")(
            grid_for(dy.size), (256,),
            (cp.ascontiguousarray(x), cp.ascontiguousarray(dy, x.dtype), dx) + _geom_args(g))
    return dx.astype(x.dtype, copy=False)


def avg_pool2d_nhwc_backward(x_shape, dy, ksize, strides=None, padding="VALID"):
    """dx: each dy / count spread over its window's real taps (gather, no atomics)."""
    op = "avg_pool2d_nhwc_backward"
    check_float(op, dy=dy)
    cp = cupy()
    g = _geometry(op, x_shape, ksize, strides, padding)
    _check_dy(op, g, dy, x_shape)
    dx = cp.empty(tuple(int(s) for s in x_shape), dy.dtype)
    if dx.size:
        kernel("pooling", f"avg_pool_bwd_{suffix(op, dy)}")(
            grid_for(dx.size), (256,), (cp.ascontiguousarray(dy), dx) + _geom_args(g))
    return dx
