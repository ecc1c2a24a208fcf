"""``tf.nn.ctc_loss`` with dense labels: the CTC forward algorithm in log space, written
with cuflow ops (a Python loop over time), so its gradient comes from the tape.

Per example: extend the labels with blanks (l' = blank, l1, blank, l2, ..., blank), run
alpha_t(s) = logsumexp(alpha_{t-1}(s), alpha_{t-1}(s-1), alpha_{t-1}(s-2) [when l'_s is
not blank and differs from l'_{s-2}]) + log_softmax(logits_t)[l'_s], hold alpha past
the example's logit_length, and return -logsumexp of the two final states.
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from . import math_ops as _m
from ._util import shape_of, static_value
from .constant import constant, convert_to_tensor

_NEG = -1e30  # log(0) that keeps gradients finite


def _host_ints(v, what):
    out = static_value(v)
    if out is None:
        raise InvalidArgumentError(None, "ctc_loss", f"ctc_loss: {what} must be known "
                                   "(a constant) to build the label lattice")
    return np.asarray(out, np.int64)


def ctc_loss(labels, logits, label_length, logit_length, logits_time_major=True,
             unique=None, blank_index=None, name=None):
    """Negative log-likelihood of ``labels`` under CTC, per batch element ([batch]).

    ``labels`` is dense [batch, max_label_length] (padded; ``label_length`` gives the
    lengths); ``logits`` is [time, batch, classes] (or [batch, time, classes] with
    ``logits_time_major=False``); ``blank_index`` defaults to 0 for dense labels, as TF.
    """
    from .array_ops import stack, transpose
    from .index_ops import gather
    from .manip_ops import pad
    from .nn_ops import log_softmax
    from .reduce_ops import reduce_logsumexp
    if getattr(labels, "_is_sparse_tensor", False):
        raise InvalidArgumentError(None, "ctc_loss", "ctc_loss: SparseTensor labels are not "
                                   "supported; pass dense labels with label_length")
    logits = convert_to_tensor(logits)
    if not logits_time_major:
        logits = transpose(logits, [1, 0, 2])
    t_max, batch, classes = (int(d) for d in shape_of(logits))
    lab = _host_ints(labels, "labels").reshape(batch, -1)
    lab_len = _host_ints(label_length, "label_length").reshape(batch)
    logit_len = _host_ints(logit_length, "logit_length").reshape(batch)
    blank = 0 if blank_index is None else int(blank_index) % classes
    s_max = 2 * int(lab_len.max(initial=0)) + 1
    ext = np.full((batch, s_max), blank, np.int64)
    allow_skip = np.zeros((batch, s_max), bool)
    for b in range(batch):
        seq = lab[b, :lab_len[b]]
        if ((seq < 0) | (seq >= classes)).any():
            raise InvalidArgumentError(None, "ctc_loss", f"ctc_loss: labels of example {b} "
                                       f"must be in [0, {classes}), got {seq.tolist()}")
        ext[b, 1:2 * len(seq):2] = seq
        for s in range(3, 2 * len(seq), 2):
            allow_skip[b, s] = ext[b, s] != ext[b, s - 2]
    valid = np.arange(s_max)[None, :] < (2 * lab_len + 1)[:, None]
    neg = constant(np.asarray(_NEG), dtype=logits.dtype)
    logp = log_softmax(logits, axis=-1)
    ext_t = constant(ext)
    skip_mask = constant(allow_skip)
    valid_mask = constant(valid)

    def emit(t):
        return gather(logp[t], ext_t, axis=1, batch_dims=1)

    init = np.full((batch, s_max), False)
    init[:, 0] = True
    init[:, 1] = lab_len > 0
    alpha = _m.where_v(constant(init & valid), emit(0), neg)
    for t in range(1, t_max):
        prev1 = pad(alpha, [[0, 0], [1, 0]], constant_values=_NEG)[:, :s_max]
        prev2 = pad(alpha, [[0, 0], [2, 0]], constant_values=_NEG)[:, :s_max]
        prev2 = _m.where_v(skip_mask, prev2, neg)
        step = reduce_logsumexp(stack([alpha, prev1, prev2], -1), -1) + emit(t)
        step = _m.where_v(valid_mask, step, neg)
        live = constant((t < logit_len)[:, None])
        alpha = _m.where_v(live, step, alpha)
    last = 2 * lab_len
    ends = np.stack([last, np.maximum(last - 1, 0)], -1)
    both = gather(alpha, constant(ends), axis=1, batch_dims=1)
    both = _m.where_v(constant(np.stack([np.ones(batch, bool), lab_len > 0], -1)), both, neg)
    return -reduce_logsumexp(both, -1)



def ctc_greedy_decoder(inputs, sequence_length, merge_repeated=True, blank_index=None):
    """Best-path decoding of time-major ``inputs`` [time, batch, classes]: the argmax
    class per step, repeats merged, blanks (default: the last class) dropped. Returns
    ``([SparseTensor decoded], neg_sum_logits [batch, 1])``, as TF."""
    from ..sparse import SparseTensor
    x = np.asarray(convert_to_tensor(inputs).numpy())
    _, batch, classes = x.shape
    lengths = _host_ints(sequence_length, "sequence_length").reshape(batch)
    blank = classes - 1 if blank_index is None else int(blank_index) % classes
    best = x.argmax(-1)
    neg = np.zeros((batch, 1), x.dtype)
    idx, vals = [], []
    width = 0
    for b in range(batch):
        steps = best[:lengths[b], b]
        neg[b, 0] = -x[np.arange(lengths[b]), b, steps].sum()
        out, prev = [], None
        for c in steps.tolist():
            if c != blank and not (merge_repeated and c == prev):
                out.append(c)
            prev = c
        idx += [[b, i] for i in range(len(out))]
        vals += out
        width = max(width, len(out))
    decoded = SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2),
                           constant(np.asarray(vals, np.int64)), [batch, width])
    return [decoded], constant(neg)


def _levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, y in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y))
        prev = cur
    return prev[-1]


def edit_distance(hypothesis, truth, normalize=True, name="edit_distance"):
    """Levenshtein distance between the sequences (last axis) of two SparseTensors;
    with ``normalize``, divided by the truth's length (an empty truth: inf, or 0 when
    the hypothesis is empty too)."""
    def rows(sp):
        idx = np.asarray(sp.indices.numpy(), np.int64)
        vals = np.asarray(sp.values.numpy())
        out = {}
        for i, v in zip(idx, vals):
            out.setdefault(tuple(i[:-1].tolist()), []).append((int(i[-1]), v))
        return {k: [v for _, v in sorted(s, key=lambda p: p[0])] for k, s in out.items()}, \
            np.asarray(sp.dense_shape.numpy(), np.int64)
    h, hs = rows(hypothesis)
    t, ts = rows(truth)
    shape = np.maximum(hs[:-1], ts[:-1])
    out = np.zeros(shape, np.float32)
    for key in np.ndindex(*shape):
        a, b = h.get(key, []), t.get(key, [])
        d = float(_levenshtein(a, b))
        if normalize:
            d = d / len(b) if b else (np.inf if a else 0.0)
        out[key] = d
    return constant(out)
