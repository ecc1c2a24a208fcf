"""Demo: a softmax-regression + hidden-layer model on scikit-learn's handwritten digits,
trained with cf.GradientTape and a hand-written SGD update (replaced by Keras's fit once
cf.keras lands)."""
from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

import cuflow as cf


def main(epochs=60, batch=32, lr=0.1, seed=0):
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(x))
    split = int(0.8 * len(x))
    tr, te = order[:split], order[split:]
    w1 = cf.Variable(rng.normal(0, 0.1, (64, 128)).astype(np.float32))
    b1 = cf.Variable(np.zeros(128, np.float32))
    w2 = cf.Variable(rng.normal(0, 0.1, (128, 10)).astype(np.float32))
    b2 = cf.Variable(np.zeros(10, np.float32))
    params = [w1, b1, w2, b2]

    def logits(xb):
        h = cf.maximum(cf.matmul(xb, w1) + b1, 0.0)
        return cf.matmul(h, w2) + b2

    eye = np.eye(10, dtype=np.float32)
    for epoch in range(epochs):
        rng.shuffle(tr)
        for i in range(0, len(tr), batch):
            idx = tr[i:i + batch]
            xb, yb = cf.constant(x[idx]), cf.constant(eye[y[idx]])
            with cf.GradientTape() as tape:
                z = logits(xb)
                loss = cf.reduce_mean(cf.reduce_logsumexp(z, axis=1) -
                                      cf.reduce_sum(z * yb, axis=1))
            for p, g in zip(params, tape.gradient(loss, params)):
                p.assign_sub(lr * g)
        if (epoch + 1) % 20 == 0:
            print(f"epoch {epoch + 1}: loss {float(loss):.4f}")
    pred = cf.argmax(logits(cf.constant(x[te])), axis=1).numpy()
    acc = float(np.mean(pred == y[te]))
    print(f"test accuracy: {acc:.4f}")
    return acc


if __name__ == "__main__":
    main()
