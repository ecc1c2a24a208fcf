"""im2col / col2im and conv2d for NHWC on the GPU (im2col.cu + cuBLAS matmul via CuPy).

Same API as reference/im2col.py with CuPy arrays. ``conv2d_nhwc`` is im2col followed by
one cuBLAS GEMM; it trades memory (the cols matrix) for simplicity.
"""
import numpy as np

from .._checks import check_ndim
from ..reference.im2col import conv_geometry
from ._loader import cupy, grid_for, kernel, suffix

_GEOM_KEYS = ("n", "h", "w", "c", "oh", "ow", "kh", "kw", "sh", "sw", "dh", "dw", "pt", "pl")


def _geom_args(g):
    return tuple(np.int32(g[k]) for k in _GEOM_KEYS)


def im2col_nhwc(x, ksize, strides=1, padding="VALID", dilations=1):
    """Patches as rows, (N*OH*OW, KH*KW*C), columns ordered (kh, kw, c)."""
    check_ndim("im2col_nhwc", x, 4)
    cp = cupy()
    g = conv_geometry("im2col_nhwc", x.shape, ksize, strides, padding, dilations)
    cols = cp.empty((g["n"] * g["oh"] * g["ow"], g["kh"] * g["kw"] * g["c"]), x.dtype)
    size = np.dtype(x.dtype).itemsize
    if size not in (2, 4, 8):
        raise ValueError(f"im2col_nhwc: unsupported dtype {x.dtype} for x {tuple(x.shape)}")
    if cols.size:
        bits = np.dtype(f"u{size}")
        kernel("im2col", f"im2col_u{size * 8}")(
            grid_for(cols.size), (256,),
            (cp.ascontiguousarray(x).view(bits), cols.view(bits)) + _geom_args(g))
    return cols


def col2im_nhwc(cols, x_shape, ksize, strides=1, padding="VALID", dilations=1):
    """Adjoint of im2col_nhwc: overlapping patch entries add up (gathered, no atomics)."""
    cp = cupy()
    g = conv_geometry("col2im_nhwc", x_shape, ksize, strides, padding, dilations)
    want = (g["n"] * g["oh"] * g["ow"], g["kh"] * g["kw"] * g["c"])
    if tuple(cols.shape) != want:
        raise ValueError(f"col2im_nhwc: cols must have shape {want} for x_shape "
                         f"{tuple(x_shape)}, got {tuple(cols.shape)}")
    dx = cp.empty(tuple(int(s) for s in x_shape), cols.dtype)
    if dx.size:
        kernel("im2col", f"col2im_{suffix('col2im_nhwc', cols)}")(
            grid_for(dx.size), (256,), (cp.ascontiguousarray(cols), dx) + _geom_args(g))
    return dx


def conv2d_nhwc(x, w, strides=1, padding="VALID", dilations=1):
    """conv2d with an HWIO filter: im2col kernel + one cuBLAS matmul."""
    check_ndim("conv2d_nhwc", w, 4, name="w")
    if w.shape[2] != x.shape[-1]:
        raise ValueError(f"conv2d_nhwc: filter {tuple(w.shape)} (HWIO) in-channels must "
                         f"match x {tuple(x.shape)}")
    g = conv_geometry("conv2d_nhwc", x.shape, w.shape[:2], strides, padding, dilations)
    cols = im2col_nhwc(x, w.shape[:2], strides, padding, dilations)
    out = cols @ cupy().ascontiguousarray(w).reshape(-1, w.shape[3])
    return out.reshape(g["n"], g["oh"], g["ow"], w.shape[3])
