// Dropout with the Philox4x32-10 counter-based generator (Salmon et al., SC'11).
// Layout shared with reference/dropout.py: key = 64-bit seed (low, high word); element i
// uses counter block b = offset + i/4 as (low(b), high(b), 0, 0) and output lane i%4;
// uniform u = (r >> 8) * 2^-24; keep when u >= rate; y = x * keep / (1 - rate).
// One thread per block of 4 elements.
#include "common.cuh"

__device__ __forceinline__ uint4 philox4x32_10(uint4 c, uint2 k) {
    const unsigned int M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
    const unsigned int W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
#pragma unroll
    for (int r = 0; r < 10; ++r) {
        unsigned int hi0 = __umulhi(M0, c.x), lo0 = M0 * c.x;
        unsigned int hi1 = __umulhi(M1, c.z), lo1 = M1 * c.z;
        c = make_uint4(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
        k.x += W0;
        k.y += W1;
    }
    return c;
}

__device__ __forceinline__ float bits_to_uniform(unsigned int r) {
    return (float)(r >> 8) * (1.0f / 16777216.0f);
}

template <typename T>
__device__ void dropout(const T* __restrict__ x, T* __restrict__ y,
                        unsigned char* __restrict__ mask, long long n, float rate,
                        typename Acc<T>::type scale, unsigned long long seed,
                        unsigned long long offset) {
    typedef typename Acc<T>::type A;
    uint2 key = make_uint2((unsigned int)seed, (unsigned int)(seed >> 32));
    GRID_STRIDE(blk, (n + 3) / 4) {
        unsigned long long b = offset + (unsigned long long)blk;
        uint4 r = philox4x32_10(make_uint4((unsigned int)b, (unsigned int)(b >> 32), 0u, 0u),
                                key);
        unsigned int lanes[4] = {r.x, r.y, r.z, r.w};
#pragma unroll
        for (int l = 0; l < 4; ++l) {
            long long i = blk * 4 + l;
            if (i < n) {
                bool keep = bits_to_uniform(lanes[l]) >= rate;
                store(y + i, keep ? to_acc(x[i]) * scale : A(0));
                mask[i] = keep;
            }
        }
    }
}

// Raw uniforms, for tests and for other random ops that want the same stream.
extern "C" __global__ void philox_uniform_f32(float* out, long long n, unsigned long long seed,
                                              unsigned long long offset) {
    uint2 key = make_uint2((unsigned int)seed, (unsigned int)(seed >> 32));
    GRID_STRIDE(blk, (n + 3) / 4) {
        unsigned long long b = offset + (unsigned long long)blk;
        uint4 r = philox4x32_10(make_uint4((unsigned int)b, (unsigned int)(b >> 32), 0u, 0u),
                                key);
        unsigned int lanes[4] = {r.x, r.y, r.z, r.w};
        for (int l = 0; l < 4; ++l)
            if (blk * 4 + l < n) out[blk * 4 + l] = bits_to_uniform(lanes[l]);
    }
}

#define DROPOUT(T, A, SUF)                                                                  \
    extern "C" __global__ void dropout_##SUF(const T* x, T* y, unsigned char* mask,        \
                                             long long n, float rate, A scale,             \
                                             unsigned long long seed,                      \
                                             unsigned long long offset) {                  \
        dropout<T>(x, y, mask, n, rate, scale, seed, offset);                              \
    }

DROPOUT(float, float, f32)
DROPOUT(double, double, f64)
DROPOUT(f16, float, f16)
DROPOUT(bf16, float, bf16)
