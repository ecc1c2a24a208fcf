"""Input-pipeline throughput: cf.data vs a NumPy slice loop (and PyTorch's DataLoader,
tf.data when importable), one process, alternating rounds, medians and ratios.

    python -m bench.data_bench [--epochs 5] [--quick]

Workload 1 (the issue's pipeline, as written): from_tensor_slices((x, y)) over
60000x784 float32 + int64 labels -> map(lambda x, y: (x*2-1, y), AUTOTUNE) ->
shuffle(1000) -> batch(128) -> prefetch(AUTOTUNE), one epoch per round.
Workload 2: a 1 ms Python map (time.sleep, releases the GIL) at 1, 2, 4 threads and
AUTOTUNE, against the ideal 1000 x threads elements/s.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench.harness import copy_bandwidth, machine, table, try_import

N, D, B = 60000, 784, 128


def make_data():
    rng = np.random.default_rng(0)
    return rng.random((N, D), dtype=np.float32), rng.integers(0, 10, N).astype(np.int64)


def cuflow_epoch(cf, x, y):
    ds = (cf.data.Dataset.from_tensor_slices((x, y))
          .map(lambda x, y: (x * 2 - 1, y), num_parallel_calls=cf.data.AUTOTUNE)
          .shuffle(1000).batch(128).prefetch(cf.data.AUTOTUNE))
    n = 0
    for xb, yb in ds:
        n += yb.shape[0]
    return n


def numpy_epoch(x, y):
    perm = np.random.permutation(N)
    n = 0
    for i in range(0, N, B):
        idx = perm[i:i + B]
        xb, yb = x[idx] * 2 - 1, y[idx]
        n += len(yb)
    return n


def torch_epoch(torch, loader):
    n = 0
    for xb, yb in loader:
        xb = xb * 2 - 1
        n += len(yb)
    return n


def tf_epoch(tf, x, y):
    ds = (tf.data.Dataset.from_tensor_slices((x, y))
          .map(lambda x, y: (x * 2 - 1, y), num_parallel_calls=tf.data.AUTOTUNE)
          .shuffle(1000).batch(128).prefetch(tf.data.AUTOTUNE))
    return sum(int(yb.shape[0]) for _, yb in ds)


def check_cuflow(cf, x):
    """Correctness before timing: ids as labels, each batch row == x[id] * 2 - 1."""
    ids = np.arange(N)
    ds = (cf.data.Dataset.from_tensor_slices((x, ids))
          .map(lambda x, y: (x * 2 - 1, y), num_parallel_calls=cf.data.AUTOTUNE)
          .shuffle(1000).batch(128).prefetch(cf.data.AUTOTUNE))
    it = iter(ds)
    seen = []
    for xb, yb in it:
        yb = yb.numpy()
        np.testing.assert_allclose(xb.numpy(), x[yb] * 2 - 1, rtol=1e-6)
        seen.append(yb)
    seen = np.concatenate(seen)
    assert sorted(seen.tolist()) == list(range(N))
    assert (seen <= np.arange(N) + 999).all(), "shuffle buffer semantics"
    return it.optimizations()


def rate_rounds(fns, epochs):
    samples = {k: [] for k in fns}
    for fn in fns.values():
        fn()  # warm up
    for _ in range(epochs):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            n = fn()
            samples[k].append(n / (time.perf_counter() - t0))
    return {k: statistics.median(v) for k, v in samples.items()}, samples


def slow_map(cf, threads, n):
    def f(v):
        time.sleep(0.001)
        return v
    ds = cf.data.Dataset.range(n).map(f, num_parallel_calls=threads)
    it = iter(ds)
    t0 = time.perf_counter()
    count = sum(1 for _ in it)
    rate = count / (time.perf_counter() - t0)
    return rate, getattr(it._it, "history", None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    import cuflow as cf

    x, y = make_data()
    bw = copy_bandwidth(64 << 20)
    notes = check_cuflow(cf, x)
    fns = {"cuflow": lambda: cuflow_epoch(cf, x, y), "numpy loop": lambda: numpy_epoch(x, y)}
    torch = try_import("torch")
    if torch is not None:
        # One intra-op thread: with OpenMP's spinning workers on a shared 2-core box the
        # DataLoader loop (and everything after it in this process) slows down 5-15x.
        torch.set_num_threads(1)
        tds = torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y))
        loader = torch.utils.data.DataLoader(tds, batch_size=B, shuffle=True)
        fns["torch DataLoader"] = lambda: torch_epoch(torch, loader)
    tf = None if args.quick else try_import("tensorflow")
    if tf is not None:
        fns["tf.data"] = lambda: tf_epoch(tf, x, y)
    med, samples = rate_rounds(fns, args.epochs)
    base = med["cuflow"]
    rows = []
    for k, v in med.items():
        gb = v * (D * 4 + 8) * 2 / 1e9   # bytes gathered (read + write) per second
        rows.append([k, f"{v:,.0f}", f"{min(samples[k]):,.0f}-{max(samples[k]):,.0f}",
                     f"{base / v:.2f}", f"{gb / (bw / 1e9):.3f}"])
    print(machine())
    print(f"copy bandwidth: {bw / 1e9:.1f} GB/s; cuflow optimizations: {notes}")
    print(table(rows, ["pipeline", "elements/s (median)", "range", "cuflow / this",
                       "fraction of copy bw"]))
    slow_rows = []
    for threads in (1, 2, 4, cf.data.AUTOTUNE):
        n = 300 if threads in (1, 2) else 600
        rate, hist = slow_map(cf, threads, n)
        ideal = 1000 * (threads if threads > 0 else max(hist))
        slow_rows.append(["AUTOTUNE" if threads < 0 else threads, f"{rate:,.0f}",
                          f"{rate / ideal:.2f}", " -> ".join(map(str, hist or [threads]))])
    print(table(slow_rows, ["threads", "elements/s", "fraction of ideal",
                            "parallelism (autotune path)"]))


if __name__ == "__main__":
    main()
