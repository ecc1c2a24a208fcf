"""Row softmax, log-softmax and logsumexp over the last axis (NumPy truth).

Rows are everything but the last axis. float16/bfloat16 accumulate in float32; the
result keeps the input dtype. An empty row has logsumexp -inf.
"""
import numpy as np

from .._checks import acc_dtype, as_rows, check_float


def _prepare(op, x):
    check_float(op, x=x)
    return as_rows(op, x).astype(acc_dtype(x.dtype), copy=False)


def logsumexp_rows(x):
    """log(sum(exp(x), axis=-1)), stable; shape ``x.shape[:-1]``."""
    a = _prepare("logsumexp_rows", x)
    if a.shape[1] == 0:
        return np.full(x.shape[:-1], -np.inf, dtype=x.dtype)
    m = a.max(axis=1)
    safe = np.where(np.isfinite(m), m, 0)  # all -inf row: exp(-inf) = 0, result -inf
    with np.errstate(divide="ignore"):
        out = safe + np.log(np.exp(a - safe[:, None]).sum(axis=1))
    return out.astype(x.dtype).reshape(x.shape[:-1])


def softmax_rows(x):
    """exp(x - max) / sum(exp(x - max)) along the last axis."""
    a = _prepare("softmax_rows", x)
    if a.size == 0:
        return np.zeros(x.shape, dtype=x.dtype)
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(x.dtype).reshape(x.shape)


def log_softmax_rows(x):
    """x - logsumexp(x) along the last axis."""
    a = _prepare("log_softmax_rows", x)
    if a.size == 0:
        return np.zeros(x.shape, dtype=x.dtype)
    m = a.max(axis=1, keepdims=True)
    lse = m + np.log(np.exp(a - m).sum(axis=1, keepdims=True))
    return (a - lse).astype(x.dtype).reshape(x.shape)


def softmax_rows_backward(y, dy):
    """Gradient of softmax given its output ``y``: y * (dy - sum(dy * y))."""
    check_float("softmax_rows_backward", y=y, dy=dy)
    acc = acc_dtype(y.dtype)
    a, g = y.astype(acc), dy.astype(acc)
    return (a * (g - (g * a).sum(axis=-1, keepdims=True))).astype(y.dtype)
