// im2col / col2im for NHWC conv2d. cols is (N*OH*OW, KH*KW*C), columns ordered
// (kh, kw, c), so conv2d is cols @ filter.reshape(KH*KW*C, O) on cuBLAS.
// im2col moves bits only, so it is instantiated on unsigned storage types of 2/4/8
// bytes (covering every float dtype); one thread per cols element, channel fastest, so
// reads and writes are coalesced. col2im gathers: one thread per input element sums
// the patch entries that read it (no atomics, deterministic).
#include "common.cuh"

#define CONV_PARAMS int n, int h, int w, int c, int oh, int ow, int kh, int kw, int sh, \
    int sw, int dh, int dw, int pt, int pl

template <typename U>
__device__ void im2col(const U* __restrict__ x, U* __restrict__ cols, CONV_PARAMS) {
    long long kcols = (long long)kh * kw * c;
    long long total = (long long)n * oh * ow * kcols;
    GRID_STRIDE(idx, total) {
        long long row = idx / kcols;
        int col = idx % kcols;
        int k = col % c, tap = col / c;
        int j = tap % kw, i = tap / kw;
        int ox = row % ow;
        long long t = row / ow;
        int oy = t % oh;
        long long b = t / oh;
        int yi = oy * sh - pt + i * dh, xi = ox * sw - pl + j * dw;
        cols[idx] = (yi >= 0 && yi < h && xi >= 0 && xi < w)
            ? x[((b * h + yi) * w + xi) * c + k] : U(0);
    }
}

template <typename T>
__device__ void col2im(const T* __restrict__ cols, T* __restrict__ dx, CONV_PARAMS) {
    typedef typename Acc<T>::type A;
    long long kcols = (long long)kh * kw * c;
    long long total = (long long)n * h * w * c;
    GRID_STRIDE(idx, total) {
        int k = idx % c;
        long long t = idx / c;
        int xi = t % w; t /= w;
        int yi = t % h;
        long long b = t / h;
        A s = 0;
        for (int i = 0; i < kh; ++i) {
            int ty = yi + pt - i * dh;
            if (ty < 0 || ty % sh != 0 || ty / sh >= oh) continue;
            for (int j = 0; j < kw; ++j) {
                int tx = xi + pl - j * dw;
                if (tx < 0 || tx % sw != 0 || tx / sw >= ow) continue;
                long long row = (b * oh + ty / sh) * ow + tx / sw;
                s += to_acc(cols[row * kcols + (i * kw + j) * c + k]);
            }
        }
        store(dx + idx, s);
    }
}

#define CONV_ARGS n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl

#define IM2COL_KERNEL(U, SUF)                                                         \
    extern "C" __global__ void im2col_##SUF(const U* x, U* cols, CONV_PARAMS) {     \
        im2col<U>(x, cols, CONV_ARGS);                                               \
    }
#define COL2IM_KERNEL(T, SUF)                                                         \
    extern "C" __global__ void col2im_##SUF(const T* cols, T* dx, CONV_PARAMS) {     \
        col2im<T>(cols, dx, CONV_ARGS);                                              \
    }

IM2COL_KERNEL(unsigned short, u16)
IM2COL_KERNEL(unsigned int, u32)
IM2COL_KERNEL(unsigned long long, u64)
COL2IM_KERNEL(float, f32)
COL2IM_KERNEL(double, f64)
COL2IM_KERNEL(f16, f16)
COL2IM_KERNEL(bf16, bf16)
