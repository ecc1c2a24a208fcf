"""Input-preprocessing throughput: cuflow vs Keras-on-TF, same workloads, same inputs.

Workloads (each timed as the best of ``--repeat`` runs after one warm-up):
  * text: TextVectorization adapt on N synthetic sentences, then int sequences (length 32)
    and multi_hot vectors for all N;
  * augment: RandomFlip + RandomRotation + RandomZoom on a (32, 64, 64, 3) float batch;
  * pad: pad_sequences of N ragged int lists to length 64.

Run: python bench/keras_breadth_bench.py [--n 20000] [--repeat 3] [--tf-python PATH]
The TF side runs the same script in TF's interpreter (``--framework tf``) right after the
cuflow side, on the same machine; results are printed as one table.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

WORDS = [f"w{i}" for i in range(3000)]


def sentences(n, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 40, n)
    idx = rng.zipf(1.3, int(lengths.sum())) % len(WORDS)
    out, pos = [], 0
    for k in lengths:
        out.append(" ".join(WORDS[i] for i in idx[pos:pos + k]) + ".")
        pos += k
    return np.array(out)


def best(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def run(framework, n, repeat):
    if framework == "tf":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import keras
        L, pad = keras.layers, keras.utils.pad_sequences
    else:
        import cuflow as cf
        L, pad = cf.keras.layers, cf.keras.utils.pad_sequences
    text = sentences(n)
    res = {}
    res["text adapt"] = best(lambda: L.TextVectorization(
        max_tokens=2000, output_sequence_length=32).adapt(text), repeat)
    seq = L.TextVectorization(max_tokens=2000, output_sequence_length=32)
    seq.adapt(text)
    res["text -> int[32]"] = best(lambda: np.asarray(seq(text)), repeat)
    bag = L.TextVectorization(max_tokens=2000, output_mode="multi_hot")
    bag.adapt(text)
    res["text -> multi_hot"] = best(lambda: np.asarray(bag(text)), repeat)
    img = np.random.default_rng(0).random((32, 64, 64, 3)).astype("float32")
    flip, rot, zoom = L.RandomFlip(seed=1), L.RandomRotation(0.1, seed=1), \
        L.RandomZoom(0.2, seed=1)
    res["augment 32x64x64x3"] = best(lambda: np.asarray(zoom(rot(flip(img, training=True),
                                                                 training=True),
                                                             training=True)), repeat)
    rng = np.random.default_rng(1)
    lists = [list(rng.integers(1, 100, rng.integers(1, 100))) for _ in range(n)]
    res["pad_sequences"] = best(lambda: pad(lists, maxlen=64), repeat)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--framework", default="both", choices=["both", "cuflow", "tf"])
    ap.add_argument("--tf-python", default="/work/tfenv/bin/python")
    args = ap.parse_args()
    if args.framework != "both":
        print(json.dumps(run(args.framework, args.n, args.repeat)))
        return
    cf_res = run("cuflow", args.n, args.repeat)
    tf_res = None
    if os.path.exists(args.tf_python):
        out = subprocess.run([args.tf_python, __file__, "--framework", "tf", "--n",
                              str(args.n), "--repeat", str(args.repeat)],
                             capture_output=True, text=True)
        lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
        tf_res = json.loads(lines[-1]) if lines else None
    print(f"n={args.n}, best of {args.repeat}; load {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'workload':22s} {'cuflow s':>10s} {'keras-tf s':>11s} {'tf/cuflow':>10s}")
    for k, v in cf_res.items():
        t = tf_res.get(k) if tf_res else None
        ratio = f"{t / v:10.2f}" if t else f"{'-':>10s}"
        print(f"{k:22s} {v:10.4f} {t if t else float('nan'):11.4f} {ratio}")


if __name__ == "__main__":
    sys.exit(main())
