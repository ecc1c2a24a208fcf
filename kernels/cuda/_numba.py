"""Lazy access to numba.cuda for the Numba CUDA kernels (simulator or real GPU).

Kernels are built on first use, so importing cuflow_kernels never imports Numba. Under
``NUMBA_ENABLE_CUDASIM=1`` the same kernels run on NumPy arrays in Numba's simulator.
"""
import numpy as np


def cuda():
    from numba import cuda as nb_cuda
    return nb_cuda


def on_device(x) -> bool:
    return hasattr(x, "__cuda_array_interface__")


def empty_like_input(x, shape, dtype):
    """An output on the same side as x: a device array for device input, else NumPy."""
    if on_device(x):
        return cuda().device_array(shape, dtype=dtype)
    return np.empty(shape, dtype=dtype)


def grid(n: int, block: int = 128, max_blocks: int = 1024) -> int:
    return max(1, min((n + block - 1) // block, max_blocks))
