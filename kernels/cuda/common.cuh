// Shared device helpers for the cuflow_kernels CUDA sources.
//
// float16 and bfloat16 travel as 16-bit storage structs converted with PTX / bit
// operations, so every source compiles the same under nvcc and NVRTC without the CUDA
// include folders (cuda_fp16.h / cuda_bf16.h). Arithmetic happens in Acc<T>::type:
// float for float/half/bfloat16, double for double.
#pragma once

struct f16 { unsigned short bits; };
struct bf16 { unsigned short bits; };

template <typename T> struct Acc { typedef float type; };
template <> struct Acc<double> { typedef double type; };

__device__ __forceinline__ float to_acc(float v) { return v; }
__device__ __forceinline__ double to_acc(double v) { return v; }
__device__ __forceinline__ float to_acc(f16 v) {
    float f;
    asm("cvt.f32.f16 %0, %1;" : "=f"(f) : "h"(v.bits));
    return f;
}
__device__ __forceinline__ float to_acc(bf16 v) {
    return __uint_as_float(((unsigned int)v.bits) << 16);
}

__device__ __forceinline__ void store(float* p, float v) { *p = v; }
__device__ __forceinline__ void store(double* p, double v) { *p = v; }
__device__ __forceinline__ void store(f16* p, float v) {
    unsigned short h;
    asm("cvt.rn.f16.f32 %0, %1;" : "=h"(h) : "f"(v));
    p->bits = h;
}
__device__ __forceinline__ void store(bf16* p, float v) {
    unsigned int u = __float_as_uint(v);
    // round to nearest even, as ml_dtypes and CUDA's __float2bfloat16 do; keep NaN a NaN
    p->bits = ((u & 0x7fffffffu) > 0x7f800000u)
        ? (unsigned short)((u >> 16) | 0x40u)
        : (unsigned short)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

__device__ __forceinline__ float acc_exp(float v) { return expf(v); }
__device__ __forceinline__ double acc_exp(double v) { return exp(v); }
__device__ __forceinline__ float acc_log(float v) { return logf(v); }
__device__ __forceinline__ double acc_log(double v) { return log(v); }
__device__ __forceinline__ float acc_rsqrt(float v) { return rsqrtf(v); }
__device__ __forceinline__ double acc_rsqrt(double v) { return rsqrt(v); }

template <typename A> __device__ __forceinline__ A neg_inf() {
    return -__int_as_float(0x7f800000);
}
template <> __device__ __forceinline__ double neg_inf<double>() {
    return -__longlong_as_double(0x7ff0000000000000LL);
}

// Quiet NaN from bits: NVRTC has no math.h, so no NAN / INFINITY macros.
template <typename A> __device__ __forceinline__ A quiet_nan() {
    return __int_as_float(0x7fc00000);
}
template <> __device__ __forceinline__ double quiet_nan<double>() {
    return __longlong_as_double(0x7ff8000000000000LL);
}

#define FULL_MASK 0xffffffffu

template <typename A> __device__ __forceinline__ A warp_sum(A v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

template <typename A> __device__ __forceinline__ A warp_max(A v) {
    for (int o = 16; o > 0; o >>= 1) v = fmax(v, __shfl_xor_sync(FULL_MASK, v, o));
    return v;
}

// Sum over a whole block (blockDim.x a multiple of 32, at most 1024); every thread gets
// the result. `scratch` holds 32 values; the trailing sync lets the caller reuse it.
template <typename A> __device__ A block_sum(A v, A* scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    v = warp_sum(v);
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    v = (lane < nwarps) ? scratch[lane] : A(0);
    v = warp_sum(v);
    __syncthreads();
    return v;
}

// Grid-stride loop over [0, n) with 64-bit indices.
#define GRID_STRIDE(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long)blockDim.x * gridDim.x)
