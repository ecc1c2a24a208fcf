"""Zero-copy exchange with CuPy, PyTorch, JAX and NumPy (DLPack, __cuda_array_interface__).

``cf.experimental.dlpack.from_dlpack(obj)`` takes any object with ``__dlpack__`` (a torch
or JAX array, a CuPy/NumPy array) or a legacy DLPack capsule; CUDA memory becomes a GPU
tensor sharing the buffer, host memory a CPU tensor. ``to_dlpack(t)`` returns a capsule.
"""
from __future__ import annotations

import numpy as np

from . import placement
from .tensor import Tensor

_KDL_CPU, _KDL_CUDA, _KDL_CUDA_HOST = 1, 2, 3


def from_dlpack(obj) -> Tensor:
    """A tensor viewing ``obj``'s memory (no copy)."""
    if isinstance(obj, Tensor):
        return obj
    if hasattr(obj, "__dlpack_device__"):
        kind, index = obj.__dlpack_device__()
        if int(kind) == _KDL_CUDA:
            cp = _cupy()
            return Tensor(cp.from_dlpack(obj), placement._make("GPU", int(index)))
        return Tensor(np.from_dlpack(obj), placement.CPU0)
    if type(obj).__name__ == "PyCapsule":  # legacy capsule: only CuPy knows the device
        try:
            cp = _cupy()
            return Tensor(cp.from_dlpack(obj), placement._make("GPU", cp.cuda.Device().id))
        except Exception as e:  # noqa: BLE001
            raise TypeError("from_dlpack: a bare DLPack capsule needs CuPy; pass the array "
                            "object itself (it carries its device)") from e
    if hasattr(obj, "__cuda_array_interface__"):
        return from_cuda_array_interface(obj)
    raise TypeError(f"from_dlpack: {type(obj).__name__} supports neither __dlpack__ nor "
                    "__cuda_array_interface__")


def to_dlpack(t: Tensor):
    """A DLPack capsule of the tensor's buffer (the consumer must not write to it)."""
    return t.__dlpack__()


def from_cuda_array_interface(obj) -> Tensor:
    cp = _cupy()
    arr = cp.asarray(obj)
    return Tensor(arr, placement._make("GPU", arr.device.id))


def _cupy():
    from .backend import gpu
    return gpu.cupy_module()
