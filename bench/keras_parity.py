"""Weights after fit: cuflow Keras vs Keras-on-TensorFlow, same init and data order.

    .venv/bin/python -m bench.keras_parity

Runs the seed MLP (shrunk: 64-32-10) for 3 epochs, no shuffle, with SGD(momentum,
nesterov) and Adam from identical initial weights; prints the max |difference| per
weight and exits 1 above 1e-4. Skips cleanly (exit 0) when TensorFlow is not importable.
"""
from __future__ import annotations

import sys

import numpy as np


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 64)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[np.argmax(x[:, :10], 1)]
    init = [rng.uniform(-0.2, 0.2, s).astype(np.float32)
            for s in ((64, 32), (32,), (32, 10), (10,))]
    return x, y, init


def _fit(keras, opt, x, y, init):
    model = keras.Sequential([keras.layers.Input((64,)),
                              keras.layers.Dense(32, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    model.set_weights(init)
    model.compile(optimizer=opt, loss="categorical_crossentropy")
    model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    return model.get_weights()


def main():
    try:
        import tensorflow as tf
    except ImportError:
        print("TensorFlow is not importable here: parity check skipped")
        return 0
    import cuflow as cf
    x, y, init = _data()
    worst = 0.0
    cases = {"SGD(0.05, momentum=0.9, nesterov=True)":
             lambda k: k.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
             "Adam(0.01)": lambda k: k.optimizers.Adam(0.01)}
    for name, make in cases.items():
        ours = _fit(cf.keras, make(cf.keras), x, y, init)
        ref = _fit(tf.keras, make(tf.keras), x, y, init)
        diffs = [float(np.abs(a - b).max()) for a, b in zip(ours, ref)]
        worst = max(worst, *diffs)
        print(f"{name}: max |w_cuflow - w_tf| per weight = "
              + ", ".join(f"{d:.2e}" for d in diffs))
    print(f"worst {worst:.2e} ({'OK' if worst <= 1e-4 else 'ABOVE 1e-4'})")
    return 0 if worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
