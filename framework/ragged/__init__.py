"""``cf.ragged``: ragged tensors (``tf.ragged``): constant, RaggedTensor, map_flat_values.

>>> import cuflow as cf
>>> cf.ragged.constant([["a", "b"], []]).to_list()
[[b'a', b'b'], []]
"""
from __future__ import annotations

import numpy as np

from ..ops.constant import constant as _constant
from .ragged_tensor import RaggedTensor, is_ragged  # noqa: F401


def _depth(x):
    d = 0
    while isinstance(x, (list, tuple)):
        d += 1
        x = next((e for e in x if isinstance(e, (list, tuple)) and len(e)), x[0] if x else None)
    return d


def _encode(x):
    if isinstance(x, str):
        return x.encode("utf-8")
    if isinstance(x, (list, tuple)):
        return [_encode(e) for e in x]
    return x


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None,
             row_splits_dtype="int64"):
    """A RaggedTensor from a nested list (``tf.ragged.constant``); strings become bytes.
    ``ragged_rank`` defaults to the nesting depth - 1 (less with ``inner_shape``)."""
    pylist = _encode(pylist)
    depth = _depth(pylist)
    if depth == 0:
        return _constant(pylist, dtype=dtype)
    inner = len(inner_shape) if inner_shape is not None else 0
    rank = depth - 1 - inner if ragged_rank is None else int(ragged_rank)
    if rank < 1:
        return _constant(pylist, dtype=dtype)
    return _build(pylist, rank, dtype, inner_shape)


def _build(rows, rank, dtype, inner_shape):
    lengths = [len(r) for r in rows]
    flat = [e for r in rows for e in r]
    if rank == 1:
        if not flat:
            shape = [0] + list(inner_shape or [])
            values = _constant(np.zeros(shape, np.float32), dtype=dtype)
        else:
            values = _constant(flat, dtype=dtype)
        return RaggedTensor.from_row_lengths(values, lengths)
    return RaggedTensor.from_row_lengths(_build(flat, rank - 1, dtype, inner_shape), lengths)


def map_flat_values(op, *args, **kwargs):
    """``op`` applied to the flat values of the ragged arguments (same row structure)."""
    template = next(a for a in list(args) + list(kwargs.values()) if is_ragged(a))
    unwrap = [a.flat_values if is_ragged(a) else a for a in args]
    kw = {k: v.flat_values if is_ragged(v) else v for k, v in kwargs.items()}
    return template.with_flat_values(op(*unwrap, **kw))
