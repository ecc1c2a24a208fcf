"""Row softmax, log-softmax, logsumexp on the CPU with Numba (same API as reference).

One parallel loop over rows; each row is read once from memory (max, then exp with a
vectorized polynomial while the row sits in L1/L2, then scale). float16/bfloat16 are
computed in float32.
"""
import numpy as np

from .._checks import acc_dtype, as_rows, check_float


def _jit():
    from . import _jit_softmax  # numba import happens here, on first use
    return _jit_softmax


def _rows(op, x):
    check_float(op, x=x)
    a = as_rows(op, x)
    return np.ascontiguousarray(a, dtype=acc_dtype(x.dtype))


def softmax_rows(x):
    """exp(x - max) / sum(exp(x - max)) along the last axis."""
    a = _rows("softmax_rows", x)
    out = np.empty_like(a)
    if a.size:
        _jit().softmax_rows(a, out)
    return out.astype(x.dtype, copy=False).reshape(x.shape)


def log_softmax_rows(x):
    """x - logsumexp(x) along the last axis."""
    a = _rows("log_softmax_rows", x)
    out = np.empty_like(a)
    if a.size:
        _jit().log_softmax_rows(a, out)
    return out.astype(x.dtype, copy=False).reshape(x.shape)


def logsumexp_rows(x):
    """log(sum(exp(x))) along the last axis; -inf for an empty row."""
    a = _rows("logsumexp_rows", x)
    out = np.full(a.shape[0], -np.inf, dtype=a.dtype)
    if a.size:
        _jit().logsumexp_rows(a, out)
    return out.astype(x.dtype, copy=False).reshape(x.shape[:-1])
