"""More of TF's CTC helpers: beam-search decoding, ``collapse_repeated`` and
``ctc_unique_labels``.

The beam search is TF's prefix beam search (``ctc_beam_search.h``) on the host: per
step it normalizes the row with a log-softmax, keeps per-prefix blank/label
log-probabilities, extends every surviving prefix by each non-blank class, and keeps
the ``beam_width`` best by total probability.

>>> import cuflow as cf
>>> x = cf.math.log([[[0.1, 0.9]], [[0.8, 0.2]]])    # [time, batch, classes]
>>> decoded, _ = cf.nn.ctc_beam_search_decoder(x, [2], beam_width=4)
>>> decoded[0].values.numpy().tolist()
[0]
"""
from __future__ import annotations

import heapq
import itertools

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import math_ops as _m
from .constant import constant, convert_to_tensor

_LOG0 = -np.inf


def _logsumexp(a, b):
    if a == _LOG0:
        return b
    if b == _LOG0:
        return a
    hi = max(a, b)
    return hi + np.log1p(np.exp(min(a, b) - hi))


class _Beam:
    """One prefix: its last label, parent, children and (blank, label, total) log-probs
    at this step (new) and the previous one (old)."""
    __slots__ = ("label", "parent", "children", "new", "old")

    def __init__(self, parent, label):
        self.label, self.parent, self.children = label, parent, {}
        self.new = [_LOG0, _LOG0, _LOG0]
        self.old = [_LOG0, _LOG0, _LOG0]

    def active(self):
        return self.new[2] != _LOG0

    def child(self, label):
        c = self.children.get(label)
        if c is None:
            c = self.children[label] = _Beam(self, label)
        return c

    def labels(self, merge_repeated):
        out, node = [], self
        while node.parent is not None:
            out.append(node.label)
            node = node.parent
        out.reverse()
        if merge_repeated:
            out = [c for i, c in enumerate(out) if i == 0 or c != out[i - 1]]
        return out


class _TopN:
    """TF's gtl::TopN by total probability: a min-heap whose bottom is evictable."""

    def __init__(self, limit):
        self.limit, self.heap, self.count = limit, [], itertools.count()

    def push(self, beam):
        heapq.heappush(self.heap, (beam.new[2], next(self.count), beam))
        if len(self.heap) > self.limit:
            heapq.heappop(self.heap)

    def bottom(self):
        return self.heap[0][2]

    def extract(self):
        out = [b for _, _, b in sorted(self.heap, key=lambda e: (-e[0], e[1]))]
        self.heap = []
        return out


def _step(leaves, row, width, blank, num_labels):
    top = float(row.max())
    max_coeff = top + float(np.log(np.exp(row - top).sum()))   # log-softmax offset
    branches = leaves.extract()
    for b in branches:
        b.old = list(b.new)
    for b in branches:
        if b.parent is not None:
            if b.parent.active():
                prev = b.parent.old[0] if b.label == b.parent.label else b.parent.old[2]
                b.new[1] = _logsumexp(b.new[1], prev)
            b.new[1] += row[b.label] - max_coeff
        b.new[0] = b.old[2] + row[blank] - max_coeff
        b.new[2] = _logsumexp(b.new[0], b.new[1])
        leaves.push(b)

    def candidate(total):
        return total > _LOG0 and (len(leaves.heap) < width or total > leaves.bottom().new[2])
    shifted = row[:num_labels] - max_coeff
    for b in branches:
        if not candidate(b.old[2]):
            continue
        prev = np.full(num_labels, b.old[2])
        if 0 <= b.label < num_labels:
            prev[b.label] = b.old[0]
        totals = shifted + prev
        # Only labels beating the current bottom can enter (the bottom only rises while
        # the beam is full); the rest would be rejected by candidate() one by one.
        floor = leaves.bottom().new[2] if len(leaves.heap) >= width else _LOG0
        hopeful = set(np.nonzero(totals > floor)[0].tolist())
        for label in sorted(hopeful | set(b.children)):   # TF's label order
            c = b.children.get(label)
            if c is not None and c.active():
                continue
            total = float(totals[label])
            if label in hopeful and candidate(total):
                c = c if c is not None else b.child(label)
                c.new = [_LOG0, total, total]
                if len(leaves.heap) == width:
                    leaves.bottom().new = [_LOG0, _LOG0, _LOG0]
                leaves.push(c)
            elif c is not None:     # an existing child that lost: deactivated, as TF
                c.old = [_LOG0, _LOG0, _LOG0]
                c.new = [_LOG0, _LOG0, _LOG0]


def _decode_one(x, length, width, top_paths, merge_repeated):
    classes = x.shape[-1]
    root = _Beam(None, -1)
    root.new = [0.0, _LOG0, 0.0]
    leaves = _TopN(width)
    leaves.push(root)
    for t in range(length):
        _step(leaves, x[t].astype(np.float64), width, classes - 1, classes - 1)
    if top_paths > len(leaves.heap):
        raise InvalidArgumentError(None, "ctc_beam_search_decoder",
                                   "Less leaves in the beam search than requested.")
    best = leaves.extract()[:top_paths]
    return [b.labels(merge_repeated) for b in best], [b.new[2] for b in best]


def ctc_beam_search_decoder(inputs, sequence_length, beam_width=100, top_paths=1):
    """Beam-search decoding of time-major logits ``inputs`` [time, batch, classes]
    (blank = the last class; repeated labels are kept, as TF 2's decoder).

    Returns ``(decoded, log_probabilities)``: ``top_paths`` SparseTensors of int64 labels
    and the paths' [batch, top_paths] log-probabilities.
    """
    return _beam_search(inputs, sequence_length, beam_width, top_paths, False)


def _beam_search(inputs, sequence_length, beam_width, top_paths, merge_repeated):
    from ..sparse import SparseTensor
    op = "ctc_beam_search_decoder"
    x = convert_to_tensor(inputs)
    if x.shape.rank != 3:
        raise InvalidArgumentError(None, op, f"{op}: inputs must be 3-D [time, batch, "
                                   f"classes], got shape {x.shape}")
    xv = np.asarray(x.numpy())
    max_time, batch, _ = xv.shape
    lengths = np.asarray(convert_to_tensor(sequence_length).numpy()).reshape(-1)
    if lengths.shape[0] != batch:
        raise InvalidArgumentError(None, op, f"{op}: len(sequence_length) != batch_size: "
                                   f"{lengths.shape[0]} vs. {batch}")
    if (lengths > max_time).any():
        raise InvalidArgumentError(None, op, f"{op}: sequence_length is not always less "
                                   f"than max_time ({max_time})")
    if not 0 < int(top_paths) <= int(beam_width):
        raise InvalidArgumentError(None, op, f"{op}: top_paths must be in (0, beam_width="
                                   f"{beam_width}], got {top_paths}")
    paths, scores = zip(*[_decode_one(xv[:, b], int(lengths[b]), int(beam_width),
                                      int(top_paths), merge_repeated) for b in range(batch)])
    decoded = []
    for i in range(int(top_paths)):
        idx = [[b, t] for b in range(batch) for t in range(len(paths[b][i]))]
        vals = [v for b in range(batch) for v in paths[b][i]]
        width = max([len(paths[b][i]) for b in range(batch)] + [0])
        decoded.append(SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2),
                                    constant(np.asarray(vals, np.int64)), [batch, width]))
    return decoded, constant(np.asarray(scores, xv.dtype).reshape(batch, int(top_paths)))


def collapse_repeated(labels, seq_length, name=None):
    """Merges runs of equal labels within each row's ``seq_length``; returns the
    collapsed labels (zero-padded to the longest new row) and the new lengths.

    >>> import cuflow as cf
    >>> y, n = cf.nn.collapse_repeated([[1, 1, 2, 2, 1], [1, 2, 3, 4, 5]], [5, 4])
    >>> y.numpy().tolist(), n.numpy().tolist()
    ([[1, 2, 1, 0], [1, 2, 3, 4]], [3, 4])
    """
    from .index_ops import boolean_mask, scatter_nd
    from .manip_ops import sequence_mask
    from .reduce_ops import reduce_max, reduce_sum
    labels, seq_length = convert_to_tensor(labels), convert_to_tensor(seq_length)
    maxlen = labels.shape[1]
    keep = _a.concat([_a.ones_like(labels[:, :1], _dt.bool),
                      _m.not_equal(labels[:, 1:], labels[:, :-1])], 1)
    keep = _m.logical_and(keep, sequence_mask(seq_length, maxlen=maxlen))
    new_len = reduce_sum(_m.cast(keep, _dt.int32), 1)
    new_max = int(reduce_max(new_len).numpy()) if labels.shape[0] else 0
    slots = _a.reshape(sequence_mask(new_len, maxlen=new_max), [-1])
    pos = boolean_mask(_a.range(slots.shape[0]), slots)
    flat = scatter_nd(_a.expand_dims(pos, 1),
                      boolean_mask(_a.reshape(labels, [-1]), _a.reshape(keep, [-1])),
                      [slots.shape[0]])
    return _a.reshape(flat, [labels.shape[0], new_max]), _m.cast(new_len, seq_length.dtype)


def ctc_unique_labels(labels, name=None):
    """Per row: the unique labels in first-seen order, zero-padded (int64), and each
    label's index into them (int32), as ``tf.nn.ctc_unique_labels``.

    >>> import cuflow as cf
    >>> u, i = cf.nn.ctc_unique_labels([[3, 4, 4, 3]])
    >>> u.numpy().tolist(), i.numpy().tolist()
    ([[3, 4, 0, 0]], [[0, 1, 1, 0]])
    """
    from .manip_ops import pad
    from .sort_ops import unique
    labels = convert_to_tensor(labels)
    ys, idxs = [], []
    n = labels.shape[1]
    for row in _a.unstack(labels, axis=0) if labels.shape[0] else []:
        y, idx = unique(row)
        ys.append(_m.cast(pad(y, [[0, n - y.shape[0]]]), _dt.int64))
        idxs.append(_m.cast(idx, _dt.int32))
    if not ys:
        return _a.zeros([0, n], _dt.int64), _a.zeros([0, n], _dt.int32)
    return _a.stack(ys), _a.stack(idxs)
