// Layer normalization over the last axis: one block per row. Forward: two-pass mean and
// variance (accurate when |mean| >> std), then the normalized write. Backward: one
// reduction pass for mean(g) and mean(g * xhat), then dx; dgamma/dbeta are column sums
// written as per-chunk partials (deterministic; the loader adds the chunks).
// gamma/beta are in the accumulation type (float32 master weights under mixed precision)
// and may be null.
#include "common.cuh"

template <typename T>
__device__ void layernorm_fwd(const T* __restrict__ x, const typename Acc<T>::type* gamma,
                              const typename Acc<T>::type* beta, T* __restrict__ y,
                              typename Acc<T>::type* mean, typename Acc<T>::type* rstd,
                              int cols, typename Acc<T>::type eps) {
    typedef typename Acc<T>::type A;
    __shared__ A scratch[32];
    long long row = blockIdx.x;
    const T* xr = x + row * cols;
    A s = 0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) s += to_acc(xr[j]);
    A mu = block_sum(s, scratch) / A(cols);
    A q = 0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        A d = to_acc(xr[j]) - mu;
        q += d * d;
    }
    A r = acc_rsqrt(block_sum(q, scratch) / A(cols) + eps);
    if (threadIdx.x == 0) { mean[row] = mu; rstd[row] = r; }
    T* yr = y + row * cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        A v = (to_acc(xr[j]) - mu) * r;
        if (gamma) v *= gamma[j];
        if (beta) v += beta[j];
        store(yr + j, v);
    }
}

template <typename T>
__device__ void layernorm_bwd_dx(const T* __restrict__ dy, const T* __restrict__ x,
                                 const typename Acc<T>::type* gamma,
                                 const typename Acc<T>::type* mean,
                                 const typename Acc<T>::type* rstd, T* __restrict__ dx,
                                 int cols) {
    typedef typename Acc<T>::type A;
    __shared__ A scratch[32];
    long long row = blockIdx.x;
    const T* xr = x + row * cols;
    const T* dr = dy + row * cols;
    A mu = mean[row], r = rstd[row], sg = 0, sgx = 0;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        A g = to_acc(dr[j]) * (gamma ? gamma[j] : A(1));
        sg += g;
        sgx += g * (to_acc(xr[j]) - mu) * r;
    }
    sg = block_sum(sg, scratch) / A(cols);
    sgx = block_sum(sgx, scratch) / A(cols);
    T* out = dx + row * cols;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) {
        A g = to_acc(dr[j]) * (gamma ? gamma[j] : A(1));
        A xhat = (to_acc(xr[j]) - mu) * r;
        store(out + j, r * (g - sg - xhat * sgx));
    }
}

// grid (ceil(cols / blockDim.x), chunks): thread (j, c) sums rows [c*per, (c+1)*per).
template <typename T>
__device__ void layernorm_bwd_params(const T* __restrict__ dy, const T* __restrict__ x,
                                     const typename Acc<T>::type* mean,
                                     const typename Acc<T>::type* rstd,
                                     typename Acc<T>::type* parts_g,
                                     typename Acc<T>::type* parts_b, long long rows,
                                     int cols, long long per) {
    typedef typename Acc<T>::type A;
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) return;
    long long r0 = blockIdx.y * per, r1 = min(rows, r0 + per);
    A sg = 0, sb = 0;
    for (long long i = r0; i < r1; ++i) {
        A d = to_acc(dy[i * cols + j]);
        sg += d * (to_acc(x[i * cols + j]) - mean[i]) * rstd[i];
        sb += d;
    }
    parts_g[blockIdx.y * (long long)cols + j] = sg;
    parts_b[blockIdx.y * (long long)cols + j] = sb;
}

#define LAYERNORM_KERNELS(T, A, SUF)                                                        \
    extern "C" __global__ void layernorm_fwd_##SUF(const T* x, const A* gamma,             \
                                                   const A* beta, T* y, A* mean, A* rstd,  \
                                                   int cols, A eps) {                      \
        layernorm_fwd<T>(x, gamma, beta, y, mean, rstd, cols, eps);                        \
    }                                                                                      \
    extern "C" __global__ void layernorm_bwd_dx_##SUF(const T* dy, const T* x,             \
                                                      const A* gamma, const A* mean,       \
                                                      const A* rstd, T* dx, int cols) {    \
        layernorm_bwd_dx<T>(dy, x, gamma, mean, rstd, dx, cols);                           \
    }                                                                                      \
    extern "C" __global__ void layernorm_bwd_params_##SUF(                                 \
        const T* dy, const T* x, const A* mean, const A* rstd, A* parts_g, A* parts_b,     \
        long long rows, int cols, long long per) {                                         \
        layernorm_bwd_params<T>(dy, x, mean, rstd, parts_g, parts_b, rows, cols, per);     \
    }

LAYERNORM_KERNELS(float, float, f32)
LAYERNORM_KERNELS(double, double, f64)
LAYERNORM_KERNELS(f16, float, f16)
LAYERNORM_KERNELS(bf16, float, bf16)
