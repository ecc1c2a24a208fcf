"""More of ``tf.linalg``: LU (``lu``, ``lu_solve``, ``lu_reconstruct``,
``lu_matrix_inverse``), general eigenproblems (``eig``, ``eigvals``), ``logm`` and the
tridiagonal / banded solvers.

``lu``, ``eig`` and ``logm`` are host primitives (LAPACK through NumPy/SciPy) without
gradients; the solvers are composites of ``triangular_solve`` / ``solve`` / ``matmul``
and so differentiate.
"""
from __future__ import annotations

import collections

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import math_ops as _m
from ._util import shape_of
from .constant import constant, convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

Lu = collections.namedtuple("Lu", ["lu", "p"])
_LA = _dt.INEXACT - frozenset([_dt.float16.np, _dt.bfloat16.np])


def _host(x):
    from ..backend import to_numpy
    return np.asarray(to_numpy(x))


def _lu_impl(xp, a, index_dtype):
    import scipy.linalg as sla
    arr = _host(a)
    if arr.size == 0:
        return xp.asarray(arr.copy()), xp.zeros(arr.shape[:-1], index_dtype)
    batch = arr.reshape((-1,) + arr.shape[-2:])
    lus, perms = [], []
    for m in batch:
        p, lower, upper = sla.lu(m)
        lus.append(lower + upper - np.eye(len(m), dtype=m.dtype))
        perms.append(np.argmax(p, axis=0))
    lu = np.asarray(lus, arr.dtype).reshape(arr.shape)
    perm = np.asarray(perms, index_dtype).reshape(arr.shape[:-1])
    return xp.asarray(lu), xp.asarray(perm)


_LU = defop("lu", OPAQUE, dtypes=_LA, n_out=2, differentiable=False)(_lu_impl)


def lu(input, output_idx_type=_dt.int32, name=None):
    """LU with partial pivoting: ``Lu(lu, p)`` with L (unit lower) and U packed in ``lu``
    and ``gather(input, p) == L @ U``."""
    x = convert_to_tensor(input)
    s = shape_of(x)
    if len(s) < 2 or s[-1] != s[-2]:
        raise InvalidArgumentError(None, "lu", f"lu: input must be square matrices, got shape "
                                   f"{list(s)}")
    out = _apply(_LU, (x,), {"index_dtype": _dt.as_dtype(output_idx_type).np})
    return Lu(*out)


def _unpack(lower_upper):
    from .array_ops import ones_like
    from .linalg_ops import band_part, matrix_diag_part, set_diag
    lower = set_diag(band_part(lower_upper, -1, 0), ones_like(matrix_diag_part(lower_upper)))
    return lower, band_part(lower_upper, 0, -1)


def lu_solve(lower_upper, perm, rhs, validate_args=False, name=None):
    """Solves ``A X = rhs`` from ``lu(A)``."""
    from .index_ops import gather
    from .linalg_decomp import triangular_solve
    lower_upper, rhs = convert_to_tensor(lower_upper), convert_to_tensor(rhs)
    lower, upper = _unpack(lower_upper)
    b = gather(rhs, perm, axis=-2, batch_dims=len(shape_of(perm)) - 1)
    y = triangular_solve(lower, b, lower=True)
    return triangular_solve(upper, y, lower=False)


def lu_reconstruct(lower_upper, perm, validate_args=False, name=None):
    """The matrix ``A`` with ``lu(A) == (lower_upper, perm)``."""
    from .index_ops import gather, invert_permutation
    from .linalg_ops import matmul
    lower, upper = _unpack(convert_to_tensor(lower_upper))
    perm = convert_to_tensor(perm)
    if len(shape_of(perm)) == 1:
        inv = invert_permutation(perm)
    else:
        flat = np.asarray(perm.numpy()).reshape(-1, shape_of(perm)[-1])
        inv = constant(np.argsort(flat, axis=-1).reshape(tuple(shape_of(perm))).astype(
            perm.dtype.np))
    return gather(matmul(lower, upper), inv, axis=-2, batch_dims=len(shape_of(perm)) - 1)


def lu_matrix_inverse(lower_upper, perm, validate_args=False, name=None):
    """The inverse of ``A`` from ``lu(A)``."""
    from .linalg_ops import eye
    lower_upper = convert_to_tensor(lower_upper)
    s = [int(d) for d in shape_of(lower_upper)]
    return lu_solve(lower_upper, perm, eye(s[-1], batch_shape=s[:-2], dtype=lower_upper.dtype))


_COMPLEX_OF = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128,
               np.dtype(np.complex64): np.complex64, np.dtype(np.complex128): np.complex128}


def _eig_impl(xp, a):
    arr = _host(a)
    w, v = np.linalg.eig(arr)
    c = _COMPLEX_OF[arr.dtype]
    return xp.asarray(w.astype(c)), xp.asarray(v.astype(c))


_EIG = defop("eig", OPAQUE, dtypes=_LA, n_out=2, differentiable=False)(_eig_impl)


def eig(tensor, name=None):
    """Eigenvalues and eigenvectors of general square matrices (complex results)."""
    return _apply(_EIG, (convert_to_tensor(tensor),))


def eigvals(tensor, name=None):
    """Eigenvalues of general square matrices (complex)."""
    return eig(tensor)[0]


def _logm_impl(xp, a):
    import scipy.linalg as sla
    arr = _host(a)
    batch = arr.reshape((-1,) + arr.shape[-2:])
    out = np.asarray([sla.logm(m) for m in batch], arr.dtype).reshape(arr.shape)
    return xp.asarray(out)


_LOGM = defop("logm", OPAQUE, dtypes=_dt.COMPLEX, differentiable=False)(_logm_impl)


def logm(input, name=None):
    """Principal matrix logarithm (complex input, as TF)."""
    return _apply(_LOGM, (convert_to_tensor(input),))


def _banded_dense(rows, ks, m):
    """Sum of single-diagonal matrices; ``rows[..., i, :]`` holds diagonal ``ks[i]`` in
    TF's LEFT_RIGHT layout (superdiagonals padded on the right, subdiagonals on the left)."""
    from .linalg_ops import matrix_diag
    out = None
    for i, d in enumerate(ks):
        vals = rows[..., i, :m - d] if d >= 0 else rows[..., i, -d:]
        part = matrix_diag(vals, k=d, num_rows=m, num_cols=m)
        out = part if out is None else out + part
    return out


def _tridiagonal_dense(diagonals, diagonals_format, op):
    from .array_ops import stack
    if diagonals_format == "matrix":
        return convert_to_tensor(diagonals)
    if diagonals_format == "sequence":
        sup, main, sub = (convert_to_tensor(d) for d in diagonals)
    elif diagonals_format == "compact":
        d = convert_to_tensor(diagonals)
        if len(shape_of(d)) < 2 or shape_of(d)[-2] != 3:
            raise InvalidArgumentError(None, op, f"{op}: compact diagonals must have shape "
                                       f"[..., 3, M], got {list(shape_of(d))}")
        sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
    else:
        raise ValueError(f"{op}: unknown diagonals_format {diagonals_format!r}")
    m = int(shape_of(main)[-1])
    return _banded_dense(stack([sup, main, sub], -2), [1, 0, -1], m)


def tridiagonal_solve(diagonals, rhs, diagonals_format="compact", transpose_rhs=False,
                      conjugate_rhs=False, name=None, partial_pivoting=True,
                      perturb_singular=False):
    """Solves a tridiagonal system (dense solve under the hood; differentiable)."""
    from .linalg_decomp import solve
    from .linalg_ops import matrix_transpose
    a = _tridiagonal_dense(diagonals, diagonals_format, "tridiagonal_solve")
    rhs = convert_to_tensor(rhs)
    if conjugate_rhs:
        rhs = _m.conj(rhs)
    if transpose_rhs:
        rhs = matrix_transpose(rhs)
    vector = len(shape_of(rhs)) == len(shape_of(a)) - 1
    out = solve(a, rhs[..., None] if vector else rhs)
    return out[..., 0] if vector else out


def tridiagonal_matmul(diagonals, rhs, diagonals_format="compact", name=None):
    """Tridiagonal matrix times ``rhs``."""
    from .linalg_ops import matmul
    return matmul(_tridiagonal_dense(diagonals, diagonals_format, "tridiagonal_matmul"),
                  convert_to_tensor(rhs))


def banded_triangular_solve(bands, rhs, lower=True, adjoint=False, name=None):
    """Solves with a banded triangular matrix stored as [..., K, M] bands (TF's
    LEFT_RIGHT layout: lower -> row k is the k-th subdiagonal; upper -> the last row is
    the diagonal)."""
    from .linalg_decomp import triangular_solve
    bands = convert_to_tensor(bands)
    k, m = (int(d) for d in shape_of(bands)[-2:])
    diag = _banded_dense(bands, [-i for i in range(k)] if lower else
                         list(range(k - 1, -1, -1)), m)
    return triangular_solve(diag, convert_to_tensor(rhs), lower=lower, adjoint=adjoint)
