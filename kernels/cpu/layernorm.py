"""Layer normalization over the last axis on the CPU with Numba (reference/layernorm API)."""
import numpy as np

from .._checks import acc_dtype, as_rows
from ..reference.layernorm import _check_params


def _jit():
    from . import _jit_nn
    return _jit_nn


def _param(p, cols, acc, fill):
    return np.full(cols, fill, acc) if p is None else np.ascontiguousarray(p, acc)


def layernorm_rows(x, gamma=None, beta=None, eps=1e-5):
    """Returns (y, mean, rstd); y = (x - mean) * rstd * gamma + beta."""
    _check_params("layernorm_rows", x, gamma, beta)
    if x.shape[-1] == 0:
        raise ValueError(f"layernorm_rows: x must have a non-empty last axis, got {x.shape}")
    acc = acc_dtype(x.dtype)
    a = np.ascontiguousarray(as_rows("layernorm_rows", x), acc)
    cols = a.shape[1]
    y = np.empty_like(a)
    mean = np.empty(a.shape[0], acc)
    rstd = np.empty(a.shape[0], acc)
    if a.size:
        _jit().layernorm_fwd(a, _param(gamma, cols, acc, 1), _param(beta, cols, acc, 0),
                             acc.type(eps), y, mean, rstd)
    return y.astype(x.dtype, copy=False).reshape(x.shape), mean, rstd


def layernorm_rows_backward(dy, x, gamma, mean, rstd):
    """Returns (dx, dgamma, dbeta); dgamma is None when gamma is None."""
    _check_params("layernorm_rows_backward", x, gamma, None)
    if tuple(dy.shape) != tuple(x.shape):
        raise ValueError(f"layernorm_rows_backward: dy {tuple(dy.shape)} must match x "
                         f"{tuple(x.shape)}")
    acc = acc_dtype(x.dtype)
    a = np.ascontiguousarray(as_rows("layernorm_rows_backward", x), acc)
    d = np.ascontiguousarray(as_rows("layernorm_rows_backward", dy), acc)
    rows, cols = a.shape
    mean = np.ascontiguousarray(mean, acc).reshape(-1)
    rstd = np.ascontiguousarray(rstd, acc).reshape(-1)
    dx = np.empty_like(a)
    chunks = max(1, min(rows, 8))
    parts_g = np.zeros((chunks, cols), acc)
    parts_b = np.zeros((chunks, cols), acc)
    if a.size:
        jit = _jit()
        jit.layernorm_bwd_dx(d, a, _param(gamma, cols, acc, 1), mean, rstd, dx)
        jit.layernorm_bwd_params(d, a, mean, rstd, parts_g, parts_b)
    pdtype = gamma.dtype if gamma is not None else x.dtype
    dgamma = None if gamma is None else parts_g.sum(axis=0).astype(pdtype)
    return dx.astype(x.dtype, copy=False).reshape(x.shape), dgamma, parts_b.sum(0).astype(pdtype)
