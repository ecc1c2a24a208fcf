"""Jacobians from repeated reverse passes over one recording."""
from __future__ import annotations

import numpy as np

from .. import nest


def _rows(tape, target, sources, unconnected):
    """One reverse pass per element of ``target`` (the tape is kept until all are done)."""
    from ..ops import array_ops, math_ops

    n = int(np.prod(tuple(target.shape)))
    persistent = tape._persistent
    tape._persistent = True
    flat_sources = nest.flatten(sources)
    rows = [[] for _ in flat_sources]
    try:
        for i in range(n):
            onehot = np.zeros(n, dtype=target.dtype.np)
            onehot[i] = 1
            og = array_ops.reshape(math_ops.cast(onehot, target.dtype), tuple(target.shape))
            gs = tape.gradient(target, flat_sources, output_gradients=og,
                               unconnected_gradients=unconnected)
            for j, g in enumerate(gs):
                rows[j].append(g)
    finally:
        tape._persistent = persistent
        if not persistent:
            tape._used = True
            tape._entries = []
    return flat_sources, rows


def jacobian(tape, target, sources, unconnected):
    from ..ops import array_ops

    flat_sources, rows = _rows(tape, target, sources, unconnected)
    out = []
    for s, r in zip(flat_sources, rows):
        if not r or any(g is None for g in r):
            out.append(None if not r or all(g is None for g in r) else None)
            if not r:
                out[-1] = array_ops.zeros(tuple(target.shape) + tuple(s.shape), s.dtype)
            continue
        out.append(array_ops.reshape(array_ops.stack(r), tuple(target.shape) +
                                     tuple(s.shape)))
    return nest.pack_sequence_as(sources, out)


def batch_jacobian(tape, target, source, unconnected):
    from ..ops import array_ops

    full = jacobian(tape, target, source, unconnected)
    if full is None:
        return None
    b = target.shape[0]
    if source.shape[0] != b:
        raise ValueError(f"batch_jacobian: target batch {b} != source batch {source.shape[0]}")
    t_rest = tuple(target.shape)[1:]
    s_rest = tuple(source.shape)[1:]
    per = [full[(i,) + (slice(None),) * len(t_rest) + (i,)] for i in range(b)]
    if not per:
        return array_ops.zeros((0,) + t_rest + s_rest, source.dtype)
    return array_ops.stack(per)
