"""``tf.linalg.eigh_tridiagonal``: eigenvalues (and vectors) of a Hermitian tridiagonal
matrix given by its diagonal ``alpha`` and first super-diagonal ``beta``.

Solved on the host with LAPACK's tridiagonal routines (scipy). A complex ``beta`` is
reduced to the real symmetric matrix with ``|beta|`` by a diagonal unitary similarity,
whose phases then rotate the eigenvectors back.

>>> import cuflow as cf
>>> w = cf.linalg.eigh_tridiagonal([0.0, 0.0, 0.0], [1.0, 1.0])
>>> [round(abs(v), 4) for v in w.numpy().tolist()]
[1.4142, 0.0, 1.4142]
"""
from __future__ import annotations

import numpy as np

from ._util import static_value
from .constant import constant, convert_to_tensor


def eigh_tridiagonal(alpha, beta, eigvals_only=True, select="a", select_range=None,
                     tol=None, name=None):
    """Eigenvalues in non-decreasing order; with ``eigvals_only=False`` also the
    eigenvectors as columns. ``select``: 'a' all, 'v' values in (lo, hi], 'i' indices
    lo..hi."""
    from scipy.linalg import eigh_tridiagonal as _scipy_eigh
    a, b = convert_to_tensor(alpha), convert_to_tensor(beta)
    if len(a.shape) != 1 or len(b.shape) != 1 or b.shape[0] != max(a.shape[0] - 1, 0):
        raise ValueError(f"alpha must be a vector of size n and beta of size n-1; got "
                         f"shapes {a.shape} and {b.shape}")
    if select not in ("a", "v", "i"):
        raise ValueError(f"select must be one of 'a', 'v' or 'i'; got {select!r}")
    real_dt = a.dtype.real_dtype.np if a.dtype.is_complex else a.dtype.np
    d = np.real(np.asarray(a.numpy())).astype(np.float64)
    e = np.asarray(b.numpy())
    cplx = np.iscomplexobj(e) or a.dtype.is_complex
    mag = np.abs(e).astype(np.float64) if cplx else e.astype(np.float64)
    rng = None
    if select != "a":
        rng = tuple(np.asarray(static_value(select_range)).ravel().tolist())
        if len(rng) != 2:
            raise ValueError(f"select_range must have 2 values, got {select_range}")
        if select == "i":
            rng = (int(rng[0]), int(rng[1]))
    if eigvals_only:
        w = _scipy_eigh(d, mag, eigvals_only=True, select=select, select_range=rng)
        return constant(w.astype(real_dt))
    w, v = _scipy_eigh(d, mag, eigvals_only=False, select=select, select_range=rng)
    if cplx:
        unit = np.where(mag > 0, np.conj(e) / np.where(mag > 0, mag, 1), 1.0)
        phases = np.concatenate([[1.0 + 0j], np.cumprod(unit)])
        v = phases[:, None] * v
        return constant(w.astype(real_dt)), constant(v.astype(a.dtype.np if a.dtype.is_complex
                                                              else b.dtype.np))
    return constant(w.astype(real_dt)), constant(v.astype(real_dt))
