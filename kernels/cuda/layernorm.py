"""Layer normalization over the last axis on the GPU (CuPy RawModule over layernorm.cu).

Same API as reference/layernorm.py with CuPy arrays. mean/rstd and gamma/beta live in
the accumulation dtype (float32 for float16/bfloat16 inputs).
"""
import numpy as np

from .._checks import as_rows
from ..reference.layernorm import _check_params
from ._loader import acc_of, cupy, kernel, ptr_or_null, suffix

PARAM_CHUNKS = 64


def _threads(cols):
    t = 32
    while t < 1024 and t * 4 < cols:
        t *= 2
    return t


def _param(cp, p, acc):
    return ptr_or_null(None if p is None else cp.ascontiguousarray(p, dtype=acc))


def layernorm_rows(x, gamma=None, beta=None, eps=1e-5):
    """Returns (y, mean, rstd); y = (x - mean) * rstd * gamma + beta."""
    _check_params("layernorm_rows", x, gamma, beta)
    if x.shape[-1] == 0:
        raise ValueError(f"layernorm_rows: x must have a non-empty last axis, got {x.shape}")
    cp = cupy()
    acc = acc_of(x)
    a = cp.ascontiguousarray(as_rows("layernorm_rows", x))
    rows, cols = a.shape
    y = cp.empty_like(a)
    mean = cp.empty(rows, acc)
    rstd = cp.empty(rows, acc)
    if rows:
        g, b = _param(cp, gamma, acc), _param(cp, beta, acc)
        kernel("layernorm", f"layernorm_fwd_{suffix('layernorm_rows', x)}")(
            (rows,), (_threads(cols),), (a, g, b, y, mean, rstd, np.int32(cols), acc(eps)))
    return y.reshape(x.shape), mean, rstd


def layernorm_rows_backward(dy, x, gamma, mean, rstd):
    """Returns (dx, dgamma, dbeta); dgamma is None when gamma is None."""
    _check_params("layernorm_rows_backward", x, gamma, None)
    if tuple(dy.shape) != tuple(x.shape):
        raise ValueError(f"layernorm_rows_backward: dy {tuple(dy.shape)} must match x "
                         f"{tuple(x.shape)}")
    cp = cupy()
    acc = acc_of(x)
    a = cp.ascontiguousarray(as_rows("layernorm_rows_backward", x))
    d = cp.ascontiguousarray(as_rows("layernorm_rows_backward", dy), dtype=x.dtype)
    rows, cols = a.shape
    mean = cp.ascontiguousarray(mean, acc).reshape(-1)
    rstd = cp.ascontiguousarray(rstd, acc).reshape(-1)
    dx = cp.empty_like(a)
    chunks = max(1, min(rows, PARAM_CHUNKS))
    per = (rows + chunks - 1) // chunks if rows else 1
    parts_g = cp.zeros((chunks, cols), acc)
    parts_b = cp.zeros((chunks, cols), acc)
    if rows:
        suf = suffix("layernorm_rows_backward", x)
        g = _param(cp, gamma, acc)
        kernel("layernorm", f"layernorm_bwd_dx_{suf}")(
            (rows,), (_threads(cols),), (d, a, g, mean, rstd, dx, np.int32(cols)))
        kernel("layernorm", f"layernorm_bwd_params_{suf}")(
            ((cols + 127) // 128, chunks), (128,),
            (d, a, mean, rstd, parts_g, parts_b, np.int64(rows), np.int32(cols),
             np.int64(per)))
    pdtype = gamma.dtype if gamma is not None else x.dtype
    dgamma = None if gamma is None else parts_g.sum(axis=0).astype(pdtype)
    return dx.reshape(x.shape), dgamma, parts_b.sum(axis=0).astype(pdtype)
