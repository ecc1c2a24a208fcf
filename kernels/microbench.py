"""Time a kernel against the machine's measured ceilings (BENCHMARKING.md's method).

Ceilings are measured in the same process: memory-copy bandwidth (a large float32 copy,
bytes read + written) and float32 matmul rate (NumPy BLAS on the CPU, cuBLAS through
CuPy on the GPU). A kernel's result is its median time over repeats, its achieved GB/s
and GFLOP/s, and those as fractions of the ceilings.

    >>> import numpy as np
    >>> x = np.ones(1 << 16, np.float32)
    >>> r = bench(lambda: x * 2, bytes_moved=2 * x.nbytes, repeats=5,
    ...           ceilings={"copy_gbps": 10.0, "matmul_gflops": 100.0})
    >>> sorted(k for k in r if k.startswith("fraction"))
    ['fraction_of_copy']
"""
from __future__ import annotations

import statistics
import time

import numpy as np

_CEILINGS: dict = {}


def _cupy():
    import cupy
    return cupy


def time_callable(fn, *, device: str = "cpu", repeats: int = 20, warmup: int = 3) -> list:
    """Seconds per call, ``repeats`` samples after ``warmup`` calls (GPU: CUDA events)."""
    for _ in range(warmup):
        fn()
    samples = []
    if device == "gpu":
        cp = _cupy()
        cp.cuda.Device().synchronize()
        start, end = cp.cuda.Event(), cp.cuda.Event()
        for _ in range(repeats):
            start.record()
            fn()
            end.record()
            end.synchronize()
            samples.append(cp.cuda.get_elapsed_time(start, end) / 1e3)
    else:
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - t0)
    return samples


def measure_ceilings(device: str = "cpu", copy_bytes: int = 256 << 20,
                     matmul_n: int = 2048, repeats: int = 5) -> dict:
    """{"copy_gbps", "matmul_gflops"} measured now (cached per device and sizes)."""
    key = (device, copy_bytes, matmul_n)
    if key in _CEILINGS:
        return _CEILINGS[key]
    xp = _cupy() if device == "gpu" else np
    src = xp.ones(copy_bytes // 4, xp.float32)
    dst = xp.empty_like(src)
    t_copy = statistics.median(time_callable(lambda: xp.copyto(dst, src), device=device,
                                             repeats=repeats, warmup=1))
    a = xp.asarray(np.random.default_rng(0).standard_normal((matmul_n, matmul_n)),
                   dtype=xp.float32)
    t_mm = statistics.median(time_callable(lambda: a @ a, device=device, repeats=repeats,
                                           warmup=1))
    _CEILINGS[key] = {"copy_gbps": 2 * src.nbytes / t_copy / 1e9,
                      "matmul_gflops": 2 * matmul_n ** 3 / t_mm / 1e9}
    return _CEILINGS[key]


def bench(fn, *, bytes_moved: float | None = None, flops: float | None = None,
          device: str = "cpu", repeats: int = 20, warmup: int = 3,
          ceilings: dict | None = None) -> dict:
    """Median time of ``fn()`` and, given bytes/flops, its rates and fractions of ceiling.

    ``bytes_moved``: the minimum traffic the kernel must do (each input read once, each
    output written once); ``flops``: its arithmetic. Returns a dict with ``time_s``,
    ``times``, and when known ``gbps``, ``fraction_of_copy``, ``gflops``,
    ``fraction_of_matmul``, plus the ``ceilings`` used.
    """
    samples = time_callable(fn, device=device, repeats=repeats, warmup=warmup)
    t = statistics.median(samples)
    out = {"time_s": t, "times": samples, "device": device}
    if bytes_moved is None and flops is None:
        return out
    ceil = ceilings if ceilings is not None else measure_ceilings(device)
    out["ceilings"] = ceil
    if bytes_moved is not None:
        out["gbps"] = bytes_moved / t / 1e9
        out["fraction_of_copy"] = out["gbps"] / ceil["copy_gbps"]
    if flops is not None:
        out["gflops"] = flops / t / 1e9
        out["fraction_of_matmul"] = out["gflops"] / ceil["matmul_gflops"]
    return out
