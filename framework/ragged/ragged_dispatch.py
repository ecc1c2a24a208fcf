"""Registry ops applied to RaggedTensors (TF's ragged dispatch for elementwise ops and
reductions): ``cf.cast(rt, ...)``, ``rt * 2``, ``cf.math.sqrt(rt)``, ``cf.where(rt > 2,
rt, 0)``, ``cf.reduce_sum(rt, axis=1)``, ``cf.reduce_mean(rt, axis=0)``.

The dispatcher (ops/dispatch.py) hands any op call with a RaggedTensor argument to
``dispatch``. Elementwise ops run on the flat values of ragged arguments that share their
row partitions; dense arguments broadcast against the uniform inner dimensions, or per row
when shaped [nrows, 1, ...]. Reductions over the ragged dimension use segment reductions
over the row ids (empty rows give TF's identities: 0 for sum, the dtype's lowest for max,
NaN for a float mean).

>>> import cuflow as cf
>>> rt = cf.ragged.constant([[1.0, 2.0, 3.0], [], [4.0]])
>>> cf.reduce_sum(rt, axis=1).numpy().tolist(), (rt * 2).to_list()
([6.0, 0.0, 4.0], [[2.0, 4.0, 6.0], [], [8.0]])
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..ops.registry import ELEMENTWISE, REDUCE


def dispatch(op, args, attrs):
    """Runs ``op`` on ``args``, some of them ragged."""
    from .ragged_tensor import RaggedTensor
    if op.kind == ELEMENTWISE:
        return _elementwise(op, args, attrs)
    if op.kind == REDUCE and len(args) == 1 and op.name in _SEGMENT:
        return _reduce(op, args[0], attrs)
    if op.name == "concat":
        return concat(args, attrs["axis"])
    if op.name in ("zeros_like", "ones_like"):
        from ..ops.dispatch import apply
        return args[0].with_flat_values(apply(op, (args[0].flat_values,), attrs))
    if op.name == "gather" and attrs.get("axis", 0) == 0 and not attrs.get("batch_dims"):
        if isinstance(args[0], RaggedTensor):    # with ops: traced, and differentiable
            from ..ops.constant import convert_to_tensor
            from .ragged_traced import gather_rows
            idx = convert_to_tensor(args[1])
            if idx.shape.rank == 1:
                return gather_rows(args[0], idx)
        return _gather_rows(*args)
    if op.name == "tile" and len(args) == 1:
        return _tile(args[0], attrs["multiples"])
    if op.name == "shape":
        from .dynamic_ragged_shape import DynamicRaggedShape
        return DynamicRaggedShape(args[0], attrs.get("out_type", np.int32))
    if op.name == "expand_dims":
        return _expand_dims(args[0], attrs["axis"])
    if op.name == "one_hot" and attrs["axis"] >= args[0].ragged_rank + 1:
        from ..ops.dispatch import apply
        return args[0].with_flat_values(apply(op, (args[0].flat_values,), {
            **attrs, "axis": attrs["axis"] - args[0].ragged_rank}))
    # TF's message for ops with no ragged dispatch (its conversion fails the same way)
    raise ValueError(f"{op.name}: cannot convert RaggedTensor to a tensor (this op has no "
                     "ragged form; use rt.to_tensor() or rt.flat_values)")


# --- elementwise ----------------------------------------------------------------------------
def _same_partition(a, b):
    from .ragged_tensor import _symbolic
    sa, sb = a.nested_row_splits, b.nested_row_splits
    if len(sa) != len(sb):
        return False
    for x, y in zip(sa, sb):
        if x is y:
            continue
        if _symbolic(x) or _symbolic(y):    # traced: the static shapes must agree
            if not x.shape.is_compatible_with(y.shape):
                return False
            continue
        if not np.array_equal(np.asarray(x.numpy()), np.asarray(y.numpy())):
            return False
    return True


def _elementwise(op, args, attrs):
    from ..ops.dispatch import apply
    from .ragged_tensor import RaggedTensor
    template = next(a for a in args if isinstance(a, RaggedTensor))
    flat = []
    for a in args:
        if isinstance(a, RaggedTensor):
            if not _same_partition(a, template):
                raise InvalidArgumentError(None, op.name, f"{op.name}: ragged inputs have "
                                           "incompatible row partitions")
            flat.append(a.flat_values)
        else:
            flat.append(_dense_to_flat(op, a, template))
    out = apply(op, tuple(flat), attrs)
    if isinstance(out, tuple):
        return tuple(template.with_flat_values(o) for o in out)
    return template.with_flat_values(out)


def _dense_to_flat(op, value, template):
    """A dense argument broadcast against ``template``'s flat values."""
    from ..ops.index_ops import gather
    from ..ops.constant import convert_to_tensor
    if isinstance(value, (bool, int, float, complex)):
        return value
    t = convert_to_tensor(value)
    rank, inner = len(t.shape), len(template.flat_values.shape) - 1
    if rank <= inner:       # broadcasts against the uniform inner dims
        return t
    if template.ragged_rank == 1 and rank == inner + 2 and t.shape[0] == template.nrows_int() \
            and t.shape[1] == 1:    # [nrows, 1, ...]: one value per row
        return gather(t[:, 0], template.value_rowids())
    raise InvalidArgumentError(None, op.name, f"{op.name}: cannot broadcast a dense tensor of "
                               f"shape {list(t.shape)} against a RaggedTensor of shape "
                               f"{template.shape}")


def _gather_rows(rt, indices):
    """``tf.gather(rt, indices)``: the rows of ``rt`` at ``indices`` (a ragged result)."""
    from ..ops.constant import convert_to_tensor
    from .ragged_tensor import RaggedTensor, _stack_rows
    if not isinstance(rt, RaggedTensor):    # dense params, ragged indices: a ragged result
        from ..ops.index_ops import gather
        return indices.with_flat_values(gather(rt, indices.flat_values))
    idx = np.asarray(convert_to_tensor(indices).numpy()).astype(np.int64)
    n = rt.nrows_int()
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise InvalidArgumentError(None, "gather", f"gather: indices {idx.tolist()} out of "
                                   f"range for {n} rows")
    rows = [rt[int(i)] for i in idx.reshape(-1)]
    out = _stack_rows(rows, rt)
    if idx.ndim == 2:
        out = RaggedTensor.from_uniform_row_length(out, idx.shape[1])
    return out


def _expand_dims(rt, axis):
    """TF's ragged expand_dims: axis 0 wraps every row in one (uniform) row, axis 1 each
    row in its own, deeper axes act on the values."""
    from ..ops.array_ops import expand_dims
    from ..ops.constant import constant
    from .ragged_tensor import RaggedTensor
    if axis == 0:
        n = rt.nrows_int()
        splits = constant(np.asarray([0, n], np.int64)) if n is not None else \
            _stack_ints([0, rt.nrows()])
        return RaggedTensor(rt, splits, internal=True, uniform_row_length=n)
    if axis == 1:
        from ..ops.array_ops import range as _range
        n = rt.nrows_int()
        splits = constant(np.arange(n + 1, dtype=np.int64)) if n is not None else \
            _range(rt.nrows() + 1)
        return RaggedTensor(rt, splits, internal=True, uniform_row_length=1)
    if axis <= rt.ragged_rank:
        return rt.with_values(_expand_dims(rt.values, axis - 1))
    return rt.with_flat_values(expand_dims(rt.flat_values, axis - rt.ragged_rank))


def _stack_ints(parts):
    from ..ops.array_ops import stack
    from ..ops.math_ops import cast
    return stack([cast(p, "int64") for p in parts])


# --- concat -------------------------------------------------------------------------------
def concat(values, axis):
    """TF's ragged concat: axis 0 appends rows; axis 1 joins each row's values."""
    from .ragged_tensor import RaggedTensor, _concat_ragged, _rows, _stack_rows
    rts = [v if isinstance(v, RaggedTensor) else RaggedTensor.from_tensor(v) for v in values]
    if axis == 0 and len({r.ragged_rank for r in rts}) == 1:
        from .ragged_traced import concat_rows
        return concat_rows(rts)
    if axis == 0:
        return _concat_ragged(rts)
    n = rts[0].nrows_int()
    if axis == 1 and all(r.ragged_rank == 1 for r in rts) and (
            any(r._symbolic() for r in rts) or all(r.nrows_int() == n for r in rts)):
        from .ragged_traced import concat_columns
        return concat_columns(rts)
    if axis != 1 or rts[0].ragged_rank != 1 or any(r.nrows_int() != n for r in rts):
        raise InvalidArgumentError(None, "concat", "concat: ragged inputs join along axis 0, "
                                   "or along axis 1 when they have ragged_rank 1 and the same "
                                   f"number of rows; got axis {axis}")
    rows = [np.concatenate([np.asarray(r.numpy()) for r in row])
            for row in zip(*[_rows(r) for r in rts])]
    from ..ops.constant import constant
    return _stack_rows([constant(r) for r in rows], rts[0])


# --- reductions -----------------------------------------------------------------------------
_SEGMENT = {"reduce_sum": "sum", "reduce_prod": "prod", "reduce_max": "max",
            "reduce_min": "min", "reduce_mean": "mean", "reduce_any": "max",
            "reduce_all": "min"}


def _reduce(op, rt, attrs):
    from ..ops.array_ops import expand_dims
    from ..ops.dispatch import apply
    axis, keepdims = attrs["axis"], attrs.get("keepdims", False)
    rank = len(rt.shape)
    axes = tuple(range(rank)) if axis is None else tuple(sorted(a % rank for a in axis))
    if axes == tuple(range(rank)):
        return apply(op, (rt.flat_values,), {**attrs, "axis": None})
    if len(axes) != 1:
        raise InvalidArgumentError(None, op.name, f"{op.name}: ragged reductions over several "
                                   f"axes {list(axes)} (not all) are not supported")
    a = axes[0]
    if a > rt.ragged_rank:     # a uniform inner axis: reduce the flat values
        return rt.with_flat_values(apply(op, (rt.flat_values,),
                                         {**attrs, "axis": (a - rt.ragged_rank,)}))
    if a >= 2:                 # a ragged axis below the first: reduce inside each row
        return rt.with_values(_reduce(op, rt.values, {**attrs, "axis": (a - 1,)}))
    kind = _SEGMENT.get(op.name)
    if kind is None:
        raise InvalidArgumentError(None, op.name, f"{op.name} has no ragged form")
    if a == 1 and rt.ragged_rank == 2:
        out = _reduce_inner_rows(kind, op.name, rt)
        return expand_dims(out, a) if keepdims else out
    if rt.ragged_rank != 1:
        raise InvalidArgumentError(None, op.name, f"{op.name}: reducing axis {a} of a ragged "
                                   f"tensor with ragged_rank {rt.ragged_rank} is not supported")
    if a == 1:      # over each row
        ids, n = rt.value_rowids(), rt.nrows_int()
        n = rt.nrows() if n is None else n
    else:           # over the rows, per position within a row
        ids, n = _positions(rt)
    out = _segment_reduce(kind, op.name, rt.values, ids, n)
    return expand_dims(out, a) if keepdims else out


def _reduce_inner_rows(kind, name, rt):
    """Axis 1 of a ragged_rank-2 tensor: per outer row, the inner rows reduced position by
    position (a ragged result whose rows are as long as their longest inner row)."""
    from ..ops.array_ops import concat as _concat
    from ..ops.index_ops import gather
    from ..ops.math_ops import add, cast, maximum
    from ..ops.segment_ops import cumsum
    from .ragged_ops import positions
    from .ragged_tensor import RaggedTensor, _symbolic
    inner = rt.values
    outer_ids = rt.value_rowids()
    n = rt.nrows_int()
    width = maximum(_seg("max", inner.row_lengths(), outer_ids, rt.nrows() if n is None
                         else n), 0)
    splits = _concat([cast([0], width.dtype), cumsum(width)], 0)
    target = add(gather(splits, gather(outer_ids, inner.value_rowids())),
                 positions(inner.row_splits))
    total = splits[-1]
    total = total if _symbolic(total) else int(total.numpy())
    values = _segment_reduce(kind, name, inner.values, target, total)
    return RaggedTensor(values, splits, internal=True)


def _positions(rt):
    from ..ops.constant import constant
    from .ragged_tensor import _symbolic
    if _symbolic(rt.row_splits):
        from ..ops.math_ops import cast
        from ..ops.reduce_ops import reduce_max
        from .ragged_ops import positions
        lengths = rt.row_lengths()
        return positions(rt.row_splits), cast(reduce_max(lengths), lengths.dtype)
    splits = np.asarray(rt.row_splits.numpy())
    lengths = np.diff(splits)
    pos = np.arange(splits[-1]) - np.repeat(splits[:-1], lengths)
    return constant(pos.astype(np.int64)), int(lengths.max()) if lengths.size else 0


def _segment_reduce(kind, name, values, ids, n):
    from ..ops import math_ops, segment_ops
    boolean = values.dtype.is_bool
    v = math_ops.cast(values, "int32") if boolean else values
    if kind == "mean":
        total = _seg("sum", v, ids, n)
        ones = math_ops.cast(math_ops.not_equal(ids, -1), v.dtype)
        count = _seg("sum", ones, ids, n)
        extra = len(v.shape) - 1
        if extra:
            from ..ops.array_ops import reshape
            count = reshape(count, [-1] + [1] * extra)
        if v.dtype.is_integer:      # TF's ragged mean of integers is float64
            total, count = math_ops.cast(total, "float64"), math_ops.cast(count, "float64")
        return math_ops.divide(total, count)
    out = _seg(kind, v, ids, n)
    if boolean:     # any/all: max/min of 0/1, empty rows give False/True as TF
        lo = 0 if name == "reduce_any" else 1
        return math_ops.cast(math_ops.maximum(math_ops.minimum(out, 1), 0) if lo == 0 else
                             math_ops.minimum(math_ops.maximum(out, 0), 1), "bool")
    return out


# --- tile -------------------------------------------------------------------------------------
def _tile(rt, multiples):
    """TF's ragged tile: dimension k repeats each of its rows' contents ``multiples[k]``
    times (dimension 0: the whole tensor)."""
    from . import constant as ragged_constant

    def rep(x, mult):
        if not mult:
            return x
        return [rep(e, mult[1:]) for e in x] * mult[0]
    out = rep(rt.to_list(), tuple(int(m) for m in multiples))
    inner = rt.flat_values.shape[1:]
    return ragged_constant(out, dtype=rt.dtype, ragged_rank=rt.ragged_rank,
                           inner_shape=tuple(int(d) for d in inner) if len(inner) else None)


def _seg(kind, values, ids, n):
    """An unsorted segment reduction; ``n`` may be known only at run time (traced)."""
    from ..ops import segment_ops
    if isinstance(n, int):
        return getattr(segment_ops, f"unsorted_segment_{kind}")(values, ids, n)
    from ..ops import dynamic_shape
    return dynamic_shape.apply(segment_ops._SEG[kind], (values, ids),
                               {"num_segments": n, "sorted_ids": False})
