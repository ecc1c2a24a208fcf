"""The array namespace per device: NumPy on the CPU, CuPy (imported lazily) on GPUs.

A backend knows its namespace ``xp`` and how to move arrays to and from the host.
Nothing here imports CuPy until a GPU is asked for.
"""
from __future__ import annotations

from .cpu import CpuBackend
from . import gpu as _gpu

_cpu = CpuBackend()
_logical_cpus = [1]


def cpu() -> CpuBackend:
    return _cpu


def gpu(index: int):
    return _gpu.GpuBackend(index)


def gpu_count() -> int:
    return _gpu.device_count()


def logical_cpu_count() -> int:
    return _logical_cpus[0]


def set_logical_cpu_count(n: int) -> None:
    _logical_cpus[0] = max(1, int(n))


def to_numpy(array):
    """A host NumPy array of any backend's array."""
    if type(array).__module__.startswith("cupy"):
        return array.get()
    return array
