"""The issue's small Keras convnet (28x28x1, batch 64: Conv2D 32 3x3 relu, MaxPool 2,
Conv2D 64 3x3 relu, MaxPool 2, Flatten, Dense 10) trained with ``fit``: samples/s with
``compile(run_eagerly=True)`` and with the default compiled train step.

Each mode: one ``fit`` call of 1 + ``--epochs`` epochs of ``--steps`` batches; epoch 0
warms up (traces the train step) and the median of the others gives samples/s.

    python -m bench.keras_convnet_bench --steps 8 --epochs 3
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bench.harness import machine, table


def build(cf):
    K, L = cf.keras, cf.keras.layers
    return K.Sequential([K.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                         L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                         L.MaxPooling2D(2), L.Flatten(), L.Dense(10)])


def run(cf, eager, steps, epochs, batch=64):
    rng = np.random.default_rng(0)
    x = rng.random((steps * batch, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, size=steps * batch)
    cf.random.set_seed(0)
    model = build(cf)
    model.compile(optimizer=cf.keras.optimizers.Adam(1e-3),
                  loss=cf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  run_eagerly=eager)
    times = []

    class Timer(cf.keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.t0)

    # one fit call: epoch 0 warms up (traces the train step), the rest are timed
    hist = model.fit(x, y, batch_size=batch, epochs=epochs + 1, verbose=0, shuffle=False,
                     callbacks=[Timer()])
    times, losses = times[1:], hist.history["loss"][1:]
    return steps * batch / statistics.median(times), losses


def main():
    import cuflow as cf
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--epochs", type=int, default=3)
    args = p.parse_args()
    rows = []
    for name, eager in (("eager (run_eagerly=True)", True), ("compiled (default)", False)):
        rate, losses = run(cf, eager, args.steps, args.epochs)
        rows.append([name, f"{rate:.0f}", " -> ".join(f"{v:.3f}" for v in losses)])
    print(machine())
    print(table(rows, ["mode", "samples/s", "loss per timed epoch"]))


if __name__ == "__main__":
    main()
