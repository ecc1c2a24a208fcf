/* cuflow-cflags: -fno-trapping-math -fno-signed-zeros -ffinite-math-only
   Row kernels for small and mid-size inputs (one thread, ~1 us per call through ctypes):
   softmax, log-softmax and softmax cross-entropy, argmax/argmin, over the last axis.

   Every kernel first checks its row for NaN/inf by the exponent bits and returns nonzero
   when it finds one: the caller then computes the whole input with NumPy, whose NaN/inf
   rules are the op's definition. So the code only ever sees finite numbers, which lets
   it build with -ffinite-math-only: clamps and selects become min/max instructions and
   the float32 exp (Cephes' range-reduced polynomial, max rel. error ~1e-7, as the Numba
   and CUDA kernels) vectorizes. float64 uses libm's exp. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "entry.h"
#include "finite.h"

static inline float exp_f32(float x) {
    float c = x > -87.33654f ? x : -87.33654f;
    c = c < 88.72284f ? c : 88.72284f;
    float v = c * 1.44269504088896341f + 0.5f;
    float k = (float)(int32_t)v;
    k = k - (float)(k > v);
    float r = c - k * 0.693359375f;
    r = r - k * -2.12194440e-4f;
    float y = 1.9875691500E-4f;
    y = y * r + 1.3981999507E-3f;
    y = y * r + 8.3334519073E-3f;
    y = y * r + 4.1665795894E-2f;
    y = y * r + 1.6666665459E-1f;
    y = y * r + 5.0000001201E-1f;
    y = y * (r * r) + r + 1.0f;
    int32_t bits = ((int32_t)k + 126) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    float e = (y + y) * scale;
    return x > -87.33654f ? e : 0.0f;
}

#define CHUNK 256   /* exps computed (vectorized) before they are summed in order */

static inline double exp_f64(double x) { return exp(x); }

/* out[j] = f(x[j] - m) summed into the return value; EXP is the dtype's exp. */
#define ROW_KERNELS(SFX, T, EXP, LOG)                                                     \
static inline T row_max_##SFX(const T *x, ptrdiff_t cols) {                              \
    T m = x[0];                                                                          \
    for (ptrdiff_t j = 1; j < cols; j++) m = x[j] > m ? x[j] : m;                        \
    return m;                                                                            \
}                                                                                        \
/* o = exp(a - max(a)) for one row; returns the sum, *m the max */                       \
static inline T row_exp_##SFX(const T *restrict a, T *restrict o, ptrdiff_t cols, T *m) { \
    T mx = row_max_##SFX(a, cols), s = 0;                                                \
    for (ptrdiff_t j = 0; j < cols; j++) o[j] = EXP(a[j] - mx);                          \
    for (ptrdiff_t j = 0; j < cols; j++) s += o[j];                                      \
    *m = mx;                                                                             \
    return s;                                                                            \
}                                                                                        \
int softmax_##SFX(const T *restrict x, T *restrict out, ptrdiff_t rows, ptrdiff_t cols) { \
    for (ptrdiff_t i = 0; i < rows; i++) {                                               \
        const T *a = x + i * cols;                                                       \
        T *o = out + i * cols, m;                                                        \
        if (special_##SFX(a, cols)) return 1;                                            \
        T s = row_exp_##SFX(a, o, cols, &m);                                             \
        for (ptrdiff_t j = 0; j < cols; j++) o[j] = o[j] / s;                            \
    }                                                                                    \
    return 0;                                                                            \
}                                                                                        \
int log_softmax_##SFX(const T *restrict x, T *restrict out, ptrdiff_t rows,              \
                      ptrdiff_t cols) {                                                  \
    for (ptrdiff_t i = 0; i < rows; i++) {                                               \
        const T *a = x + i * cols;                                                       \
        T *o = out + i * cols, m;                                                        \
        if (special_##SFX(a, cols)) return 1;                                            \
        T lse = LOG(row_exp_##SFX(a, o, cols, &m));                                      \
        for (ptrdiff_t j = 0; j < cols; j++) o[j] = (a[j] - m) - lse;                    \
    }                                                                                    \
    return 0;                                                                            \
}                                                                                        \
/* loss[i] = -sum_j labels[i, j] * log_softmax(logits)[i, j] */                          \
int xent_##SFX(const T *restrict labels, const T *restrict x, T *restrict loss,          \
               ptrdiff_t rows, ptrdiff_t cols) {                                         \
    for (ptrdiff_t i = 0; i < rows; i++) {                                               \
        const T *a = x + i * cols, *l = labels + i * cols;                               \
        if (special_##SFX(a, cols) || special_##SFX(l, cols)) return 1;                  \
        T m = row_max_##SFX(a, cols), s = 0, e[CHUNK];                                   \
        for (ptrdiff_t j0 = 0; j0 < cols; j0 += CHUNK) {                                 \
            ptrdiff_t n = cols - j0 < CHUNK ? cols - j0 : CHUNK;                         \
            for (ptrdiff_t j = 0; j < n; j++) e[j] = EXP(a[j0 + j] - m);                 \
            for (ptrdiff_t j = 0; j < n; j++) s += e[j];                                 \
        }                                                                                \
        T lse = LOG(s), acc = 0;                                                         \
        for (ptrdiff_t j = 0; j < cols; j++) acc += l[j] * ((a[j] - m) - lse);           \
        loss[i] = -acc;                                                                  \
    }                                                                                    \
    return 0;                                                                            \
}                                                                                        \
/* first index of the row's max (sign 1) or min (sign -1); 1 on a NaN or inf */          \
int arg_##SFX(const T *restrict x, int64_t *restrict out, ptrdiff_t rows, ptrdiff_t cols, \
              int sign) {                                                                \
    for (ptrdiff_t i = 0; i < rows; i++) {                                               \
        const T *a = x + i * cols;                                                       \
        if (special_##SFX(a, cols)) return 1;                                            \
        T best = a[0];                                                                   \
        int64_t k = 0;                                                                   \
        for (ptrdiff_t j = 1; j < cols; j++) {                                           \
            T v = a[j];                                                                  \
            if (sign > 0 ? v > best : v < best) { best = v; k = j; }                     \
        }                                                                                \
        out[i] = k;                                                                      \
    }                                                                                    \
    return 0;                                                                            \
}                                                                                        \
CF_ENTRY(softmax_##SFX, softmax_##SFX(CF_P(const T, 0), CF_P(T, 1), a[2], a[3]))          \
CF_ENTRY(log_softmax_##SFX, log_softmax_##SFX(CF_P(const T, 0), CF_P(T, 1), a[2], a[3]))  \
CF_ENTRY(xent_##SFX, xent_##SFX(CF_P(const T, 0), CF_P(const T, 1), CF_P(T, 2), a[3], a[4])) \
CF_ENTRY(arg_##SFX, arg_##SFX(CF_P(const T, 0), CF_P(int64_t, 1), a[2], a[3], (int)a[4]))

ROW_KERNELS(f32, float, exp_f32, logf)
ROW_KERNELS(f64, double, exp_f64, log)
