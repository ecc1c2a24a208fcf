"""Dropout with Philox4x32-10 on the GPU: a CuPy kernel (dropout.cu) and a Numba CUDA
kernel (``dropout_numba``, also run in the simulator). Both produce the exact mask of
reference/dropout.py for the same (seed, offset).
"""
import numpy as np

from .._checks import check_float
from ._loader import acc_of, cupy, grid_for, kernel, suffix
from ._numba import empty_like_input, grid

MASK32 = 0xFFFFFFFF


def _check_rate(rate):
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")


def dropout(x, rate, seed, offset=0):
    """(y, mask): y = x * mask / (1 - rate); mask is a bool array (CuPy)."""
    check_float("dropout", x=x)
    _check_rate(rate)
    cp = cupy()
    a = cp.ascontiguousarray(x)
    y = cp.empty_like(a)
    mask = cp.empty(a.shape, cp.uint8)
    if a.size:
        acc = acc_of(x)
        kernel("dropout", f"dropout_{suffix('dropout', x)}")(
            grid_for((a.size + 3) // 4), (256,),
            (a, y, mask, np.int64(a.size), np.float32(rate), acc(1.0 / (1.0 - rate)),
             np.uint64(int(seed) & 0xFFFFFFFFFFFFFFFF), np.uint64(offset)))
    return y, mask.view(cp.bool_)


def philox_uniform(n, seed, offset=0):
    """n float32 uniforms in [0, 1), the stream reference/dropout.philox_uniform gives."""
    cp = cupy()
    out = cp.empty(n, cp.float32)
    if n:
        kernel("dropout", "philox_uniform_f32")(
            grid_for((n + 3) // 4), (256,),
            (out, np.int64(n), np.uint64(int(seed) & 0xFFFFFFFFFFFFFFFF), np.uint64(offset)))
    return out


def dropout_numba(x, rate, seed, offset=0):
    """The Numba CUDA version of :func:`dropout` (NumPy arrays in the simulator)."""
    check_float("dropout_numba", x=x)
    _check_rate(rate)
    if np.dtype(x.dtype) not in (np.float32, np.float64):
        raise ValueError(f"dropout_numba: float32/float64 only, got {x.dtype}")
    flat = x.reshape(-1)
    y = empty_like_input(x, flat.shape, x.dtype)
    mask = empty_like_input(x, flat.shape, np.uint8)
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    if flat.size:
        from ._numba_kernels import dropout_kernel
        dropout_kernel[grid((flat.size + 3) // 4), 128](
            flat, y, mask, np.float32(rate), x.dtype.type(1.0 / (1.0 - rate)),
            seed & MASK32, seed >> 32, int(offset))
    if isinstance(mask, np.ndarray):
        mask = mask.view(np.bool_)
    return y.reshape(x.shape), mask.reshape(x.shape)

