"""The GPU backend: CuPy arrays on one CUDA device. CuPy is imported on first use.

Without a driver ``import cupy`` works but every allocation fails, so the probe asks
``cupy.cuda.is_available()`` and treats any failure as "no GPU", quietly.

Memory: CuPy's pool grows on demand (nothing is reserved up front, unlike TF/JAX's
default); a per-device limit comes from ``cf.config.set_logical_device_configuration``
(``memory_limit`` in MiB). Allocations go through a small allocator that records the
peak in-use bytes for ``cf.config.experimental.get_memory_info``.

Streams: each device has a compute stream (CuPy's current stream) and a copy stream for
host-to-device transfers from pinned buffers, ordered before compute with an event; graphs
add side compute streams for independent branches (``side_streams``, graph/streams.py).
"""
from __future__ import annotations

import importlib.util
import threading

_count: list[int] = []
_limits: dict[int, int] = {}     # device index -> bytes
_peak: dict[int, int] = {}
_lock = threading.Lock()


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


def set_memory_limit(index: int, limit_bytes: int | None) -> None:
    if limit_bytes is None:
        _limits.pop(index, None)
    else:
        _limits[index] = int(limit_bytes)


def memory_stats(index: int) -> dict:
    cp = cupy_module()
    with cp.cuda.Device(index):
        pool = cp.get_default_memory_pool()
        used = pool.used_bytes()
    return {"current": used, "peak": max(_peak.get(index, 0), used),
            "reserved": pool.total_bytes()}


def reset_peak(index: int) -> None:
    _peak.pop(index, None)


def _tracking_allocator(cp):
    pool = cp.get_default_memory_pool()

    def malloc(size):
        dev = cp.cuda.runtime.getDevice()
        limit = _limits.get(dev)
        if limit is not None and pool.used_bytes() + size > limit:
            raise cp.cuda.memory.OutOfMemoryError(size, pool.total_bytes(), limit)
        ptr = pool.malloc(size)
        used = pool.used_bytes()
        if used > _peak.get(dev, 0):
            _peak[dev] = used
        return ptr
    return malloc


_installed = []


class GpuBackend:
    name = "gpu"

    def __init__(self, index: int):
        self.index = index
        self.xp = cupy_module()
        self._device = self.xp.cuda.Device(index)
        with _lock:
            if not _installed:
                self.xp.cuda.set_allocator(_tracking_allocator(self.xp))
                _installed.append(True)
        with self._device:
            self.compute_stream = self.xp.cuda.get_current_stream()
            self.copy_stream = self.xp.cuda.Stream(non_blocking=True)

    def side_streams(self, n):
        """``n`` extra non-blocking compute streams (made once, reused): the graph
        executor runs independent branches on them, joined back with events."""
        have = getattr(self, "_side", [])
        with self._device:
            while len(have) < n:
                have.append(self.xp.cuda.Stream(non_blocking=True))
        self._side = have
        return have[:n]

    def asarray(self, value, dtype=None):
        with self._device:
            return self.xp.asarray(value, dtype=dtype)

    def to_device_async(self, host_array):
        """Copies a NumPy array through a pinned buffer on the copy stream; compute waits
        for the copy with an event, so the caller may go on at once."""
        import numpy as np

        cp = self.xp
        host_array = np.ascontiguousarray(host_array)
        with self._device:
            mem = cp.cuda.alloc_pinned_memory(host_array.nbytes)
            pinned = np.frombuffer(mem, host_array.dtype, host_array.size).reshape(
                host_array.shape)
            pinned[...] = host_array
            out = cp.empty(host_array.shape, host_array.dtype)
            out.set(pinned, stream=self.copy_stream)
            done = self.copy_stream.record()
            self.compute_stream.wait_event(done)
        return out

    def to_numpy(self, array):
        return array.get()

    def synchronize(self):
        self._device.synchronize()
