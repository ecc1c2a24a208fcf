/* cuflow-cflags: -fno-trapping-math -fno-signed-zeros -ffinite-math-only
   One LSTM time step on the CPU, everything but the recurrent GEMM (h U, done by BLAS
   before the call): Keras's LSTMCell math in cuflow's order (rnn_ops.py), so a layer's
   time loop is two calls per step instead of ~15 NumPy operations.

   Forward: zz = (hU + xW_t) + b; gates i, f, o = sigmoid, g = tanh, with
   sigmoid(z) = 0.5 tanh(z / 2) + 0.5 as rnn_ops computes it; c = f c_prev + i g;
   h = o tanh(c). tanh is Eigen's rational approximation (max rel. error 4e-7, as the
   Numba and CUDA codegen), which vectorizes under the finite-math flags: the step first
   checks zz and c_prev for NaN/inf by their bits and returns 1 (the caller then runs the
   NumPy definition). Backward: the gate derivatives of rnn_ops' loop, same operation
   order (no transcendental functions, so the same results). Row strides (in elements)
   let the per-step slices of (B, T, .) arrays be read and written in place. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "entry.h"
#include "finite.h"

static inline float tanh_f32(float x) {
    float c = x > -7.90531110763549805f ? x : -7.90531110763549805f;
    c = c < 7.90531110763549805f ? c : 7.90531110763549805f;
    float x2 = c * c;
    float p = -2.76076847742355e-16f;
    p = x2 * p + 2.00018790482477e-13f;
    p = x2 * p + -8.60467152213735e-11f;
    p = x2 * p + 5.12229709037114e-08f;
    p = x2 * p + 1.48572235717979e-05f;
    p = x2 * p + 6.37261928875436e-04f;
    p = x2 * p + 4.89352455891786e-03f;
    float q = 1.19825839466702e-06f;
    q = x2 * q + 1.18534705686654e-04f;
    q = x2 * q + 2.26843463243900e-03f;
    q = x2 * q + 4.89352518554385e-03f;
    return c * p / q;
}

/* One row's gates from its pre-activations: i, f, o = sigmoid, g = tanh. */
static inline void gates_row(const float *restrict zr, float *restrict g, ptrdiff_t u) {
    for (ptrdiff_t j = 0; j < 2 * u; j++) g[j] = tanh_f32(zr[j] * 0.5f) * 0.5f + 0.5f;
    for (ptrdiff_t j = 2 * u; j < 3 * u; j++) g[j] = tanh_f32(zr[j]);
    for (ptrdiff_t j = 3 * u; j < 4 * u; j++) g[j] = tanh_f32(zr[j] * 0.5f) * 0.5f + 0.5f;
}

/* z: (B, 4U) holds h U on entry and is overwritten with the pre-activations. */
int lstm_fwd_step_f32(float *restrict z, const float *restrict xw, ptrdiff_t xw_rs,
                      const float *restrict b, const float *restrict c_prev,
                      ptrdiff_t cp_rs, float *restrict gates, ptrdiff_t g_rs,
                      float *restrict c_out, float *restrict tc_out, float *restrict h_out,
                      float *restrict y_out, ptrdiff_t s_rs, ptrdiff_t nb, ptrdiff_t u) {
    for (ptrdiff_t r = 0; r < nb; r++) {
        float *zr = z + r * 4 * u;
        const float *xr = xw + r * xw_rs;
        for (ptrdiff_t j = 0; j < 4 * u; j++) zr[j] = (zr[j] + xr[j]) + b[j];
        if (special_f32(zr, 4 * u) || special_f32(c_prev + r * cp_rs, u)) return 1;
    }
    for (ptrdiff_t r = 0; r < nb; r++) {
        const float *zr = z + r * 4 * u;
        float *g = gates + r * g_rs;
        gates_row(zr, g, u);
        const float *cp = c_prev + r * cp_rs;
        float *co = c_out + r * s_rs, *tco = tc_out + r * s_rs;
        float *ho = h_out + r * s_rs, *yo = y_out + r * s_rs;
        for (ptrdiff_t j = 0; j < u; j++) {
            float cn = g[u + j] * cp[j] + g[j] * g[2 * u + j];
            float tc = tanh_f32(cn);
            float h = g[3 * u + j] * tc;
            co[j] = cn;
            tco[j] = tc;
            ho[j] = h;
            yo[j] = h;
        }
    }
    return 0;
}

/* dh, dc: (B, U) gradients reaching h_t and c_t; g_out: the output's gradient at t.
   Writes dz (the pre-activation gradient, row stride dz_rs) and dc_prev = dcn * f. */
void lstm_bwd_step_f32(const float *restrict dh, const float *restrict dc,
                       const float *restrict g_out, ptrdiff_t go_rs,
                       const float *restrict gates, ptrdiff_t g_rs,
                       const float *restrict tcs, ptrdiff_t s_rs,
                       const float *restrict c_prev, ptrdiff_t cp_rs,
                       float *restrict dz, ptrdiff_t dz_rs, float *restrict dc_prev,
                       ptrdiff_t nb, ptrdiff_t u) {
    for (ptrdiff_t r = 0; r < nb; r++) {
        const float *g = gates + r * g_rs, *tc = tcs + r * s_rs, *cp = c_prev + r * cp_rs;
        const float *dhr = dh + r * u, *dcr = dc + r * u, *go = g_out + r * go_rs;
        float *d = dz + r * dz_rs, *dcp = dc_prev + r * u;
        for (ptrdiff_t j = 0; j < u; j++) {
            float gi = g[j], gf = g[u + j], gg = g[2 * u + j], go_ = g[3 * u + j];
            float t = tc[j];
            float dhn = dhr[j] + go[j];
            float dho = dhn * go_;
            dho = dho * (1.0f - t * t);
            float dcn = dcr[j] + dho;
            d[j] = (dcn * gg) * (gi - gi * gi);
            d[u + j] = (dcn * cp[j]) * (gf - gf * gf);
            d[2 * u + j] = (dcn * gi) * (1.0f - gg * gg);
            d[3 * u + j] = (dhn * t) * (go_ - go_ * go_);
            dcp[j] = dcn * gf;
        }
    }
}

/* Masked steps (Keras's RNN masking, rnn_ops' order): where mask[r] is 0 the state and
   (unless zero_output) the output carry over from the previous step. mask: the step's
   column (row stride m_rs); h_prev, prev_out: the previous state and output. */
int lstm_fwd_step_masked_f32(float *restrict z, const float *restrict xw, ptrdiff_t xw_rs,
                             const float *restrict b, const float *restrict c_prev,
                             const float *restrict h_prev, const float *restrict prev_out,
                             ptrdiff_t p_rs, const float *restrict mask, ptrdiff_t m_rs,
                             int zero_output, float *restrict gates, ptrdiff_t g_rs,
                             float *restrict c_out, float *restrict tc_out,
                             float *restrict h_out, float *restrict y_out, ptrdiff_t s_rs,
                             ptrdiff_t nb, ptrdiff_t u) {
    for (ptrdiff_t r = 0; r < nb; r++) {
        float *zr = z + r * 4 * u;
        const float *xr = xw + r * xw_rs;
        for (ptrdiff_t j = 0; j < 4 * u; j++) zr[j] = (zr[j] + xr[j]) + b[j];
        if (special_f32(zr, 4 * u) || special_f32(c_prev + r * p_rs, u) ||
            special_f32(h_prev + r * p_rs, u) || special_f32(prev_out + r * p_rs, u))
            return 1;
    }
    for (ptrdiff_t r = 0; r < nb; r++) {
        const float *zr = z + r * 4 * u;
        float *g = gates + r * g_rs;
        gates_row(zr, g, u);
        const float *cp = c_prev + r * p_rs, *hp = h_prev + r * p_rs, *po = prev_out + r * p_rs;
        float *co = c_out + r * s_rs, *tco = tc_out + r * s_rs;
        float *ho = h_out + r * s_rs, *yo = y_out + r * s_rs;
        float m = mask[r * m_rs], k = 1.0f - m;
        for (ptrdiff_t j = 0; j < u; j++) {
            float cn = g[u + j] * cp[j] + g[j] * g[2 * u + j];
            float tc = tanh_f32(cn);
            float hn = g[3 * u + j] * tc;
            tco[j] = tc;
            co[j] = m * cn + k * cp[j];
            ho[j] = m * hn + k * hp[j];
            yo[j] = zero_output ? m * hn : m * hn + k * po[j];
        }
    }
    return 0;
}

/* dpo: the gradient reaching the previous output through carried-over outputs (in and
   out); keep: receives (1 - m) dh, added by the caller after the recurrent GEMM. */
void lstm_bwd_step_masked_f32(const float *restrict dh, const float *restrict dc,
                              const float *restrict g_out, ptrdiff_t go_rs,
                              const float *restrict gates, ptrdiff_t g_rs,
                              const float *restrict tcs, ptrdiff_t s_rs,
                              const float *restrict c_prev, ptrdiff_t cp_rs,
                              const float *restrict mask, ptrdiff_t m_rs, int zero_output,
                              float *restrict dpo, float *restrict keep,
                              float *restrict dz, ptrdiff_t dz_rs, float *restrict dc_prev,
                              ptrdiff_t nb, ptrdiff_t u) {
    for (ptrdiff_t r = 0; r < nb; r++) {
        const float *g = gates + r * g_rs, *tc = tcs + r * s_rs, *cp = c_prev + r * cp_rs;
        const float *dhr = dh + r * u, *dcr = dc + r * u, *go = g_out + r * go_rs;
        float *d = dz + r * dz_rs, *dcp = dc_prev + r * u, *dp = dpo + r * u;
        float *kp = keep + r * u;
        float m = mask[r * m_rs], k = 1.0f - m;
        for (ptrdiff_t j = 0; j < u; j++) {
            float gi = g[j], gf = g[u + j], gg = g[2 * u + j], go_ = g[3 * u + j];
            float t = tc[j];
            float d_out = go[j] + dp[j];
            float dhn = m * (dhr[j] + d_out);
            kp[j] = k * dhr[j];
            dp[j] = zero_output ? 0.0f : k * d_out;
            float dc_keep = k * dcr[j];
            float dho = dhn * go_;
            dho = dho * (1.0f - t * t);
            float dcn = m * dcr[j] + dho;
            d[j] = (dcn * gg) * (gi - gi * gi);
            d[u + j] = (dcn * cp[j]) * (gf - gf * gf);
            d[2 * u + j] = (dcn * gi) * (1.0f - gg * gg);
            d[3 * u + j] = (dhn * t) * (go_ - go_ * go_);
            dcp[j] = dcn * gf + dc_keep;
        }
    }
}

/* pycall entries: arguments in the order above (pointers and sizes alike in a[]) */
#define F(i) CF_P(float, i)
#define CF(i) CF_P(const float, i)
CF_ENTRY(lstm_fwd_step_f32,
         lstm_fwd_step_f32(F(0), CF(1), a[2], CF(3), CF(4), a[5], F(6), a[7], F(8), F(9),
                           F(10), F(11), a[12], a[13], a[14]))
CF_ENTRY_VOID(lstm_bwd_step_f32,
              lstm_bwd_step_f32(CF(0), CF(1), CF(2), a[3], CF(4), a[5], CF(6), a[7], CF(8),
                                a[9], F(10), a[11], F(12), a[13], a[14]))
CF_ENTRY(lstm_fwd_step_masked_f32,
         lstm_fwd_step_masked_f32(F(0), CF(1), a[2], CF(3), CF(4), CF(5), CF(6), a[7],
                                  CF(8), a[9], (int)a[10], F(11), a[12], F(13), F(14),
                                  F(15), F(16), a[17], a[18], a[19]))
CF_ENTRY_VOID(lstm_bwd_step_masked_f32,
              lstm_bwd_step_masked_f32(CF(0), CF(1), CF(2), a[3], CF(4), a[5], CF(6), a[7],
                                       CF(8), a[9], CF(10), a[11], (int)a[12], F(13), F(14),
                                       F(15), a[16], F(17), a[18], a[19]))
#undef F
#undef CF
