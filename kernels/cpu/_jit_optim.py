"""Numba kernels behind cpu/optim.py and cpu/quant.py (imports numba: load lazily)."""
import math

import numpy as np
from numba import njit, prange


@njit(parallel=True, fastmath=True, cache=True)
def sgd_momentum(p, g, vel, lr, momentum, nesterov, decay):
    for i in prange(p.shape[0]):
        gi = g[i]
        pi = p[i] * decay
        v = momentum * vel[i] - lr * gi
        vel[i] = v
        p[i] = pi + (momentum * v - lr * gi if nesterov else v)


@njit(parallel=True, fastmath=True, cache=True)
def sgd(p, g, lr, decay):
    for i in prange(p.shape[0]):
        p[i] = p[i] * decay - lr * g[i]


@njit(parallel=True, fastmath=True, cache=True)
def adam(p, g, m, v, alpha, beta1, beta2, eps, decay):
    """m, v updated as Keras writes them; p -= alpha * m / (sqrt(v) + eps)."""
    for i in prange(p.shape[0]):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * (1 - beta1)
        vi = v[i] + (gi * gi - v[i]) * (1 - beta2)
        m[i] = mi
        v[i] = vi
        p[i] = p[i] * decay - alpha * mi / (math.sqrt(vi) + eps)


@njit(parallel=True, cache=True)
def matmul_int8(a, bt, out):
    """out[i, j] = sum_k a[i, k] * bt[j, k], int8 inputs widened to int32.

    ``bt`` is b transposed so both operands stream along k; the k loop vectorizes.
    """
    m, k = a.shape
    n = bt.shape[0]
    for i in prange(m):
        ai = a[i].astype(np.int32)
        for j in range(n):
            bj = bt[j]
            acc = np.int32(0)
            for t in range(k):
                acc += ai[t] * np.int32(bj[t])
            out[i, j] = acc
