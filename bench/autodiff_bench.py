"""Autodiff benchmark: tape overhead per recorded op, and forward+backward of an MLP.

    python bench/autodiff_bench.py [--repeats 7] [--quick]

1. Tape overhead: N small elementwise ops (4-element float32) with no tape, with a tape
   that watches nothing (ops are not recorded), and with a tape recording every op; the
   reverse pass per recorded op is timed too. Reported in microseconds per op.
2. MLP step: batch 128, 784-512-512-10, float32, ReLU, softmax cross-entropy written with
   cuflow ops; forward + backward (gradients of all weights). Peers in the same process:
   hand-written NumPy backprop (the floor for NumPy-based eager execution) and PyTorch
   autograd when ``import torch`` works. Gradients are checked against NumPy's.
Ceilings (memory-copy bandwidth, float32 matmul rate) are measured in the same run.
"""
from __future__ import annotations

import argparse
import platform
import resource
import statistics
import time

import numpy as np

import cuflow as cf

B, SIZES = 128, (784, 512, 512, 10)


def _median_ms(fn, repeats, inner=1):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner * 1e3)
    return statistics.median(times)


def ceilings():
    a = np.ones(32 * 2**20 // 4, np.float32)
    b = np.empty_like(a)
    t = min(_timeit(lambda: np.copyto(b, a)) for _ in range(5))
    bw = 2 * a.nbytes / t / 1e9
    m = np.random.default_rng(0).random((1024, 1024), dtype=np.float32)
    t = min(_timeit(lambda: m @ m) for _ in range(3))
    return bw, 2 * 1024**3 / t / 1e9


def _timeit(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# --- 1. tape overhead ---------------------------------------------------------------------
def tape_overhead(n_ops=2000, repeats=7):
    x = cf.constant(np.arange(4, dtype=np.float32))
    y = cf.constant(np.full(4, 0.5, np.float32))

    def chain(v):
        for _ in range(n_ops):
            v = v * y
        return v

    def no_tape():
        chain(x)

    def idle_tape():
        with cf.GradientTape():
            chain(x)

    def recording():
        with cf.GradientTape() as t:
            t.watch(x)
            chain(x)

    def with_backward():
        with cf.GradientTape() as t:
            t.watch(x)
            out = chain(x)
        t.gradient(out, x)

    res = {name: _median_ms(f, repeats) * 1e3 / n_ops for name, f in
           [("no tape", no_tape), ("tape, nothing watched", idle_tape),
            ("tape recording", recording), ("record + gradient", with_backward)]}
    return res


# --- 2. MLP ---------------------------------------------------------------------------------
def _data(rng):
    x = rng.normal(size=(B, SIZES[0])).astype(np.float32)
    labels = rng.integers(0, SIZES[-1], B)
    onehot = np.eye(SIZES[-1], dtype=np.float32)[labels]
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params.append(rng.normal(scale=np.sqrt(2.0 / n_in), size=(n_in, n_out))
                      .astype(np.float32))
        params.append(np.zeros(n_out, np.float32) + 0.01)
    return x, onehot, params


def cuflow_step(x, onehot, params):
    def step():
        with cf.GradientTape() as tape:
            h = x
            for i in range(0, len(params) - 2, 2):
                h = cf.maximum(cf.matmul(h, params[i]) + params[i + 1], 0.0)
            logits = cf.matmul(h, params[-2]) + params[-1]
            logp = logits - cf.reduce_logsumexp(logits, axis=-1, keepdims=True)
            loss = -cf.reduce_mean(cf.reduce_sum(onehot * logp, axis=-1))
        return loss, tape.gradient(loss, params)
    return step


def numpy_step(x, onehot, params):
    def step():
        hs, h = [x], x
        for i in range(0, len(params) - 2, 2):
            h = np.maximum(h @ params[i] + params[i + 1], 0.0)
            hs.append(h)
        logits = h @ params[-2] + params[-1]
        z = logits - logits.max(axis=-1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=-1, keepdims=True)
        loss = -np.mean(np.sum(onehot * (z - np.log(np.exp(z).sum(-1, keepdims=True))), -1))
        d = (p - onehot) / B
        grads = [None] * len(params)
        for i in range(len(params) - 2, -1, -2):
            grads[i] = hs[i // 2].T @ d
            grads[i + 1] = d.sum(0)
            if i:
                d = (d @ params[i].T) * (hs[i // 2] > 0)
        return loss, grads
    return step


def torch_step(torch, x, onehot, params):
    tx, to = torch.from_numpy(x), torch.from_numpy(onehot)
    tp = [torch.from_numpy(p.copy()).requires_grad_() for p in params]

    def step():
        h = tx
        for i in range(0, len(tp) - 2, 2):
            h = torch.relu(h @ tp[i] + tp[i + 1])
        logits = h @ tp[-2] + tp[-1]
        loss = -(to * torch.log_softmax(logits, -1)).sum(-1).mean()
        return loss, torch.autograd.grad(loss, tp)
    return step


def mlp(repeats=7):
    rng = np.random.default_rng(0)
    x, onehot, params = _data(rng)
    cparams = [cf.Variable(p) for p in params]
    steps = {"cuflow (GradientTape)": cuflow_step(cf.constant(x), cf.constant(onehot),
                                                  cparams),
             "NumPy (hand-written backprop)": numpy_step(x, onehot, params)}
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        import torch
        steps[f"PyTorch {torch.__version__} autograd"] = torch_step(torch, x, onehot, params)
    except ImportError:
        torch = None
    # correctness: every peer's gradients against NumPy's
    _, want = steps["NumPy (hand-written backprop)"]()
    for name, step in steps.items():
        _, got = step()
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.asarray(g.numpy() if hasattr(g, "numpy") else g),
                                       w, rtol=2e-3, atol=2e-5, err_msg=name)
    times = {name: [] for name in steps}
    for _ in range(repeats):            # alternate the contenders
        for name, step in steps.items():
            times[name].append(_median_ms(step, 1, inner=3))
    return {k: statistics.median(v) for k, v in times.items()}, rss_kb


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    reps = 3 if args.quick else args.repeats
    bw, gflops = ceilings()
    print(f"machine: {platform.processor() or platform.machine()}, numpy {np.__version__}; "
          f"copy bandwidth {bw:.1f} GB/s, float32 matmul {gflops:.0f} GFLOP/s")
    print("\n## Tape overhead (chains of 4-element float32 multiplies, us per op)")
    lengths = (200, 2000)
    rows = [tape_overhead(n, reps) for n in lengths]
    print("| mode | " + " | ".join(f"{n}-op chain" for n in lengths) + " |")
    print("|---|" + "---|" * len(lengths))
    for k in rows[0]:
        print(f"| {k} | " + " | ".join(f"{r[k]:.2f}" for r in rows) + " |")
    res, rss_kb = mlp(reps)
    flops = 3 * 2 * B * sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))
    base = res["NumPy (hand-written backprop)"]
    print(f"\n## MLP forward+backward, batch {B}, {'-'.join(map(str, SIZES))}, float32"
          f" (peak RSS before peers: {rss_kb / 1024:.0f} MiB)")
    print("| implementation | ms/step | ratio to NumPy | fraction of matmul ceiling |")
    print("|---|---|---|---|")
    for k, v in res.items():
        print(f"| {k} | {v:.2f} | {v / base:.2f} | {flops / (v * 1e-3) / 1e9 / gflops:.2f} |")


if __name__ == "__main__":
    main()
