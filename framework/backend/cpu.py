"""The CPU backend: NumPy."""
from __future__ import annotations

import numpy as np


class CpuBackend:
    name = "cpu"
    xp = np

    def asarray(self, value, dtype=None):
        if type(value).__module__.startswith("cupy"):
            value = value.get()
        return np.asarray(value, dtype=dtype)

    def to_numpy(self, array):
        return array

    def synchronize(self):
        pass
