"""Row softmax / log-softmax / logsumexp on the GPU (CuPy RawModule over softmax.cu).

Same API as reference/softmax.py, taking and returning CuPy arrays. Rows of at most
1024 columns get one warp each (4 rows per 128-thread block); longer rows get a block.
"""
import numpy as np

from .._checks import as_rows, check_float
from ._loader import cupy, kernel, suffix

WARP_MAX_COLS = 1024


def _block_threads(cols: int) -> int:
    t = 32
    while t < 1024 and t * 8 < cols:  # aim for >= 8 elements per thread
        t *= 2
    return t


def _run(op, x, per_row_output):
    check_float(op, x=x)
    cp = cupy()
    a = cp.ascontiguousarray(as_rows(op, x))
    rows, cols = a.shape
    out_shape = (rows,) if per_row_output else (rows, cols)
    if per_row_output:
        out = cp.full(out_shape, -np.inf, dtype=x.dtype)
    else:
        out = cp.empty(out_shape, dtype=x.dtype)
    if rows and cols:
        suf = suffix(op, x)
        args = (a, out, np.int64(rows), np.int32(cols))
        if cols <= WARP_MAX_COLS:
            kernel("softmax", f"{op}_warp_{suf}")(((rows + 3) // 4,), (128,), args)
        else:
            kernel("softmax", f"{op}_block_{suf}")((rows,), (_block_threads(cols),), args)
    return out.reshape(x.shape[:-1] if per_row_output else x.shape)


def softmax_rows(x):
    """exp(x - max) / sum(exp(x - max)) along the last axis."""
    return _run("softmax_rows", x, False)


def log_softmax_rows(x):
    """x - logsumexp(x) along the last axis."""
    return _run("log_softmax_rows", x, False)


def logsumexp_rows(x):
    """log(sum(exp(x))) along the last axis (-inf for an empty row)."""
    return _run("logsumexp_rows", x, True)
