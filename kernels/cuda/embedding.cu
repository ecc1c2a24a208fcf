// Embedding lookup and its gradient. gather: one thread per output element; an id
// outside [0, rows) yields a zero row (TF's GPU behaviour; the loader checks ids first
// when asked). scatter_add: one thread per update element, atomicAdd into an
// accumulation-type table (repeated ids add up).
#include "common.cuh"

template <typename U, typename I>
__device__ void gather_rows(const U* __restrict__ table, const I* __restrict__ ids,
                            U* __restrict__ out, long long n_ids, int dim, long long rows) {
    GRID_STRIDE(idx, n_ids * dim) {
        long long r = idx / dim;
        int k = idx % dim;
        long long id = (long long)ids[r];
        out[idx] = (id >= 0 && id < rows) ? table[id * dim + k] : U(0);
    }
}

template <typename T, typename I>
__device__ void scatter_add_rows(const I* __restrict__ ids, const T* __restrict__ updates,
                                 typename Acc<T>::type* out, long long n_ids, int dim,
                                 long long rows) {
    GRID_STRIDE(idx, n_ids * dim) {
        long long id = (long long)ids[idx / dim];
        if (id >= 0 && id < rows) atomicAdd(out + id * dim + idx % dim, to_acc(updates[idx]));
    }
}

#define GATHER(U, I, SUF)                                                                 \
    extern "C" __global__ void gather_rows_##SUF(const U* table, const I* ids, U* out,    \
                                                 long long n_ids, int dim, long long rows) { \
        gather_rows<U, I>(table, ids, out, n_ids, dim, rows);                             \
    }
#define SCATTER(T, A, I, SUF)                                                               \
    extern "C" __global__ void scatter_add_rows_##SUF(const I* ids, const T* updates,       \
                                                      A* out, long long n_ids, int dim,     \
                                                      long long rows) {                     \
        scatter_add_rows<T, I>(ids, updates, out, n_ids, dim, rows);                        \
    }

GATHER(unsigned short, int, u16_i32)
GATHER(unsigned short, long long, u16_i64)
GATHER(unsigned int, int, u32_i32)
GATHER(unsigned int, long long, u32_i64)
GATHER(unsigned long long, int, u64_i32)
GATHER(unsigned long long, long long, u64_i64)
SCATTER(float, float, int, f32_i32)
SCATTER(float, float, long long, f32_i64)
SCATTER(double, double, int, f64_i32)
SCATTER(double, double, long long, f64_i64)
SCATTER(f16, float, int, f16_i32)
SCATTER(f16, float, long long, f16_i64)
SCATTER(bf16, float, int, bf16_i32)
SCATTER(bf16, float, long long, bf16_i64)
