"""CPU kernels (Numba, cuflow_kernels.cpu) against NumPy (cuflow_kernels.reference), side by
side in one process, with the machine's copy-bandwidth and matmul ceilings.

    NUMBA_CACHE_DIR=.numba_cache python -m bench.cpu_kernels [--quick] [--only softmax]

Each row: median ms of the NumPy reference and the Numba kernel (alternated round by
round after warm-up), their ratio, the kernel's GB/s over its minimum traffic and that as
a fraction of the measured copy bandwidth. Results are checked against the reference
before timing. "first call" is the Numba kernel's first call in this process (loading
from NUMBA_CACHE_DIR when warm, compiling when cold).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

from cuflow_kernels import microbench
from cuflow_kernels.cpu import crossentropy as c_xent
from cuflow_kernels.cpu import im2col as c_im2col
from cuflow_kernels.cpu import layernorm as c_ln
from cuflow_kernels.cpu import optim as c_optim
from cuflow_kernels.cpu import pooling as c_pool
from cuflow_kernels.cpu import quant as c_quant
from cuflow_kernels.cpu import softmax as c_softmax
from cuflow_kernels.reference import crossentropy as r_xent
from cuflow_kernels.reference import im2col as r_im2col
from cuflow_kernels.reference import layernorm as r_ln
from cuflow_kernels.reference import optim as r_optim
from cuflow_kernels.reference import pooling as r_pool
from cuflow_kernels.reference import softmax as r_softmax


def interleaved(fns: dict, repeats: int) -> dict:
    samples = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in samples.items()}


def _first_call(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def workloads(quick: bool):
    rng = np.random.default_rng(0)
    n = 2048 if quick else 4096
    x = rng.standard_normal((n, n), dtype=np.float32)
    g, b = rng.standard_normal(n, dtype=np.float32), rng.standard_normal(n, dtype=np.float32)
    img = rng.standard_normal((16 if quick else 32, 56, 56, 64), dtype=np.float32)
    logits = rng.standard_normal((4096, 1000), dtype=np.float32)
    labels = rng.integers(0, 1000, 4096)
    size = 4_000_000 if quick else 10_000_000
    p, gr = rng.standard_normal(size, dtype=np.float32), rng.standard_normal(size,
                                                                             dtype=np.float32)
    m, v = np.zeros(size, np.float32), np.ones(size, np.float32)
    qa = rng.integers(-128, 128, (512, 512)).astype(np.int8)
    qb = rng.integers(-128, 128, (512, 512)).astype(np.int8)
    cols_bytes = 9 * img.nbytes  # im2col 3x3 SAME writes 9 copies
    adam = dict(lr=1e-3, step=10, weight_decay=0.01)
    return [
        ("softmax rows %dx%d f32" % (n, n), lambda: r_softmax.softmax_rows(x),
         lambda: c_softmax.softmax_rows(x), 2 * x.nbytes),
        ("log_softmax rows %dx%d f32" % (n, n), lambda: r_softmax.log_softmax_rows(x),
         lambda: c_softmax.log_softmax_rows(x), 2 * x.nbytes),
        ("layernorm fwd %dx%d f32" % (n, n), lambda: r_ln.layernorm_rows(x, g, b),
         lambda: c_ln.layernorm_rows(x, g, b), 2 * x.nbytes),
        ("sparse xent fwd+grad 4096x1000", lambda: r_xent.sparse_softmax_cross_entropy_with_logits(
            logits, labels), lambda: c_xent.sparse_softmax_cross_entropy_with_logits(
            logits, labels), 2 * logits.nbytes),
        ("im2col 3x3 SAME %s" % (img.shape,), lambda: r_im2col.im2col_nhwc(img, 3, 1, "SAME"),
         lambda: c_im2col.im2col_nhwc(img, 3, 1, "SAME"), img.nbytes + cols_bytes),
        ("max_pool 3x3/2 SAME %s" % (img.shape,), lambda: r_pool.max_pool2d_nhwc(
            img, 3, 2, "SAME"), lambda: c_pool.max_pool2d_nhwc(img, 3, 2, "SAME"),
         img.nbytes * 5 // 4),
        ("adamw update %dM f32" % (size // 1_000_000),
         lambda: r_optim.adam_update(p, gr, m, v, **adam),
         lambda: c_optim.adam_update(p, gr, m, v, **adam), 7 * p.nbytes),
        ("int8 GEMM 512^3 (vs int32 matmul)",
         lambda: qa.astype(np.int32) @ qb.astype(np.int32),
         lambda: c_quant.matmul_int8(qa, qb), 0),  # compute-bound: see GOP/s below
    ]


def check():
    """Results agree with the reference before anything is timed."""
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 300), dtype=np.float32)
    np.testing.assert_allclose(c_softmax.softmax_rows(x), r_softmax.softmax_rows(x), atol=1e-6)
    img = rng.standard_normal((2, 9, 9, 8), dtype=np.float32)
    np.testing.assert_array_equal(c_im2col.im2col_nhwc(img, 3, 1, "SAME"),
                                  r_im2col.im2col_nhwc(img, 3, 1, "SAME"))
    qa = rng.integers(-128, 128, (33, 70)).astype(np.int8)
    qb = rng.integers(-128, 128, (70, 9)).astype(np.int8)
    np.testing.assert_array_equal(c_quant.matmul_int8(qa, qb),
                                  qa.astype(np.int64) @ qb.astype(np.int64))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--only", default="", help="run workloads whose name contains this")
    args = ap.parse_args(argv)
    repeats = args.repeats or (5 if args.quick else 9)
    check()
    ceil = microbench.measure_ceilings("cpu")
    print(f"ceilings: copy {ceil['copy_gbps']:.1f} GB/s, f32 matmul "
          f"{ceil['matmul_gflops']:.0f} GFLOP/s; NUMBA_CACHE_DIR="
          f"{os.environ.get('NUMBA_CACHE_DIR', '(unset)')}; cores {os.cpu_count()}")
    print("| workload | NumPy ms | Numba ms | NumPy/Numba | Numba GB/s | of copy | first call s |")
    print("|---|---|---|---|---|---|---|")
    for name, ref, fast, nbytes in workloads(args.quick):
        if args.only not in name:
            continue
        first = _first_call(fast)
        t = interleaved({"numpy": ref, "numba": fast}, repeats)
        gbps = nbytes / t["numba"] / 1e9 if nbytes else float("nan")
        print(f"| {name} | {t['numpy'] * 1e3:.1f} | {t['numba'] * 1e3:.1f} | "
              f"{t['numpy'] / t['numba']:.2f} | {gbps:.1f} | {gbps / ceil['copy_gbps']:.2f} | "
              f"{first:.2f} |")
        if name.startswith("int8"):
            print(f"|   (int8 GEMM: {2 * 512 ** 3 / t['numba'] / 1e9:.1f} GOP/s Numba vs "
                  f"{ceil['matmul_gflops']:.0f} GFLOP/s f32 BLAS ceiling) | | | | | | |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
