"""int8 quantization and int8 x int8 -> int32 GEMM (NumPy truth for quantized inference).

Affine scheme: real = scale * (q - zero_point), q clipped to [-128, 127].
"""
import numpy as np

from .._checks import check_ndim


def quantize_int8(x, scale, zero_point=0):
    """round(x / scale) + zero_point, clipped to int8 (round half to even, like TFLite)."""
    if scale <= 0:
        raise ValueError(f"quantize_int8: scale must be positive, got {scale}")
    q = np.rint(np.asarray(x, np.float32) / np.float32(scale)) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def dequantize_int8(q, scale, zero_point=0):
    """scale * (q - zero_point) as float32."""
    return (np.asarray(q, np.int32) - zero_point).astype(np.float32) * np.float32(scale)


def matmul_int8(a, b, a_zero_point=0, b_zero_point=0):
    """sum_k (a[i,k] - za) * (b[k,j] - zb) exactly, in int32: (M,K) x (K,N) -> (M,N)."""
    check_ndim("matmul_int8", a, 2, name="a")
    check_ndim("matmul_int8", b, 2, name="b")
    if a.dtype != np.int8 or b.dtype != np.int8:
        raise ValueError(f"matmul_int8: a and b must be int8, got {a.dtype} {a.shape} and "
                         f"{b.dtype} {b.shape}")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul_int8: inner dimensions differ: a {a.shape}, b {b.shape}")
    # float64 holds every partial sum exactly (|term| <= 2^16, K < 2^36) and uses BLAS.
    a64 = a.astype(np.float64) - a_zero_point
    b64 = b.astype(np.float64) - b_zero_point
    return (a64 @ b64).astype(np.int32)
