"""Overhead of logging one scalar per step with cf.summary, as a ratio to not logging.

A NumPy MLP training step (forward, backward, SGD) runs with and without
``cf.summary.scalar("loss", loss, step=i)`` inside ``writer.as_default()``. Variants are
interleaved in one process (median of repeats), the final weights must be identical with
and without logging, and every logged event is read back from disk.

    python bench/summary_overhead.py [--steps 100] [--repeats 21] [--python-crc]
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time

import cuflow as cf
import numpy as np
from cuflow.summary import _event_file
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.compat.proto import event_pb2
from tensorboard.plugins.scalar.summary_v2 import scalar_pb
from tensorboard.summary.writer.event_file_writer import EventFileWriter


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
    """Seconds per step of ``steps`` MLP steps, logging the loss as ``mode`` says:

    none: no logging; inline: cf.summary.scalar (default writer); thread: the same with
    full batches forced onto the writer thread; tb: the peer, TensorBoard's own
    ``EventFileWriter`` (queue + thread) fed ``scalar_pb`` protos.
    """
    rng = np.random.default_rng(1)
    xs = rng.random((steps, batch, 784), dtype=np.float32)
    ys = rng.integers(0, 10, size=(steps, batch))
    model = MLP(hidden)
    if mode == "none":
        t0 = time.perf_counter()
        for i in range(steps):
            model.step(xs[i], ys[i])
        return (time.perf_counter() - t0) / steps, model
    if mode == "tb":
        tb = EventFileWriter(logdir, max_queue_size=10, flush_secs=120)
        t0 = time.perf_counter()
        for i in range(steps):
            loss = model.step(xs[i], ys[i])
            tb.add_event(event_pb2.Event(wall_time=time.time(), step=i,
                                         summary=scalar_pb("loss", loss)))
        elapsed = time.perf_counter() - t0
        tb.close()
        path = tb._file_name
    else:
        writer = cf.summary.create_file_writer(logdir)
        if mode == "thread":  # what a slow file system switches to: the thread writes
            writer._file._inline = False
        with writer.as_default():
            t0 = time.perf_counter()
            for i in range(steps):
                loss = model.step(xs[i], ys[i])
                cf.summary.scalar("loss", loss, step=i)
            elapsed = time.perf_counter() - t0  # as_default's exit flush is not counted
        writer.close()
        path = writer.path
    n = sum(1 for e in EventFileLoader(path).Load() if e.HasField("summary"))
    assert n == steps, f"{mode}: {n} events on disk, expected {steps}"
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


def profiler_costs(n=100000):
    """Microseconds: the hooks' cost with and without a profile, and a profiled eager op."""
    import timeit

    def per(fn, k=n):
        return min(timeit.repeat(fn, number=k, repeat=3)) / k * 1e6
    out = {"active() check": per(cf.profiler.active),
           "record_span, not profiling": per(lambda: cf.profiler.record_span("a", "op", 0, 1))}
    x = cf.constant([1.0, 2.0])
    out["eager add, not profiling"] = per(lambda: x + x, 20000)
    with tempfile.TemporaryDirectory() as d:
        with cf.profiler.experimental.Profile(d):
            out["record_span, profiling"] = per(lambda: cf.profiler.record_span("a", "op", 0, 1))
            out["eager add, profiling (dispatcher hook)"] = per(lambda: x + x, 20000)
    return out


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
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=21)
    ap.add_argument("--python-crc", action="store_true",
                    help="use TensorBoard's pure-Python CRC32C even if crc32c is installed")
    args = ap.parse_args()
    if args.python_crc:
        _event_file._fast_crc32c = None
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
    for what, us in profiler_costs().items():
        print(f"profiler: {what}: {us:.2f} us")
    modes = ("none", "inline", "thread", "tb")
    print("| MLP (hidden, batch) | step, no logging | + cf.summary.scalar | ratio | "
          "+ scalar, writer thread forced | ratio | + TensorBoard EventFileWriter (peer) "
          "| ratio |")
    print("|---|---|---|---|---|---|---|---|")
    for hidden, batch in ((256, 128), (32, 16)):
        times = {m: [] for m in modes}
        with tempfile.TemporaryDirectory() as root:
            _, reference = run(hidden, batch, args.steps, "none", root)  # + BLAS warm-up
            for m in modes[1:]:
                run(hidden, batch, 20, m, os.path.join(root, "warm" + m))
            for r in range(args.repeats):
                for mode in modes[r % 4:] + modes[:r % 4]:  # rotate the order
                    per, model = run(hidden, batch, args.steps, mode,
                                     os.path.join(root, f"{mode}{r}"))
                    assert np.array_equal(model.w1, reference.w1), "logging changed the math"
                    times[mode].append(per)
        med = {m: statistics.median(times[m]) for m in modes}
        cells = [f"{med['none'] * 1e6:.0f} us"]
        for m in modes[1:]:
            cells += [f"{med[m] * 1e6:.0f} us", f"{med[m] / med['none']:.3f}"]
        print(f"| {hidden}, {batch} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
