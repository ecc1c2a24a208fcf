"""``keras.ops`` products and statistics over whole arrays: matmul, dot, einsum,
tensordot, outer, inner, kron, cross, correlate, histogram, bincount, unique, windows.

    >>> import cuflow as cf
    >>> cf.keras.ops.matmul(cf.ones((2, 3)), cf.ones((3, 1))).numpy().ravel()
    array([3., 3.], dtype=float32)
"""
from __future__ import annotations

import numpy as np

import cuflow as _cf

from ... import cast
from ... import math as _m
from ._base import convert_to_tensor, floatx, promote_all, result_type, standardize_dtype

__all__ = ["matmul", "dot", "einsum", "tensordot", "outer", "inner", "vdot", "kron",
           "cross", "correlate", "trapezoid", "histogram", "bincount", "unique",
           "corrcoef", "bartlett", "blackman", "hamming", "hanning", "kaiser", "view"]


def _mm_operands(x1, x2):
    (a, b), dt = promote_all(x1, x2, strong=True)
    if dt == "int8" or dt == "bool":  # Keras-TF multiplies small ints into int32
        a, b = cast(a, "int32"), cast(b, "int32")
    return a, b


def matmul(x1, x2):
    """Matrix product with NumPy's rank rules (1-D operands promoted and squeezed)."""
    a, b = _mm_operands(x1, x2)
    if a.shape.rank == 1 and b.shape.rank == 1:
        return _m.reduce_sum(a * b)
    if a.shape.rank == 1:
        return _cf.squeeze(_cf.matmul(_cf.expand_dims(a, 0), b), -2)
    if b.shape.rank == 1:
        return _cf.squeeze(_cf.matmul(a, _cf.expand_dims(b, 1)), -1)
    return _cf.matmul(a, b)


def dot(x1, x2):
    """NumPy's dot: scalars multiply, 1-D/2-D multiply as matrices, else last axis of
    ``x1`` with the second-to-last of ``x2``."""
    a, b = _mm_operands(x1, x2)
    if a.shape.rank == 0 or b.shape.rank == 0:
        return a * b
    if b.shape.rank <= 2:
        return _cf.tensordot(a, b, [[a.shape.rank - 1], [0]])
    return _cf.tensordot(a, b, [[a.shape.rank - 1], [b.shape.rank - 2]])


def einsum(subscripts, *operands, **kwargs):
    """Einstein summation over the operands (promoted to a common dtype)."""
    ops, _ = promote_all(*operands)
    return _cf.einsum(subscripts, *ops)


def tensordot(x1, x2, axes=2):
    """Sums products over ``axes`` (an int or two axis lists)."""
    a, b = _mm_operands(x1, x2)
    return _cf.tensordot(a, b, axes)


def outer(x1, x2):
    """The outer product of the flattened inputs."""
    (a, b), _ = promote_all(x1, x2, strong=True)
    return _cf.reshape(a, [-1, 1]) * _cf.reshape(b, [1, -1])


def inner(x1, x2):
    """Sum over the last axes of both inputs."""
    a, b = _mm_operands(x1, x2)
    if a.shape.rank == 0 or b.shape.rank == 0:
        return a * b
    return _cf.tensordot(a, b, [[a.shape.rank - 1], [b.shape.rank - 1]])


def vdot(x1, x2):
    """Dot product of the flattened inputs (the first conjugated)."""
    a, b = _mm_operands(x1, x2)
    a = _m.conj(a) if a.dtype.is_complex else a
    return _m.reduce_sum(_cf.reshape(a, [-1]) * _cf.reshape(b, [-1]))


def kron(x1, x2):
    """The Kronecker product."""
    (a, b), _ = promote_all(x1, x2, strong=True)
    r = max(a.shape.rank, b.shape.rank)
    a = _cf.reshape(a, [1] * (r - a.shape.rank) + a.shape.as_list())
    b = _cf.reshape(b, [1] * (r - b.shape.rank) + b.shape.as_list())
    sa, sb = a.shape.as_list(), b.shape.as_list()
    ea = _cf.reshape(a, [d for s in sa for d in (s, 1)])
    eb = _cf.reshape(b, [d for s in sb for d in (1, s)])
    return _cf.reshape(ea * eb, [p * q for p, q in zip(sa, sb)])


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 3-vectors (2-vectors padded with a zero z)."""
    (a, b), _ = promote_all(x1, x2)
    if axis is not None:
        axisa = axisb = axisc = axis
    a = _move_last(a, axisa)
    b = _move_last(b, axisb)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        a0, a1 = _cf.unstack(a, axis=-1)
        b0, b1 = _cf.unstack(b, axis=-1)
        return a0 * b1 - a1 * b0
    a, b = _pad3(a), _pad3(b)
    a0, a1, a2 = _cf.unstack(a, axis=-1)
    b0, b1, b2 = _cf.unstack(b, axis=-1)
    out = _cf.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return _move_from_last(out, axisc)


def _move_last(x, axis):
    r = x.shape.rank
    axis %= r
    return _cf.transpose(x, [i for i in range(r) if i != axis] + [axis])


def _move_from_last(x, axis):
    r = x.shape.rank
    axis %= r
    perm = list(range(r - 1))
    perm.insert(axis, r - 1)
    return _cf.transpose(x, perm)


def _pad3(x):
    if x.shape[-1] == 2:
        return _cf.pad(x, [[0, 0]] * (x.shape.rank - 1) + [[0, 1]])
    return x


def correlate(x1, x2, mode="valid"):
    """Cross-correlation of two 1-D sequences (NumPy's modes)."""
    (a, b), dt = promote_all(x1, x2)
    if not (a.dtype.is_floating or a.dtype.is_complex):
        dt = "float32"
        a, b = cast(a, dt), cast(b, dt)
    return _cf.numpy_function(lambda u, v: np.correlate(u, v, mode=mode).astype(u.dtype),
                              [a, b], a.dtype)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoid rule."""
    y = convert_to_tensor(y)
    if not y.dtype.is_floating:
        y = cast(y, floatx())
    n = y.shape[axis]
    lo = _cf.gather(y, list(range(0, n - 1)), axis=axis)
    hi = _cf.gather(y, list(range(1, n)), axis=axis)
    if x is None:
        d = _cf.constant(dx, y.dtype)
    else:
        xv = cast(convert_to_tensor(x), y.dtype)
        m = xv.shape[-1] if xv.shape.rank == 1 else xv.shape[axis]
        ax = 0 if xv.shape.rank == 1 else axis
        d = _cf.gather(xv, list(range(1, m)), axis=ax) - _cf.gather(xv, list(range(0, m - 1)),
                                                                     axis=ax)
        if xv.shape.rank == 1 and y.shape.rank > 1:
            shape = [1] * y.shape.rank
            shape[axis] = -1
            d = _cf.reshape(d, shape)
    return _m.reduce_sum(d * (lo + hi) / 2.0, axis=axis)


def histogram(x, bins=10, range=None):
    """(counts as float32, as Keras-TF; bin edges) of 1-D ``x`` over ``bins`` bins."""
    x = convert_to_tensor(x)
    if x.shape.rank != 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: input.shape="
                         f"{x.shape}")
    a = x.numpy()
    counts, edges = np.histogram(a, bins=bins, range=range)
    edt = x.dtype.name if x.dtype.is_floating else "float32"
    return _cf.constant(counts.astype(np.float32)), _cf.constant(edges.astype(edt))


def bincount(x, weights=None, minlength=0, sparse=False):
    """Counts of each non-negative integer in ``x`` (weighted when ``weights``)."""
    x = convert_to_tensor(x)
    if sparse:
        raise ValueError("cuflow's bincount has no sparse output")
    dt = "int32" if weights is None else result_type(
        standardize_dtype(convert_to_tensor(weights).dtype))
    w = None if weights is None else convert_to_tensor(weights, dt)
    axis = -1 if x.shape.rank == 2 else None
    return _m.bincount(x, weights=w, minlength=minlength, dtype=dt, axis=axis)


def unique(x, sorted=True, return_index=False, return_inverse=False, return_counts=False,
           axis=None, size=None, fill_value=None):
    """NumPy's unique on the values (flattened when ``axis`` is None)."""
    x = convert_to_tensor(x)
    a = x.numpy()
    res = np.unique(a, return_index=return_index, return_inverse=return_inverse,
                    return_counts=return_counts, axis=axis)
    res = list(res) if isinstance(res, tuple) else [res]
    if size is not None:
        vals = res[0]
        fill = fill_value if fill_value is not None else (vals.min() if vals.size else 0)
        out = np.full((size,) + vals.shape[1:], fill, vals.dtype)
        out[:min(size, len(vals))] = vals[:size]
        res[0] = out
    out = [_cf.constant(res[0])] + [_cf.constant(r.astype(np.int32)) for r in res[1:]]
    return out[0] if len(out) == 1 else tuple(out)


def corrcoef(x):
    """Pearson correlation coefficients of the rows of ``x``."""
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        x = cast(x, floatx())
    c = x - _m.reduce_mean(x, axis=-1, keepdims=True)
    cov = _cf.matmul(c, c, transpose_b=True)
    d = _m.sqrt(_cf.linalg.diag_part(cov))
    return _m.minimum(_m.maximum(cov / d[:, None] / d[None, :], -1.0), 1.0)


def _window(fn):
    def f(x):
        n = int(np.asarray(x.numpy() if hasattr(x, "numpy") else x))
        return _cf.constant(fn(n).astype(floatx()))
    return f


bartlett = _window(np.bartlett)
blackman = _window(np.blackman)
hamming = _window(np.hamming)
hanning = _window(np.hanning)
for _f, _n in ((bartlett, "bartlett"), (blackman, "blackman"), (hamming, "hamming"),
               (hanning, "hanning")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = f"The {_n} window of ``x`` points (floatx)."


def kaiser(x, beta):
    """The Kaiser window of ``x`` points and shape ``beta`` (floatx)."""
    n = int(np.asarray(x.numpy() if hasattr(x, "numpy") else x))
    return _cf.constant(np.kaiser(n, float(beta)).astype(floatx()))


def view(x, dtype=None):
    """The same bytes read as ``dtype`` (the last axis rescaled by the size ratio)."""
    x = convert_to_tensor(x)
    if dtype is None:
        return x
    dt = standardize_dtype(dtype)
    a = np.ascontiguousarray(x.numpy())
    return _cf.constant(a.view(_cf.as_dtype(dt).as_numpy_dtype))
