"""Row sum / max as Numba CUDA kernels: one block per row, a shared-memory tree reduction.

Same API as reference/reductions.py's row functions; float32/float64 (simulator or GPU).
"""
import numpy as np

from .._checks import check_float, check_ndim
from ._numba import empty_like_input


def _rows(op, x, name, empty_ok):
    check_ndim(op, x, 2)
    check_float(op, x=x)
    if np.dtype(x.dtype) not in (np.float32, np.float64):
        raise ValueError(f"{op}: float32/float64 only, got {x.dtype} {tuple(x.shape)}")
    if not empty_ok and x.shape[1] == 0:
        raise ValueError(f"{op}: cannot take the max of an empty axis; x {tuple(x.shape)}")
    out = empty_like_input(x, (x.shape[0],), x.dtype)
    if x.shape[0]:
        from . import _numba_kernels as k
        kern = getattr(k, f"{name}_{'f64' if x.dtype == np.float64 else 'f32'}")
        kern[x.shape[0], k.REDUCE_THREADS](x, out)
    return out


def sum_rows(x):
    """Sum over the last axis: shape (rows,)."""
    return _rows("sum_rows", x, "sum_rows", True)


def max_rows(x):
    """Max over the last axis: shape (rows,)."""
    return _rows("max_rows", x, "max_rows", False)
