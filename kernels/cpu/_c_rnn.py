"""LSTM time loops with one C call per step besides the recurrent GEMM (csrc/rnn.c),
behind the CPU overrides of lstm_sequence / lstm_sequence_grad (float32; with a mask,
Keras's carry-over of state and output at masked steps).

``forward`` takes the arguments of framework/ops/rnn_ops.py's impl and returns its
results, or None when a step meets a NaN or an infinity (the caller then runs the NumPy
impl); the gradient is ``backward_loop`` then ``weight_grads``."""
import ctypes

import numpy as np

from . import native

_F = []


# argument codes for native.bind (p: pointer, n: ptrdiff_t, i: int), as in csrc/rnn.c
SIGNATURES = {"lstm_fwd_step_f32": ("ppnppnpnppppnnn", ctypes.c_int),
              "lstm_bwd_step_f32": ("pppnpnpnpnpnpnn", None),
              "lstm_fwd_step_masked_f32": ("ppnppppnpnipnppppnnn", ctypes.c_int),
              "lstm_bwd_step_masked_f32": ("pppnpnpnpnpnipppnpnn", None)}


def library():
    """(forward, backward, masked forward, masked backward) step functions (native.bind;
    arrays passed as int addresses), or None without a C compiler."""
    if not _F:
        lib = native.load("rnn")
        _F.append(None if lib is None else tuple(
            native.bind(lib, name, sig, res) for name, (sig, res) in SIGNATURES.items()))
    return _F[0]


def forward(xw, h0, c0, rk, b, mask=None, zero_output=False):
    """(outputs, h, c, hs, cs, gates, tcs) of a float32 LSTM, or None. ``mask``: (B, T) of
    1/0 or None (no masking)."""
    fwd, mfwd = library()[0], library()[2]
    xw, h0, c0, rk, b = (np.ascontiguousarray(a, np.float32) for a in (xw, h0, c0, rk, b))
    if mask is not None:
        mask = np.ascontiguousarray(mask, np.float32)
    nb, nt, four_u = xw.shape
    u = four_u // 4
    outs, hs, cs, tcs = (np.empty((nb, nt, u), np.float32) for _ in range(4))
    gates = np.empty((nb, nt, four_u), np.float32)
    z = np.empty((nb, four_u), np.float32)
    h = h0
    s_rs = nt * u
    pz, pb = z.ctypes.data, b.ctypes.data
    item = 4
    zeros = np.zeros((nb, u), np.float32)
    # base addresses once (an ndarray's .ctypes.data costs ~1 us a read)
    p_xw, p_g, p_m = xw.ctypes.data, gates.ctypes.data, (
        mask.ctypes.data if mask is not None else 0)
    p_st = [a.ctypes.data for a in (cs, tcs, hs, outs)]
    p_c0, p_h0, p_zero = c0.ctypes.data, h0.ctypes.data, zeros.ctypes.data
    p_cs, p_hs, p_out = p_st[0], p_st[2], p_st[3]
    step_u, step_4u = u * item, four_u * item
    zo = int(bool(zero_output))
    for t in range(nt):
        np.matmul(h, rk, out=z)
        xw_t, g_t = p_xw + t * step_4u, p_g + t * step_4u
        at = [a + t * step_u for a in p_st]
        if mask is None:
            c_ptr, c_rs = (p_c0, u) if t == 0 else (p_cs + (t - 1) * step_u, s_rs)
            bad = fwd(pz, xw_t, nt * four_u, pb, c_ptr, c_rs, g_t, nt * four_u, *at, s_rs,
                      nb, u)
        else:
            prev = (p_c0, p_h0, p_zero) if t == 0 else (
                p_cs + (t - 1) * step_u, p_hs + (t - 1) * step_u, p_out + (t - 1) * step_u)
            p_rs = u if t == 0 else s_rs
            bad = mfwd(pz, xw_t, nt * four_u, pb, *prev, p_rs, p_m + t * item, nt, zo, g_t,
                       nt * four_u, *at, s_rs, nb, u)
        if bad:
            return None
        h = hs[:, t]
    return outs, hs[:, -1].copy(), cs[:, -1].copy(), hs, cs, gates, tcs


def weight_grads(h_prev, dz_all, matmul=np.matmul):
    """(d rk, d b) from backward_loop's results: one GEMM over all steps (``matmul``: the
    caller's, e.g. one choosing BLAS threads), and the bias sum."""
    return matmul(h_prev.T, dz_all.reshape(-1, dz_all.shape[-1])), dz_all.sum(axis=(0, 1))


def backward_loop(g_out, g_h, g_c, h0, c0, rk, hs, cs, gates, tcs, mask=None,
                  zero_output=False):
    """The time loop of a float32 LSTM's backward pass (``mask`` as in forward): (d xw,
    d h0, d c0, h_prev) with h_prev the (B*T, U) states each step started from; d rk and
    d b follow in weight_grads, outside the loop's one-thread BLAS context."""
    bwd, mbwd = library()[1], library()[3]
    if mask is not None:
        mask = np.ascontiguousarray(mask, np.float32)
    g_out, dh, dc, h0, c0, rk, hs, cs, gates, tcs = (
        np.ascontiguousarray(a, np.float32)
        for a in (g_out, g_h, g_c, h0, c0, rk, hs, cs, gates, tcs))
    nb, nt, u = g_out.shape
    dz_all = np.empty((nb, nt, 4 * u), np.float32)
    rk_t = np.ascontiguousarray(rk.T)   # GEMMs on it ran ~25% faster than on the view
    dh = dh.copy()
    dh_new = np.empty((nb, u), np.float32)
    dc_prev = np.empty((nb, u), np.float32)
    dc = dc.copy()
    item = 4
    dpo, keep = np.zeros((nb, u), np.float32), np.empty((nb, u), np.float32)
    p_go, p_g, p_tc, p_c0, p_cs = (a.ctypes.data for a in (g_out, gates, tcs, c0, cs))
    p_dz, p_dpo, p_keep = dz_all.ctypes.data, dpo.ctypes.data, keep.ctypes.data
    p_m = mask.ctypes.data if mask is not None else 0
    zo = int(bool(zero_output))
    step_u = u * item
    for t in range(nt - 1, -1, -1):
        c_ptr, c_rs = (p_c0, u) if t == 0 else (p_cs + (t - 1) * step_u, nt * u)
        common = (dh, dc, p_go + t * step_u, nt * u,
                  p_g + t * 4 * step_u, nt * 4 * u, p_tc + t * step_u, nt * u, c_ptr, c_rs)
        tail = (p_dz + t * 4 * step_u, nt * 4 * u, dc_prev, nb, u)
        if mask is None:
            bwd(*common, *tail)
        else:
            mbwd(*common, p_m + t * item, nt, zo, p_dpo, p_keep, *tail)
        np.matmul(dz_all[:, t], rk_t, out=dh_new)
        if mask is not None:
            dh_new += keep
        dh, dh_new = dh_new, dh
        dc, dc_prev = dc_prev, dc
    h_prev = np.concatenate([h0[:, None], hs[:, :nt - 1]], axis=1)[:, :nt].reshape(nb * nt, u)
    return dz_all, dh, dc, h_prev
