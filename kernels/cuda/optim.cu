// Fused optimizer updates with Keras 3 semantics (see reference/optim.py).
// sgd_momentum: one grid-stride pass over one parameter.
// adam_multi: multi-tensor apply: one launch updates a whole list of parameters. Each
// block owns one chunk of one tensor, looked up in a (tensor, start) table; the tensor
// pointers come from device arrays of addresses, so the launch count does not grow with
// the number of parameters.
#include "common.cuh"

template <typename T>
__device__ void sgd_momentum(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ vel,
                             long long n, T lr, T momentum, int nesterov, T decay) {
    GRID_STRIDE(i, n) {
        T gi = g[i];
        T pi = p[i] * decay;
        if (vel) {
            T v = momentum * vel[i] - lr * gi;
            vel[i] = v;
            pi += nesterov ? momentum * v - lr * gi : v;
        } else {
            pi -= lr * gi;
        }
        p[i] = pi;
    }
}

__device__ __forceinline__ float op_sqrt(float v) { return sqrtf(v); }
__device__ __forceinline__ double op_sqrt(double v) { return sqrt(v); }

// ptrs: 3 * ntensors addresses (param, m, v per tensor); grads: ntensors addresses.
template <typename T>
__device__ void adam_multi(const unsigned long long* __restrict__ ptrs,
                           const unsigned long long* __restrict__ grads,
                           const long long* __restrict__ sizes,
                           const int* __restrict__ block_tensor,
                           const long long* __restrict__ block_start, int chunk, T alpha,
                           T beta1, T beta2, T eps, T decay) {
    int t = block_tensor[blockIdx.x];
    long long start = block_start[blockIdx.x];
    long long end = min(start + chunk, sizes[t]);
    T* p = (T*)ptrs[3 * t];
    T* m = (T*)ptrs[3 * t + 1];
    T* v = (T*)ptrs[3 * t + 2];
    const T* g = (const T*)grads[t];
    for (long long i = start + threadIdx.x; i < end; i += blockDim.x) {
        T gi = g[i];
        T mi = m[i] + (gi - m[i]) * (T(1) - beta1);
        T vi = v[i] + (gi * gi - v[i]) * (T(1) - beta2);
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay - alpha * mi / (op_sqrt(vi) + eps);
    }
}

#define OPTIM_KERNELS(T, SUF)                                                                \
    extern "C" __global__ void sgd_momentum_##SUF(T* p, const T* g, T* vel, long long n,     \
                                                  T lr, T momentum, int nesterov, T decay) { \
        sgd_momentum<T>(p, g, vel, n, lr, momentum, nesterov, decay);                        \
    }                                                                                        \
    extern "C" __global__ void adam_multi_##SUF(                                             \
        const unsigned long long* ptrs, const unsigned long long* grads,                     \
        const long long* sizes, const int* block_tensor, const long long* block_start,       \
        int chunk, T alpha, T beta1, T beta2, T eps, T decay) {                              \
        adam_multi<T>(ptrs, grads, sizes, block_tensor, block_start, chunk, alpha, beta1,    \
                      beta2, eps, decay);                                                    \
    }

OPTIM_KERNELS(float, f32)
OPTIM_KERNELS(double, f64)
