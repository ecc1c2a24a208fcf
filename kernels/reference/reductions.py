"""Row and column sums and maxima of a 2-D array (NumPy truth).

Rows reduce the last axis (one value per row); columns reduce axis 0 (one per column).
float16/bfloat16 accumulate in float32. The max of an empty axis raises ValueError.
"""
from .._checks import acc_dtype, check_float, check_ndim


def _prep(op, x, axis, empty_ok):
    check_ndim(op, x, 2)
    check_float(op, x=x)
    if not empty_ok and x.shape[axis] == 0:
        raise ValueError(f"{op}: cannot take the max of an empty axis; x {tuple(x.shape)}")
    return x.astype(acc_dtype(x.dtype), copy=False)


def sum_rows(x):
    """Sum over the last axis: shape (rows,)."""
    return _prep("sum_rows", x, 1, True).sum(axis=1).astype(x.dtype)


def sum_cols(x):
    """Sum over axis 0: shape (cols,)."""
    return _prep("sum_cols", x, 0, True).sum(axis=0).astype(x.dtype)


def max_rows(x):
    """Max over the last axis: shape (rows,)."""
    return _prep("max_rows", x, 1, False).max(axis=1).astype(x.dtype)


def max_cols(x):
    """Max over axis 0: shape (cols,)."""
    return _prep("max_cols", x, 0, False).max(axis=0).astype(x.dtype)
