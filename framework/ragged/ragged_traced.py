"""RaggedTensor operations written with cuflow ops only, for RaggedTensors whose row
splits are symbolic (inside ``cf.function``): row indexing and slicing, gather of rows,
concat along rows, bounding_shape, boolean_mask and to_sparse. The eager forms in
ragged_tensor.py read the splits on the host; these build graph nodes instead (and carry
gradients to the values through ``gather``).

>>> import cuflow as cf
>>> rt = cf.ragged.constant([[1, 2, 3], [], [4, 5]])
>>> cf.function(lambda r: cf.gather(r, [2, 0]))(rt).to_list()
[[4, 5], [1, 2, 3]]
"""
from __future__ import annotations

from ..ops.constant import constant


def _ops():
    from ..ops import array_ops, index_ops, math_ops, segment_ops
    return array_ops, index_ops, math_ops, segment_ops


def _splits_from_lengths(lengths):
    array_ops, _, math_ops, segment_ops = _ops()
    return array_ops.concat([constant([0], dtype=lengths.dtype),
                             segment_ops.cumsum(lengths)], 0)


def gather_rows(rt, indices):
    """Rows ``indices`` (1-D) of ``rt``: their values gathered into a new RaggedTensor."""
    from .ragged_ops import positions, row_ids
    from .ragged_tensor import RaggedTensor
    array_ops, index_ops, math_ops, _ = _ops()
    idx = _wrap(math_ops.cast(indices, rt.row_splits.dtype), rt.nrows())
    starts = index_ops.gather(rt.row_splits[:-1], idx)
    lengths = index_ops.gather(rt.row_lengths(), idx)
    splits = _splits_from_lengths(lengths)
    take = math_ops.add(index_ops.gather(starts, row_ids(splits)), positions(splits))
    values = gather_rows(rt.values, take) if isinstance(rt.values, RaggedTensor) else \
        index_ops.gather(rt.values, take)
    return RaggedTensor(values, splits, internal=True)


def _wrap(idx, n):
    _, _, math_ops, _ = _ops()
    return math_ops.where_v(math_ops.less(idx, 0), math_ops.add(idx, n), idx)


def row(rt, i):
    """``rt[i]``: row ``i`` (a Tensor, or a RaggedTensor below ragged_rank 1)."""
    from .ragged_tensor import RaggedTensor
    _, _, math_ops, _ = _ops()
    i = _wrap(math_ops.cast(constant(i) if isinstance(i, int) else i, rt.row_splits.dtype),
              rt.nrows())
    start, limit = rt.row_splits[i], rt.row_splits[i + 1]
    if isinstance(rt.values, RaggedTensor):
        from ..ops.array_ops import range as _range
        return gather_rows(rt.values, _range(start, limit, dtype=start.dtype))
    return rt.values[start:limit]


def rows(rt, key):
    """``rt[a:b:c]``: a slice of rows."""
    from ..ops.array_ops import range as _range
    n = rt.nrows_int()
    if n is not None:
        idx = constant(list(range(n)[key]), dtype=rt.row_splits.dtype)
    else:
        if key.step not in (None, 1) or any(isinstance(v, int) and v < 0
                                            for v in (key.start, key.stop)):
            raise ValueError("slicing the rows of a RaggedTensor whose row count is known "
                             "only at run time supports non-negative start/stop and step 1")
        _, _, math_ops, _ = _ops()
        stop = rt.nrows() if key.stop is None else math_ops.minimum(
            math_ops.cast(key.stop, rt.row_splits.dtype), rt.nrows())
        idx = _range(0 if key.start is None else key.start, stop, dtype=rt.row_splits.dtype)
    return gather_rows(rt, idx)


def concat_rows(rts):
    """``concat(rts, axis=0)``: the rows of each in turn (every level's splits offset)."""
    from .ragged_tensor import RaggedTensor
    array_ops, _, math_ops, _ = _ops()
    values = [r.values for r in rts]
    if all(isinstance(v, RaggedTensor) for v in values):
        inner = concat_rows(values)
    else:
        inner = array_ops.concat(values, 0)
    lengths = array_ops.concat([r.row_lengths() for r in rts], 0)
    return RaggedTensor(inner, _splits_from_lengths(lengths), internal=True)


def bounding_shape(rt, out_type):
    """[nrows, longest row, ...]: the smallest dense shape holding ``rt``."""
    array_ops, _, math_ops, _ = _ops()
    from ..ops.reduce_ops import reduce_max
    from .ragged_tensor import RaggedTensor
    dims = [math_ops.cast(rt.nrows(), out_type)]
    level = rt
    while isinstance(level, RaggedTensor):
        longest = math_ops.maximum(reduce_max(level.row_lengths()), 0)   # no rows: 0
        dims.append(math_ops.cast(longest, out_type))
        level = level.values
    inner = array_ops.shape(level, out_type=out_type)[1:]
    return array_ops.concat([array_ops.stack(dims), inner], 0)


def boolean_mask(rt, mask):
    """Values of ``rt`` where the ragged ``mask`` (same row partition) is true."""
    from ..ops.index_ops import boolean_mask as dense_mask
    from .ragged_tensor import RaggedTensor
    _, _, math_ops, _ = _ops()
    from .ragged_dispatch import _seg
    keep = math_ops.cast(mask.values, rt.row_splits.dtype)
    n = rt.nrows_int()
    lengths = _seg("sum", keep, rt.value_rowids(), rt.nrows() if n is None else n)
    return RaggedTensor(dense_mask(rt.values, mask.values),
                        _splits_from_lengths(lengths), internal=True)


def to_sparse(rt):
    """The SparseTensor of a ragged_rank-1 tensor's values at their [row, column]."""
    from ..sparse import SparseTensor
    from .ragged_ops import positions
    array_ops, _, math_ops, _ = _ops()
    ids = rt.value_rowids()
    idx = array_ops.stack([ids, positions(rt.row_splits, ids)], 1)
    shape = bounding_shape(rt, ids.dtype)
    return SparseTensor._from_parts(idx, rt.values, shape, static_shape=rt.shape)


def concat_columns(rts):
    """``concat(rts, axis=1)`` of ragged_rank-1 tensors with the same rows: row i joins
    row i of each (values reordered by one gather, so gradients flow)."""
    from ..ops.sort_ops import argsort
    from .ragged_ops import positions, row_ids
    from .ragged_tensor import RaggedTensor
    array_ops, index_ops, math_ops, _ = _ops()
    lengths = [r.row_lengths() for r in rts]
    total = lengths[0]
    for n in lengths[1:]:
        total = math_ops.add(total, n)
    splits = _splits_from_lengths(total)
    before = math_ops.cast(constant(0), splits.dtype)
    targets = []
    for r, n in zip(rts, lengths):       # where each value lands in the joined rows
        ids = row_ids(r.row_splits)
        start = index_ops.gather(splits, ids)
        prior = index_ops.gather(before, ids) if before.shape.rank else before
        targets.append(start + prior + positions(r.row_splits, ids))
        before = math_ops.add(before, n)      # per row: the lengths joined so far
    order = argsort(array_ops.concat(targets, 0), stable=True)
    values = index_ops.gather(array_ops.concat([r.values for r in rts], 0), order)
    return RaggedTensor(values, splits, internal=True)


def from_tensor(tensor, lengths=None, padding=None):
    """``RaggedTensor.from_tensor`` of a symbolic dense tensor: rows cut at ``lengths``,
    or after their last element that is not ``padding``."""
    from ..ops.index_ops import boolean_mask as dense_mask
    from ..ops.manip_ops import sequence_mask
    from ..ops.reduce_ops import reduce_any, reduce_max
    from .ragged_tensor import RaggedTensor
    array_ops, _, math_ops, _ = _ops()
    shape = array_ops.shape(tensor, out_type="int64")
    uniform = None
    if lengths is None and padding is not None:
        keep = math_ops.not_equal(tensor, padding)
        rank = tensor.shape.rank
        if rank > 2:
            keep = reduce_any(keep, axis=list(range(2, rank)))
        spots = array_ops.range(1, shape[1] + 1, dtype="int64")
        lengths = reduce_max(math_ops.where_v(keep, spots, array_ops.zeros_like(spots)), 1)
        lengths = math_ops.maximum(lengths, 0)
    elif lengths is None:       # whole rows: a uniform row length when it is known
        lengths = array_ops.fill(shape[:1], shape[1])
        uniform = tensor.shape[1]
    lengths = math_ops.cast(lengths, "int64")
    values = dense_mask(tensor, sequence_mask(lengths, shape[1]))
    return RaggedTensor(values, _splits_from_lengths(lengths), internal=True,
                        uniform_row_length=uniform)


def ragged_range(starts, limits, deltas, dtype=None):
    """``tf.ragged.range`` of symbolic bounds: row i counts from starts[i] by deltas[i]
    up to limits[i] (scalars broadcast)."""
    from ..ops.constant import convert_to_tensor
    from .ragged_ops import positions, row_ids
    from .ragged_tensor import RaggedTensor
    array_ops, index_ops, math_ops, _ = _ops()
    s, lim, d = (convert_to_tensor(v) for v in (starts, limits, deltas))
    if dtype is not None:
        s, lim, d = (math_ops.cast(v, dtype) for v in (s, lim, d))
    n = array_ops.shape(s + lim + d)
    s, lim, d = (array_ops.broadcast_to(v, n) for v in (s, lim, d))
    span = math_ops.cast(lim - s, "float64") / math_ops.cast(d, "float64")
    lengths = math_ops.maximum(math_ops.cast(math_ops.ceil(span), "int64"), 0)
    splits = _splits_from_lengths(lengths)
    ids = row_ids(splits)
    steps = math_ops.cast(positions(splits, ids), s.dtype)
    values = index_ops.gather(s, ids) + steps * index_ops.gather(d, ids)
    return RaggedTensor(values, splits, internal=True)


def columns(rt, key):
    """``rt[:, a:b]`` of a ragged_rank-1 tensor: positions a..b of each row (negative
    bounds count from each row's end)."""
    from .ragged_ops import positions
    from .ragged_tensor import RaggedTensor
    array_ops, index_ops, math_ops, _ = _ops()
    dt = rt.row_splits.dtype
    ids = rt.value_rowids()
    lengths = rt.row_lengths()
    if key.step not in (None, 1):
        raise ValueError("slicing the columns of a traced RaggedTensor supports step 1 only")

    def bound(v, default):
        if v is None:
            return default
        v = math_ops.cast(v, dt)
        return math_ops.minimum(math_ops.maximum(
            math_ops.where_v(math_ops.less(v, 0), lengths + v, array_ops.zeros_like(lengths)
                             + v), 0), lengths)
    start = bound(key.start, array_ops.zeros_like(lengths))
    stop = math_ops.maximum(bound(key.stop, lengths), start)
    pos = positions(rt.row_splits, ids)
    keep = math_ops.logical_and(math_ops.greater_equal(pos, index_ops.gather(start, ids)),
                                math_ops.less(pos, index_ops.gather(stop, ids)))
    from ..ops.index_ops import boolean_mask as dense_mask
    return RaggedTensor(dense_mask(rt.values, keep), _splits_from_lengths(stop - start),
                        internal=True)
