"""Op database entries for cuflow.ops.linalg_extra (lu, eig, logm; see opdb.py)."""
from __future__ import annotations

import cuflow as cf
import numpy as np
import scipy.linalg as sla

from .opdb import F, OpInfo, Sample
from .opdb import _arr as _a

L = cf.linalg


def _square(shapes, shift=0.0):
    def gen(rng, d):
        out = []
        for s in shapes:
            m = _a(rng, s, d)
            if shift:
                m = (m + shift * np.eye(s[-1])).astype(m.dtype)
            out.append(Sample((m,), grad=False))
        return out
    return gen


def _lu_ref(a):
    if a.size == 0:
        return a.copy(), np.zeros(a.shape[:-1], a.dtype)
    lus, perms = [], []
    for m in a.reshape((-1,) + a.shape[-2:]):
        p, lower, upper = sla.lu(m)
        lus.append(lower + upper - np.eye(len(m)))
        perms.append(np.argmax(p, axis=0).astype(a.dtype))
    return np.asarray(lus).reshape(a.shape), np.asarray(perms).reshape(a.shape[:-1])


def _lu_fn(a):
    out = L.lu(a)  # the permutation as the input's dtype: one dtype check for both outputs
    return out.lu, cf.cast(out.p, out.lu.dtype)


def _eig_fn(a):
    w = L.eigvals(a)
    return cf.sort(cf.math.real(w)), cf.sort(cf.math.imag(w))


def _eig_ref(a):
    w = np.linalg.eigvals(a)
    return np.sort(w.real, axis=-1), np.sort(w.imag, axis=-1)


def _logm_ref(a):
    return np.asarray([sla.logm(m) for m in a.reshape((-1,) + a.shape[-2:])]).reshape(a.shape)


OPS: list[OpInfo] = [
    OpInfo("lu", _lu_fn, _lu_ref, _square([(3, 3), (2, 4, 4), (0, 0)]), F, grad=False),
    OpInfo("eig", _eig_fn, _eig_ref, _square([(3, 3), (2, 2, 2)]), F, grad=False,
           rtol=1e-4, atol=1e-5),
    OpInfo("logm", L.logm, _logm_ref, _square([(3, 3), (2, 2, 2)], shift=4.0),
           ("complex64", "complex128"), grad=False, rtol=1e-4, atol=1e-5),
]
