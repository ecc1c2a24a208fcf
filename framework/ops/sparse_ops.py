"""``tf.sparse`` operations on SparseTensor(indices [N, rank] int64, values [N],
dense_shape [rank]).

Index bookkeeping runs on the host (it is structure, not math); values move through
cuflow ops (``gather``, ``unsorted_segment_sum``, ...) so ``sparse_dense_matmul``,
``add``, ``softmax`` and the sparse segment reductions differentiate in their values
and dense operands, as in TF.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import math_ops as _m
from ._util import static_value
from .constant import constant, convert_to_tensor


def _st():
    from ..sparse import SparseTensor
    return SparseTensor


def _is_sparse(x):
    return getattr(x, "_is_sparse_tensor", False)


def _traced(sp):
    """True for a SparseTensor whose components are symbolic (inside cf.function)."""
    return getattr(sp.indices, "_sym", None) is not None


def _idx(sp):
    return np.asarray(sp.indices.numpy(), np.int64).reshape(-1, len(_shape(sp)))


def _shape(sp):
    return [int(d) for d in np.asarray(sp.dense_shape.numpy()).ravel()]


def _linear(idx, shape):
    return np.ravel_multi_index(idx.T, shape) if len(idx) else np.zeros(0, np.int64)


def _take(values, order):
    from .index_ops import gather
    return gather(values, constant(np.asarray(order, np.int64)))


def _make(idx, values, shape):
    return _st()(constant(np.asarray(idx, np.int64).reshape(-1, len(shape))), values,
                 constant(np.asarray(shape, np.int64)))


def reorder(sp_input, name=None):
    """Indices in row-major order (values follow)."""
    if _traced(sp_input):
        from .index_ops import gather
        from .reduce_ops import reduce_sum as _rs
        from .segment_ops import cumprod
        from .sort_ops import argsort
        strides = cumprod(sp_input.dense_shape, exclusive=True, reverse=True)
        order = argsort(_rs(_m.multiply(sp_input.indices, strides), 1), stable=True)
        return _st()._from_parts(gather(sp_input.indices, order),
                                 gather(sp_input.values, order), sp_input.dense_shape,
                                 sp_input._static_shape)
    idx, shape = _idx(sp_input), _shape(sp_input)
    order = np.argsort(_linear(idx, shape), kind="stable")
    return _make(idx[order], _take(sp_input.values, order), shape)


def _sum_sparse(a, b, combine=None):
    """Union of the index sets of a and b; ``combine(va, vb)`` on the aligned values."""
    from .segment_ops import unsorted_segment_sum
    shape = _shape(a)
    if shape != _shape(b):
        raise InvalidArgumentError(None, "sparse_add", f"sparse add: shapes {shape} and "
                                   f"{_shape(b)} differ")
    la, lb = _linear(_idx(a), shape), _linear(_idx(b), shape)
    keys, inv = np.unique(np.concatenate([la, lb]), return_inverse=True)
    ids = constant(inv.astype(np.int64))
    n = len(keys)
    if combine is None:
        from .array_ops import concat
        vals = unsorted_segment_sum(concat([a.values, b.values], 0), ids, n)
    else:  # absent entries are 0 on either side
        pa = unsorted_segment_sum(a.values, constant(inv[:len(la)].astype(np.int64)), n)
        pb = unsorted_segment_sum(b.values, constant(inv[len(la):].astype(np.int64)), n)
        vals = combine(pa, pb)
    idx = np.stack(np.unravel_index(keys, shape), -1) if n else np.zeros((0, len(shape)))
    return _make(idx, vals, shape)


def add(a, b, threshold=0, name=None):
    """Sparse + sparse (a SparseTensor over the union of indices) or sparse + dense
    (a dense Tensor)."""
    if _is_sparse(a) and _is_sparse(b):
        out = _sum_sparse(a, b)
        thr = float(np.asarray(static_value(threshold)))
        if thr > 0:
            return retain(out, np.abs(np.asarray(out.values.numpy())) >= thr)
        return out
    sp, dense = (a, b) if _is_sparse(a) else (b, a)
    return _m.add(to_dense(sp), dense)


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    from ..sparse import to_dense as _to_dense
    return _to_dense(sp_input, default_value, validate_indices)


def _sparse_extreme(a, b, fn):
    # implicit zeros take part, as TF's sparse_maximum / sparse_minimum
    return _sum_sparse(a, b, combine=fn)


def maximum(sp_a, sp_b, name=None):
    """Elementwise max over the union of indices (absent entries count as 0)."""
    return _sparse_extreme(sp_a, sp_b, _m.maximum)


def minimum(sp_a, sp_b, name=None):
    """Elementwise min over the union of indices (absent entries count as 0)."""
    return _sparse_extreme(sp_a, sp_b, _m.minimum)


def sparse_dense_matmul(sp_a, b, adjoint_a=False, adjoint_b=False, name=None):
    """Dense [M, K] result of a sparse [M, N] times a dense [N, K] matrix."""
    from .index_ops import gather
    from .linalg_ops import adjoint
    from .segment_ops import unsorted_segment_sum
    b = convert_to_tensor(b)
    if adjoint_b:
        b = adjoint(b)
    if getattr(sp_a.indices, "_sym", None) is not None:     # traced: the same, with ops
        return _matmul_traced(sp_a, b, adjoint_a)
    idx, shape = _idx(sp_a), _shape(sp_a)
    if len(shape) != 2:
        raise InvalidArgumentError(None, "sparse_dense_matmul", "sparse_dense_matmul: the "
                                   f"sparse operand must be 2-D, got shape {shape}")
    rows, cols = (idx[:, 1], idx[:, 0]) if adjoint_a else (idx[:, 0], idx[:, 1])
    n_rows = shape[1] if adjoint_a else shape[0]
    vals = _m.conj(sp_a.values) if adjoint_a else sp_a.values
    if int(b.shape[0]) != (shape[0] if adjoint_a else shape[1]):
        raise InvalidArgumentError(None, "sparse_dense_matmul", "sparse_dense_matmul: inner "
                                   f"dimensions differ: {shape} and {list(b.shape)}")
    picked = gather(b, constant(cols.astype(np.int64)))
    prod = _m.multiply(_m.cast(vals, b.dtype)[:, None], picked)
    return unsorted_segment_sum(prod, constant(rows.astype(np.int64)), n_rows)


def _matmul_traced(sp_a, b, adjoint_a):
    from ..ragged.ragged_dispatch import _seg
    from .index_ops import gather
    idx = sp_a.indices
    rows, cols = (idx[:, 1], idx[:, 0]) if adjoint_a else (idx[:, 0], idx[:, 1])
    vals = _m.conj(sp_a.values) if adjoint_a else sp_a.values
    static = sp_a.shape
    n = static[1 if adjoint_a else 0] if static.rank == 2 else None
    n = sp_a.dense_shape[1 if adjoint_a else 0] if n is None else n
    prod = _m.multiply(_m.cast(vals, b.dtype)[:, None], gather(b, cols))
    return _seg("sum", prod, rows, n)


def reduce_sum(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Sum over ``axis`` (dense result)."""
    from .reduce_ops import reduce_sum as _rs
    out = _rs(to_dense(sp_input), axis, bool(keepdims))
    return from_dense(out) if output_is_sparse else out


def reduce_max(sp_input, axis=None, keepdims=None, output_is_sparse=False, name=None):
    """Max over ``axis`` of the present values only (implicit zeros are ignored)."""
    from .reduce_ops import reduce_max as _rm
    dense = to_dense(sp_input)
    present = to_dense(_make(_idx(sp_input), _m.cast(_ones_like(sp_input.values), _dt.bool),
                             _shape(sp_input)), False)
    low = constant(np.asarray(_dt.as_dtype(dense.dtype).min), dtype=dense.dtype)
    out = _rm(_m.where_v(present, dense, low), axis, bool(keepdims))
    out = _m.where_v(_m.equal(out, low), _m.zeros_like_v(out), out)
    return from_dense(out) if output_is_sparse else out


def _ones_like(t):
    from .array_ops import ones_like
    return ones_like(t)


def from_dense(tensor, name=None):
    from ..sparse import from_dense as _fd
    return _fd(tensor)


def transpose(sp_input, perm=None, name=None):
    """Permutes the dimensions (default: reversed) and reorders."""
    idx, shape = _idx(sp_input), _shape(sp_input)
    perm = list(range(len(shape)))[::-1] if perm is None else [int(p) for p in np.asarray(
        static_value(perm)).ravel()]
    return reorder(_make(idx[:, perm], sp_input.values, [shape[p] for p in perm]))


def reshape(sp_input, shape, name=None):
    """Same values under a new dense shape (one dimension may be -1)."""
    old = _shape(sp_input)
    new = [int(d) for d in np.asarray(static_value(shape)).ravel()]
    total = int(np.prod(old))
    if new.count(-1) == 1:
        rest = int(np.prod([d for d in new if d != -1]))
        new[new.index(-1)] = total // rest if rest else 0
    if int(np.prod(new)) != total:
        raise InvalidArgumentError(None, "sparse_reshape", f"sparse reshape: cannot reshape "
                                   f"{old} to {new}")
    lin = _linear(_idx(sp_input), old)
    idx = np.stack(np.unravel_index(lin, new), -1) if len(lin) else np.zeros((0, len(new)))
    return _make(idx, sp_input.values, new)


def expand_dims(sp_input, axis=None, name=None):
    """A size-1 dimension inserted at ``axis``."""
    idx, shape = _idx(sp_input), _shape(sp_input)
    axis = int(axis) % (len(shape) + 1)
    idx = np.insert(idx, axis, 0, axis=1)
    return _make(idx, sp_input.values, shape[:axis] + [1] + shape[axis:])


def concat(axis, sp_inputs, expand_nonconcat_dims=False, name=None):
    """Concatenates sparse tensors along ``axis`` (offsetting indices)."""
    from .array_ops import concat as _concat
    shapes = [_shape(s) for s in sp_inputs]
    axis = int(axis) % len(shapes[0])
    out_idx, offset = [], 0
    for s, shp in zip(sp_inputs, shapes):
        i = _idx(s).copy()
        i[:, axis] += offset
        out_idx.append(i)
        offset += shp[axis]
    shape = list(shapes[0])
    shape[axis] = offset
    return reorder(_make(np.concatenate(out_idx, 0), _concat([s.values for s in sp_inputs], 0),
                         shape))


def slice(sp_input, start, size, name=None):
    """The entries inside the box [start, start + size)."""
    idx, shape = _idx(sp_input), _shape(sp_input)
    start = np.asarray(static_value(start), np.int64).ravel()
    size = np.asarray(static_value(size), np.int64).ravel()
    end = np.minimum(start + size, shape)
    keep = np.all((idx >= start) & (idx < end), axis=1)
    return _make(idx[keep] - start, _take(sp_input.values, np.nonzero(keep)[0]),
                 np.maximum(end - start, 0).tolist())


def retain(sp_input, to_retain):
    """Only the entries where ``to_retain`` (a [N] bool) is True."""
    if _traced(sp_input) or getattr(to_retain, "_sym", None) is not None:
        from .index_ops import boolean_mask
        keep = convert_to_tensor(to_retain, dtype="bool")
        return _st()._from_parts(boolean_mask(sp_input.indices, keep),
                                 boolean_mask(sp_input.values, keep), sp_input.dense_shape,
                                 sp_input._static_shape)
    keep = np.asarray(static_value(to_retain), bool).ravel()
    return _make(_idx(sp_input)[keep], _take(sp_input.values, np.nonzero(keep)[0]),
                 _shape(sp_input))


def softmax(sp_input, name=None):
    """Softmax over the present values of each innermost row."""
    from .index_ops import gather
    from .segment_ops import unsorted_segment_max, unsorted_segment_sum
    sp = reorder(sp_input)
    idx, shape = _idx(sp), _shape(sp)
    rows = _linear(idx[:, :-1], shape[:-1]) if len(shape) > 1 else np.zeros(len(idx), np.int64)
    _, seg = np.unique(rows, return_inverse=True)
    n = int(seg.max()) + 1 if len(seg) else 0
    ids = constant(seg.astype(np.int64))
    top = gather(unsorted_segment_max(sp.values, ids, n), ids)
    e = _m.exp(sp.values - top)
    vals = e / gather(unsorted_segment_sum(e, ids, n), ids)
    return _make(idx, vals, shape)


def eye(num_rows, num_columns=None, dtype=_dt.float32, name=None):
    """A sparse identity matrix."""
    n, m = int(num_rows), int(num_rows if num_columns is None else num_columns)
    k = min(n, m)
    return _make(np.stack([np.arange(k), np.arange(k)], -1),
                 constant(np.ones(k), dtype=dtype), [n, m])


def fill_empty_rows(sp_input, default_value, name=None):
    """Adds ``(row, 0, ...) = default_value`` for every empty row; returns the new
    SparseTensor and the [rows] bool indicator of rows that were empty."""
    from .array_ops import concat
    idx, shape = _idx(sp_input), _shape(sp_input)
    empty = np.ones(shape[0], bool)
    empty[idx[:, 0]] = False
    add_idx = np.zeros((int(empty.sum()), len(shape)), np.int64)
    add_idx[:, 0] = np.nonzero(empty)[0]
    fill = _m.cast(constant(np.full(len(add_idx), np.asarray(static_value(default_value)))),
                   sp_input.values.dtype)
    out = reorder(_make(np.concatenate([idx, add_idx], 0), concat([sp_input.values, fill], 0),
                        shape))
    return out, constant(empty)


def _segment(reduce):
    def fn(data, indices, segment_ids, num_segments=None, name=None, sparse_gradient=False):
        from . import segment_ops
        from .index_ops import gather
        rows = gather(convert_to_tensor(data), indices)
        if num_segments is None:
            return getattr(segment_ops, f"segment_{reduce}")(rows, segment_ids)
        return getattr(segment_ops, f"unsorted_segment_{reduce}")(rows, segment_ids,
                                                                   num_segments)
    fn.__name__ = f"segment_{reduce}"
    fn.__doc__ = f"segment_{reduce} of the rows ``data[indices]`` (``tf.sparse``)."
    return fn


segment_sum = _segment("sum")
segment_mean = _segment("mean")


def segment_sqrt_n(data, indices, segment_ids, num_segments=None, name=None,
                   sparse_gradient=False):
    """Sum of the rows ``data[indices]`` per segment divided by sqrt(segment size)."""
    from .index_ops import gather
    from .segment_ops import unsorted_segment_sqrt_n
    ids = convert_to_tensor(segment_ids)
    n = int(np.asarray(ids.numpy()).max()) + 1 if num_segments is None else num_segments
    return unsorted_segment_sqrt_n(gather(convert_to_tensor(data), indices), ids, n)


def to_indicator(sp_input, vocab_size, name=None):
    """Dense bool [..., vocab_size]: True at each row's present values."""
    idx, shape = _idx(sp_input), _shape(sp_input)
    vals = np.asarray(sp_input.values.numpy(), np.int64)
    out = np.zeros(shape[:-1] + [int(vocab_size)], bool)
    if len(vals):
        if (vals < 0).any() or (vals >= int(vocab_size)).any():
            raise InvalidArgumentError(None, "to_indicator", "to_indicator: values must be "
                                       f"in [0, {int(vocab_size)})")
        out[tuple(idx[:, :-1].T) + (vals,)] = True
    return constant(out)


def map_values(op, *args, **kwargs):
    """``op`` applied to the values of the SparseTensor arguments (same indices)."""
    sps = [a for a in args if _is_sparse(a)]
    if not sps:
        raise ValueError("map_values: no SparseTensor among the arguments")
    new = [a.values if _is_sparse(a) else a for a in args]
    if getattr(sps[0].indices, "_sym", None) is not None:      # traced
        return _st()._from_parts(sps[0].indices, op(*new, **kwargs), sps[0].dense_shape,
                                 sps[0]._static_shape)
    return _make(_idx(sps[0]), op(*new, **kwargs), _shape(sps[0]))


def reset_shape(sp_input, new_shape=None):
    """The same entries under ``new_shape`` (default: the tight bounding shape)."""
    idx = _idx(sp_input)
    if new_shape is None:
        shape = (idx.max(axis=0) + 1).tolist() if len(idx) else [0] * len(_shape(sp_input))
    else:
        shape = [int(d) for d in np.asarray(static_value(new_shape)).ravel()]
        if len(idx) and (idx >= np.asarray(shape)).any():
            raise InvalidArgumentError(None, "reset_shape", f"reset_shape: {shape} does not "
                                       "hold every index")
    return _make(idx, sp_input.values, shape)


def split(sp_input=None, num_split=None, axis=None, name=None, keyword_required=None):
    """``num_split`` SparseTensors along ``axis`` (the first dim % num_split get one more)."""
    idx, shape = _idx(sp_input), _shape(sp_input)
    axis = int(axis) % len(shape)
    n, k = shape[axis], int(num_split)
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    out, start = [], 0
    for size in sizes:
        keep = (idx[:, axis] >= start) & (idx[:, axis] < start + size)
        sub = idx[keep].copy()
        sub[:, axis] -= start
        new_shape = list(shape)
        new_shape[axis] = size
        out.append(_make(sub, _take(sp_input.values, np.nonzero(keep)[0]), new_shape))
        start += size
    return out


def mask(a, mask_indices, name=None):
    """IndexedSlices ``a`` without the rows listed in ``mask_indices``."""
    from ..indexed_slices import IndexedSlices
    ind = np.asarray(a.indices.numpy())
    drop = np.isin(ind, np.asarray(static_value(mask_indices)))
    keep = np.nonzero(~drop)[0]
    return IndexedSlices(_take(a.values, keep), constant(ind[keep]), a.dense_shape)


def bincount(values, weights=None, axis=0, minlength=None, maxlength=None,
             binary_output=False, name=None):
    """Counts (or summed ``weights``) of each value as a SparseTensor: over everything
    (``axis=0``) or per row of a 2-D input (``axis=-1``); a SparseTensor input counts its
    present values only."""
    if _is_sparse(values):
        idx, shape = _idx(values), _shape(values)
        vals = np.asarray(values.values.numpy())
        rows = idx[:, 0] if len(shape) == 2 else np.zeros(len(vals), np.int64)
        n_rows = shape[0] if len(shape) == 2 else 1
    else:
        arr = np.asarray(convert_to_tensor(values).numpy())
        vals = arr.reshape(-1)
        n_rows = arr.shape[0] if arr.ndim == 2 else 1
        rows = np.repeat(np.arange(n_rows), arr.shape[1]) if arr.ndim == 2 else \
            np.zeros(len(vals), np.int64)
    w = None if weights is None else np.asarray(
        (weights.values if _is_sparse(weights) else convert_to_tensor(weights)).numpy()
    ).reshape(-1)
    per_row = axis in (-1, 1)
    if not per_row:
        rows = np.zeros(len(vals), np.int64)
    size = int(vals.max()) + 1 if len(vals) else 0
    if minlength is not None:
        size = max(size, int(minlength))
    if maxlength is not None:
        size = min(size, int(maxlength))
    keep = (vals >= 0) & (vals < size)
    counts = {}
    for r, v, wt in zip(rows[keep], vals[keep], (w[keep] if w is not None else
                                                 np.ones(keep.sum(), np.int64))):
        key = (int(r), int(v))
        counts[key] = 1 if binary_output else counts.get(key, 0) + wt
    keys = sorted(counts)
    out_dtype = (np.asarray(w).dtype if w is not None and not binary_output
                 else np.asarray(vals).dtype)
    data = np.asarray([counts[k] for k in keys], out_dtype)
    if per_row:
        idx = np.asarray(keys, np.int64).reshape(-1, 2)
        return _make(idx, constant(data), [n_rows, size])
    idx = np.asarray([[k[1]] for k in keys], np.int64).reshape(-1, 1)
    return _make(idx, constant(data), [size])
