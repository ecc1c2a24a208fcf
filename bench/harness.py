"""Shared benchmark harness: ceilings, medians, side-by-side ratios (BENCHMARKING.md).

Every workload measures the machine's ceilings in the same run (memory-copy bandwidth and
float32 matmul rate), alternates cuflow and its peers, warms each up, reports medians and
ratios, and checks results against a reference before timing.
"""
from __future__ import annotations

import gc
import os
import platform
import statistics
import time

import numpy as np


def median_time(fn, repeat=7, number=1, warmup=2):
    """Median seconds per call of ``fn`` over ``repeat`` rounds of ``number`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        gc.disable()
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
        gc.enable()
    return statistics.median(times)


def interleaved(fns: dict, repeat=7, number=1, warmup=2):
    """Median time of each callable, alternating them round by round (fair on noisy boxes)."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    samples = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            gc.disable()
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples[k].append((time.perf_counter() - t0) / number)
            gc.enable()
    return {k: statistics.median(v) for k, v in samples.items()}


def copy_bandwidth(nbytes=256 << 20):
    """Measured memory-copy bandwidth in bytes/s (read + write) of a large float32 copy."""
    n = nbytes // 4
    a = np.ones(n, np.float32)
    b = np.empty_like(a)
    t = median_time(lambda: np.copyto(b, a), repeat=5)
    return 2 * nbytes / t


def matmul_rate(n=2048):
    """Measured float32 matmul rate in flop/s (NumPy's BLAS)."""
    a = np.random.default_rng(0).standard_normal((n, n)).astype(np.float32)
    t = median_time(lambda: a @ a, repeat=3, warmup=1)
    return 2 * n ** 3 / t


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "numpy": np.__version__,
            "python": platform.python_version()}


def table(rows, headers):
    """A Markdown table of ``rows`` (lists of cells)."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in
              enumerate(headers)]
    line = "| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths)) + " |"
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    return "\n".join([line, sep] + body)


def try_import(name):
    try:
        return __import__(name)
    except Exception:  # noqa: BLE001 - a missing or broken peer is simply skipped
        return None


class EpochWorker:
    """A runner in its own process, for benchmarks that alternate frameworks without
    sharing a process (a peer's leftover thread pools: PyTorch's OpenMP threads, XLA's
    Eigen pool, OpenBLAS's spinning helpers, slow the next framework's run). Starts
    ``python <script> <args>``, whose main calls ``serve_epochs(make_runner())``; calling
    the worker runs one round there and returns its line's numbers."""

    def __init__(self, script, args):
        import subprocess
        import sys
        self.proc = subprocess.Popen([sys.executable, script, *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError(f"worker {args} failed to start")

    def __call__(self):
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        return tuple(float(v) for v in self.proc.stdout.readline().split())

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait()


def serve_epochs(run):
    """The worker side of EpochWorker: "ready", then ``run()``'s numbers for each "run"."""
    import sys
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        out = run()
        print(*(out if isinstance(out, tuple) else (out,)), flush=True)
