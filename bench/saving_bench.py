"""model.save / load_model / save_weights / load_weights times, cuflow next to real Keras 3.

    .venv/bin/python -m bench.saving_bench [--tf-python /work/tfenv/bin/python]

The same MLP (784-512-512-10, Adam state after one step: ~2 M floats on disk) is timed
in this process with cuflow and in a subprocess with Keras (on TensorFlow) when that
interpreter exists; both write Keras 3's .keras / .weights.h5 formats. Median of 7, ms.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

_BODY = r'''
import os, sys, time, json, tempfile
import numpy as np
if sys.argv[1] == "keras":
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import keras
else:
    import cuflow as cf
    keras = cf.keras
L = keras.layers
keras.utils.set_random_seed(0)
m = keras.Sequential([keras.Input((784,)), L.Dense(512, activation="relu"),
                      L.Dense(512, activation="relu"), L.Dense(10)])
m.compile("adam", "mse")
m.train_on_batch(np.ones((8, 784), "float32"), np.ones((8, 10), "float32"))
d = tempfile.mkdtemp()
out = {}
def timed(name, fn):
    ts = []
    for _ in range(7):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    out[name] = sorted(ts)[3] * 1e3
timed("save .keras", lambda: m.save(os.path.join(d, "m.keras")))
timed("load_model", lambda: keras.models.load_model(os.path.join(d, "m.keras")))
timed("save_weights", lambda: m.save_weights(os.path.join(d, "m.weights.h5")))
timed("load_weights", lambda: m.load_weights(os.path.join(d, "m.weights.h5")))
out["file KiB"] = os.path.getsize(os.path.join(d, "m.keras")) / 1024
print(json.dumps(out))
'''


def run(kind, python):
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(_BODY)
    try:
        r = subprocess.run([python, f.name, kind], capture_output=True, text=True,
                           timeout=600, check=False)
    finally:
        os.unlink(f.name)
    if r.returncode:
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tf-python", default="/work/tfenv/bin/python")
    args = ap.parse_args()
    rows = {"cuflow": run("cuflow", sys.executable)}
    if os.path.exists(args.tf_python):
        rows["keras (TF)"] = run("keras", args.tf_python)
    with open("/proc/loadavg") as f:
        print("load:", f.read().split()[:3])
    keys = list(rows["cuflow"])
    print("| | " + " | ".join(keys) + " |")
    print("|---" * (len(keys) + 1) + "|")
    for name, r in rows.items():
        cells = [f"{r[k]:.1f}" for k in keys] if r else ["n/a"] * len(keys)
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    t0 = time.time()
    main()
    print(f"({time.time() - t0:.0f} s)")
