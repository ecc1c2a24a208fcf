"""``tf.experimental.numpy`` shape, indexing and stacking functions (TF's np_array_ops).

Array-likes become tensors with NumPy's default dtypes; functions taking several arrays
promote them with NumPy's rule. Static shapes are used (cuflow tensors carry them), so
these compose from cuflow movement ops and keep gradients.

>>> import cuflow as cf
>>> tnp = cf.experimental.numpy
>>> tnp.vstack([[1, 2], [3, 4]]).shape.as_list()
[2, 2]
"""
from __future__ import annotations

import numpy as np

from .ops import array_ops as _a
from .ops import math_ops as _m
from .ops import reduce_ops as _r


# experimental_numpy is imported at the end of this module (it re-exports from here), so
# everything below reaches it through these call-time helpers.
def _asarray(a, dtype=None):
    return _base.asarray(a, dtype)


def _promoted(*args):
    return _base._promoted(*args)


def _float(dtype):
    return _base._float_dtype(dtype)


def asanyarray(a, dtype=None):
    return _asarray(a, dtype)


def ascontiguousarray(a, dtype=None):
    return _base.array(a, dtype, ndmin=1)


def empty_like(a, dtype=None):
    return _base.zeros_like(a, dtype)


def copy(a):
    return _m.identity(_asarray(a))


def shape(a):
    return _asarray(a).shape


def ndim(a):
    return len(_asarray(a).shape)


def size(a, axis=None):
    s = _asarray(a).shape
    return np.int64(s.num_elements() if axis is None else s[axis])


def isscalar(num):
    return ndim(num) == 0


def broadcast_to(array, shape):  # noqa: A002
    return _a.broadcast_to(_asarray(array), shape)


def broadcast_arrays(*args, **kwargs):
    if kwargs.pop("subok", False):
        raise ValueError("subok=True is not supported.")
    ts = [_asarray(x) for x in args]
    shape = np.broadcast_shapes(*[tuple(t.shape.as_list()) for t in ts])
    return [_a.broadcast_to(t, shape) for t in ts]


def flatten(a, order="C"):
    if order not in ("C", "F"):
        raise ValueError(f"order must be 'C' or 'F'. Received: order={order}")
    a = _asarray(a)
    if order == "F":
        a = _a.transpose(a, list(range(len(a.shape)))[::-1])
    return _a.reshape(a, [-1])


def _axis(axis, rank):
    if not -rank <= axis < max(rank, 1):
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {rank}")
    return axis % rank if rank else 0


def moveaxis(a, source, destination):
    a = _asarray(a)
    rank = len(a.shape)
    src = [_axis(s, rank) for s in np.atleast_1d(source).tolist()]
    dst = [_axis(d, rank) for d in np.atleast_1d(destination).tolist()]
    if len(src) != len(dst):
        raise ValueError("`source` and `destination` arguments must have the same number "
                         "of elements")
    perm = [i for i in range(rank) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return a if perm == list(range(rank)) else _a.transpose(a, perm)


def swapaxes(a, axis1, axis2):
    a = _asarray(a)
    rank = len(a.shape)
    perm = list(range(rank))
    i, j = _axis(axis1, rank), _axis(axis2, rank)
    perm[i], perm[j] = perm[j], perm[i]
    return _a.transpose(a, perm)


def _atleast(n, arys):
    out = []
    for x in arys:
        x = _asarray(x)
        r = len(x.shape)
        if r < n:
            s = x.shape.as_list()
            if n == 3:
                s = {0: [1, 1, 1], 1: [1] + s + [1], 2: s + [1]}[r]
            else:
                s = [1] * (n - r) + s
            x = _a.reshape(x, s)
        out.append(x)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    return _atleast(1, arys)


def atleast_2d(*arys):
    return _atleast(2, arys)


def atleast_3d(*arys):
    return _atleast(3, arys)


def _list(r):
    return r if isinstance(r, list) else [r]


def hstack(tup):
    arrs = _list(atleast_1d(*tup))
    return _base.concatenate(arrs, 0 if len(arrs[0].shape) == 1 else 1)


def vstack(tup):
    return _base.concatenate(_list(atleast_2d(*tup)), 0)


def dstack(tup):
    return _base.concatenate(_list(atleast_3d(*tup)), 2)


def append(arr, values, axis=None):
    if axis is None:
        return _base.concatenate([_base.ravel(arr), _base.ravel(values)], 0)
    return _base.concatenate([arr, values], axis)


def split(ary, indices_or_sections, axis=0):
    ary = _asarray(ary)
    n = ary.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if n % int(indices_or_sections):
            raise ValueError("array split does not result in an equal division")
        return _a.split(ary, int(indices_or_sections), axis)
    bounds = [min(max(int(b) + (n if b < 0 else 0), 0), n) for b in indices_or_sections]
    edges = [0] + bounds + [n]
    sizes = [max(e - s, 0) for s, e in zip(edges[:-1], edges[1:])]
    starts = edges[:-1]
    key = [slice(None)] * len(ary.shape)
    out = []
    for s, k in zip(starts, sizes):
        key[_axis(axis, len(ary.shape))] = slice(s, s + k)
        out.append(ary[tuple(key)])
    return out


def _split_at_least(name, rank_min, axis):
    def fn(ary, indices_or_sections):
        ary = _asarray(ary)
        if len(ary.shape) < rank_min:
            raise ValueError(f"{name} only works on arrays of {rank_min} or more dimensions")
        ax = 0 if (name == "hsplit" and len(ary.shape) == 1) else axis
        return split(ary, indices_or_sections, ax)
    fn.__name__ = name
    return fn


hsplit = _split_at_least("hsplit", 1, 1)
vsplit = _split_at_least("vsplit", 2, 0)
dsplit = _split_at_least("dsplit", 3, 2)


def flip(m, axis=None):
    m = _asarray(m)
    from .ops.manip_ops import reverse
    axes = list(range(len(m.shape))) if axis is None else [
        _axis(a, len(m.shape)) for a in np.atleast_1d(axis).tolist()]
    return reverse(m, axes) if axes else m


def flipud(m):
    return flip(m, 0)


def fliplr(m):
    return flip(m, 1)


def rot90(m, k=1, axes=(0, 1)):
    m = _asarray(m)
    rank = len(m.shape)
    ax1, ax2 = _axis(axes[0], rank), _axis(axes[1], rank)
    if ax1 == ax2:
        raise ValueError("Axes must be different.")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, ax1), ax2)
    perm = list(range(rank))
    perm[ax1], perm[ax2] = ax2, ax1
    return _a.transpose(flip(m, ax2), perm) if k == 1 else flip(_a.transpose(m, perm), ax2)


def roll(a, shift, axis=None):
    from .ops.manip_ops import roll as _roll
    a = _asarray(a)
    if axis is None:
        return _a.reshape(_roll(_a.reshape(a, [-1]), shift, 0), a.shape)
    return _roll(a, shift, axis)


def repeat(a, repeats, axis=None):
    from .ops.index_ops import repeat as _repeat
    a = _asarray(a)
    if axis is None:
        a, axis = _a.reshape(a, [-1]), 0
    return _repeat(a, repeats, axis)


def take(a, indices, axis=None, out=None, mode="clip"):
    """Gathers ``indices`` along ``axis``; TF's default ``mode`` is "clip"."""
    from .ops.index_ops import gather
    if out is not None:
        raise ValueError("out argument is not supported in take.")
    if mode not in ("raise", "clip", "wrap"):
        raise ValueError(f"Invalid mode '{mode}' for take")
    a, indices = _asarray(a), _asarray(indices)
    if axis is None:
        a, axis = _a.reshape(a, [-1]), 0
    n = _m.cast(a.shape[axis], indices.dtype)
    if mode == "clip":
        indices = _m.minimum(_m.maximum(indices, _m.cast(0, indices.dtype)), n - 1)
    elif mode == "wrap":
        indices = _m.floormod(indices, n)
    else:
        raise ValueError("The 'raise' mode to take is not supported.")
    return gather(a, indices, axis=axis)


def take_along_axis(arr, indices, axis):
    from .ops.index_ops import gather
    arr, indices = _asarray(arr), _asarray(indices)
    if axis is None:
        arr, axis = _a.reshape(arr, [-1]), 0
    rank = len(arr.shape)
    if len(indices.shape) != rank:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    ax = _axis(axis, rank)
    a, idx = moveaxis(arr, ax, -1), moveaxis(indices, ax, -1)
    lead = np.broadcast_shapes(tuple(a.shape.as_list()[:-1]), tuple(idx.shape.as_list()[:-1]))
    a = _a.broadcast_to(a, list(lead) + [a.shape[-1]])
    idx = _a.broadcast_to(idx, list(lead) + [idx.shape[-1]])
    n = _m.cast(a.shape[-1], idx.dtype)
    idx = _m.where_v(idx < _m.cast(0, idx.dtype), idx + n, idx)
    return moveaxis(gather(a, idx, axis=len(lead), batch_dims=len(lead)), -1, ax)


def compress(condition, a, axis=None):
    from .ops.index_ops import boolean_mask
    condition, a = _asarray(condition, np.bool_), _asarray(a)
    if len(condition.shape) != 1:
        raise ValueError("condition must be a 1-d array.")
    if axis is None or len(a.shape) == 0:
        a, axis = _a.reshape(a, [-1]), 0
    axis = _axis(axis, len(a.shape))
    n, c = a.shape[axis], condition.shape[0]
    if c < n:
        condition = _a.concat([condition, _a.zeros([n - c], np.bool_)], 0)
    elif c > n:
        raise ValueError(f"condition of length {c} is longer than axis {axis} ({n})")
    return boolean_mask(a, condition, axis=axis)


def nonzero(a):
    from .ops.index_ops import where
    a = _asarray(a)
    if len(a.shape) == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed.")
    idx = _m.cast(where(_m.cast(a, np.bool_)), np.int64)
    return tuple(idx[:, i] for i in range(len(a.shape)))


def select(condlist, choicelist, default=0):
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist "
                         f"({len(condlist)} vs {len(choicelist)})")
    if not condlist:
        raise ValueError("condlist must be non-empty")
    choices = _promoted(default, *choicelist)
    out = choices[0]
    for cond, choice in zip(condlist[::-1], choices[1:][::-1]):
        out = _base.where(cond, choice, out)
    return out


def argsort(a, axis=-1, kind="quicksort", order=None):
    from .ops.sort_ops import argsort as _argsort
    if kind not in ("quicksort", "stable"):
        raise ValueError('Only kind="quicksort" and kind="stable" are supported. '
                         f"Received: kind={kind}")
    if order is not None:
        raise ValueError("The `order` argument is not supported. Pass order=None")
    a = _asarray(a)
    if a.dtype.is_complex:
        raise TypeError(f"argsort does not support complex64/complex128 dtypes. "
                        f"Received dtype: {a.dtype}")
    if len(a.shape) == 0:
        return _asarray([0])
    if axis is None:
        a, axis = _a.reshape(a, [-1]), 0
    return _m.cast(_argsort(a, axis, stable=kind == "stable"), np.int64)


def array_equal(a1, a2):
    a, b = _promoted(a1, a2)
    if a.shape.as_list() != b.shape.as_list():
        return _asarray(False)
    return _r.reduce_all(_m.equal(a, b))


def ix_(*args):
    out, n = [], len(args)
    for i, x in enumerate(args):
        x = _asarray(x)
        if len(x.shape) != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if x.dtype.is_bool:
            x = nonzero(x)[0]
        out.append(_a.reshape(x, [1] * i + [-1] + [1] * (n - i - 1)))
    return out


def meshgrid(*xi, **kwargs):
    from .ops.manip_ops import meshgrid as _mg
    if kwargs.get("sparse", False):
        raise ValueError("Function `meshgrid` does not support returning sparse arrays "
                         "yet. Received: sparse=True")
    if not kwargs.get("copy", True):
        raise ValueError("Function `meshgrid` only supports copy=True. Received: copy=False")
    return _mg(*[_asarray(x) for x in xi], indexing=kwargs.get("indexing", "xy"))


def pad(array, pad_width, mode, **kwargs):  # noqa: A002
    """Only modes "constant", "reflect" and "symmetric" (as TF's tnp)."""
    from .ops.manip_ops import pad as _pad
    if mode not in ("constant", "reflect", "symmetric"):
        raise ValueError("Unsupported padding mode: " + str(mode))
    array = _asarray(array)
    widths = np.broadcast_to(np.asarray(pad_width, np.int64), (len(array.shape), 2))
    return _pad(array, widths.tolist(), mode=mode.upper(),
                constant_values=kwargs.get("constant_values", 0))


# --- diagonals and triangles --------------------------------------------------------------
def diagonal(a, offset=0, axis1=0, axis2=1):
    from .ops.linalg_ops import matrix_diag_part
    a = moveaxis(_asarray(a), (axis1, axis2), (-2, -1))
    n, m = a.shape[-2], a.shape[-1]
    if offset <= -n or offset >= m:
        return _a.zeros(a.shape.as_list()[:-2] + [0], a.dtype)
    return matrix_diag_part(a, k=offset)


def diag(v, k=0):
    from .ops.linalg_ops import matrix_diag
    v = _asarray(v)
    if len(v.shape) == 1:
        if v.shape[0] == 0:
            return _a.zeros([abs(k), abs(k)], v.dtype)
        return matrix_diag(v, k=k)
    if len(v.shape) == 2:
        return diagonal(v, k)
    raise ValueError(f"Input must be 1- or 2-d. Received rank {len(v.shape)}")


def diagflat(v, k=0):
    return diag(_a.reshape(_asarray(v), [-1]), k)


def diag_indices(n, ndim=2):  # noqa: A002
    if n < 0 or ndim < 0:
        raise ValueError(f"n and ndim arguments to diag_indices must be nonnegative, got "
                         f"n={n}, ndim={ndim}")
    from .ops.array_ops import range as _range
    return (_range(n),) * ndim


def tri(N, M=None, k=0, dtype=None):  # noqa: N803 - NumPy's names
    dt = dtype if dtype is not None else _float(None)
    return _asarray(np.tri(N, M, k), dt)


def _triangle(m, k, lower):
    m = _asarray(m)
    if len(m.shape) < 2:
        raise ValueError(f"Argument to {'tril' if lower else 'triu'} must have rank at "
                         "least 2")
    n, c = m.shape[-2], m.shape[-1]
    mask = np.tri(n, c, k, dtype=bool) if lower else ~np.tri(n, c, k - 1, dtype=bool)
    return _m.where_v(_asarray(mask), m, _a.zeros_like(m))


def tril(m, k=0):
    return _triangle(m, k, True)


def triu(m, k=0):
    return _triangle(m, k, False)


def vander(x, N=None, increasing=False):  # noqa: N803
    x = _asarray(x)
    if len(x.shape) != 1:
        raise ValueError("x must be a one-dimensional array")
    n = x.shape[0] if N is None else int(N)
    if n < 0:
        raise ValueError("N must be nonnegative")
    powers = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    return _m.pow(_a.expand_dims(x, -1), _asarray(powers, x.dtype.np))


from . import experimental_numpy as _base  # noqa: E402 - see the helpers above
