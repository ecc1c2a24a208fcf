// Online softmax statistics: a running max m and a sum s of exp(x - m), updated one
// element at a time and merged across threads (Milakov & Gimelshein, 2018), so a row's
// max and normalizer come from a single read.
#pragma once
#include "common.cuh"

template <typename A> __device__ __forceinline__ void online_add(A& m, A& s, A v) {
    if (v > m) {
        s = s * acc_exp(m - v) + A(1);   // m = -inf at first: exp(-inf) = 0
        m = v;
    } else if (v != neg_inf<A>()) {
        s += acc_exp(v - m);              // NaN input falls through here and propagates
    }
}

template <typename A> __device__ __forceinline__ void online_merge(A& m, A& s, A m2, A s2) {
    A mn = fmax(m, m2);
    A a = (m == neg_inf<A>()) ? A(0) : s * acc_exp(m - mn);
    A b = (m2 == neg_inf<A>()) ? A(0) : s2 * acc_exp(m2 - mn);
    m = mn;
    s = a + b;
}

template <typename A> __device__ __forceinline__ void warp_online(A& m, A& s) {
    for (int o = 16; o > 0; o >>= 1) {
        A m2 = __shfl_xor_sync(FULL_MASK, m, o);
        A s2 = __shfl_xor_sync(FULL_MASK, s, o);
        online_merge(m, s, m2, s2);
    }
}

// Block-wide (max, sum) merge; every thread gets the row's max and sum.
template <typename A> __device__ void block_online(A& m, A& s, A* sm, A* ss) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, nwarps = blockDim.x >> 5;
    warp_online(m, s);
    if (lane == 0) { sm[warp] = m; ss[warp] = s; }
    __syncthreads();
    m = lane < nwarps ? sm[lane] : neg_inf<A>();
    s = lane < nwarps ? ss[lane] : A(0);
    warp_online(m, s);
    __syncthreads();  // sm/ss may be reused by the caller
}

