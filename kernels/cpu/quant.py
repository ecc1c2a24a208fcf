"""int8 x int8 -> int32 GEMM on the CPU with Numba (reference/quant API).

NumPy has no integer BLAS (``a.astype(int32) @ b`` runs a slow generic loop); this
kernel widens int8 to int32 inside a vectorized multiply-add over rows of b. Zero points
are folded in afterwards with row/column sums: (a-za)(b-zb) = ab - za*colsum(b) - zb*rowsum(a) + K*za*zb.
"""
import numpy as np

from .._checks import check_ndim


def _jit():
    from . import _jit_optim
    return _jit_optim


def matmul_int8(a, b, a_zero_point=0, b_zero_point=0):
    """Exact int32 result of sum_k (a[i,k] - za) * (b[k,j] - zb)."""
    check_ndim("matmul_int8", a, 2, name="a")
    check_ndim("matmul_int8", b, 2, name="b")
    if a.dtype != np.int8 or b.dtype != np.int8:
        raise ValueError(f"matmul_int8: a and b must be int8, got {a.dtype} {a.shape} and "
                         f"{b.dtype} {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul_int8: inner dimensions differ: a {a.shape}, b {b.shape}")
    out = np.zeros((a.shape[0], b.shape[1]), np.int32)
    if out.size and a.shape[1]:
        _jit().matmul_int8(np.ascontiguousarray(a), np.ascontiguousarray(b), out)
    k = a.shape[1]
    if b_zero_point:
        out -= np.int32(b_zero_point) * a.sum(axis=1, dtype=np.int32)[:, None]
    if a_zero_point:
        out -= np.int32(a_zero_point) * b.sum(axis=0, dtype=np.int32)[None, :]
    if a_zero_point and b_zero_point:
        out += np.int32(k * a_zero_point * b_zero_point)
    return out
