"""Keras fit throughput (issue: Keras), cuflow compiled vs eager, PyTorch when importable.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE .venv-bench/bin/python -m bench.keras_bench

Workloads: the seed MLP (784-128-10, Adam, categorical cross-entropy) on 60000x784
synthetic float32, batch 128, one epoch (samples/s, peak RSS); the digits model (1437x64
digits, same MLP shape on 64 inputs), 30 epochs of batch 32 (seconds).
"""
from __future__ import annotations

import resource
import time

import numpy as np

from bench.harness import machine, table, try_import


def _cuflow_fit(x, y, batch, epochs, eager):
    import cuflow as cf
    cf.keras.utils.set_random_seed(0)
    model = cf.keras.Sequential([
        cf.keras.layers.Dense(128, activation="relu", input_shape=(x.shape[1],)),
        cf.keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"],
                  run_eagerly=eager)
    model.fit(x[:batch * 4], y[:batch * 4], batch_size=batch, epochs=1, verbose=0)  # warm-up
    t0 = time.perf_counter()
    hist = model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0)
    return time.perf_counter() - t0, hist.history["loss"][-1]


def _torch_fit(x, y, batch, epochs):
    torch = try_import("torch")
    if torch is None:
        return None, None
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], 128), torch.nn.ReLU(),
                                torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.argmax(1))
    lossf = torch.nn.CrossEntropyLoss()

    def epoch():
        perm = torch.randperm(len(xt))
        for i in range(0, len(xt), batch):
            idx = perm[i:i + batch]
            opt.zero_grad()
            loss = lossf(model(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
        return float(loss)
    epoch()
    t0 = time.perf_counter()
    for _ in range(epochs):
        last = epoch()
    return time.perf_counter() - t0, last


def main():
    rng = np.random.default_rng(0)
    x = rng.random((60000, 784), dtype=np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 60000)]
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows = []
    for label, fn in [("cuflow compiled", lambda: _cuflow_fit(x, y, 128, 1, False)),
                      ("cuflow eager", lambda: _cuflow_fit(x, y, 128, 1, True))]:
        t, _ = fn()
        rows.append([f"MLP 60000x784 b128, {label}", f"{60000 / t:,.0f} samples/s"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t, _ = _torch_fit(x, y, 128, 1)
    if t:
        rows.append(["MLP 60000x784 b128, PyTorch", f"{60000 / t:,.0f} samples/s"])
    from sklearn.datasets import load_digits
    d = load_digits()
    dx = (d.data / 16.0).astype(np.float32)
    dy = np.eye(10, dtype=np.float32)[d.target]
    t, _ = _cuflow_fit(dx, dy, 32, 30, False)
    rows.append(["digits 30 epochs b32, cuflow compiled", f"{t:.2f} s"])
    t, _ = _torch_fit(dx, dy, 32, 30)
    if t:
        rows.append(["digits 30 epochs b32, PyTorch", f"{t:.2f} s"])
    print(machine())
    print(f"peak RSS during the cuflow MLP fits: {rss / 1024:.0f} MiB "
          f"(before: {rss0 / 1024:.0f} MiB)")
    print(table(rows, ["workload", "result"]))


if __name__ == "__main__":
    main()
