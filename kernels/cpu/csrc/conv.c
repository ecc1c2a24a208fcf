/* Direct NHWC float32 convolution (no im2col matrix): cpu/_c_conv.py.
   cuflow-cflags: -ffp-contract=fast

   out[n, oh, ow, co] = sum_{kh, kw, ci} x[n, oh*sh + kh*dh, ow*sw + kw*dw, ci] * w[kh, kw, ci, co]

   x is already zero-padded (N, Hp, Wp, C); w is HWIO with its output channels padded to
   COp, a multiple of the channel block, so every block reads whole vectors. One tile is
   PW output pixels of one row by CB output channels, accumulated in registers: each
   filter vector loaded serves PW pixels, each input value broadcast serves CB channels.
   Rows [r0, r1) of the N*OH output rows are computed, so callers can split the work
   across threads. FMA contraction is on (a GEMM's rounding, not an elementwise op's). */
#include <stddef.h>

#include "entry.h"

/* 16 floats: one AVX-512 register, two AVX ones; GCC/Clang lower it to what the target has.
   aligned(4): loads through it may be unaligned. */
typedef float v16f __attribute__((vector_size(64), aligned(4)));

#define DEF_TILE(NAME, PW, NV)                                                              \
    static inline void NAME(const float *restrict x, const long *restrict off,            \
                            const float *restrict w, long COp, float *restrict out,       \
                            long CO, long npix, long cb, long KH, long KW, long C,         \
                            long kh_step, long kw_step) {                                  \
        v16f acc[PW][NV];                                                                  \
        for (int p = 0; p < PW; p++)                                                       \
            for (int v = 0; v < NV; v++) acc[p][v] = (v16f){0};                            \
        for (long kh = 0; kh < KH; kh++)                                                   \
            for (long kw = 0; kw < KW; kw++) {                                             \
                const float *xk = x + kh * kh_step + kw * kw_step;                         \
                const float *wk = w + (kh * KW + kw) * C * COp;                            \
                for (long ci = 0; ci < C; ci++) {                                          \
                    v16f wv[NV];                                                           \
                    for (int v = 0; v < NV; v++) wv[v] = *(const v16f *)(wk + ci * COp + 16 * v); \
                    _Pragma("GCC unroll 16")                                               \
                    for (int p = 0; p < PW; p++) {                                         \
                        const float xv = xk[off[p] + ci];                                  \
                        for (int v = 0; v < NV; v++) acc[p][v] += xv * wv[v];              \
                    }                                                                      \
                }                                                                          \
            }                                                                              \
        for (long p = 0; p < npix; p++) {                                                  \
            const float *a = (const float *)acc[p];                                        \
            for (long j = 0; j < cb; j++) out[p * CO + j] = a[j];                          \
        }                                                                                  \
    }

DEF_TILE(tile_8x32, 8, 2)
DEF_TILE(tile_12x16, 12, 1)

/* Tiles of the output rows [r0, r1): co blocks outer (the filter block stays in cache
   along the row), PW-pixel tiles inner; a partial last tile recomputes its last pixel. */
#define DEF_ROWS(NAME, TILE, PW, CB)                                                        \
    static void NAME(const float *x, const float *w, float *out, long Hp, long Wp, long C, \
                     long KH, long KW, long CO, long COp, long OH, long OW, long sh,       \
                     long sw, long dh, long dw, long r0, long r1) {                         \
        long off[PW];                                                                      \
        for (long r = r0; r < r1; r++) {                                                   \
            const long n = r / OH, oh = r % OH;                                            \
            const float *xrow = x + ((n * Hp + oh * sh) * Wp) * C;                         \
            float *orow = out + r * OW * CO;                                               \
            for (long co0 = 0; co0 < CO; co0 += CB) {                                      \
                const long cb = CO - co0 < CB ? CO - co0 : CB;                             \
                for (long ow0 = 0; ow0 < OW; ow0 += PW) {                                  \
                    const long npix = OW - ow0 < PW ? OW - ow0 : PW;                       \
                    for (long p = 0; p < PW; p++)                                          \
                        off[p] = (ow0 + (p < npix ? p : npix - 1)) * sw * C;               \
                    TILE(xrow, off, w + co0, COp, orow + ow0 * CO + co0, CO, npix, cb, KH, \
                         KW, C, dh * Wp * C, dw * C);                                      \
                }                                                                          \
            }                                                                              \
        }                                                                                  \
    }

DEF_ROWS(rows_8x32, tile_8x32, 8, 32)
DEF_ROWS(rows_12x16, tile_12x16, 12, 16)

/* COp is a multiple of 32 for the 8x32 tiles, of 16 for the 12x16 ones (the caller pads
   w accordingly: block 16 when CO <= 16, else 32). */
void conv2d_nhwc_f32(const float *x, const float *w, float *out, long Hp, long Wp, long C,
                     long KH, long KW, long CO, long COp, long OH, long OW, long sh,
                     long sw, long dh, long dw, long r0, long r1) {
    if (COp % 32 == 0 && CO > 16)
        rows_8x32(x, w, out, Hp, Wp, C, KH, KW, CO, COp, OH, OW, sh, sw, dh, dw, r0, r1);
    else
        rows_12x16(x, w, out, Hp, Wp, C, KH, KW, CO, COp, OH, OW, sh, sw, dh, dw, r0, r1);
}

CF_ENTRY_VOID(conv2d_nhwc_f32,
              conv2d_nhwc_f32(CF_P(const float, 0), CF_P(const float, 1), CF_P(float, 2),
                              a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12],
                              a[13], a[14], a[15], a[16], a[17]))
