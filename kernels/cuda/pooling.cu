// 2-D max / average pooling over NHWC. One thread per output element (channel fastest,
// so neighbouring threads read neighbouring addresses). Max backward recomputes each
// window's first argmax and scatters with atomicAdd into an accumulation-type buffer;
// average backward gathers (one thread per input element), so it needs no atomics.
#include "common.cuh"

struct PoolGeom {
    int n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl;
};

template <typename T>
__device__ void max_pool_fwd(const T* __restrict__ x, T* __restrict__ y, PoolGeom g) {
    typedef typename Acc<T>::type A;
    long long total = (long long)g.n * g.oh * g.ow * g.c;
    GRID_STRIDE(idx, total) {
        int k = idx % g.c;
        long long t = idx / g.c;
        int ox = t % g.ow; t /= g.ow;
        int oy = t % g.oh;
        long long b = t / g.oh;
        A best = neg_inf<A>();
        for (int i = 0; i < g.kh; ++i) {
            int yi = oy * g.sh - g.pt + i;
            if (yi < 0 || yi >= g.h) continue;
            for (int j = 0; j < g.kw; ++j) {
                int xi = ox * g.sw - g.pl + j;
                if (xi < 0 || xi >= g.w) continue;
                A v = to_acc(x[((b * g.h + yi) * g.w + xi) * g.c + k]);
                if (v > best || v != v) best = v;  // NaN propagates, as np.maximum
            }
        }
        store(y + idx, best);
    }
}

template <typename T>
__device__ void max_pool_bwd(const T* __restrict__ x, const T* __restrict__ dy,
                             typename Acc<T>::type* dx, PoolGeom g) {
    typedef typename Acc<T>::type A;
    long long total = (long long)g.n * g.oh * g.ow * g.c;
    GRID_STRIDE(idx, total) {
        int k = idx % g.c;
        long long t = idx / g.c;
        int ox = t % g.ow; t /= g.ow;
        int oy = t % g.oh;
        long long b = t / g.oh;
        A best = neg_inf<A>();
        long long where = -1;
        for (int i = 0; i < g.kh; ++i) {
            int yi = oy * g.sh - g.pt + i;
            if (yi < 0 || yi >= g.h) continue;
            for (int j = 0; j < g.kw; ++j) {
                int xi = ox * g.sw - g.pl + j;
                if (xi < 0 || xi >= g.w) continue;
                long long at = ((b * g.h + yi) * g.w + xi) * g.c + k;
                A v = to_acc(x[at]);
                // strict: the first max wins; tap (0, 0), when real, is the starting
                // candidate (as the ops' impl: a window of -inf/NaN routes dy there)
                if ((i == 0 && j == 0) || v > best) { best = v; where = at; }
            }
        }
        if (where >= 0) atomicAdd(dx + where, to_acc(dy[idx]));
    }
}

template <typename T>
__device__ void avg_pool_fwd(const T* __restrict__ x, T* __restrict__ y, PoolGeom g) {
    typedef typename Acc<T>::type A;
    long long total = (long long)g.n * g.oh * g.ow * g.c;
    GRID_STRIDE(idx, total) {
        int k = idx % g.c;
        long long t = idx / g.c;
        int ox = t % g.ow; t /= g.ow;
        int oy = t % g.oh;
        long long b = t / g.oh;
        int y0 = max(oy * g.sh - g.pt, 0), y1 = min(oy * g.sh - g.pt + g.kh, g.h);
        int x0 = max(ox * g.sw - g.pl, 0), x1 = min(ox * g.sw - g.pl + g.kw, g.w);
        A s = 0;
        for (int yi = y0; yi < y1; ++yi)
            for (int xi = x0; xi < x1; ++xi)
                s += to_acc(x[((b * g.h + yi) * g.w + xi) * g.c + k]);
        store(y + idx, s / A(max((y1 - y0) * (x1 - x0), 1)));
    }
}

template <typename T>
__device__ void avg_pool_bwd(const T* __restrict__ dy, T* __restrict__ dx, PoolGeom g) {
    typedef typename Acc<T>::type A;
    long long total = (long long)g.n * g.h * g.w * g.c;
    GRID_STRIDE(idx, total) {
        int k = idx % g.c;
        long long t = idx / g.c;
        int xi = t % g.w; t /= g.w;
        int yi = t % g.h;
        long long b = t / g.h;
        A s = 0;
        for (int i = 0; i < g.kh; ++i) {
            int ty = yi + g.pt - i;
            if (ty < 0 || ty % g.sh != 0 || ty / g.sh >= g.oh) continue;
            int oy = ty / g.sh;
            int cy = min(oy * g.sh - g.pt + g.kh, g.h) - max(oy * g.sh - g.pt, 0);
            for (int j = 0; j < g.kw; ++j) {
                int tx = xi + g.pl - j;
                if (tx < 0 || tx % g.sw != 0 || tx / g.sw >= g.ow) continue;
                int ox = tx / g.sw;
                int cx = min(ox * g.sw - g.pl + g.kw, g.w) - max(ox * g.sw - g.pl, 0);
                s += to_acc(dy[((b * g.oh + oy) * g.ow + ox) * g.c + k]) / A(max(cy * cx, 1));
            }
        }
        store(dx + idx, s);
    }
}

// Geometry travels as 12 ints (plain scalars launch the same from every binding).
#define GEOM_PARAMS int n, int h, int w, int c, int oh, int ow, int kh, int kw, int sh, \
    int sw, int pt, int pl
#define GEOM PoolGeom{n, h, w, c, oh, ow, kh, kw, sh, sw, pt, pl}

#define POOL_KERNELS(T, A, SUF)                                                             \
    extern "C" __global__ void max_pool_fwd_##SUF(const T* x, T* y, GEOM_PARAMS) {          \
        max_pool_fwd<T>(x, y, GEOM);                                                           \
    }                                                                                       \
    extern "C" __global__ void max_pool_bwd_##SUF(const T* x, const T* dy, A* dx,           \
                                                  GEOM_PARAMS) {                            \
        max_pool_bwd<T>(x, dy, dx, GEOM);                                                      \
    }                                                                                       \
    extern "C" __global__ void avg_pool_fwd_##SUF(const T* x, T* y, GEOM_PARAMS) {          \
        avg_pool_fwd<T>(x, y, GEOM);                                                           \
    }                                                                                       \
    extern "C" __global__ void avg_pool_bwd_##SUF(const T* dy, T* dx, GEOM_PARAMS) {        \
        avg_pool_bwd<T>(dy, dx, GEOM);                                                         \
    }

POOL_KERNELS(float, float, f32)
POOL_KERNELS(double, double, f64)
POOL_KERNELS(f16, float, f16)
POOL_KERNELS(bf16, float, bf16)
