"""``keras.ops`` array creation and manipulation (reshape, concatenate, split, take, pad,
sort, arange, eye, ...), NumPy's argument names with Keras 3's dtype rules.

    >>> import cuflow as cf
    >>> cf.keras.ops.concatenate([cf.ones((1, 2)), cf.zeros((1, 2))], axis=0).shape
    TensorShape([2, 2])
"""
from __future__ import annotations

import builtins

import numpy as np

import cuflow as _cf

from ... import cast
from ... import math as _m
from ._base import (convert_to_tensor, dtype_of, floatx, promote_all,
                    result_type, standardize_dtype)

__all__ = ["reshape", "transpose", "expand_dims", "squeeze", "concatenate", "stack",
           "unstack", "split", "array_split", "hsplit", "vsplit", "dsplit", "hstack",
           "vstack", "dstack", "append", "tile", "repeat", "take", "take_along_axis",
           "broadcast_to", "flip", "fliplr", "flipud", "roll", "pad", "tril", "triu",
           "diag", "diagflat", "diagonal", "trace", "eye", "identity", "tri", "arange",
           "linspace", "logspace", "geomspace", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "array", "meshgrid",
           "moveaxis", "swapaxes", "ravel", "where", "select", "sort", "argsort",
           "argpartition", "nonzero", "searchsorted", "digitize", "isin", "rot90",
           "shape", "ndim", "size", "get_item", "unravel_index", "diff", "vander"]


def _dt(dtype):
    return standardize_dtype(dtype) if dtype is not None else None


def reshape(x, newshape):
    """``x`` with shape ``newshape`` (one -1 infers)."""
    return _cf.reshape(convert_to_tensor(x), list(newshape) if isinstance(
        newshape, (tuple, list)) else [newshape])


def transpose(x, axes=None):
    """Permutes the axes (reverses them when None)."""
    return _cf.transpose(convert_to_tensor(x), perm=None if axes is None else list(axes))


def expand_dims(x, axis):
    """Inserts length-1 axes at ``axis`` (an int or a tuple)."""
    x = convert_to_tensor(x)
    if isinstance(axis, (tuple, list)):
        rank = x.shape.rank + len(axis)
        for a in sorted(ax % rank for ax in axis):
            x = _cf.expand_dims(x, a)
        return x
    return _cf.expand_dims(x, axis)


def squeeze(x, axis=None):
    """Removes length-1 axes (only ``axis`` when given)."""
    x = convert_to_tensor(x)
    if axis is not None and not isinstance(axis, (tuple, list)):
        axis = [axis]
    return _cf.squeeze(x, axis=None if axis is None else list(axis))


def concatenate(xs, axis=0):
    """Joins ``xs`` along ``axis`` (None: flattened), promoting their dtypes."""
    xs, _ = promote_all(*xs, strong=True)
    if axis is None:
        xs, axis = [_cf.reshape(x, [-1]) for x in xs], 0
    return _cf.concat(xs, axis=axis)


def stack(x, axis=0):
    """Stacks ``x`` along a new ``axis``."""
    xs, _ = promote_all(*x, strong=True)
    return _cf.stack(xs, axis=axis)


def unstack(x, num=None, axis=0):
    """Splits ``x`` along ``axis`` into a list of tensors."""
    return _cf.unstack(convert_to_tensor(x), num=num, axis=axis)


def split(x, indices_or_sections, axis=0):
    """NumPy's split: a section count (must divide) or split indices."""
    x = convert_to_tensor(x)
    n = x.shape[axis]
    if isinstance(indices_or_sections, int):
        if n % indices_or_sections:
            raise ValueError(f"array split does not result in an equal division: {n} "
                             f"into {indices_or_sections}")
        return _cf.split(x, indices_or_sections, axis=axis)
    return _split_at(x, list(indices_or_sections), axis)


def _split_at(x, idx, axis):
    n = x.shape[axis]
    bounds = [0] + [builtins.min(builtins.max(i if i >= 0 else i + n, 0), n) for i in idx] + [n]
    sizes = [builtins.max(b - a, 0) for a, b in zip(bounds[:-1], bounds[1:])]
    return _cf.split(x, sizes, axis=axis)


def array_split(x, indices_or_sections, axis=0):
    """Splits into ``indices_or_sections`` nearly equal parts (first ones longer)."""
    x = convert_to_tensor(x)
    if not isinstance(indices_or_sections, int):
        return _split_at(x, list(indices_or_sections), axis)
    n, k = x.shape[axis], indices_or_sections
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    return _cf.split(x, sizes, axis=axis)


def hsplit(x, indices_or_sections):
    """Splits along axis 1 (axis 0 for 1-D)."""
    x = convert_to_tensor(x)
    return split(x, indices_or_sections, axis=0 if x.shape.rank == 1 else 1)


def vsplit(x, indices_or_sections):
    """Splits along axis 0."""
    return split(x, indices_or_sections, axis=0)


def dsplit(x, indices_or_sections):
    """Splits along axis 2."""
    return split(x, indices_or_sections, axis=2)


def hstack(xs):
    """Concatenates along axis 1 (axis 0 for 1-D inputs)."""
    xs, _ = promote_all(*xs, strong=True)
    return _cf.concat(xs, axis=0 if xs[0].shape.rank == 1 else 1)


def vstack(xs):
    """Concatenates along axis 0 (as Keras-TF: 1-D inputs join end to end)."""
    xs, _ = promote_all(*xs, strong=True)
    return _cf.concat(xs, 0)


def dstack(xs):
    """Concatenates along axis 2 (inputs raised to 3-D)."""
    xs, _ = promote_all(*xs, strong=True)
    out = []
    for x in xs:
        if x.shape.rank == 0:
            x = _cf.reshape(x, [1, 1, 1])
        elif x.shape.rank == 1:
            x = _cf.reshape(x, [1, -1, 1])
        elif x.shape.rank == 2:
            x = _cf.expand_dims(x, 2)
        out.append(x)
    return _cf.concat(out, axis=2)


def append(x1, x2, axis=None):
    """``x2`` appended to ``x1`` along ``axis`` (flattened when None)."""
    return concatenate([x1, x2], axis=axis)


def tile(x, repeats):
    """Repeats ``x`` ``repeats`` times per axis (NumPy's rank rules)."""
    x = convert_to_tensor(x)
    reps = [repeats] if isinstance(repeats, int) else list(repeats)
    if len(reps) < x.shape.rank:
        reps = [1] * (x.shape.rank - len(reps)) + reps
    elif len(reps) > x.shape.rank:
        x = _cf.reshape(x, [1] * (len(reps) - x.shape.rank) + x.shape.as_list())
    return _cf.tile(x, reps)


def repeat(x, repeats, axis=None):
    """Repeats each element ``repeats`` times along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        x, axis = _cf.reshape(x, [-1]), 0
    return _cf.repeat(x, repeats, axis=axis)


def take(x, indices, axis=None):
    """Gathers ``x`` at ``indices`` along ``axis`` (flattened when None; negatives wrap)."""
    x = convert_to_tensor(x)
    idx = convert_to_tensor(indices)
    if idx.dtype.is_floating:
        idx = cast(idx, "int32")
    if axis is None:
        x, axis = _cf.reshape(x, [-1]), 0
    n = x.shape[axis]
    idx = _cf.where(_m.less(idx, 0), idx + cast(n, idx.dtype), idx)
    return _cf.gather(x, idx, axis=axis)


def take_along_axis(x, indices, axis=None):
    """Picks ``x``'s values at ``indices`` along ``axis`` (broadcasting the other axes)."""
    x = convert_to_tensor(x)
    idx = convert_to_tensor(indices)
    if axis is None:
        x, axis = _cf.reshape(x, [-1]), 0
        idx = _cf.reshape(idx, [-1])
    rank = x.shape.rank
    axis = axis % rank
    xs, ishape = x.shape.as_list(), idx.shape.as_list()
    bx = [builtins.max(a, b) if i != axis else a for i, (a, b) in enumerate(zip(xs, ishape))]
    bi = [builtins.max(a, b) if i != axis else b for i, (a, b) in enumerate(zip(xs, ishape))]
    x, idx = _cf.broadcast_to(x, bx), _cf.broadcast_to(idx, bi)
    n = x.shape[axis]
    idx = _cf.where(_m.less(idx, 0), idx + cast(n, idx.dtype), idx)
    perm = [i for i in range(rank) if i != axis] + [axis]
    inv = list(np.argsort(perm))
    out = _cf.gather(_cf.transpose(x, perm), _cf.transpose(idx, perm), batch_dims=rank - 1,
                     axis=rank - 1)
    return _cf.transpose(out, inv)


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape``."""
    return _cf.broadcast_to(convert_to_tensor(x), list(shape))


def flip(x, axis=None):
    """Reverses ``x`` along ``axis`` (all axes when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        axis = list(range(x.shape.rank))
    elif isinstance(axis, int):
        axis = [axis]
    return _cf.reverse(x, list(axis))


def fliplr(x):
    """Reverses axis 1."""
    return flip(x, 1)


def flipud(x):
    """Reverses axis 0."""
    return flip(x, 0)


def roll(x, shift, axis=None):
    """Rolls elements by ``shift`` along ``axis`` (flattened when None)."""
    x = convert_to_tensor(x)
    if axis is None:
        return _cf.reshape(_cf.roll(_cf.reshape(x, [-1]), shift, 0), _cf.shape(x))
    return _cf.roll(x, shift, axis)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads ``x`` (NumPy's ``pad_width`` forms; modes constant/reflect/symmetric)."""
    x = convert_to_tensor(x)
    pw = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.shape.rank, 2))
    if mode not in ("constant", "reflect", "symmetric"):
        raise ValueError(f"`mode` must be one of constant, reflect, symmetric. "
                         f"Received: mode={mode}")
    if constant_values is not None and mode != "constant":
        raise ValueError("Argument `constant_values` can only be provided when "
                         f"`mode == 'constant'`. Received: mode={mode}")
    kw = {} if constant_values is None else {"constant_values": constant_values}
    return _cf.pad(x, pw.tolist(), mode=mode.upper(), **kw)


def tril(x, k=0):
    """Zeroes the elements above the ``k``-th diagonal."""
    return _band(x, k, lower=True)


def triu(x, k=0):
    """Zeroes the elements below the ``k``-th diagonal."""
    return _band(x, k, lower=False)


def _band(x, k, lower):
    x = convert_to_tensor(x)
    n, m = x.shape[-2], x.shape[-1]
    r = np.arange(n)[:, None]
    c = np.arange(m)[None, :]
    keep = (c - r <= k) if lower else (c - r >= k)
    return _cf.where(_cf.constant(keep), x, _cf.zeros_like(x))


def diag(x, k=0):
    """The ``k``-th diagonal of a matrix, or a matrix with ``x`` on it."""
    x = convert_to_tensor(x)
    if x.shape.rank == 1:
        return _cf.linalg.diag(x, k=k)
    if x.shape.rank == 2:
        return diagonal(x, offset=k)
    raise ValueError(f"`x` must be 1d or 2d. Received: x.shape={x.shape}")


def diagflat(x, k=0):
    """A matrix with flattened ``x`` on the ``k``-th diagonal."""
    return diag(_cf.reshape(convert_to_tensor(x), [-1]), k)


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the (axis1, axis2) planes, as the last axis."""
    x = convert_to_tensor(x)
    rank = x.shape.rank
    a1, a2 = axis1 % rank, axis2 % rank
    perm = [i for i in range(rank) if i not in (a1, a2)] + [a1, a2]
    return _cf.linalg.diag_part(_cf.transpose(x, perm), k=offset)


def trace(x, offset=0, axis1=0, axis2=1):
    """Sum of the diagonal (small ints sum as int32)."""
    from .reduction import sum as _sum
    return _sum(diagonal(x, offset, axis1, axis2), axis=-1)


def _float_dt(dtype):
    return _dt(dtype) or floatx()


def eye(N, M=None, k=0, dtype=None):
    """An ``N x M`` matrix with ones on the ``k``-th diagonal."""
    M = N if M is None else M
    return _cf.constant(np.eye(N, M, k), dtype=_float_dt(dtype))


def identity(n, dtype=None):
    """The ``n x n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal."""
    M = N if M is None else M
    return _cf.constant(np.tri(N, M, k), dtype=_float_dt(dtype))


def arange(start, stop=None, step=None, dtype=None):
    """Evenly spaced values in [start, stop) (dtype from the arguments by Keras's rule)."""
    if dtype is None:
        parts = [start] + [v for v in (stop, step) if v is not None]
        kinds = [getattr(v, "dtype", type(v)) for v in parts]
        dtype = result_type(*kinds) if builtins.any(k is float for k in kinds) or \
            not builtins.all(k is int for k in kinds) else "int32"
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    return _cf.range(start, stop, step, dtype=standardize_dtype(dtype))


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """``num`` evenly spaced values from ``start`` to ``stop``."""
    dt = _dt(dtype) or result_type(dtype_of(start), dtype_of(stop), float)
    a = np.linspace(np.asarray(_np(start)), np.asarray(_np(stop)), num, endpoint=endpoint,
                    retstep=retstep, axis=axis)
    if retstep:
        return _cf.constant(a[0].astype(dt)), _cf.constant(np.asarray(a[1]).astype(dt))
    return _cf.constant(np.asarray(a).astype(dt))


def _np(v):
    return v.numpy() if hasattr(v, "numpy") else v


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """``base ** linspace(start, stop)``."""
    dt = _dt(dtype) or result_type(dtype_of(start), dtype_of(stop), float)
    a = np.logspace(_np(start), _np(stop), num, endpoint=endpoint, base=base, axis=axis)
    return _cf.constant(np.asarray(a).astype(dt))


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Numbers spaced evenly on a log scale from ``start`` to ``stop``."""
    dt = _dt(dtype) or result_type(dtype_of(start), dtype_of(stop), float)
    a = np.geomspace(_np(start), _np(stop), num, endpoint=endpoint, axis=axis)
    return _cf.constant(np.asarray(a).astype(dt))


def _shape_arg(shape):
    return [shape] if isinstance(shape, int) else list(shape)


def zeros(shape, dtype=None):
    """A tensor of zeros (floatx by default)."""
    return _cf.zeros(_shape_arg(shape), dtype=_float_dt(dtype))


def ones(shape, dtype=None):
    """A tensor of ones (floatx by default)."""
    return _cf.ones(_shape_arg(shape), dtype=_float_dt(dtype))


def empty(shape, dtype=None):
    """An uninitialized tensor (zeros here)."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None):
    """A tensor filled with ``fill_value`` (its dtype by default)."""
    v = convert_to_tensor(fill_value, _float_dt(dtype))
    return _cf.broadcast_to(v, _shape_arg(shape))


def zeros_like(x, dtype=None):
    """Zeros shaped like ``x``."""
    x = convert_to_tensor(x)
    return _cf.zeros_like(x, dtype=_dt(dtype) or x.dtype)


def ones_like(x, dtype=None):
    """Ones shaped like ``x``."""
    x = convert_to_tensor(x)
    return _cf.ones_like(x, dtype=_dt(dtype) or x.dtype)


def empty_like(x, dtype=None):
    """An uninitialized tensor like ``x`` (zeros here)."""
    return zeros_like(x, dtype)


def full_like(x, fill_value, dtype=None):
    """``fill_value`` broadcast to ``x``'s shape, in ``x``'s dtype by default."""
    x = convert_to_tensor(x)
    v = convert_to_tensor(fill_value, _dt(dtype) or x.dtype.name)
    return _cf.broadcast_to(v, _cf.shape(x))


def array(x, dtype=None):
    """``x`` as a tensor."""
    return convert_to_tensor(x, dtype)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D inputs."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for `indexing` are 'xy' and 'ij'. "
                         f"Received: indexing={indexing}")
    return _cf.meshgrid(*[convert_to_tensor(v) for v in x], indexing=indexing)


def moveaxis(x, source, destination):
    """Moves axes ``source`` to positions ``destination``."""
    x = convert_to_tensor(x)
    rank = x.shape.rank
    src = [s % rank for s in ([source] if isinstance(source, int) else source)]
    dst = [d % rank for d in ([destination] if isinstance(destination, int) else destination)]
    order = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _cf.transpose(x, order)


def swapaxes(x, axis1, axis2):
    """Exchanges two axes."""
    x = convert_to_tensor(x)
    perm = list(range(x.shape.rank))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return _cf.transpose(x, perm)


def ravel(x):
    """``x`` flattened to 1-D."""
    return _cf.reshape(convert_to_tensor(x), [-1])


def where(condition, x1=None, x2=None):
    """Elements of ``x1`` where ``condition``, else ``x2``; alone, the true indices."""
    cond = cast(convert_to_tensor(condition), "bool")
    if x1 is None and x2 is None:
        return nonzero(cond)
    if x1 is None or x2 is None:
        raise ValueError("`x1` and `x2` either both should be `None` or both should have "
                         "non-None value.")
    (a, b), _ = promote_all(x1, x2)
    return _cf.where(cond, a, b)


def select(condlist, choicelist, default=0):
    """The first choice whose condition holds, per element; ``default`` elsewhere."""
    choices, dt = promote_all(*choicelist, default)
    out = choices[-1]
    for c, v in reversed(list(zip(condlist, choices[:-1]))):
        out = _cf.where(cast(convert_to_tensor(c), "bool"), v, out)
    return out


def sort(x, axis=-1):
    """Sorted values along ``axis``."""
    x = convert_to_tensor(x)
    return _cf.sort(x, axis=axis)


def argsort(x, axis=-1):
    """Indices that sort ``x`` along ``axis`` (stable), int32."""
    x = convert_to_tensor(x)
    if x.shape.rank == 0:
        return _cf.constant(0, "int32")
    if axis is None:
        x, axis = _cf.reshape(x, [-1]), 0
    if x.dtype.is_bool:
        x = cast(x, "int32")
    return cast(_cf.argsort(x, axis=axis, stable=True), "int32")


def argpartition(x, kth, axis=-1):
    """Indices partitioning ``x`` around its ``kth`` element (NumPy's order)."""
    x = cast(convert_to_tensor(x), "int32")  # Keras-TF partitions the int32 values
    if axis is None:
        x, axis = _cf.reshape(x, [-1]), -1
    x = swapaxes(x, axis, -1)
    n = x.shape[-1]
    k = builtins.min(builtins.max(int(kth), 0), n - 1)
    bottom = _m.top_k(-x, k + 1).indices
    # Keras-TF sums the one-hot mask over axis 0 (not per row) and zeroes x where that
    # mask is set; reproduced as is, so batched inputs partition as Keras's do
    mask = _m.reduce_sum(_cf.one_hot(bottom, n, dtype="int32"), axis=0)
    hit = _cf.where(_m.not_equal(mask, 0))
    rest = _cf.tensor_scatter_nd_update(x, hit, _cf.zeros([hit.shape[0]], "int32"))
    top = _m.top_k(rest, n - k - 1).indices
    return swapaxes(_cf.concat([bottom, top], axis=-1), -1, axis)


def nonzero(x):
    """A tuple of index vectors (int32), one per axis, where ``x`` is nonzero."""
    x = convert_to_tensor(x)
    idx = cast(_cf.where(_m.not_equal(x, _cf.zeros_like(x))), "int32")
    return tuple(_cf.unstack(idx, num=x.shape.rank, axis=1))


def searchsorted(sorted_sequence, values, side="left"):
    """Insertion indices of ``values`` into 1-D ``sorted_sequence`` (int32)."""
    if side not in ("left", "right"):
        raise ValueError(f"`side` must be either 'left' or 'right'. Received: side={side}")
    (s, v), _ = promote_all(sorted_sequence, values)
    if s.shape.rank != 1:
        raise ValueError("`searchsorted` only supports 1-D sorted sequences.")
    flat = _cf.reshape(v, [1, -1])
    out = _cf.searchsorted(_cf.expand_dims(s, 0), flat, side=side, out_type="int32")
    return _cf.reshape(out, _cf.shape(v))


def digitize(x, bins):
    """The bin index of each element (``right=False``), int32."""
    x = convert_to_tensor(x)
    b = convert_to_tensor(bins)
    return searchsorted(b, x, side="right")


def isin(x1, x2, assume_unique=False, invert=False):
    """Where elements of ``x1`` occur in ``x2``."""
    (a, b), _ = promote_all(x1, x2)
    hit = _m.reduce_any(_m.equal(_cf.expand_dims(a, -1), _cf.reshape(b, [-1])), axis=-1)
    return _m.logical_not(hit) if invert else hit


def rot90(array, k=1, axes=(0, 1)):
    """Rotates by 90 degrees ``k`` times in the plane of ``axes``."""
    x = convert_to_tensor(array)
    a0, a1 = axes
    k %= 4
    for _ in range(k):
        x = flip(swapaxes(x, a0, a1), a0)
    return x


def shape(x):
    """The static shape as a tuple (None for unknown dims)."""
    s = x.shape
    return tuple(s.as_list()) if hasattr(s, "as_list") else tuple(s)


def ndim(x):
    """The rank."""
    return convert_to_tensor(x).shape.rank


def size(x):
    """The number of elements (int32 tensor)."""
    return cast(_cf.size(convert_to_tensor(x)), "int32")


def get_item(x, key):
    """``x[key]``."""
    return convert_to_tensor(x)[key]


def unravel_index(indices, shape):
    """Coordinates (one tensor per axis) of flat ``indices`` in ``shape``."""
    idx = convert_to_tensor(indices)
    out, rest = [], idx
    for d in reversed(list(shape)):
        out.append(_m.floormod(rest, cast(d, idx.dtype)))
        rest = _m.floordiv(rest, cast(d, idx.dtype))
    return tuple(reversed(out))


def diff(a, n=1, axis=-1):
    """The ``n``-th discrete difference along ``axis``."""
    x = convert_to_tensor(a)
    for _ in range(n):
        m = x.shape[axis]
        x = _m.subtract(_cf.gather(x, list(range(1, m)), axis=axis),
                        _cf.gather(x, list(range(0, m - 1)), axis=axis))
    return x


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of 1-D ``x``."""
    x = convert_to_tensor(x)
    if x.dtype.is_bool:
        x = cast(x, "int32")
    n = x.shape[0] if N is None else N
    p = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    return _m.pow(_cf.expand_dims(x, 1), _cf.constant(p, dtype=x.dtype))

