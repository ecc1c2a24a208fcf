"""CPU kernel-override candidates (Numba) against the ops' NumPy impl, side by side.

For each candidate op and size: the registry impl (``op.impl(numpy, ...)``) and the
Numba kernel, interleaved, medians of ``--reps`` runs, results checked against each other
with the registry tolerances. Compile time (first call) is reported separately.

    NUMBA_CACHE_DIR=.numba_cache env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
        .venv/bin/python bench/kernel_overrides_bench.py --reps 7 [--convnet]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def _time(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _pair(name, impl, kernel, reps, rtol, atol):
    t0 = time.perf_counter()
    want, got = impl(), kernel()   # warm-up (Numba compile or cache load) + correctness
    first = time.perf_counter() - t0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=name)
    ti, tk = [], []
    for _ in range(reps):
        ti.append(_time(impl))
        tk.append(_time(kernel))
    mi, mk = statistics.median(ti), statistics.median(tk)
    print(f"{name:44s} impl {mi * 1e3:9.3f} ms  numba {mk * 1e3:9.3f} ms  "
          f"speedup {mi / mk:5.2f}x  (first pair {first:.2f}s)", flush=True)
    return mi / mk


def convnet(reps):
    """The overrides a small convnet's train step runs (bench/keras_convnet_bench.py's
    shapes, batch 64): each CPU override against its op's impl; for conv2d and its filter
    backprop (not wired) the Numba-im2col candidate."""
    from cuflow.ops import kernel_overrides as ko
    from cuflow.ops import registry
    from cuflow_kernels.cpu import im2col
    rng = np.random.default_rng(0)
    valid = dict(strides=(1, 1), dilations=(1, 1), pads=((0, 0), (0, 0)))
    pool = dict(ksize=(2, 2), strides=(2, 2), dilations=(1, 1), pads=((0, 0), (0, 0)))

    def pair(name, op_name, *args, rtol=2e-6, atol=1e-5, body=None, **attrs):
        op = registry.get(op_name)
        kernel = op.kernels.get("CPU") if body is None else (
            lambda *a, **k: body(im2col, np, *a, **k))
        _pair(f"{op_name} {name}", lambda: op.impl(np, *args, **attrs),
              lambda: kernel(*args, **attrs), reps, rtol, atol)
    for xs, o in (((64, 28, 28, 1), 32), ((64, 13, 13, 32), 64)):
        x = rng.standard_normal(xs).astype(np.float32)
        w = rng.standard_normal((3, 3, xs[3], o)).astype(np.float32)
        dy = rng.standard_normal((xs[0], xs[1] - 2, xs[2] - 2, o)).astype(np.float32)
        pair(f"{xs}->{o} (Numba im2col)", "conv2d", x, w, body=ko._conv_fwd, **valid)
        pair(f"{xs}->{o} (Numba im2col)", "conv2d_backprop_filter", x, dy,
             filter_shape=w.shape, rtol=2e-5, atol=1e-3, body=ko._conv_bp_filter, **valid)
        pair(f"{xs}->{o}", "conv2d_backprop_input", dy, w, in_shape=xs, rtol=2e-5,
             atol=1e-4, **valid)
    for xs in ((64, 26, 26, 32), (64, 11, 11, 64)):
        x = rng.standard_normal(xs).astype(np.float32)
        dy = rng.standard_normal((xs[0], xs[1] // 2, xs[2] // 2, xs[3])).astype(np.float32)
        pair(f"2x2/2 {xs}", "max_pool", x, **pool)
        pair(f"2x2/2 {xs}", "max_pool_grad", x, dy, **pool)
        g = rng.standard_normal(xs).astype(np.float32)
        pair(f"relu grad {xs}", "select_v2", x > 0, g, np.zeros_like(g))
        pair(f"bias grad {xs}", "reduce_sum", g, axis=(0, 1, 2), keepdims=False,
             rtol=1e-5, atol=1e-3)


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--convnet", action="store_true",
                    help="only the overrides of a small convnet's train step")
    args = ap.parse_args(argv)
    if args.convnet:
        return convnet(args.reps)
    from cuflow.ops import registry
    from cuflow_kernels.cpu import im2col, pooling, softmax
    from cuflow.ops.conv_ops import im2col as impl_im2col
    rng = np.random.default_rng(0)
    tol = {np.float32: (2e-6, 1e-5), np.float64: (1e-7, 1e-9)}
    sm, lsm = registry.get("softmax"), registry.get("log_softmax")
    for shape in ((4096, 4096), (1024, 1000), (256, 256), (64, 128), (8, 10)):
        for dt in (np.float32, np.float64):
            x = rng.standard_normal(shape).astype(dt)
            _pair(f"softmax {shape} {np.dtype(dt).name}", lambda: sm.impl(np, x, axis=1),
                  lambda: softmax.softmax_rows(x), args.reps, *tol[dt])
            _pair(f"log_softmax {shape} {np.dtype(dt).name}",
                  lambda: lsm.impl(np, x, axis=1), lambda: softmax.log_softmax_rows(x),
                  args.reps, *tol[dt])
    mp, ap_ = registry.get("max_pool"), registry.get("avg_pool")
    for shape in ((32, 64, 64, 32), (8, 32, 32, 16), (2, 8, 8, 4)):
        x = rng.standard_normal(shape).astype(np.float32)
        at = dict(ksize=(3, 3), strides=(2, 2), dilations=(1, 1), pads=((0, 1), (0, 1)))
        _pair(f"max_pool 3x3/2 SAME {shape}", lambda: mp.impl(np, x, **at),
              lambda: pooling.max_pool2d_nhwc(x, (3, 3), (2, 2), ((0, 1), (0, 1))),
              args.reps, 0, 0)
        _pair(f"avg_pool 3x3/2 SAME {shape}", lambda: ap_.impl(np, x, **at),
              lambda: pooling.avg_pool2d_nhwc(x, (3, 3), (2, 2), ((0, 1), (0, 1))),
              args.reps, 2e-6, 1e-5)
    for shape in ((32, 32, 32, 32), (8, 16, 16, 16), (2, 8, 8, 3)):
        x = rng.standard_normal(shape).astype(np.float32)
        pads = ((1, 1), (1, 1))
        _pair(f"im2col 3x3 SAME {shape}",
              lambda: impl_im2col(np, x, 3, 3, (1, 1), (1, 1), pads).reshape(
                  -1, 9 * shape[3]),
              lambda: im2col.im2col_nhwc(x, (3, 3), (1, 1), pads), args.reps, 0, 0)
    # conv2d end to end: Numba im2col + the same BLAS matmul (kernel_overrides' GPU body)
    from cuflow.ops import kernel_overrides as ko
    conv, bpf = registry.get("conv2d"), registry.get("conv2d_backprop_filter")
    at = dict(strides=(1, 1), dilations=(1, 1), pads=((1, 1), (1, 1)))
    for shape, o in (((32, 32, 32, 32), 64), ((64, 28, 28, 16), 32), ((8, 16, 16, 16), 16)):
        x = rng.standard_normal(shape).astype(np.float32)
        w = rng.standard_normal((3, 3, shape[3], o)).astype(np.float32)
        dy = conv.impl(np, x, w, **at)
        _pair(f"conv2d 3x3 SAME {shape}->{o}", lambda: conv.impl(np, x, w, **at),
              lambda: ko._conv_fwd(im2col, np, x, w, **at), args.reps, 2e-6, 1e-5)
        _pair(f"conv2d_backprop_filter {shape}->{o}",
              lambda: bpf.impl(np, x, dy, filter_shape=w.shape, **at),
              lambda: ko._conv_bp_filter(im2col, np, x, dy, w.shape, **at), args.reps,
              2e-5, 1e-3)


if __name__ == "__main__":
    main()
