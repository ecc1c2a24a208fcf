"""Graph-mode benchmark: fused cf.function kernels vs NumPy (and JAX / PyTorch if importable).

Run: ``env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE NUMBA_CACHE_DIR=.numba_cache \
python bench/graph_bench.py [--n 16777216] [--reps 5]``. Prints one table: median ms,
GB/s (bytes each workload must move at least once), and the ratio to the measured copy
bandwidth, plus first-call cost (trace + compile) with a cold and a warm disk cache.
"""
from __future__ import annotations

import argparse
import functools
import itertools
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np


def timeit(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def gelu_np(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_np_reuse(x, buf, out):
    np.multiply(x, x, out=buf)
    np.multiply(buf, x, out=buf)
    np.multiply(buf, 0.044715, out=buf)
    np.add(buf, x, out=buf)
    np.multiply(buf, math.sqrt(2 / math.pi), out=buf)
    np.tanh(buf, out=buf)
    np.add(buf, 1, out=buf)
    np.multiply(buf, x, out=out)
    np.multiply(out, 0.5, out=out)
    return out


def softmax_np(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def layernorm_np(x, g, b, eps=1e-5):
    m = x.mean(axis=-1, keepdims=True)
    v = ((x - m) ** 2).mean(axis=-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


FIRST_CALL = r"""
import time, math, numpy as np
t0 = time.perf_counter()
import cuflow as cf
t1 = time.perf_counter()
@cf.function
def gelu(x):
    return 0.5 * x * (1 + cf.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
x = cf.constant(np.ones(1024, np.float32))
t2 = time.perf_counter()
gelu(x)
t3 = time.perf_counter()
kernels = [n for n in gelu.get_concrete_function(x).graph.get_operations()
           if n.type.startswith("fused_")]
print(f"{t1 - t0:.3f} {t3 - t2:.3f} {len(kernels)}")
"""


def first_call(cache_dir):
    env = dict(os.environ, CUFLOW_CACHE_DIR=cache_dir, CUFLOW_FUSE_MIN_SIZE="0")
    env.pop("NUMBA_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", FIRST_CALL], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), int(out[2])


def interleaved(fns, reps):
    """Medians of the callables run round-robin (each rep runs every one once), so the
    shared machine's noise hits them alike."""
    for f in fns:
        f()
    ts = [[] for _ in fns]
    for _ in range(reps):
        for i, f in enumerate(fns):
            t0 = time.perf_counter()
            f()
            ts[i].append(time.perf_counter() - t0)
    return [statistics.median(t) for t in ts]


def print_table(rows):
    print("\n| workload | implementation | ms | GB/s | fraction of copy bw | cuflow speed-up "
          "| copy bw at the time (GB/s) |")
    print("|---|---|---|---|---|---|---|")
    for name, impl, ms, gbs, frac, ratio, bw in rows:
        print(f"| {name} | {impl} | {ms:.1f} | {gbs:.1f} | {frac:.2f} | {ratio:.2f}x | "
              f"{bw:.1f} |")


MLP_SIZES = [784, 256, 128, 10]


def mlp_rows(cf, reps):
    """The seed's MLP train step (matmuls + elementwise + reductions + SGD updates): cuflow
    compiled (cf.function) vs eager vs a ``jax.jit`` step (when jax is importable), same
    initial weights, batch and learning rate, run round-robin; each checked to compute the
    same loss."""
    rng2 = np.random.default_rng(1)
    sizes = MLP_SIZES
    init = [rng2.normal(size=(a, b)).astype(np.float32) * 0.05
            for a, b in itertools.pairwise(sizes)] + [np.zeros(b, np.float32)
                                                       for b in sizes[1:]]

    def make_step(params):
        ws, bs = params[:3], params[3:]

        def step(x, y):
            with cf.GradientTape() as tape:
                h = x
                for i, (w, b) in enumerate(zip(ws, bs)):
                    h = cf.matmul(h, w) + b
                    if i < 2:
                        h = cf.maximum(h, 0.0)
                loss = cf.reduce_mean(cf.square(h - y))
            grads = tape.gradient(loss, params)
            for p, g in zip(params, grads):
                p.assign_sub(0.01 * g)
            return loss
        return step
    xn = rng2.normal(size=(128, 784)).astype(np.float32)
    yn = rng2.normal(size=(128, 10)).astype(np.float32)
    xb, yb = cf.constant(xn), cf.constant(yn)
    eager_step = make_step([cf.Variable(a) for a in init])
    graph_step = cf.function(make_step([cf.Variable(a) for a in init]))
    fns = [lambda: eager_step(xb, yb), lambda: graph_step(xb, yb)]
    names = ["cuflow eager", "cuflow cf.function"]
    losses = [float(eager_step(xb, yb)), float(graph_step(xb, yb))]
    jax_fn = jax_mlp_step(init, xn, yn)
    if jax_fn is not None:
        losses.append(float(jax_fn()))
        fns.append(lambda: jax_fn().block_until_ready())
        names.append("jax.jit")
    np.testing.assert_allclose(losses, losses[0], rtol=1e-4)
    times = interleaved(fns, reps * 4)
    tg = times[1]
    name = "MLP train step b128 784-256-128-10"
    return [(name, impl, t * 1e3, float("nan"), float("nan"), t / tg, float("nan"))
            for impl, t in sorted(zip(names, times), key=lambda r: r[0] != names[1])]


def jax_mlp_step(init, xn, yn):
    """A jit-compiled JAX step equal to the cuflow one (params donated and updated), or
    None when jax is not installed."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        print("jax: not installed in this environment (MLP row skipped)")
        return None
    params = [jnp.asarray(a) for a in init]
    x, y = jnp.asarray(xn), jnp.asarray(yn)

    def loss_fn(params, x, y):
        ws, bs = params[:3], params[3:]
        h = x
        for i, (w, b) in enumerate(zip(ws, bs)):
            h = h @ w + b
            if i < 2:
                h = jnp.maximum(h, 0.0)
        return jnp.mean(jnp.square(h - y))

    @functools.partial(jax.jit, donate_argnums=0)
    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return [p - 0.01 * g for p, g in zip(params, grads)], loss
    state = {"params": params}

    def run():
        state["params"], loss = step(state["params"], x, y)
        return loss
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=16 * 1024 * 1024)
    ap.add_argument("--rows", type=int, default=4096)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--only-mlp", action="store_true", help="just the MLP train-step rows")
    args = ap.parse_args()
    import cuflow as cf
    if args.only_mlp:
        print_table(mlp_rows(cf, args.reps))
        return
    rng = np.random.default_rng(0)
    n, reps = args.n, args.reps
    src = rng.random(n, dtype=np.float32)
    dst = np.empty_like(src)

    from cuflow_kernels.codegen.expr import In, Op, Program
    from cuflow_kernels.codegen.fused import FusedKernel
    pcopy = FusedKernel(Program(["float32"], [Op("identity", [In(0, "float32")],
                                                  "float32")]))

    def copy():
        """The ceiling: the faster of NumPy's (one thread) and a parallel generated copy
        (all threads, as the fused kernels use)."""
        t0 = time.perf_counter()
        np.copyto(dst, src)
        t1 = time.perf_counter()
        pcopy(src, out=dst)
        t2 = time.perf_counter()
        time.sleep(0)
        return min(t1 - t0, t2 - t1)
    rows = []

    def measure(name, nbytes, impls):
        """impls: [(label, fn)]; a float32 copy of n elements runs alongside as the
        bandwidth ceiling of this very moment."""
        copies = []
        times = interleaved([lambda: copies.append(copy())] + [f for _, f in impls], reps)
        bw = 2 * src.nbytes / sorted(copies)[len(copies) // 2]
        for (label, _), t in zip(impls, times[1:]):
            rows.append((name, label, t * 1e3, nbytes / t / 1e9, nbytes / t / bw,
                         t / times[1], bw / 1e9))

    # GELU as users write it
    x = rng.normal(size=n).astype(np.float32)
    xt = cf.constant(x)
    gelu = cf.function(lambda x: 0.5 * x * (1 + cf.tanh(math.sqrt(2 / math.pi) *
                                                        (x + 0.044715 * x ** 3))))
    ref = gelu_np(x.astype(np.float64))
    np.testing.assert_allclose(gelu(xt).numpy(), ref, rtol=1e-5, atol=1e-6)
    buf, out = np.empty_like(x), np.empty_like(x)
    measure("gelu 16M", 2 * x.nbytes, [("cuflow cf.function", lambda: gelu(xt)),
                                       ("numpy buffer reuse",
                                        lambda: gelu_np_reuse(x, buf, out))])
    t_naive = timeit(lambda: gelu_np(x), 1)
    rows.append(("gelu 16M", "numpy as written (1 run)", t_naive * 1e3,
                 2 * x.nbytes / t_naive / 1e9, float("nan"), t_naive / (rows[-2][2] / 1e3),
                 float("nan")))

    # relu(x*a+b)*c+d with 5 full-size inputs
    ins = [rng.normal(size=n).astype(np.float32) for _ in range(5)]
    tins = [cf.constant(a) for a in ins]
    chain = cf.function(lambda x, a, b, c, d: cf.maximum(x * a + b, 0.0) * c + d)
    want = np.maximum(ins[0] * ins[1] + ins[2], 0) * ins[3] + ins[4]
    np.testing.assert_allclose(chain(*tins).numpy(), want, rtol=1e-6, atol=1e-6)
    measure("relu(x*a+b)*c+d 16M", 6 * x.nbytes, [
        ("cuflow cf.function", lambda: chain(*tins)),
        ("numpy as written", lambda: np.maximum(ins[0] * ins[1] + ins[2], 0) * ins[3] +
         ins[4])])

    # softmax / layer norm over the last axis: row kernels (fuse_reductions) against the
    # same cf.function without them (elementwise fusion only: "before"), NumPy and the
    # hand-written Numba row kernels of cuflow_kernels.cpu (the ceiling to aim at)
    from cuflow.config import knobs
    from cuflow_kernels.cpu.layernorm import layernorm_rows
    from cuflow_kernels.cpu.softmax import softmax_rows
    m = rng.normal(size=(args.rows, args.rows)).astype(np.float32)
    mt = cf.constant(m)

    def softmax(x):
        e = cf.exp(x - cf.reduce_max(x, axis=-1, keepdims=True))
        return e / cf.reduce_sum(e, axis=-1, keepdims=True)

    def layernorm(x, g, b):
        mu = cf.reduce_mean(x, axis=-1, keepdims=True)
        var = cf.reduce_mean(cf.square(x - mu), axis=-1, keepdims=True)
        return (x - mu) / cf.sqrt(var + 1e-5) * g + b

    def both(f, *a):
        """(with row kernels, without): traced and compiled now, under each setting."""
        new, old = cf.function(f), cf.function(f)
        new(*a)
        knobs.fuse_rows = False
        try:
            old(*a)
        finally:
            knobs.fuse_rows = True
        return new, old

    sm_new, sm_old = both(softmax, mt)
    sm_op = cf.function(cf.nn.softmax)
    for f in (sm_new, sm_old, sm_op):
        np.testing.assert_allclose(f(mt).numpy(), softmax_np(m), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(softmax_rows(m), softmax_np(m), rtol=1e-5, atol=1e-7)
    measure(f"softmax {args.rows}x{args.rows}", 2 * m.nbytes, [
        ("cuflow cf.function (row kernel)", lambda: sm_new(mt)),
        ("cuflow cf.function, no row fusion (before)", lambda: sm_old(mt)),
        ("cuflow cf.nn.softmax in cf.function", lambda: sm_op(mt)),
        ("hand-written Numba rows (cuflow_kernels.cpu)", lambda: softmax_rows(m)),
        ("numpy", lambda: softmax_np(m))])
    g = rng.normal(size=args.rows).astype(np.float32)
    b = rng.normal(size=args.rows).astype(np.float32)
    gt, bt = cf.constant(g), cf.constant(b)
    ln_new, ln_old = both(layernorm, mt, gt, bt)
    for f in (ln_new, ln_old):
        np.testing.assert_allclose(f(mt, gt, bt).numpy(), layernorm_np(m, g, b),
                                   rtol=1e-4, atol=1e-4)
    measure(f"layernorm {args.rows}x{args.rows}", 2 * m.nbytes, [
        ("cuflow cf.function (row kernel)", lambda: ln_new(mt, gt, bt)),
        ("cuflow cf.function, no row fusion (before)", lambda: ln_old(mt, gt, bt)),
        ("hand-written Numba rows (cuflow_kernels.cpu)", lambda: layernorm_rows(m, g, b)),
        ("numpy", lambda: layernorm_np(m, g, b))])

    rows += mlp_rows(cf, reps)

    print_table(rows)
    bw = rows[0][6] * 1e9
    print(f"\nGELU memory floor (read + write 16M float32 at the copy bandwidth measured "
          f"alongside): {2 * x.nbytes / bw * 1e3:.1f} ms; cuflow {rows[0][2]:.1f} ms "
          f"= {rows[0][2] / (2 * x.nbytes / bw * 1e3):.2f}x the floor")

    with tempfile.TemporaryDirectory() as d:
        imp, cold, k = first_call(d)
        _, warm, _ = first_call(d)
    print(f"first call (trace + compile, {k} fused kernel, in a fresh process): cold disk "
          f"cache {cold:.2f} s, warm disk cache {warm:.2f} s (import cuflow {imp:.2f} s)")


if __name__ == "__main__":
    main()
