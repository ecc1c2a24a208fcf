"""GPU kernels (cuflow_kernels.cuda) on a CUDA device: each kernel's time, GB/s over its
minimum traffic, and ratio to the device's measured ceilings (device-to-device copy
bandwidth, cuBLAS float32 matmul rate via CuPy), next to a CuPy-composite peer where one
exists. Results are checked against the NumPy reference on a small input first.

    python -m bench.gpu_kernels [--quick]

Timing is by CUDA events, median of repeats after warm-up; the first call (NVRTC
compile through CuPy, or CuPy's cache) is reported separately.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from cuflow_kernels import microbench


def _cupy_or_exit():
    try:
        import cupy as cp
    except ImportError:
        sys.exit("bench.gpu_kernels: CuPy is not installed (pip install 'cuflow[gpu]')")
    if not cp.cuda.is_available():
        sys.exit("bench.gpu_kernels: no CUDA device visible: nothing to measure")
    return cp


def _check(cp):
    """Each timed kernel agrees with the reference on a small input."""
    from cuflow_kernels.cuda import crossentropy, layernorm, pooling, softmax
    from cuflow_kernels.reference import crossentropy as rx, layernorm as rl
    from cuflow_kernels.reference import pooling as rp, softmax as rs
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3000)).astype(np.float32)
    np.testing.assert_allclose(softmax.softmax_rows(cp.asarray(x)).get(), rs.softmax_rows(x),
                               rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layernorm.layernorm_rows(cp.asarray(x))[0].get(),
                               rl.layernorm_rows(x)[0], rtol=1e-4, atol=1e-5)
    lab = rng.integers(0, 3000, 64)
    np.testing.assert_allclose(
        crossentropy.sparse_softmax_cross_entropy_with_logits(cp.asarray(x), cp.asarray(lab))[0]
        .get(), rx.sparse_softmax_cross_entropy_with_logits(x, lab)[0], rtol=1e-5)
    img = rng.standard_normal((2, 9, 9, 8)).astype(np.float32)
    np.testing.assert_allclose(pooling.max_pool2d_nhwc(cp.asarray(img), 3, 2, "SAME").get(),
                               rp.max_pool2d_nhwc(img, 3, 2, "SAME"))


def _cupy_softmax(cp, x):
    e = cp.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _cupy_layernorm(cp, x, g, b, eps=1e-5):
    mu = x.mean(axis=1, keepdims=True)
    var = x.var(axis=1, keepdims=True)
    return (x - mu) / cp.sqrt(var + eps) * g + b


def workloads(cp, quick):
    from cuflow_kernels.cuda import (crossentropy, dropout, embedding, im2col, layernorm,
                                     optim, pooling, softmax)
    rng = np.random.default_rng(0)
    n = 4096 if quick else 8192
    x = cp.asarray(rng.standard_normal((n, n), dtype=np.float32))
    xh = x.astype(cp.float16)
    g, b = cp.ones(n, cp.float32), cp.zeros(n, cp.float32)
    wide = cp.asarray(rng.standard_normal((64, 131072), dtype=np.float32))
    logits = cp.asarray(rng.standard_normal((8192, 32000), dtype=np.float32))
    labels = cp.asarray(rng.integers(0, 32000, 8192))
    img = cp.asarray(rng.standard_normal((64, 56, 56, 64), dtype=np.float32))
    table = cp.asarray(rng.standard_normal((50000, 512), dtype=np.float32))
    ids = cp.asarray(rng.integers(0, 50000, 65536))
    upd = cp.asarray(rng.standard_normal((65536, 512), dtype=np.float32))
    sizes = [4096 * 4096, 4096, 1024 * 4096, 1024, 50000 * 512] + [256 * 256] * 60
    ps = [cp.asarray(rng.standard_normal(s, dtype=np.float32)) for s in sizes]
    gs = [cp.ones_like(p) for p in ps]
    ms = [cp.zeros_like(p) for p in ps]
    vs = [cp.zeros_like(p) for p in ps]
    n_params = sum(sizes)
    pool_out = 64 * 28 * 28 * 64 * 4
    return [
        ("softmax rows %dx%d f32" % (n, n), lambda: softmax.softmax_rows(x),
         lambda: _cupy_softmax(cp, x), 2 * x.nbytes),
        ("softmax rows %dx%d f16" % (n, n), lambda: softmax.softmax_rows(xh), None,
         2 * xh.nbytes),
        ("softmax rows 64x131072 f32 (block/row)", lambda: softmax.softmax_rows(wide),
         lambda: _cupy_softmax(cp, wide), 2 * wide.nbytes),
        ("log_softmax rows %dx%d f32" % (n, n), lambda: softmax.log_softmax_rows(x), None,
         2 * x.nbytes),
        ("layernorm fwd %dx%d f32" % (n, n), lambda: layernorm.layernorm_rows(x, g, b),
         lambda: _cupy_layernorm(cp, x, g, b), 2 * x.nbytes),
        ("sparse xent fwd+grad 8192x32000", lambda: crossentropy
         .sparse_softmax_cross_entropy_with_logits(logits, labels, check_labels=False), None,
         2 * logits.nbytes),
        ("max_pool 3x3/2 SAME 64x56x56x64", lambda: pooling.max_pool2d_nhwc(img, 3, 2, "SAME"),
         None, img.nbytes + pool_out),
        ("avg_pool 3x3/2 SAME 64x56x56x64", lambda: pooling.avg_pool2d_nhwc(img, 3, 2, "SAME"),
         None, img.nbytes + pool_out),
        ("im2col 3x3 SAME 64x56x56x64", lambda: im2col.im2col_nhwc(img, 3, 1, "SAME"), None,
         img.nbytes * 10),
        ("dropout 0.1 %dx%d f32" % (n, n), lambda: dropout.dropout(x, 0.1, 1234), None,
         2 * x.nbytes + x.size),
        ("embedding gather 65536 x 512", lambda: embedding.gather_rows(table, ids,
                                                                      check_ids=False),
         lambda: table[ids], 2 * upd.nbytes),
        ("embedding scatter-add 65536 x 512", lambda: embedding.scatter_add_rows(
            ids, upd, 50000, check_ids=False), None, upd.nbytes + table.nbytes * 2),
        ("adamw multi-tensor %d tensors %.1fM" % (len(ps), n_params / 1e6),
         lambda: optim.adam_update_many(ps, gs, ms, vs, lr=1e-3, step=3, weight_decay=0.01),
         None, 7 * 4 * n_params),
        ("sgd momentum 16.8M", lambda: optim.sgd_momentum_update(
            ps[0], gs[0], ms[0], lr=0.1, momentum=0.9), None, 5 * ps[0].nbytes),
    ]


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args(argv)
    cp = _cupy_or_exit()
    _check(cp)
    ceil = microbench.measure_ceilings("gpu", copy_bytes=1 << 30, matmul_n=8192)
    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    print(f"device: {props['name'].decode()}; CuPy {cp.__version__}; D2D copy "
          f"{ceil['copy_gbps']:.0f} GB/s; cuBLAS f32 matmul {ceil['matmul_gflops']:.0f} GFLOP/s")
    print("| kernel | ms | GB/s | of copy | CuPy peer ms | peer/kernel | first call s |")
    print("|---|---|---|---|---|---|---|")
    for name, fn, peer, nbytes in workloads(cp, args.quick):
        t0 = time.perf_counter()
        fn()
        cp.cuda.Device().synchronize()
        first = time.perf_counter() - t0
        r = microbench.bench(fn, bytes_moved=nbytes, device="gpu", repeats=args.repeats,
                             ceilings=ceil)
        peer_ms = ratio = ""
        if peer is not None:
            pt = statistics.median(microbench.time_callable(peer, device="gpu",
                                                            repeats=args.repeats))
            peer_ms, ratio = f"{pt * 1e3:.3f}", f"{pt / r['time_s']:.2f}"
        print(f"| {name} | {r['time_s'] * 1e3:.3f} | {r['gbps']:.0f} | "
              f"{r['fraction_of_copy']:.2f} | {peer_ms} | {ratio} | {first:.2f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
