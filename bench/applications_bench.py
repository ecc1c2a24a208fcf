"""cf.keras.applications ResNet50 and MobileNetV2: one training step (SGD, sparse CE from
the softmax head, ``train_on_batch``) and inference (``predict_on_batch``), side by side
with Keras 3 on TensorFlow (CPU) when a TensorFlow Python is given with ``--tf-python``.

Each measurement runs in its own subprocess (the same worker code imports either cuflow or
TensorFlow's Keras), rounds alternate cuflow and Keras; each worker builds the model with
``weights=None``, warms up (cuflow traces and compiles its step; TF builds its graph),
then times ``--steps`` calls. Reported: images/s (median over rounds, min-max), and
images per CPU-second of the worker (on a shared machine a worker often waits for a core).

    .venv/bin/python -m bench.applications_bench --tf-python /work/tfenv/bin/python \
        --batch 8 --size 96 --rounds 3 --steps 5
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

MODELS = ("ResNet50", "MobileNetV2")


def worker(lib, model_name, mode, batch, size, steps):
    """Runs in a subprocess: times ``steps`` train or predict calls; prints JSON."""
    if lib == "keras":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras
    else:
        import cuflow as cf
        keras = cf.keras
    t0 = time.perf_counter()
    model = getattr(keras.applications, model_name)(weights=None, input_shape=(size, size, 3),
                                                    classes=10)
    build_s = time.perf_counter() - t0
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (batch, size, size, 3)).astype("float32")
    y = rng.integers(0, 10, batch)
    if mode == "train":
        model.compile(optimizer=keras.optimizers.SGD(0.01),
                      loss="sparse_categorical_crossentropy")
        def step():
            return model.train_on_batch(x, y)
    else:
        def step():
            return model.predict_on_batch(x)
    t0 = time.perf_counter()
    for _ in range(2):
        step()
    warm_s = time.perf_counter() - t0
    wall, cpu = [], []
    for _ in range(steps):
        w0, c0 = time.perf_counter(), time.process_time()
        step()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    print(json.dumps({"build_s": build_s, "warm_s": warm_s, "wall": wall, "cpu": cpu}))


def _load():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def _run(python, lib, model_name, mode, args):
    cmd = [python, "-m", "bench.applications_bench", "--worker", lib, model_name, mode,
           str(args.batch), str(args.size), str(args.steps)]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=args.timeout,
                         check=False)
    if out.returncode:
        raise RuntimeError(f"{lib} {model_name} {mode} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--worker", nargs=6)
    p.add_argument("--tf-python", default=None)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=96)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--modes", default="train,predict")
    p.add_argument("--timeout", type=int, default=900)
    args = p.parse_args()
    if args.worker:
        lib, name, mode, batch, size, steps = args.worker
        return worker(lib, name, mode, int(batch), int(size), int(steps))
    runners = {"cuflow": sys.executable}
    if args.tf_python:
        runners["keras"] = args.tf_python
    print(f"batch {args.batch}, {args.size}x{args.size}x3, {args.rounds} rounds x "
          f"{args.steps} steps; load {_load()}")
    print("| model | step | runner | images/s median (min-max) | images/CPU-s | build s | "
          "warm-up s |")
    print("|---|---|---|---|---|---|---|")
    for name in args.models.split(","):
        for mode in args.modes.split(","):
            res = {k: [] for k in runners}
            for _ in range(args.rounds):
                for lib, python in runners.items():
                    res[lib].append(_run(python, lib, name, mode, args))
            for lib, rs in res.items():
                ips = [args.batch / statistics.median(r["wall"]) for r in rs]
                cps = [args.batch / statistics.median(r["cpu"]) for r in rs]
                print(f"| {name} | {mode} | {lib} | {statistics.median(ips):.1f} "
                      f"({min(ips):.1f}-{max(ips):.1f}) | {statistics.median(cps):.1f} | "
                      f"{statistics.median(r['build_s'] for r in rs):.1f} | "
                      f"{statistics.median(r['warm_s'] for r in rs):.1f} |", flush=True)
    print(f"load after: {_load()}")


if __name__ == "__main__":
    main()
