"""cf.keras fit throughput: the seed MLP (784-128-10, Adam, categorical cross-entropy) on
60000x784 synthetic float32, batch 128, one epoch — cuflow compiled (default compile) and
eager (run_eagerly=True) side by side with PyTorch (same model, same optimizer, same batch
loop) when importable; peak RSS before importing any peer; and the demo's digits model
(30 epochs, batch 32) wall time.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE NUMBA_CACHE_DIR=.numba_cache \\
        python bench/keras_qa_bench.py [--n 60000] [--repeat 3] [--no-digits | --only-digits]
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
from bench.harness import copy_bandwidth, machine, matmul_rate, try_import  # noqa: E402


def data(n, seed=0):
    rng = np.random.RandomState(seed)
    centers = rng.normal(0, 1, (10, 784)).astype(np.float32)
    labels = rng.randint(0, 10, n)
    x = (centers[labels] + rng.normal(0, 1, (n, 784))).astype(np.float32)
    return x, np.eye(10, dtype=np.float32)[labels], labels


def cuflow_fit(x, y, eager):
    import cuflow as cf
    cf.keras.utils.set_random_seed(0)
    model = cf.keras.Sequential([cf.keras.layers.Dense(128, activation='relu',
                                                       input_shape=(784,)),
                                 cf.keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'],
                  run_eagerly=eager)
    model.fit(x[:1280], y[:1280], batch_size=128, epochs=1, verbose=0)  # trace + warm up

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-digits", action="store_true")
    ap.add_argument("--only-digits", action="store_true")
    args = ap.parse_args()
    if args.only_digits:
        dt, acc = digits_seconds()
        print(f"digits 28x28 seed model, 30 epochs batch 32: {dt:.1f} s, test acc {acc:.4f}")
        return
    print(machine())
    bw, mm = copy_bandwidth(), matmul_rate()
    print(f"ceilings: copy {bw / 1e9:.1f} GB/s, matmul {mm / 1e9:.0f} GFLOP/s")
    x, y, labels = data(args.n)
    runners = {"cuflow compiled": cuflow_fit(x, y, False),
               "cuflow eager": cuflow_fit(x, y, True)}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if try_import("torch") is not None:
        runners["pytorch"] = torch_fit(x, labels)
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
    print(f"  peak RSS (cuflow only, before importing peers): {rss:.0f} MiB")
    if not args.no_digits and try_import("sklearn") is not None:
        dt, acc = digits_seconds()
        print(f"\ndigits 28x28 seed model, 30 epochs batch 32: {dt:.1f} s, test acc {acc:.4f}")


if __name__ == "__main__":
    main()
