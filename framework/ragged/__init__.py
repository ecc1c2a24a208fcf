"""``cf.ragged``: ragged tensors (``tf.ragged``): constant, RaggedTensor, map_flat_values.

>>> import cuflow as cf
>>> cf.ragged.constant([["a", "b"], []]).to_list()
[[b'a', b'b'], []]
"""
from __future__ import annotations

import builtins

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
    _check_nesting(pylist)
    depth = _depth(pylist)
    if depth == 0:
        return _constant(pylist, dtype=dtype)
    inner = len(inner_shape) if inner_shape is not None else 0
    rank = depth - 1 - inner if ragged_rank is None else int(ragged_rank)
    if rank < 1:
        return _constant(pylist, dtype=dtype)
    from .ragged_tensor import _with_splits_dtype
    return _with_splits_dtype(_build(pylist, rank, dtype, inner_shape), row_splits_dtype)


def _check_nesting(pylist):
    """TF's ValueErrors: scalars at one nesting depth only, and of one kind (no strings
    next to numbers)."""
    depths, kinds = set(), set()

    def walk(x, d):
        if isinstance(x, (list, tuple)) or (isinstance(x, np.ndarray) and x.ndim):
            for e in x:
                walk(e, d + 1)
            return
        depths.add(d)
        kinds.add("str" if isinstance(x, (bytes, str, np.bytes_, np.str_)) else "num")
    walk(pylist, 0)
    if len(depths) > 1:
        raise ValueError("all scalar values must have the same nesting depth")
    if len(kinds) > 1:
        raise ValueError("Can't convert Python list to a ragged tensor: it mixes strings "
                         "and numbers")


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


def range(starts, limits=None, deltas=1, dtype=None, name=None,  # noqa: A001 - TF name
          row_splits_dtype="int64"):
    """A RaggedTensor whose row i is ``range(starts[i], limits[i], deltas[i])``
    (``tf.ragged.range``; scalars broadcast, a lone argument is the limits).

    >>> import cuflow as cf
    >>> cf.ragged.range([0, 2, 5], [3, 3, 8]).to_list()
    [[0, 1, 2], [2], [5, 6, 7]]
    """
    if limits is None:
        starts, limits = 0, starts
    from .ragged_tensor import _with_splits_dtype
    if any(getattr(v, "_sym", None) is not None for v in (starts, limits, deltas)):
        from .ragged_traced import ragged_range
        return _with_splits_dtype(ragged_range(starts, limits, deltas, dtype),
                                  row_splits_dtype)
    s, lim, d = (np.asarray(_constant(v).numpy()) for v in (starts, limits, deltas))
    out_dt = np.result_type(s, lim, d) if dtype is None else np.dtype(_dtype_np(dtype))
    s, lim, d = np.broadcast_arrays(s, lim, d)
    rows = [np.arange(a, b, c, dtype=out_dt) for a, b, c in
            zip(s.ravel(), lim.ravel(), d.ravel())]
    flat = np.concatenate(rows) if rows else np.zeros(0, out_dt)
    return _with_splits_dtype(RaggedTensor.from_row_lengths(_constant(flat),
                                                            [len(r) for r in rows]),
                              row_splits_dtype)


def _dtype_np(dtype):
    from .. import dtypes
    return dtypes.as_dtype(dtype).np


def stack(values, axis=0, name=None):
    """Stacks tensors and RaggedTensors of the same rank along a new axis 0 (rows may
    differ in length: the result is ragged; ``tf.ragged.stack``)."""
    from .ragged_tensor import _concat_ragged
    if axis != 0:
        raise ValueError(f"cf.ragged.stack supports axis=0 only; got axis={axis}")
    parts = [v if is_ragged(v) else _constant(v) for v in values]
    if all(is_ragged(p) for p in parts):
        return RaggedTensor.from_row_lengths(_concat_ragged(parts),
                                             [p.nrows_int() for p in parts])
    if any(is_ragged(p) for p in parts):
        parts = [p if is_ragged(p) else RaggedTensor.from_tensor(p) for p in parts]
        return stack(parts)
    arrays = [np.asarray(p.numpy()) for p in parts]
    return RaggedTensor.from_row_lengths(_constant(np.concatenate(arrays)),
                                         [len(a) for a in arrays])


builtins_range = builtins.range


def boolean_mask(data, mask, name=None):
    """The entries of ``data`` where ``mask`` is True, keeping the row structure
    (``tf.ragged.boolean_mask``): a 2-D mask over [rows, cols] gives ragged rows."""
    d = data if is_ragged(data) else _constant(data)
    if is_ragged(d) and is_ragged(mask) and (d._symbolic() or mask._symbolic()):
        from .ragged_traced import boolean_mask as traced_mask
        return traced_mask(d, mask)
    m = mask.numpy() if is_ragged(mask) else np.asarray(
        mask.numpy() if hasattr(mask, "numpy") else mask, bool)
    if is_ragged(d):
        rows = [np.asarray(r.numpy())[np.asarray(mr, bool)] for r, mr in zip(d, m)]
    elif m.ndim == 1:
        return _constant(np.asarray(d.numpy())[m])
    else:
        arr = np.asarray(d.numpy())
        rows = [arr[i][m[i]] for i in builtins_range(arr.shape[0])]
    flat = np.concatenate(rows) if rows else np.zeros((0,), d.dtype.np)
    return RaggedTensor.from_row_lengths(_constant(flat), [len(r) for r in rows])


def stack_dynamic_partitions(data, partitions, num_partitions, name=None):
    """A RaggedTensor whose row i holds the elements of ``data`` whose partition is i
    (in order); rows for partitions that got nothing are empty.

    >>> import cuflow as cf
    >>> cf.ragged.stack_dynamic_partitions([1, 2, 3, 4], [0, 1, 0, 2], 3).to_list()
    [[1, 3], [2], [4]]
    """
    from ..errors import InvalidArgumentError
    from ..ops.index_ops import gather
    d = _constant(data)
    p = np.asarray(_constant(partitions).numpy()).reshape(-1).astype(np.int64)
    n = int(num_partitions)
    if p.size and (p.min() < 0 or p.max() >= n):
        raise InvalidArgumentError(None, "stack_dynamic_partitions", "partitions must be in "
                                   f"[0, {n}), got {p.tolist()}")
    order = np.argsort(p, kind="stable")
    return RaggedTensor.from_row_lengths(gather(d, _constant(order)),
                                         np.bincount(p, minlength=n)[:n].astype(np.int64))


def map_flat_values(op, *args, **kwargs):
    """``op`` applied to the flat values of the ragged arguments (same row structure)."""
    template = next(a for a in list(args) + list(kwargs.values()) if is_ragged(a))
    unwrap = [a.flat_values if is_ragged(a) else a for a in args]
    kw = {k: v.flat_values if is_ragged(v) else v for k, v in kwargs.items()}
    return template.with_flat_values(op(*unwrap, **kw))


def segment_ids_to_row_splits(segment_ids, num_segments=None, out_type=None, name=None):
    """Row splits (int64) of rows given by sorted segment ids (``tf.ragged``)."""
    ids = np.asarray(_constant(segment_ids).numpy()).astype(np.int64).reshape(-1)
    n = int(num_segments) if num_segments is not None else (int(ids.max()) + 1 if ids.size
                                                            else 0)
    counts = np.bincount(ids, minlength=n)[:n]
    return _constant(np.concatenate([[0], np.cumsum(counts)]).astype(
        np.int64 if out_type is None else _dt_np(out_type)))


def row_splits_to_segment_ids(splits, name=None, out_type=None):
    """The row id of each value (int64) from row splits (``tf.ragged``)."""
    sp = np.asarray(_constant(splits).numpy()).astype(np.int64)
    ids = np.repeat(np.arange(len(sp) - 1), np.diff(sp))
    return _constant(ids.astype(np.int64 if out_type is None else _dt_np(out_type)))


def _dt_np(dtype):
    from .. import dtypes
    return dtypes.as_dtype(dtype).np


# --- apis3: tf.ragged.cross / cross_hashed (in framework/ops/sparse_cross.py) ---
from ..ops.sparse_cross import ragged_cross as cross  # noqa: E402,F401
from ..ops.sparse_cross import ragged_cross_hashed as cross_hashed  # noqa: E402,F401
