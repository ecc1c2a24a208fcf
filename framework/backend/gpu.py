"""The GPU backend: CuPy arrays on one CUDA device. CuPy is imported on first use.

Without a driver ``import cupy`` works but every allocation fails, so the probe asks
``cupy.cuda.is_available()`` and treats any failure as "no GPU", quietly.
"""
from __future__ import annotations

import importlib.util

_count: list[int] = []


def cupy_module():
    import cupy

    return cupy


def device_count() -> int:
    if not _count:
        n = 0
        if importlib.util.find_spec("cupy") is not None:
            try:
                cp = cupy_module()
                if cp.cuda.is_available():
                    n = cp.cuda.runtime.getDeviceCount()
            except Exception:  # no driver, broken install: run on the CPU
                n = 0
        _count.append(n)
    return _count[0]


class GpuBackend:
    name = "gpu"

    def __init__(self, index: int):
        self.index = index
        self.xp = cupy_module()
        self._device = self.xp.cuda.Device(index)

    def asarray(self, value, dtype=None):
        with self._device:
            return self.xp.asarray(value, dtype=dtype)

    def to_numpy(self, array):
        return array.get()

    def synchronize(self):
        self._device.synchronize()
