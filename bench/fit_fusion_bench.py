"""Where fusion pays in Keras ``fit``'s compiled train step on the CPU, per fused group.

Traces each model's train step with every fusable group fused (``CUFLOW_FIT_FUSE=1``,
no size floor), then during real ``fit`` steps runs every fused node both ways on the
same arrays: the generated Numba kernel and its member ops as NumPy calls in order.
Prints one line per group: elements (largest value), ops, inputs, kernel us, NumPy us,
and the ratio (NumPy / kernel: > 1 means fusion wins). Models: the seed MLP
(784-128-10, batch 128), the small convnet (batch 64), an LSTM and a GRU (50x32 -> 64,
batch 64) and a transformer-ish block (Dense + LayerNormalization + MultiHeadAttention,
softmax; 64 tokens x 64 features, batch 32). Numba and OpenBLAS run on one thread.

    python -m bench.fit_fusion_bench --groups [--models mlp,convnet,lstm,gru,transformer]

``--fit``: whole ``fit`` epochs per model under each policy of ``CUFLOW_FIT_FUSE`` (0:
never fuse, the old default; auto: the size rule; 1: fuse every group), side by side with
the same model in PyTorch, rounds alternating the runners; samples/s (wall, and per
process CPU-second, which leaves out waiting for a core on a loaded machine), median and
range over ``--rounds``. Everything runs on one thread (BLAS, Numba, torch).

    python -m bench.fit_fusion_bench --fit [--models ...] [--steps 16] [--rounds 5]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _load():
    with open("/proc/loadavg") as f:
        return [float(v) for v in f.read().split()[:3]]


def models(cf):
    K, L = cf.keras, cf.keras.layers
    rng = np.random.default_rng(0)

    def mlp():
        m = K.Sequential([K.Input((784,)), L.Dense(128, activation="relu"),
                          L.Dense(10, activation="softmax")])
        m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
        x = rng.random((128 * 16, 784), dtype=np.float32)
        return m, x, np.eye(10, dtype=np.float32)[rng.integers(0, 10, len(x))], 128

    def convnet():
        m = K.Sequential([K.Input((28, 28, 1)), L.Conv2D(32, 3, activation="relu"),
                          L.MaxPooling2D(2), L.Conv2D(64, 3, activation="relu"),
                          L.MaxPooling2D(2), L.Flatten(), L.Dense(10)])
        m.compile(optimizer=K.optimizers.Adam(1e-3),
                  loss=K.losses.SparseCategoricalCrossentropy(from_logits=True))
        x = rng.random((64 * 16, 28, 28, 1), dtype=np.float32)
        return m, x, rng.integers(0, 10, len(x)), 64

    def rnn(kind):
        def make():
            m = K.Sequential([K.Input((50, 32)), getattr(L, kind)(64), L.Dense(5)])
            m.compile(optimizer="adam",
                      loss=K.losses.SparseCategoricalCrossentropy(from_logits=True))
            x = rng.random((64 * 16, 50, 32), dtype=np.float32)
            return m, x, rng.integers(0, 5, len(x)), 64
        return make

    def transformer():
        inp = K.Input((64, 64))
        h = L.MultiHeadAttention(num_heads=4, key_dim=16)(inp, inp)
        h = L.LayerNormalization()(inp + h)
        f = L.Dense(128, activation="relu")(h)
        h = L.LayerNormalization()(h + L.Dense(64)(f))
        out = L.Dense(10, activation="softmax")(L.GlobalAveragePooling1D()(h))
        m = K.Model(inp, out)
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        x = rng.standard_normal((32 * 16, 64, 64), dtype=np.float32)
        return m, x, rng.integers(0, 10, len(x)), 32

    return {"mlp": mlp, "convnet": convnet, "lstm": rnn("LSTM"), "gru": rnn("GRU"),
            "transformer": transformer}


def _numpy_path(fused, arrays):
    vals = list(arrays)
    for impl, refs, attrs in fused.steps:
        vals.append(np.asarray(impl(np, *[vals[i] if i >= 0 else c for i, c in refs],
                                    **attrs)))
    return [vals[i] for i in fused.outs]


def instrument(records):
    """Patches the fused callables to time the kernel and the NumPy path per call."""
    from cuflow.graph.passes import fuse_elementwise, fuse_reductions
    from cuflow.ops.registry import all_ops
    names = {op.impl: op.name for op in all_ops().values()}
    saved = []
    for cls in (fuse_elementwise._Fused, fuse_reductions._RowFused):
        original = cls.__call__
        saved.append((cls, original))

        def call(self, xp, *arrays, out=None, _original=original, _cls=cls):
            rec = records.get(id(self))
            first = rec is None or len(rec["k"]) % 2
            if first:       # alternate which path runs first (cache warmth)
                t = time.perf_counter()
                _numpy_path(self, arrays)
                t_np = time.perf_counter() - t
            t = time.perf_counter()
            res = _original(self, xp, *arrays, out=out)
            t_k = time.perf_counter() - t
            if not first:
                t = time.perf_counter()
                _numpy_path(self, arrays)
                t_np = time.perf_counter() - t
            size = max((a.size for a in arrays), default=1)
            shapes = [getattr(r, "size", 1) for r in (res if isinstance(res, tuple)
                                                      else (res,))]
            rec = records.setdefault(id(self), {
                "name": self.name, "elements": max([size] + shapes),
                "ops": len(self.steps), "inputs": len(arrays),
                "shapes": " ".join("x".join(map(str, a.shape)) + ("" if a.flags.c_contiguous
                                                                  else "(nc)")
                                   for a in arrays),
                "what": " ".join(names.get(s[0], "?") for s in self.steps),
                "rows": _cls is fuse_reductions._RowFused, "k": [], "np": []})
            rec["k"].append(t_k)
            rec["np"].append(t_np)
            return res
        cls.__call__ = call

    def restore():
        for cls, original in saved:
            cls.__call__ = original
    return restore


def groups(cf, args):
    knobs = cf.config.knobs
    saved = knobs.fit_fuse, knobs.fuse_min_size
    knobs.fit_fuse, knobs.fuse_min_size = "1", 0
    try:
        _groups(cf, args)
    finally:
        knobs.fit_fuse, knobs.fuse_min_size = saved


def _groups(cf, args):
    table = models(cf)
    for name in args.models.split(","):
        records: dict = {}
        m, x, y, b = table[name]()
        m.fit(x[:2 * b], y[:2 * b], batch_size=b, epochs=1, verbose=0)   # trace + compile
        restore = instrument(records)
        m.fit(x[:args.steps * b], y[:args.steps * b], batch_size=b, epochs=1, verbose=0)
        restore()
        print(f"\n== {name} (batch {b}) ==")
        print(f"{'kind':5} {'elements':>9} {'ops':>4} {'ins':>4} {'kernel us':>10} "
              f"{'numpy us':>9} {'np/kern':>8}  ops")
        tk = tn = 0.0
        for r in sorted(records.values(), key=lambda r: -r["elements"]):
            k = statistics.median(r["k"]) * 1e6
            n = statistics.median(r["np"]) * 1e6
            tk += k
            tn += n
            print(f"{'rows' if r['rows'] else 'elem':5} {r['elements']:9d} {r['ops']:4d} "
                  f"{r['inputs']:4d} {k:10.1f} {n:9.1f} {n / k:8.2f}  {r['what'][:70]}"
                  + (f"  <- {r['shapes']}" if args.shapes else ""))
        print(f"total per step: kernels {tk:.0f} us, numpy {tn:.0f} us")


def torch_model(torch, name):
    nn = torch.nn
    if name == "mlp":
        return nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    if name == "convnet":
        return nn.Sequential(nn.Unflatten(1, (1, 28)), nn.Conv2d(1, 32, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                             nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 10))
    if name in ("lstm", "gru"):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = getattr(nn, name.upper())(32, 64, batch_first=True)
                self.out = nn.Linear(64, 5)

            def forward(self, v):
                return self.out(self.rnn(v)[0][:, -1])
        return Net()

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.att = nn.MultiheadAttention(64, 4, batch_first=True)
            self.n1, self.n2 = nn.LayerNorm(64, eps=1e-3), nn.LayerNorm(64, eps=1e-3)
            self.f1, self.f2, self.out = nn.Linear(64, 128), nn.Linear(128, 64), \
                nn.Linear(64, 10)

        def forward(self, v):
            h = self.n1(v + self.att(v, v, v, need_weights=False)[0])
            h = self.n2(h + self.f2(torch.relu(self.f1(h))))
            return self.out(h.mean(1))
    return Block()


def torch_runner(torch, name, x, y, b):
    torch.manual_seed(0)
    model = torch_model(torch, name)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt = torch.from_numpy(x.reshape(len(x), 28, 28) if name == "convnet" else x)
    yt = torch.from_numpy(y.argmax(1) if y.ndim == 2 else y.astype(np.int64))

    def epoch():
        for i in range(0, len(xt), b):
            opt.zero_grad()
            loss_fn(model(xt[i:i + b]), yt[i:i + b]).backward()
            opt.step()
    epoch()
    return epoch


def fit(cf, args):
    from bench.harness import try_import
    from bench.keras_convnet_bench import set_threads
    torch = try_import("torch")
    keep = set_threads(1, torch)     # noqa: F841 (the limiter must stay alive)
    table = models(cf)
    for name in args.models.split(","):
        runners = {}
        for mode in ("0", "auto", "1"):
            cf.config.knobs.fit_fuse = mode
            m, x, y, b = table[name]()
            x, y = x[:args.steps * b], y[:args.steps * b]
            m.fit(x, y, batch_size=b, epochs=1, verbose=0, shuffle=False)  # trace, compile
            runners[f"cuflow fuse={mode}"] = (lambda m=m, x=x, y=y, b=b: m.fit(
                x, y, batch_size=b, epochs=1, verbose=0, shuffle=False))
        cf.config.knobs.fit_fuse = "auto"
        if torch is not None:
            runners["torch"] = torch_runner(torch, name, x, y, b)
        wall = {k: [] for k in runners}
        cpu = {k: [] for k in runners}
        loads = []
        for _ in range(args.rounds):
            loads.append(float(_load()[0]))
            for k, run in runners.items():
                t0, c0 = time.perf_counter(), time.process_time()
                run()
                wall[k].append(len(x) / (time.perf_counter() - t0))
                cpu[k].append(len(x) / (time.process_time() - c0))
        print(f"\n== {name}: {len(x)} samples, batch {b}, {args.rounds} rounds, load "
              f"{min(loads):.1f}-{max(loads):.1f} ==")
        base = statistics.median(wall["cuflow fuse=0"])
        for k in runners:
            w, c = wall[k], cpu[k]
            print(f"{k:17} {statistics.median(w):8.0f} samples/s [{min(w):.0f}-{max(w):.0f}]"
                  f"  x{statistics.median(w) / base:.2f} vs fuse=0   per CPU-s "
                  f"{statistics.median(c):8.0f} [{min(c):.0f}-{max(c):.0f}]")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="mlp,convnet,lstm,gru,transformer")
    ap.add_argument("--steps", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--groups", action="store_true")
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--shapes", action="store_true", help="--groups: input shapes too")
    args = ap.parse_args()
    import cuflow as cf
    print(f"load {_load()}")
    if args.groups or not args.fit:
        groups(cf, args)
    if args.fit:
        fit(cf, args)


if __name__ == "__main__":
    main()
