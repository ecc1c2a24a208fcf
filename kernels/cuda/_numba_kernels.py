"""Numba CUDA kernels (imports numba: load lazily). They run on a GPU, and under
NUMBA_ENABLE_CUDASIM=1 in Numba's simulator on NumPy arrays.

- ``axpy_kernel``: the elementwise grid-stride pattern;
- ``sum_rows_kernel`` / ``max_rows_kernel``: one block per row, a shared-memory tree
  reduction with ``syncthreads``;
- ``dropout_kernel``: Philox4x32-10 dropout, the layout of reference/dropout.py.
"""
import math

from numba import cuda, float32, float64, uint32, uint64

MASK32 = 0xFFFFFFFF
REDUCE_THREADS = 128  # block size of the row reductions (a power of two)


@cuda.jit
def axpy_kernel(alpha, x, y, out):
    start = cuda.grid(1)
    stride = cuda.gridsize(1)
    for i in range(start, x.size, stride):
        out[i] = alpha * x[i] + y[i]


def _make_row_reduce(combine, identity, dtype):
    @cuda.jit
    def kernel(x, out):
        buf = cuda.shared.array(REDUCE_THREADS, dtype)
        row = cuda.blockIdx.x
        t = cuda.threadIdx.x
        acc = identity
        for j in range(t, x.shape[1], REDUCE_THREADS):
            acc = combine(acc, x[row, j])
        buf[t] = acc
        cuda.syncthreads()
        half = REDUCE_THREADS // 2
        while half > 0:
            if t < half:
                buf[t] = combine(buf[t], buf[t + half])
            cuda.syncthreads()
            half //= 2
        if t == 0:
            out[row] = buf[0]
    return kernel


@cuda.jit(device=True)
def _add(a, b):
    return a + b


@cuda.jit(device=True)
def _max(a, b):
    return a if a >= b else b


sum_rows_f32 = _make_row_reduce(_add, float32(0), float32)
sum_rows_f64 = _make_row_reduce(_add, float64(0), float64)
max_rows_f32 = _make_row_reduce(_max, float32(-math.inf), float32)
max_rows_f64 = _make_row_reduce(_max, float64(-math.inf), float64)


@cuda.jit(device=True)
def _mulhilo(a, b):
    p = uint64(a) * uint64(b)
    return uint32(p >> uint64(32)), uint32(p & uint64(MASK32))


@cuda.jit(device=True)
def _philox(c0, c1, c2, c3, k0, k1):
    for _ in range(10):
        hi0, lo0 = _mulhilo(uint32(0xD2511F53), c0)
        hi1, lo1 = _mulhilo(uint32(0xCD9E8D57), c2)
        c0, c1, c2, c3 = hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0
        k0 = uint32((uint64(k0) + uint64(0x9E3779B9)) & uint64(MASK32))
        k1 = uint32((uint64(k1) + uint64(0xBB67AE85)) & uint64(MASK32))
    return c0, c1, c2, c3


@cuda.jit
def dropout_kernel(x, y, mask, rate, scale, k0, k1, offset):
    n = x.size
    lanes = cuda.local.array(4, uint32)
    for blk in range(cuda.grid(1), (n + 3) // 4, cuda.gridsize(1)):
        b = uint64(offset) + uint64(blk)
        r = _philox(uint32(b & uint64(MASK32)), uint32(b >> uint64(32)), uint32(0),
                    uint32(0), uint32(k0), uint32(k1))
        lanes[0], lanes[1], lanes[2], lanes[3] = r
        for lane in range(4):
            i = blk * 4 + lane
            if i < n:
                u = float32(lanes[lane] >> uint32(8)) * float32(1.0 / 16777216.0)
                keep = u >= rate
                y[i] = x[i] * scale if keep else 0
                mask[i] = 1 if keep else 0
