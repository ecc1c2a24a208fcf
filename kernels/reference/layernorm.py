"""Layer normalization over the last axis, forward and backward (NumPy truth).

Forward returns (y, mean, rstd); mean and rstd (shape rows, accumulation dtype) are what
the backward pass needs, as in fused GPU implementations. ``gamma``/``beta`` may be
None (Keras ``scale=False`` / ``center=False``).
"""
import numpy as np

from .._checks import acc_dtype, as_rows, check_float


def _check_params(op, x, gamma, beta):
    check_float(op, x=x, gamma=gamma, beta=beta)
    for name, p in (("gamma", gamma), ("beta", beta)):
        if p is not None and tuple(p.shape) != (x.shape[-1],):
            raise ValueError(f"{op}: {name} must have shape ({x.shape[-1]},) to match x "
                             f"{tuple(x.shape)}, got {tuple(p.shape)}")


def layernorm_rows(x, gamma=None, beta=None, eps=1e-5):
    """y = (x - mean) * rstd * gamma + beta, with rstd = 1/sqrt(var + eps)."""
    _check_params("layernorm_rows", x, gamma, beta)
    acc = acc_dtype(x.dtype)
    a = as_rows("layernorm_rows", x).astype(acc)
    if a.shape[1] == 0:
        raise ValueError(f"layernorm_rows: x must have a non-empty last axis, got {x.shape}")
    mean = a.mean(axis=1)
    var = ((a - mean[:, None]) ** 2).mean(axis=1)  # two-pass: accurate for large means
    rstd = (1.0 / np.sqrt(var + eps)).astype(acc)
    y = (a - mean[:, None]) * rstd[:, None]
    if gamma is not None:
        y = y * gamma.astype(acc)
    if beta is not None:
        y = y + beta.astype(acc)
    return y.astype(x.dtype).reshape(x.shape), mean.astype(acc), rstd


def layernorm_rows_backward(dy, x, gamma, mean, rstd):
    """Returns (dx, dgamma, dbeta); dgamma is None when gamma is None.

    dx = rstd * (g - mean(g) - xhat * mean(g * xhat)) with g = dy * gamma.
    """
    _check_params("layernorm_rows_backward", x, gamma, None)
    if tuple(dy.shape) != tuple(x.shape):
        raise ValueError(f"layernorm_rows_backward: dy {tuple(dy.shape)} must match x "
                         f"{tuple(x.shape)}")
    acc = acc_dtype(x.dtype)
    a = as_rows("layernorm_rows_backward", x).astype(acc)
    d = as_rows("layernorm_rows_backward", dy).astype(acc)
    mean = np.asarray(mean, acc).reshape(-1, 1)
    rstd = np.asarray(rstd, acc).reshape(-1, 1)
    xhat = (a - mean) * rstd
    g = d * gamma.astype(acc) if gamma is not None else d
    dx = rstd * (g - g.mean(axis=1, keepdims=True)
                 - xhat * (g * xhat).mean(axis=1, keepdims=True))
    dx = dx.astype(x.dtype).reshape(x.shape)
    pdtype = gamma.dtype if gamma is not None else x.dtype
    dgamma = None if gamma is None else (d * xhat).sum(axis=0).astype(pdtype)
    return dx, dgamma, d.sum(axis=0).astype(pdtype)
