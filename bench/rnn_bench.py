"""Recurrent training throughput: Keras LSTM/GRU ``fit`` on cuflow vs PyTorch (and
Keras-on-TensorFlow through ``--tf-python``), same model, data and batch, one run.

    .venv-bench/bin/python bench/rnn_bench.py [--n 2048] [--repeat 3]
        [--tf-python /path/to/python-with-tensorflow]

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
from bench.harness import matmul_rate  # noqa: E402

T, F, U, C, B = 50, 32, 64, 5, 64


def _data(n):
    rng = np.random.default_rng(0)
    return rng.random((n, T, F)).astype("float32"), rng.integers(0, C, n)


def _keras_fit(keras, kind, x, y, repeat):
    layer = getattr(keras.layers, kind)
    m = keras.Sequential([keras.Input((T, F)), layer(U), keras.layers.Dense(C)])
    m.compile(optimizer="adam",
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    m.fit(x[:4 * B], y[:4 * B], batch_size=B, epochs=1, verbose=0)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        m.fit(x, y, batch_size=B, epochs=1, verbose=0)
        times.append(time.perf_counter() - t)
    return len(x) / float(np.median(times))


def _torch_fit(kind, x, y, repeat):
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

    def epoch(n):
        for i in range(0, n, B):
            opt.zero_grad()
            loss = loss_fn(net(xt[i:i + B]), yt[i:i + B])
            loss.backward()
            opt.step()
    epoch(4 * B)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        epoch(len(x))
        times.append(time.perf_counter() - t)
    return len(x) / float(np.median(times))


def _tf_worker(args):
    import keras
    x, y = _data(args.n)
    print(json.dumps({k: _keras_fit(keras, k, x, y, args.repeat) for k in ("LSTM", "GRU")}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2048)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tf-python")
    ap.add_argument("--tf-worker", action="store_true")
    args = ap.parse_args()
    if args.tf_worker:
        return _tf_worker(args)
    import cuflow as cf
    x, y = _data(args.n)
    print(f"float32 matmul rate {matmul_rate() / 1e9:.0f} GFLOP/s; load {os.getloadavg()}")
    rows = {}
    for kind in ("LSTM", "GRU"):
        rows[(kind, "cuflow")] = _keras_fit(cf.keras, kind, x, y, args.repeat)
        try:
            rows[(kind, "pytorch")] = _torch_fit(kind, x, y, args.repeat)
        except ImportError:
            pass
    if args.tf_python:
        out = subprocess.run([args.tf_python, os.path.abspath(__file__), "--tf-worker", "--n",
                              str(args.n), "--repeat", str(args.repeat)],
                             capture_output=True, text=True, check=True)
        for kind, v in json.loads(out.stdout.strip().splitlines()[-1]).items():
            rows[(kind, "keras-tf")] = v
    print(f"{'model':6} {'framework':10} {'samples/s':>10} {'cuflow/this':>12}")
    for (kind, fw), v in rows.items():
        print(f"{kind:6} {fw:10} {v:10.0f} {rows[(kind, 'cuflow')] / v:12.2f}")


if __name__ == "__main__":
    main()
