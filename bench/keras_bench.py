"""cf.keras fit throughput: the seed MLP (784-128-10, Adam, categorical cross-entropy) on
60000x784 synthetic float32, batch 128, one epoch — cuflow compiled (default compile) and
eager (run_eagerly=True) side by side with PyTorch and a ``jax.jit`` step (same model, same
optimizer, same batch loop) when importable; and the demo's digits model (30 epochs, batch 32) wall time.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE NUMBA_CACHE_DIR=.numba_cache \\
        python bench/keras_bench.py [--n 60000] [--repeat 3] [--no-digits | --only-digits]

``--isolated``: each framework in its own worker process (same data, same model), still
alternating epochs: in one process, the thread pools a peer leaves behind (PyTorch's
OpenMP threads, XLA's Eigen pool, OpenBLAS's spinning helpers) compete with the next
framework's run, which a user running one framework never sees.

    python bench/keras_bench.py --isolated --no-digits --repeat 5

Peak memory (``--rss``): each framework's one-epoch fit in a fresh subprocess, peak RSS
(``ru_maxrss``) of the whole process, the data (built in float32 chunks: 188 MB of x)
included; Keras runs under TensorFlow's interpreter (``--tf-python``, default: this one
when it imports TensorFlow, else /work/tfenv/bin/python), PyTorch under ``--torch-python``.

    python bench/keras_bench.py --rss [--tf-python P] [--torch-python P] [--repeat 2]
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.harness import (  # noqa: E402
    EpochWorker, copy_bandwidth, machine, matmul_rate, serve_epochs, try_import)


def lean_data(n, seed=0):
    """Like data() but without float64 temporaries: x is written in float32 chunks."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((10, 784), dtype=np.float32)
    labels = rng.integers(0, 10, n)
    x = np.empty((n, 784), np.float32)
    for i in range(0, n, 4096):
        x[i:i + 4096] = rng.standard_normal((len(x[i:i + 4096]), 784), dtype=np.float32)
        x[i:i + 4096] += centers[labels[i:i + 4096]]
    return x, np.eye(10, dtype=np.float32)[labels], labels


def _rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_worker(framework, n):
    """One fit epoch of the seed MLP in this (fresh) process; prints a JSON line."""
    import json
    x, y, labels = lean_data(n)
    after_data = _rss_mib()
    t = time.perf_counter()
    if framework.startswith("cuflow"):
        import cuflow as keras_like
        keras = keras_like.keras
    elif framework == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras
    if framework == "torch":
        import torch
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                    torch.nn.Linear(128, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        xt, yt = torch.from_numpy(x), torch.from_numpy(labels)
        loss_fn = torch.nn.CrossEntropyLoss()
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 128):
            idx = perm[i:i + 128]
            loss = loss_fn(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    else:
        model = keras.Sequential([keras.layers.Input((784,)),
                                  keras.layers.Dense(128, activation='relu'),
                                  keras.layers.Dense(10, activation='softmax')])
        model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'],
                      run_eagerly=framework == "cuflow-eager")
        model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    print(json.dumps({"framework": framework, "peak_mib": _rss_mib(),
                      "after_data_mib": after_data, "seconds": time.perf_counter() - t}))


def rss_table(args):
    import json
    import subprocess
    from bench.keras_parity import tf_python
    here = os.path.abspath(__file__)
    root = os.path.dirname(os.path.dirname(here))
    runs = [("cuflow", sys.executable), ("cuflow-eager", sys.executable)]
    tf = args.tf_python or tf_python()
    if tf:
        runs.append(("keras", tf))
    torch_py = args.torch_python or (sys.executable if try_import("torch") else None)
    if torch_py:
        runs.append(("torch", torch_py))
    rows = {}
    for _ in range(args.repeat):
        for name, python in runs:
            path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), root) if p)
            env = dict(os.environ, PYTHONPATH=path, TF_CPP_MIN_LOG_LEVEL="3")
            out = subprocess.run([python, here, "--rss-worker", name, "--n", str(args.n)],
                                 capture_output=True, text=True, env=env)
            if out.returncode != 0:
                print(f"{name}: failed\n{out.stderr[-2000:]}")
                continue
            rows.setdefault(name, []).append(json.loads(out.stdout.strip().splitlines()[-1]))
    print(f"seed MLP fit, {args.n}x784 float32, batch 128, one epoch; peak RSS of a fresh "
          f"process (x alone: {args.n * 784 * 4 / 2**20:.0f} MiB)")
    print("| framework | peak RSS (MiB) | after the data, before import (MiB) | fit (s) |")
    print("|---|---|---|---|")
    for name, rs in rows.items():
        peaks = [r["peak_mib"] for r in rs]
        print(f"| {name} | {min(peaks):.0f}-{max(peaks):.0f} | "
              f"{statistics.median(r['after_data_mib'] for r in rs):.0f} | "
              f"{statistics.median(r['seconds'] for r in rs):.2f} |")


def cuflow_fit(x, y, eager):
    import cuflow as cf
    cf.keras.utils.set_random_seed(0)
    model = cf.keras.Sequential([cf.keras.layers.Dense(128, activation='relu',
                                                       input_shape=(784,)),
                                 cf.keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'],
                  run_eagerly=eager)
    # trace + warm up, the epoch's partial last batch too (jax_fit's warm-up epoch
    # compiles both shapes)
    warm = 1280 + len(x) % 128
    model.fit(x[:warm], y[:warm], batch_size=128, epochs=1, verbose=0)

    def run():
        t = time.perf_counter()
        h = model.fit(x, y, batch_size=128, epochs=1, verbose=0)
        return time.perf_counter() - t, h.history["accuracy"][-1]
    return run


def torch_fit(x, labels):
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels.astype(np.int64))
    loss_fn = torch.nn.CrossEntropyLoss()

    def epoch():
        t = time.perf_counter()
        perm = torch.randperm(len(xt))
        correct = 0
        for i in range(0, len(xt), 128):
            idx = perm[i:i + 128]
            xb, yb = xt[idx], yt[idx]
            out = model(xb)
            loss = loss_fn(out, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += int((out.argmax(1) == yb).sum())
        return time.perf_counter() - t, correct / len(xt)
    epoch()
    return epoch


def jax_fit(x, y):
    """The same model, loss and Adam (Keras's epsilon-hat form) as one ``jax.jit`` step with
    donated state; batches gathered from a NumPy permutation each step, as ``fit`` does."""
    import functools

    import jax
    import jax.numpy as jnp
    key = jax.random.PRNGKey(0)
    k1, k2 = jax.random.split(key)
    lim1, lim2 = np.sqrt(6 / (784 + 128)), np.sqrt(6 / (128 + 10))
    params = [jax.random.uniform(k1, (784, 128), jnp.float32, -lim1, lim1),
              jnp.zeros(128, jnp.float32),
              jax.random.uniform(k2, (128, 10), jnp.float32, -lim2, lim2),
              jnp.zeros(10, jnp.float32)]
    state = [params, [jnp.zeros_like(p) for p in params], [jnp.zeros_like(p) for p in params],
             jnp.zeros((), jnp.float32)]

    def loss_fn(params, xb, yb):
        w1, b1, w2, b2 = params
        logits = jnp.maximum(xb @ w1 + b1, 0.0) @ w2 + b2
        loss = -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(logits), -1))
        return loss, logits

    @functools.partial(jax.jit, donate_argnums=0)
    def step(state, xb, yb):
        params, ms, vs, t = state
        (loss, logits), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, xb, yb)
        t = t + 1
        alpha = 1e-3 * jnp.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        ms = [m + (g - m) * 0.1 for m, g in zip(ms, grads)]
        vs = [v + (g * g - v) * 0.001 for v, g in zip(vs, grads)]
        params = [p - alpha * m / (jnp.sqrt(v) + 1e-7) for p, m, v in zip(params, ms, vs)]
        correct = jnp.sum(jnp.argmax(logits, -1) == jnp.argmax(yb, -1))
        return [params, ms, vs, t], loss, correct
    box = {"state": state}

    def epoch():
        t = time.perf_counter()
        perm = np.random.permutation(len(x))
        correct = 0
        for i in range(0, len(x), 128):
            idx = perm[i:i + 128]
            box["state"], loss, c = step(box["state"], x[idx], y[idx])
            correct += c
        correct = int(correct)
        return time.perf_counter() - t, correct / len(x)
    epoch()  # compile (and again for the partial last batch)
    return epoch


_RUNNERS = {"cuflow compiled": lambda x, y, labels: cuflow_fit(x, y, False),
            "cuflow eager": lambda x, y, labels: cuflow_fit(x, y, True),
            "pytorch": lambda x, y, labels: torch_fit(x, labels),
            "jax.jit step": lambda x, y, labels: jax_fit(x, y)}
_PEER_MODULE = {"pytorch": "torch", "jax.jit step": "jax"}


def epoch_worker(name, n):
    """``--isolated``'s worker: one runner, one epoch per request (harness.EpochWorker)."""
    x, y, labels = lean_data(n)
    serve_epochs(_RUNNERS[name](x, y, labels))


def digits_seconds():
    import cuflow as cf
    cf.keras.utils.set_random_seed(0)
    (xtr, ytr), (xte, yte) = cf.keras.datasets.digits.load_data(image_size=28)
    xtr = xtr.reshape(-1, 784).astype("float32") / 255.0
    xte = xte.reshape(-1, 784).astype("float32") / 255.0
    model = cf.keras.Sequential([cf.keras.layers.Dense(128, activation='relu',
                                                       input_shape=(784,)),
                                 cf.keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    t = time.perf_counter()
    model.fit(xtr, cf.keras.utils.to_categorical(ytr, 10), epochs=30, batch_size=32,
              verbose=0)
    dt = time.perf_counter() - t
    acc = model.evaluate(xte, cf.keras.utils.to_categorical(yte, 10), verbose=0)[1]
    return dt, acc


def digits_torch_seconds():
    """The same digits model and loop in PyTorch (shuffled batches of 32, Adam, 30 epochs)."""
    import torch
    import cuflow as cf
    torch.manual_seed(0)
    (xtr, ytr), _ = cf.keras.datasets.digits.load_data(image_size=28)
    xt = torch.from_numpy(xtr.reshape(-1, 784).astype("float32") / 255.0)
    yt = torch.from_numpy(ytr.astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = torch.nn.CrossEntropyLoss()
    t = time.perf_counter()
    for _ in range(30):
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), 32):
            idx = perm[i:i + 32]
            loss = loss_fn(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return time.perf_counter() - t


def digits_table(repeat):
    """cuflow's fit and the PyTorch loop alternately, ``repeat`` times each."""
    cf_s, torch_s, acc = [], [], None
    has_torch = try_import("torch") is not None
    for _ in range(repeat):
        dt, acc = digits_seconds()
        cf_s.append(dt)
        if has_torch:
            torch_s.append(digits_torch_seconds())
    line = (f"digits 28x28 seed model, 30 epochs batch 32: cuflow fit {min(cf_s):.2f}-"
            f"{max(cf_s):.2f} s (test acc {acc:.4f})")
    if torch_s:
        line += (f", PyTorch loop {min(torch_s):.2f}-{max(torch_s):.2f} s, median ratio "
                 f"PyTorch/cuflow {statistics.median(torch_s) / statistics.median(cf_s):.2f}")
    print(line)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-digits", action="store_true")
    ap.add_argument("--only-digits", action="store_true")
    ap.add_argument("--rss", action="store_true", help="peak-RSS table, fresh processes")
    ap.add_argument("--rss-worker", help=argparse.SUPPRESS)
    ap.add_argument("--isolated", action="store_true",
                    help="each framework in its own worker process, epochs alternating")
    ap.add_argument("--epoch-worker", help=argparse.SUPPRESS)
    ap.add_argument("--tf-python")
    ap.add_argument("--torch-python")
    args = ap.parse_args()
    if args.rss_worker:
        return rss_worker(args.rss_worker, args.n)
    if args.epoch_worker:
        return epoch_worker(args.epoch_worker, args.n)
    if args.rss:
        return rss_table(args)
    if args.only_digits:
        digits_table(args.repeat)
        return
    print(machine())
    bw, mm = copy_bandwidth(), matmul_rate()
    print(f"ceilings: copy {bw / 1e9:.1f} GB/s, matmul {mm / 1e9:.0f} GFLOP/s")
    if args.isolated:
        runners = {k: EpochWorker(os.path.abspath(__file__),
                                  ["--epoch-worker", k, "--n", str(args.n)]) for k in _RUNNERS
                   if k.startswith("cuflow") or try_import(_PEER_MODULE[k]) is not None}
        rss = None
    else:
        x, y, labels = lean_data(args.n)
        runners = {"cuflow compiled": cuflow_fit(x, y, False),
                   "cuflow eager": cuflow_fit(x, y, True)}
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        if try_import("torch") is not None:
            runners["pytorch"] = torch_fit(x, labels)
        if try_import("jax") is not None:
            runners["jax.jit step"] = jax_fit(x, y)
    samples = {k: [] for k in runners}
    accs = {}
    for _ in range(args.repeat):
        for k, fn in runners.items():  # alternate, fair on a noisy machine
            dt, acc = fn()
            samples[k].append(dt)
            accs[k] = acc
    flops = 6 * args.n * (784 * 128 + 128 * 10)  # forward + backward matmuls
    print(f"\nseed MLP fit, {args.n}x784, batch 128, one epoch (median of {args.repeat}):")
    base = statistics.median(samples["cuflow compiled"])
    for k, v in samples.items():
        med = statistics.median(v)
        print(f"  {k:16s} {args.n / med:9.0f} samples/s  {med:6.2f} s  "
              f"{flops / med / mm:5.1%} of matmul ceiling  train acc {accs[k]:.3f}  "
              f"cuflow-compiled/this time ratio {med / base:.2f}")
    if args.isolated:   # (a child's ru_maxrss starts at its parent's: --rss spawns lean)
        print("  each framework in its own worker process (peak memory: --rss)")
    else:
        print(f"  peak RSS of this process before importing peers: {rss:.0f} MiB (includes "
              f"the ceiling probes' buffers and both models; --rss measures each fit alone)")
    if not args.no_digits and try_import("sklearn") is not None:
        print()
        digits_table(args.repeat)


if __name__ == "__main__":
    main()
