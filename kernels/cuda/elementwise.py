"""axpy as a Numba CUDA grid-stride kernel: the elementwise pattern, run in the simulator."""
import numpy as np

from .._checks import check_float, check_same_shape
from ._numba import empty_like_input, grid


def axpy(alpha, x, y):
    """alpha * x + y (float32/float64; NumPy arrays in the simulator, device arrays on GPUs)."""
    check_float("axpy", x=x, y=y)
    check_same_shape("axpy", x=x, y=y)
    if np.dtype(x.dtype) not in (np.float32, np.float64) or x.dtype != y.dtype:
        raise ValueError(f"axpy: x and y must share a float32/float64 dtype, got {x.dtype} "
                         f"and {y.dtype}")
    out = empty_like_input(x, x.shape, x.dtype)
    if x.size:
        from ._numba_kernels import axpy_kernel
        axpy_kernel[grid(x.size), 128](x.dtype.type(alpha), x.reshape(-1), y.reshape(-1),
                                       out.reshape(-1))
    return out
