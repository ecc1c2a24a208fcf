"""Overhead of logging one scalar per step with cf.summary, as a ratio to not logging.

A NumPy MLP training step (forward, backward, SGD) runs with and without
``cf.summary.scalar("loss", loss, step=i)`` inside ``writer.as_default()``. Variants are
interleaved in one process (median of repeats), the final weights must be identical with
and without logging, and every logged event is read back from disk.

    python bench/summary_overhead.py [--steps 300] [--repeats 5]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

import numpy as np
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader

import cuflow as cf
from cuflow.summary import _event_file


class MLP:
    """784-hidden-10 ReLU MLP with softmax cross-entropy, hand-written backward and SGD."""

    def __init__(self, hidden, seed=0):
        rng = np.random.default_rng(seed)
        self.w1 = (rng.normal(size=(784, hidden)) * 0.05).astype(np.float32)
        self.w2 = (rng.normal(size=(hidden, 10)) * 0.05).astype(np.float32)

    def step(self, x, y, lr=0.05):
        h = np.maximum(x @ self.w1, 0)
        logits = h @ self.w2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(p[np.arange(len(y)), y] + 1e-9).mean()
        g = p
        g[np.arange(len(y)), y] -= 1
        g /= len(y)
        gw2 = h.T @ g
        gh = (g @ self.w2.T) * (h > 0)
        self.w1 -= lr * (x.T @ gh)
        self.w2 -= lr * gw2
        return loss


def run(hidden, batch, steps, mode, logdir):
    rng = np.random.default_rng(1)
    xs = rng.random((steps, batch, 784), dtype=np.float32)
    ys = rng.integers(0, 10, size=(steps, batch))
    model = MLP(hidden)
    writer = cf.summary.create_file_writer(logdir) if mode != "none" else None
    t0 = time.perf_counter()
    if writer is None:
        for i in range(steps):
            model.step(xs[i], ys[i])
    else:
        with writer.as_default():
            for i in range(steps):
                loss = model.step(xs[i], ys[i])
                cf.summary.scalar("loss", loss, step=i)
    elapsed = time.perf_counter() - t0  # the loop only: as_default's exit flush is excluded
    if writer is not None:
        writer.close()
        n = sum(1 for e in EventFileLoader(writer.path).Load() if e.HasField("summary"))
        assert n == steps, f"{n} events on disk, expected {steps}"
    return elapsed / steps, model


def scalar_call_cost(n=20000):
    """Microseconds per cf.summary.scalar call alone (no training work)."""
    with tempfile.TemporaryDirectory() as d:
        w = cf.summary.create_file_writer(d)
        with w.as_default():
            t0 = time.perf_counter()
            for i in range(n):
                cf.summary.scalar("x", 0.5, step=i)
            per = (time.perf_counter() - t0) / n
        t1 = time.perf_counter()
        w.close()
        drain = time.perf_counter() - t1
    return per * 1e6, drain


def ceilings():
    a = np.ones(64 * 2**20 // 4, np.float32)
    b = np.empty_like(a)
    best = min(_timed(lambda: np.copyto(b, a)) for _ in range(5))
    m = np.random.default_rng(0).random((2048, 2048), dtype=np.float32)
    mm = min(_timed(lambda: m @ m) for _ in range(3))
    return 2 * a.nbytes / best / 1e9, 2 * 2048**3 / mm / 1e9


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    bw, gflops = ceilings()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}, NumPy {np.__version__}")
    print(f"# ceilings: copy {bw:.1f} GB/s, float32 matmul {gflops:.0f} GFLOP/s")
    print(f"# crc32c (C) available: {_event_file._fast_crc32c is not None}")
    fast_crc = _event_file._fast_crc32c
    for crc in (["c", "python"] if fast_crc is not None else ["python"]):
        _event_file._fast_crc32c = fast_crc if crc == "c" else None
        us, drain = scalar_call_cost()
        print(f"scalar() call alone [{crc} crc]: {us:.1f} us/call (close drained in "
              f"{drain * 1e3:.0f} ms)")
    _event_file._fast_crc32c = fast_crc
    print("| MLP (hidden, batch) | step, no logging | step, scalar/step | ratio |")
    print("|---|---|---|---|")
    for hidden, batch in ((256, 128), (32, 16)):
        times = {"none": [], "scalar": []}
        with tempfile.TemporaryDirectory() as root:
            run(hidden, batch, 20, "none", root)  # warm up BLAS and the writer path
            run(hidden, batch, 20, "scalar", os.path.join(root, "warm"))
            for r in range(args.repeats):
                for mode in (("none", "scalar") if r % 2 == 0 else ("scalar", "none")):
                    per, model = run(hidden, batch, args.steps, mode,
                                     os.path.join(root, f"{mode}{r}"))
                    times[mode].append(per)
                    weights = getattr(main, "_w", None)
                    if weights is not None and weights[0] == (hidden, batch):
                        assert np.array_equal(weights[1], model.w1), "logging changed math"
                    main._w = ((hidden, batch), model.w1.copy())
        base, logged = (statistics.median(times[m]) for m in ("none", "scalar"))
        print(f"| {hidden}, {batch} | {base * 1e6:.0f} us | {logged * 1e6:.0f} us | "
              f"{logged / base:.3f} |")


if __name__ == "__main__":
    main()
