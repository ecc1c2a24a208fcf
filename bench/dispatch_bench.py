"""Eager dispatch overhead: µs per op for a 1-element add and a 64x64 matmul, cuflow vs
raw NumPy (and PyTorch when importable), in one process.

    python -m bench.dispatch_bench
"""
from __future__ import annotations

import numpy as np

from bench.harness import interleaved, machine, table, try_import


def main():
    import cuflow as cf

    torch = try_import("torch")
    rows = []
    for label, shape, op_np, op_cf, op_t in [
        ("add 1 elem", (1,), np.add, cf.add, "add"),
        ("matmul 64x64", (64, 64), np.matmul, cf.matmul, "matmul"),
    ]:
        a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        b = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
        x, y = cf.constant(a), cf.constant(b)
        np.testing.assert_allclose(op_cf(x, y).numpy(), op_np(a, b), rtol=1e-5)
        fns = {"numpy": lambda: op_np(a, b), "cuflow": lambda: op_cf(x, y)}
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            tfn = getattr(torch, op_t)
            fns["torch"] = lambda: tfn(ta, tb)
        number = 20000 if shape == (1,) else 2000
        t = interleaved(fns, repeat=9, number=number)
        row = [label] + [f"{t[k] * 1e6:.2f}" for k in ("numpy", "cuflow")]
        row += [f"{t['torch'] * 1e6:.2f}" if "torch" in t else "n/a"]
        row += [f"{(t['cuflow'] - t['numpy']) * 1e6:.2f}", f"{t['cuflow'] / t['numpy']:.2f}"]
        rows.append(row)
    print(machine())
    print(table(rows, ["op", "numpy µs", "cuflow µs", "torch µs", "cuflow - numpy µs",
                       "cuflow / numpy"]))


if __name__ == "__main__":
    main()
