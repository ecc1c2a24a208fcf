// Row softmax / log-softmax / logsumexp over the last axis: online softmax (running max
// and rescaled sum in one read of the row), merged across threads with warp shuffles.
// One warp per row for short rows (<= 1024), one block per row for long ones. The output
// pass reads the row again (usually from L2) and writes once.
#include "online_softmax.cuh"

enum { SOFTMAX = 0, LOG_SOFTMAX = 1, LOGSUMEXP = 2 };

template <typename T, typename A, int MODE>
__device__ __forceinline__ void write_row(const T* xr, T* yr, int cols, A m, A s, int t,
                                          int stride) {
    A lse = (m == neg_inf<A>()) ? m : m + acc_log(s);
    if (MODE == LOGSUMEXP) {
        if (t == 0) store(yr, lse);
        return;
    }
    A inv = A(1) / s;
    for (int j = t; j < cols; j += stride) {
        A v = to_acc(xr[j]);
        store(yr + j, MODE == SOFTMAX ? acc_exp(v - m) * inv : v - lse);
    }
}

// y: (rows, cols) for SOFTMAX/LOG_SOFTMAX, (rows,) for LOGSUMEXP.
template <typename T, int MODE>
__device__ void softmax_warp(const T* __restrict__ x, T* __restrict__ y, long long rows,
                             int cols) {
    typedef typename Acc<T>::type A;
    long long row = (long long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    int lane = threadIdx.x & 31;
    if (row >= rows) return;  // whole warp leaves together: shuffles stay full-mask
    const T* xr = x + row * cols;
    A m = neg_inf<A>(), s = A(0);
    for (int j = lane; j < cols; j += 32) online_add(m, s, to_acc(xr[j]));
    warp_online(m, s);
    write_row<T, A, MODE>(xr, MODE == LOGSUMEXP ? y + row : y + row * cols, cols, m, s,
                          lane, 32);
}

template <typename T, int MODE>
__device__ void softmax_block(const T* __restrict__ x, T* __restrict__ y, long long rows,
                              int cols) {
    typedef typename Acc<T>::type A;
    __shared__ A sm[32], ss[32];
    long long row = blockIdx.x;
    const T* xr = x + row * cols;
    A m = neg_inf<A>(), s = A(0);
    for (int j = threadIdx.x; j < cols; j += blockDim.x) online_add(m, s, to_acc(xr[j]));
    block_online(m, s, sm, ss);
    write_row<T, A, MODE>(xr, MODE == LOGSUMEXP ? y + row : y + row * cols, cols, m, s,
                          threadIdx.x, blockDim.x);
}

#define SOFTMAX_KERNELS(NAME, MODE, T, SUF)                                                  \
    extern "C" __global__ void NAME##_warp_##SUF(const T* x, T* y, long long rows,         \
                                                 int cols) {                               \
        softmax_warp<T, MODE>(x, y, rows, cols);                                           \
    }                                                                                      \
    extern "C" __global__ void NAME##_block_##SUF(const T* x, T* y, long long rows,        \
                                                  int cols) {                              \
        softmax_block<T, MODE>(x, y, rows, cols);                                          \
    }

#define ALL_MODES(T, SUF)                                 \
    SOFTMAX_KERNELS(softmax_rows, SOFTMAX, T, SUF)         \
    SOFTMAX_KERNELS(log_softmax_rows, LOG_SOFTMAX, T, SUF) \
    SOFTMAX_KERNELS(logsumexp_rows, LOGSUMEXP, T, SUF)

ALL_MODES(float, f32)
ALL_MODES(double, f64)
ALL_MODES(f16, f16)
ALL_MODES(bf16, bf16)
