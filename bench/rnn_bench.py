"""Recurrent training throughput: Keras LSTM/GRU ``fit`` on cuflow vs PyTorch (and
Keras-on-TensorFlow through ``--tf-python``), same model, data and batch, one run.

    .venv-bench/bin/python bench/rnn_bench.py [--n 2048] [--repeat 3] [--isolated]
        [--tf-python /path/to/python-with-tensorflow]

``--isolated``: each runner in its own process (harness.EpochWorker), rounds alternating.

Model: Input (50, 32) -> LSTM(64) or GRU(64) -> Dense(5) logits, Adam, sparse
categorical crossentropy, batch 64. Reports samples/s (median of ``repeat`` epochs after a
warm-up epoch) and the ratio to cuflow; plus the measured float32 matmul rate.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.harness import EpochWorker, matmul_rate, serve_epochs, try_import  # noqa: E402

T, F, U, C, B = 50, 32, 64, 5, 64


def _data(n):
    rng = np.random.default_rng(0)
    return rng.random((n, T, F)).astype("float32"), rng.integers(0, C, n)


def _keras_runner(keras, kind, x, y):
    """An epoch function (returns seconds) for the Keras model, traced and warmed up."""
    layer = getattr(keras.layers, kind)
    m = keras.Sequential([keras.Input((T, F)), layer(U), keras.layers.Dense(C)])
    m.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    m.fit(x[:4 * B], y[:4 * B], batch_size=B, epochs=1, verbose=0)

    def epoch():
        t = time.perf_counter()
        m.fit(x, y, batch_size=B, epochs=1, verbose=0)
        return time.perf_counter() - t
    return epoch


def _torch_runner(kind, x, y):
    import torch
    torch.set_num_threads(os.cpu_count() or 1)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(torch.nn, kind)(F, U, batch_first=True)
            self.out = torch.nn.Linear(U, C)

        def forward(self, v):
            seq, _ = self.rnn(v)
            return self.out(seq[:, -1])

    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.CrossEntropyLoss()

    def run(n):
        for i in range(0, n, B):
            opt.zero_grad()
            loss = loss_fn(net(xt[i:i + B]), yt[i:i + B])
            loss.backward()
            opt.step()
    run(4 * B)

    def epoch():
        t = time.perf_counter()
        run(len(x))
        return time.perf_counter() - t
    return epoch


def _runner(name, n):
    """The epoch function of runner ``name`` ("LSTM cuflow", "GRU pytorch", ...)."""
    kind, fw = name.split()
    x, y = _data(n)
    if fw == "cuflow":
        import cuflow as cf
        return _keras_runner(cf.keras, kind, x, y)
    if fw == "keras-tf":
        import keras
        return _keras_runner(keras, kind, x, y)
    return _torch_runner(kind, x, y)


def _tf_worker(args):
    out = {}
    for kind in ("LSTM", "GRU"):
        epoch = _runner(f"{kind} keras-tf", args.n)
        out[kind] = args.n / float(np.median([epoch() for _ in range(args.repeat)]))
    print(json.dumps(out))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tf-python")
    ap.add_argument("--tf-worker", action="store_true")
    ap.add_argument("--isolated", action="store_true",
                    help="each runner in its own process, rounds alternating")
    ap.add_argument("--epoch-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.tf_worker:
        return _tf_worker(args)
    if args.epoch_worker:
        return serve_epochs(_runner(args.epoch_worker, args.n))
    print(f"float32 matmul rate {matmul_rate() / 1e9:.0f} GFLOP/s; load {os.getloadavg()}")
    has_torch = try_import("torch") is not None
    names = [f"{k} {fw}" for k in ("LSTM", "GRU") for fw in ("cuflow", "pytorch")
             if fw == "cuflow" or has_torch]
    if args.isolated:
        runners = {nm: EpochWorker(os.path.abspath(__file__),
                                   ["--epoch-worker", nm, "--n", str(args.n)])
                   for nm in names}
        times = {nm: [] for nm in names}
        for _ in range(args.repeat):    # alternate rounds, one runner at a time
            for nm, w in runners.items():
                times[nm].append(w()[0])
        for w in runners.values():
            w.close()
    else:   # one process, each runner's epochs back to back
        times = {}
        for nm in names:
            epoch = _runner(nm, args.n)
            times[nm] = [epoch() for _ in range(args.repeat)]
    rows = {tuple(nm.split()): args.n / float(np.median(ts)) for nm, ts in times.items()}
    if args.tf_python:
        out = subprocess.run([args.tf_python, os.path.abspath(__file__), "--tf-worker", "--n",
                              str(args.n), "--repeat", str(args.repeat)],
                             capture_output=True, text=True, check=True)
        for kind, v in json.loads(out.stdout.strip().splitlines()[-1]).items():
            rows[(kind, "keras-tf")] = v
    print(f"{'model':6} {'framework':10} {'samples/s':>10} {'cuflow/this':>12}"
          + ("  (each in its own process)" if args.isolated else ""))
    for (kind, fw), v in rows.items():
        print(f"{kind:6} {fw:10} {v:10.0f} {rows[(kind, 'cuflow')] / v:12.2f}")


if __name__ == "__main__":
    main()
