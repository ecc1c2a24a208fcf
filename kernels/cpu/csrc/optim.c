/* Optimizer updates in one pass over each parameter, Keras's formulas with the exact
   operation order of cuflow_kernels.reference.optim (bit-identical when built with
   -ffp-contract=off). Scalars arrive already rounded to the parameter's dtype. */
#include <math.h>
#include <stddef.h>

#include "entry.h"

#define ADAM(NAME, T, SQRT)                                                              \
void NAME(T *restrict p, const T *restrict g, T *restrict m, T *restrict v, ptrdiff_t n,  \
          T alpha, T c1, T c2, T eps, T lr_wd) {                                         \
    for (ptrdiff_t i = 0; i < n; i++) {                                                   \
        T pi = p[i], gi = g[i];                                                           \
        if (lr_wd != 0) pi = pi - pi * lr_wd;                                             \
        T mi = m[i] + (gi - m[i]) * c1;                                                   \
        T vi = v[i] + (gi * gi - v[i]) * c2;                                              \
        m[i] = mi;                                                                        \
        v[i] = vi;                                                                        \
        p[i] = pi - (alpha * mi) / (SQRT(vi) + eps);                                      \
    }                                                                                     \
}                                                                                         \
CF_ENTRY_VOID(NAME, NAME(CF_P(T, 0), CF_P(const T, 1), CF_P(T, 2), CF_P(T, 3), a[4],       \
                         (T)d[0], (T)d[1], (T)d[2], (T)d[3], (T)d[4]))

ADAM(adam_f32, float, sqrtf)
ADAM(adam_f64, double, sqrt)

/* vel = momentum * vel - lr * g; p += vel (nesterov: p += momentum * vel - lr * g);
   vel == NULL: p -= lr * g. Decoupled weight decay first: p -= p * lr_wd. */
#define SGD(NAME, T)                                                                      \
void NAME(T *restrict p, const T *restrict g, T *restrict vel, ptrdiff_t n, T lr,         \
          T momentum, int nesterov, T lr_wd) {                                            \
    for (ptrdiff_t i = 0; i < n; i++) {                                                   \
        T pi = p[i], gi = g[i];                                                           \
        if (lr_wd != 0) pi = pi - pi * lr_wd;                                             \
        if (!vel) { p[i] = pi - lr * gi; continue; }                                      \
        T vi = vel[i] * momentum - lr * gi;                                               \
        vel[i] = vi;                                                                      \
        p[i] = nesterov ? pi + (momentum * vi - lr * gi) : pi + vi;                       \
    }                                                                                     \
}                                                                                         \
CF_ENTRY_VOID(NAME, NAME(CF_P(T, 0), CF_P(const T, 1), CF_P(T, 2), a[3], (T)d[0], (T)d[1], \
                         (int)a[4], (T)d[2]))

SGD(sgd_f32, float)
SGD(sgd_f64, double)
