"""OpInfo for the fused recurrent sequence ops (framework/ops/rnn_ops.py)."""
from __future__ import annotations

import cuflow as cf
import numpy as np
from cuflow.ops.rnn_ops import gru_sequence, lstm_sequence

from .opdb import F, OpInfo, Sample, _arr


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _lstm_ref(xw, h, c, rk, b, mask, zero_output=False):
    """Keras's LSTM loop (with its masking rule) in float64."""
    u = rk.shape[0]
    outs, prev = [], np.zeros_like(h)
    for t in range(xw.shape[1]):
        z = xw[:, t] + h @ rk + b
        i, f, g, o = _sig(z[:, :u]), _sig(z[:, u:2 * u]), np.tanh(z[:, 2 * u:3 * u]), \
            _sig(z[:, 3 * u:])
        cn = f * c + i * g
        hn = o * np.tanh(cn)
        m = mask[:, t][:, None]
        c, h = m * cn + (1 - m) * c, m * hn + (1 - m) * h
        out = m * hn if zero_output else m * hn + (1 - m) * prev
        outs.append(out)
        prev = out
    seq = np.stack(outs, 1) if outs else np.zeros(xw.shape[:2] + (u,))
    return seq, h, c


def _lstm_samples(rng, d):
    out = []
    for nb, nt, u, masked, zero in ((2, 3, 2, False, False), (3, 4, 3, True, False),
                                    (2, 4, 2, True, True), (1, 1, 1, False, False),
                                    (0, 2, 2, False, False)):
        mask = np.ones((nb, nt), bool)   # bool here (not a differentiable input);
        if masked:                       # the public call casts it to xw's dtype
            mask[0, 1:] = False  # a short sequence (post-padding)
            mask[-1, 0] = False  # a leading padded step
        out.append(Sample((_arr(rng, (nb, nt, 4 * u), d, -1, 1), _arr(rng, (nb, u), d, -1, 1),
                           _arr(rng, (nb, u), d, -1, 1), _arr(rng, (u, 4 * u), d, -1, 1),
                           _arr(rng, (4 * u,), d, -1, 1), mask), {"zero_output": zero}))
    return out


def _lstm(xw, h, c, rk, b, mask, zero_output=False):
    return lstm_sequence(xw, h, c, rk, b, cf.cast(mask, cf.convert_to_tensor(xw).dtype),
                         zero_output)


def _gru_ref(xw, h, rk, rb, mask, zero_output=False):
    """Keras's GRU (reset_after=True) loop with its masking rule, in float64."""
    u = rk.shape[0]
    outs, prev = [], np.zeros_like(h)
    for t in range(xw.shape[1]):
        inner = h @ rk + rb
        x = xw[:, t]
        z = _sig(x[:, :u] + inner[:, :u])
        r = _sig(x[:, u:2 * u] + inner[:, u:2 * u])
        hh = np.tanh(x[:, 2 * u:] + r * inner[:, 2 * u:])
        hn = z * h + (1 - z) * hh
        m = mask[:, t][:, None]
        h = m * hn + (1 - m) * h
        out = m * hn if zero_output else m * hn + (1 - m) * prev
        outs.append(out)
        prev = out
    seq = np.stack(outs, 1) if outs else np.zeros(xw.shape[:2] + (u,))
    return seq, h


def _gru_samples(rng, d):
    return [Sample((s.args[0][..., :3 * s.args[3].shape[0]], s.args[1], s.args[3][:, :3 *
                    s.args[3].shape[0]], s.args[4][:3 * s.args[3].shape[0]], s.args[5]),
                   s.kwargs) for s in _lstm_samples(rng, d)]


def _gru(xw, h, rk, rb, mask, zero_output=False):
    return gru_sequence(xw, h, rk, rb, cf.cast(mask, cf.convert_to_tensor(xw).dtype),
                        zero_output)


OPS = [
    OpInfo("gru_sequence", _gru, _gru_ref, _gru_samples, F, rtol=2e-5, atol=2e-6,
           covers=("gru_sequence_grad",)),
    OpInfo("lstm_sequence", _lstm, _lstm_ref, _lstm_samples, F, rtol=2e-5, atol=2e-6,
           covers=("lstm_sequence_grad",)),
]
