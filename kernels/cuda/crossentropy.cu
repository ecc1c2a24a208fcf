// Softmax cross-entropy with logits, loss and gradient in one kernel: one block per row;
// an online-softmax pass (running max and sum, warp shuffles + shared memory) that also
// accumulates sum(labels) and sum(labels * logits), then one pass writing
// grad = softmax - labels. loss = lse * sum(labels) - sum(labels * logits).
// The sparse variant reads one label per row; an out-of-range label gives NaN loss.
#include "online_softmax.cuh"

template <typename T>
__device__ void xent_dense(const T* __restrict__ x, const T* __restrict__ labels,
                           T* __restrict__ loss, T* __restrict__ grad, int cols) {
    typedef typename Acc<T>::type A;
    __shared__ A sm[32], ss[32], scratch[32];
    long long row = blockIdx.x;
    const T* xr = x + row * cols;
    const T* lr = labels + row * cols;
    A m = neg_inf<A>(), s = 0, sl = 0, slx = 0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        A v = to_acc(xr[j]), l = to_acc(lr[j]);
        online_add(m, s, v);
        sl += l;
        slx += l * v;
    }
    block_online(m, s, sm, ss);
    sl = block_sum(sl, scratch);
    slx = block_sum(slx, scratch);
    A lse = m + acc_log(s), inv = A(1) / s;
    if (threadIdx.x == 0) store(loss + row, lse * sl - slx);
    T* gr = grad + row * cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        store(gr + j, acc_exp(to_acc(xr[j]) - m) * inv - to_acc(lr[j]));
}

template <typename T, typename I>
__device__ void xent_sparse(const T* __restrict__ x, const I* __restrict__ labels,
                            T* __restrict__ loss, T* __restrict__ grad, int cols) {
    typedef typename Acc<T>::type A;
    __shared__ A sm[32], ss[32];
    long long row = blockIdx.x;
    const T* xr = x + row * cols;
    A m = neg_inf<A>(), s = 0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) online_add(m, s, to_acc(xr[j]));
    block_online(m, s, sm, ss);
    long long label = (long long)labels[row];
    bool ok = label >= 0 && label < cols;
    A lse = m + acc_log(s), inv = A(1) / s;
    A nan = quiet_nan<A>();
    if (threadIdx.x == 0) store(loss + row, ok ? lse - to_acc(xr[label]) : nan);
    T* gr = grad + row * cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        store(gr + j, ok ? acc_exp(to_acc(xr[j]) - m) * inv - A(j == label) : nan);
}

#define XENT_KERNELS(T, SUF)                                                                 \
    extern "C" __global__ void xent_dense_##SUF(const T* x, const T* labels, T* loss,        \
                                                T* grad, int cols) {                         \
        xent_dense<T>(x, labels, loss, grad, cols);                                          \
    }                                                                                        \
    extern "C" __global__ void xent_sparse_##SUF##_i32(const T* x, const int* labels,        \
                                                       T* loss, T* grad, int cols) {         \
        xent_sparse<T, int>(x, labels, loss, grad, cols);                                    \
    }                                                                                        \
    extern "C" __global__ void xent_sparse_##SUF##_i64(const T* x, const long long* labels,  \
                                                       T* loss, T* grad, int cols) {         \
        xent_sparse<T, long long>(x, labels, loss, grad, cols);                              \
    }

XENT_KERNELS(float, f32)
XENT_KERNELS(double, f64)
XENT_KERNELS(f16, f16)
XENT_KERNELS(bf16, bf16)
