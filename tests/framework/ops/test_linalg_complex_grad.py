"""Complex gradients of cf.linalg against finite differences, in TF's convention.

For a real loss L(z), TF's gradient w.r.t. a complex z is dL/dRe(z) + i dL/dIm(z) (the
generic registry test checks float64 only). The loss is Re(sum(f(z) * c)) with a random
complex c; functions with a phase gauge (eigen/singular vectors) are checked through
phase-invariant products, and Hermitian inputs through (a + a^H) / 2.
"""
from __future__ import annotations

import numpy as np
import pytest

import cuflow as cf

L = cf.linalg


def _c(rng, shape, diag=0.0):
    a = rng.uniform(-1, 1, shape) + 1j * rng.uniform(-1, 1, shape)
    return a + diag * np.eye(shape[-1]) if diag else a


def _pd(rng, n):
    a = _c(rng, (n, n))
    return a @ a.conj().T + n * np.eye(n)


def _herm(f):
    return lambda a: f((a + L.adjoint(a)) / 2.0)


def _weighted(u, v, k):
    w = cf.cast(cf.constant(np.arange(1.0, k + 1)), u.dtype)
    return cf.matmul(u[..., :k] * w, v[..., :k], adjoint_b=True)


CASES = {
    "matmul": (cf.matmul, lambda r: [_c(r, (2, 3)), _c(r, (3, 2))]),
    "einsum": (lambda a, b: cf.einsum("bij,jk->bik", a, b),
               lambda r: [_c(r, (2, 2, 3)), _c(r, (3, 2))]),
    "inv": (L.inv, lambda r: [_c(r, (3, 3), 3)]),
    "det": (L.det, lambda r: [_c(r, (2, 3, 3), 3)]),
    "slogdet": (lambda a: L.slogdet(a)[1], lambda r: [_c(r, (3, 3), 3)]),
    "solve": (L.solve, lambda r: [_c(r, (3, 3), 3), _c(r, (3, 2))]),
    "triangular_solve": (lambda a, b: L.triangular_solve(a, b, adjoint=True),
                         lambda r: [_c(r, (3, 3), 3), _c(r, (3, 2))]),
    "cholesky": (_herm(L.cholesky), lambda r: [_pd(r, 3)]),
    "eigh": (_herm(lambda a: (lambda e, v: (e, _weighted(v, v, 3)))(*L.eigh(a))),
             lambda r: [_pd(r, 3)]),
    "svd_values": (lambda a: L.svd(a, compute_uv=False), lambda r: [_c(r, (3, 2))]),
    "svd-deep": (lambda a: (lambda s, u, v: _weighted(u, v, 2))(*L.svd(a)),
                 lambda r: [_c(r, (3, 2))]),
    "svd-wide": (lambda a: (lambda s, u, v: _weighted(u, v, 2))(*L.svd(a)),
                 lambda r: [_c(r, (2, 4))]),
    "qr-square": (L.qr, lambda r: [_c(r, (3, 3), 3)]),
    "qr-wide": (L.qr, lambda r: [_c(r, (2, 3))]),
    "norm": (cf.norm, lambda r: [_c(r, (3, 2))]),
}


def _loss(fn, arrays, cots):
    outs = fn(*[cf.constant(a) for a in arrays])
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    return sum(float(np.real(np.sum(np.asarray(o.numpy()) * c))) for o, c in zip(outs, cots))


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_gradient_matches_finite_differences(name):
    fn, make = CASES[name]
    rng = np.random.default_rng(3)
    arrays = make(rng)
    probe = fn(*[cf.constant(a) for a in arrays])
    probe = probe if isinstance(probe, (tuple, list)) else (probe,)
    cots = [_c(rng, tuple(o.shape)) for o in probe]
    ts = [cf.constant(a) for a in arrays]
    with cf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        outs = fn(*ts)
        outs = outs if isinstance(outs, (tuple, list)) else (outs,)
        loss = sum(cf.math.real(cf.reduce_sum(o * cf.cast(c, o.dtype)))
                   for o, c in zip(outs, cots))
    grads = tape.gradient(loss, ts)
    eps = 1e-6
    for i, (a, g) in enumerate(zip(arrays, grads)):
        num = np.zeros(a.shape, complex)
        for idx in np.ndindex(a.shape):
            for unit in (1.0, 1j):
                vals = []
                for sgn in (1.0, -1.0):
                    b = list(arrays)
                    b[i] = a.copy()
                    b[i][idx] += sgn * eps * unit
                    vals.append(_loss(fn, b, cots))
                num[idx] += (vals[0] - vals[1]) / (2 * eps) * unit
        np.testing.assert_allclose(g.numpy(), num, rtol=1e-6, atol=1e-7,
                                   err_msg=f"{name}: d/d(input {i})")
