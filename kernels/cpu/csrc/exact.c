/* Kernels bit-identical to NumPy's (IEEE flags: every operation rounded as written):
   column sums over the leading axis (a bias gradient) and relu's gradient. */
#include <stddef.h>
#include <string.h>

#include "entry.h"

#define EXACT_KERNELS(SFX, T)                                                             \
/* out[j] = sum_i x[i, j], rows added in order (NumPy's axis-0 order) */                 \
void sum_cols_##SFX(const T *restrict x, T *restrict out, ptrdiff_t rows, ptrdiff_t cols) { \
    if (rows == 0) { for (ptrdiff_t j = 0; j < cols; j++) out[j] = 0; return; }          \
    memcpy(out, x, cols * sizeof(T));                                                    \
    for (ptrdiff_t i = 1; i < rows; i++) {                                               \
        const T *a = x + i * cols;                                                       \
        for (ptrdiff_t j = 0; j < cols; j++) out[j] = out[j] + a[j];                     \
    }                                                                                    \
}                                                                                        \
void relu_grad_##SFX(const T *restrict g, const T *restrict x, T *restrict out,          \
                     ptrdiff_t n) {                                                      \
    for (ptrdiff_t i = 0; i < n; i++) out[i] = g[i] * (T)(x[i] > 0);                     \
}                                                                                        \
CF_ENTRY_VOID(sum_cols_##SFX, sum_cols_##SFX(CF_P(const T, 0), CF_P(T, 1), a[2], a[3]))   \
CF_ENTRY_VOID(relu_grad_##SFX,                                                           \
              relu_grad_##SFX(CF_P(const T, 0), CF_P(const T, 1), CF_P(T, 2), a[3]))

EXACT_KERNELS(f32, float)
EXACT_KERNELS(f64, double)
