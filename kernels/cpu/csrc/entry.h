/* Entry points for cuflow_pycall (pycall.c): CF_ENTRY(f, expr) defines
       intptr_t f_entry(const intptr_t *a, const double *d)
   returning expr, written with the arguments unpacked: a[i] is the i-th array pointer or
   integer, d[j] the j-th float, in the order cpu/native.py's bind() was given them.
   CF_ENTRY_VOID runs a void kernel and returns 0. */
#ifndef CUFLOW_ENTRY_H
#define CUFLOW_ENTRY_H
#include <stdint.h>

#define CF_ENTRY(f, expr)                                                                  \
    intptr_t f##_entry(const intptr_t *a, const double *d) {                              \
        (void)a; (void)d;                                                                 \
        return (intptr_t)(expr);                                                          \
    }
#define CF_ENTRY_VOID(f, stmt)                                                             \
    intptr_t f##_entry(const intptr_t *a, const double *d) {                              \
        (void)a; (void)d;                                                                 \
        stmt;                                                                             \
        return 0;                                                                         \
    }
#define CF_P(T, i) ((T *)a[i])
#endif
