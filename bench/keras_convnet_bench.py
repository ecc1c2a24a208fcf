"""The issue's small Keras convnet (28x28x1, batch 64: Conv2D 32 3x3 relu, MaxPool 2,
Conv2D 64 3x3 relu, MaxPool 2, Flatten, Dense 10) trained with ``fit``, side by side with
the same network in PyTorch (a plain loop: zero_grad, forward, cross entropy, backward,
Adam step) when torch is importable.

Rounds alternate the runners (cuflow compiled, cuflow eager, torch); a round is one
epoch of ``--steps`` batches (cuflow: one ``fit(epochs=1)`` call timed from the epoch's
first batch to its last, as Keras's own epoch timing). Each runner warms up first (cuflow
traces its train step and compiles its Numba kernels). ``--threads N`` gives every
runner N threads: OpenBLAS (threadpoolctl), Numba and torch.set_num_threads (one thread
also keeps cuflow's graph executor from running two ops at once). Besides
wall-clock samples/s, samples per CPU-second of the process (``time.process_time``) is
shown: on a shared machine it leaves out the time spent waiting for a core (meaningful at
1 thread; with more, it adds up the threads' time).

    python -m bench.keras_convnet_bench --threads 1 --rounds 7
    python -m bench.keras_convnet_bench --threads 1 --ops     # CPU ms per op and step
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from bench.harness import machine, table, try_import

BATCH = 64


def build(cf):
    K, L = cf.keras, cf.keras.layers
    return K.Sequential([K.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                         L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                         L.MaxPooling2D(2), L.Flatten(), L.Dense(10)])


def data(steps, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((steps * BATCH, 28, 28, 1), dtype=np.float32)
    return x, rng.integers(0, 10, size=steps * BATCH)


def cuflow_runner(cf, x, y, eager):
    """A callable training one epoch; returns ((wall s, process CPU s), last loss)."""
    cf.random.set_seed(0)
    model = build(cf)
    model.compile(optimizer=cf.keras.optimizers.Adam(1e-3),
                  loss=cf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  run_eagerly=eager)
    box = {}

    class Timer(cf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            box["t0"] = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            box["dt"] = time.perf_counter() - box["t0"][0], time.process_time() - box["t0"][1]

    def epoch():
        hist = model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False,
                         callbacks=[Timer()])
        return box["dt"], hist.history["loss"][-1]
    return epoch


def torch_runner(torch, x, y):
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(64 * 5 * 5, 10))
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt = torch.from_numpy(np.ascontiguousarray(x.transpose(0, 3, 1, 2)))
    yt = torch.from_numpy(y.astype(np.int64))

    def epoch():
        t0 = time.perf_counter(), time.process_time()
        for i in range(0, len(xt), BATCH):
            opt.zero_grad()
            loss = loss_fn(model(xt[i:i + BATCH]), yt[i:i + BATCH])
            loss.backward()
            opt.step()
        return (time.perf_counter() - t0[0], time.process_time() - t0[1]), loss.item()
    return epoch


def op_profile(cf, steps, epochs=3):
    """CPU ms per train step of each op in the compiled step: every executor step's call
    is wrapped (before the step is traced) with a ``time.thread_time`` timer."""
    import collections

    from cuflow.graph import executor
    spent, calls = collections.defaultdict(float), collections.Counter()
    bind = executor._bind

    def timed_bind(op, xp, dev, attrs):
        fn = bind(op, xp, dev, attrs)

        def call(*a, **k):
            t0 = time.thread_time()
            out = fn(*a, **k)
            spent[op.name] += time.thread_time() - t0
            calls[op.name] += 1
            return out
        return call
    executor._bind = timed_bind
    try:
        x, y = data(steps)
        run = cuflow_runner(cf, x, y, eager=False)
        run()
        spent.clear()
        calls.clear()
        cpu = sum(run()[0][1] for _ in range(epochs))
    finally:
        executor._bind = bind
    n = steps * epochs
    rows = [[k, f"{v / n * 1e3:.3f}", calls[k] // n] for k, v in
            sorted(spent.items(), key=lambda kv: -kv[1])]
    rows.append(["(all ops)", f"{sum(spent.values()) / n * 1e3:.3f}", ""])
    rows.append(["(whole step, process CPU)", f"{cpu / n * 1e3:.3f}", ""])
    print(table(rows, ["op", "CPU ms / step", "calls / step"]))


def _load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def set_threads(n, torch):
    """N threads for every runner; returns the threadpoolctl limiter to keep alive. One
    thread also turns off the graph executor's pool (independent big ops side by side);
    0 leaves every library's default (cuflow: BLAS threads chosen per GEMM size)."""
    if n == 0:
        return None
    if n == 1:
        os.environ["CUFLOW_GRAPH_THREADS"] = "0"
    limiter = None
    tpc = try_import("threadpoolctl")
    if tpc is not None:
        limiter = tpc.threadpool_limits(n)
    try:
        import numba
        numba.set_num_threads(min(n, numba.config.NUMBA_NUM_THREADS))
    except ImportError:
        pass
    if torch is not None:
        torch.set_num_threads(n)
    return limiter


def main():
    import cuflow as cf
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=16)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--threads", type=int, default=1, help="0: each library's default")
    p.add_argument("--no-eager", action="store_true")
    p.add_argument("--ops", action="store_true",
                   help="instead: CPU time per op of the compiled train step")
    args = p.parse_args()
    torch = try_import("torch")
    limiter = set_threads(args.threads, torch)  # noqa: F841 (kept alive for the run)
    if args.ops:
        return op_profile(cf, args.steps)
    x, y = data(args.steps)
    runners = {"cuflow fit (compiled)": cuflow_runner(cf, x, y, False)}
    if not args.no_eager:
        runners["cuflow fit (run_eagerly=True)"] = cuflow_runner(cf, x, y, True)
    if torch is not None:
        runners[f"torch {torch.__version__} loop"] = torch_runner(torch, x, y)
    for run in runners.values():
        run()                                   # warm-up: traces, compiles kernels
    rates = {k: [] for k in runners}
    cpu_rates = {k: [] for k in runners}
    losses = {}
    load = [_load()]
    for _ in range(args.rounds):
        for name, run in runners.items():
            (wall, cpu), losses[name] = run()
            rates[name].append(args.steps * BATCH / wall)
            cpu_rates[name].append(args.steps * BATCH / cpu)
    load.append(_load())
    ref = statistics.median(rates[next(iter(rates))])
    rows = [[name, f"{statistics.median(r):.0f}", f"{min(r):.0f}-{max(r):.0f}",
             f"{ref / statistics.median(r):.2f}",
             f"{statistics.median(cpu_rates[name]):.0f}", f"{losses[name]:.3f}"]
            for name, r in rates.items()]
    print(machine(), f"threads={args.threads}", f"loadavg {load[0]} -> {load[1]}")
    print(table(rows, ["runner", "samples/s (median)", "min-max", "compiled cuflow / it",
                       "samples/CPU-s", "last loss"]))


if __name__ == "__main__":
    main()
