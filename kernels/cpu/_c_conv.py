"""Direct NHWC float32 conv2d on the CPU (csrc/conv.c), without an im2col matrix.

The kernel keeps a tile of output pixels x channels in vector registers and reads each
input value once per tap, so it skips im2col's copy of every window (KH*KW times the
input) and the GEMM's pass over it. Measured at one thread against im2col + OpenBLAS
(bench/RESULTS_kernel_overrides.md): 1.1-2.5x, most for few channels, where a GEMM with
16-64 columns runs far from its peak. The input backprop of a stride-1 convolution is
the same kernel on the padded output gradient with the filter rotated and transposed.

Work is split by output rows: on as many threads as blas_threads measures best for the
size (its own timing class: "conv"), the first chunk on the calling thread, the others
on a persistent pool with the GIL released. No checks here: the caller (the conv2d
override) passes float32 arrays, an HWIO filter of the input's channel count, positive
strides and dilations, and non-negative pads.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import native

_C: list = []
_lock = threading.Lock()
_POOL: list = []
SPLIT_MIN_MACS = 1 << 22   # below this a second thread's wake-up costs more than it saves


def library():
    """(call, call_nogil) for csrc/conv.c's kernel, or None when it cannot be built."""
    if not _C:
        with _lock:
            if not _C:
                lib = native.load("conv")
                _C.append(None if lib is None else tuple(
                    native.bind(lib, "conv2d_nhwc_f32", "ppp" + "n" * 15, nogil=g)
                    for g in (False, True)))
    return _C[0]


def _pool(n):
    if not _POOL or _POOL[0]._max_workers < n:
        _POOL[:] = [ThreadPoolExecutor(max_workers=n, thread_name_prefix="cuflow-conv")]
    return _POOL[0]


def conv2d(x, w, strides, dilations, pads):
    """NHWC ``x`` (float32) with HWIO ``w``; ``pads`` ((top, bottom), (left, right))."""
    from cuflow.backend import blas_threads
    (pt, pb), (pl, pr) = pads
    if pt or pb or pl or pr:
        x = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    x = np.ascontiguousarray(x)
    n, hp, wp, c = x.shape
    kh, kw, _, co = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    oh = (hp - (kh - 1) * dh - 1) // sh + 1
    ow = (wp - (kw - 1) * dw - 1) // sw + 1
    out = np.empty((n, max(oh, 0), max(ow, 0), co), np.float32)
    if out.size == 0:
        return out
    block = 16 if co <= 16 else 32
    cop = -(-co // block) * block
    w = np.ascontiguousarray(w if cop == co else
                             np.pad(w, ((0, 0), (0, 0), (0, 0), (0, cop - co))))
    args = (x, w, out, hp, wp, c, kh, kw, co, cop, oh, ow, sh, sw, dh, dw)
    rows = n * oh
    call, call_nogil = library()
    macs = out.size * kh * kw * c
    if macs < SPLIT_MIN_MACS or rows < 2:
        call(*args, 0, rows)
        return out

    def run():
        k = min(blas_threads.threads_now(), rows)
        if k == 1:
            call(*args, 0, rows)
            return
        cuts = [rows * i // k for i in range(k + 1)]
        futures = [_pool(k - 1).submit(call_nogil, *args, cuts[i], cuts[i + 1])
                   for i in range(1, k)]
        call_nogil(*args, cuts[0], cuts[1])
        for f in futures:
            f.result()
    blas_threads.run(run, macs, kind="conv")
    return out


def conv2d_backprop_input(dy, w, in_shape, dilations, pads):
    """dx of a stride-1 conv2d: the full correlation of ``dy`` with the filter rotated by
    180 degrees, in and out channels swapped. None when the forward padding exceeded the
    dilated filter's reach (the caller falls back)."""
    _, h, wd, _ = in_shape
    kh, kw = w.shape[:2]
    (dh, dw), ((pt, _), (pl, _)) = dilations, pads
    top, left = dh * (kh - 1) - pt, dw * (kw - 1) - pl
    bottom = h + dh * (kh - 1) - dy.shape[1] - top
    right = wd + dw * (kw - 1) - dy.shape[2] - left
    if min(top, left, bottom, right) < 0:
        return None
    w_rot = np.ascontiguousarray(w[::-1, ::-1].transpose(0, 1, 3, 2))
    return conv2d(dy, w_rot, (1, 1), (dh, dw), ((top, bottom), (left, right)))
