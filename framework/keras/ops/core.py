"""``keras.ops`` core functions: conversion and casting, control flow (cond, while_loop,
fori_loop, scan, map, switch), scatter and slicing, gradient stopping.

    >>> import cuflow as cf
    >>> int(cf.keras.ops.fori_loop(0, 4, lambda i, s: s + i, 0))
    6
"""
from __future__ import annotations

import numpy as np

import cuflow as _cf

from ... import cast as _cast
from ._base import convert_to_tensor, standardize_dtype

__all__ = ["cast", "convert_to_tensor", "convert_to_numpy", "is_tensor", "dtype",
           "saturate_cast", "cond", "while_loop", "fori_loop", "scan", "map",
           "associative_scan", "switch", "stop_gradient", "vectorized_map", "scatter",
           "scatter_update", "slice", "slice_update", "custom_gradient"]


def cast(x, dtype):
    """``x`` converted to ``dtype``."""
    return _cast(convert_to_tensor(x), standardize_dtype(dtype))


def convert_to_numpy(x):
    """``x`` as a NumPy array."""
    if hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(x)


def is_tensor(x):
    """Whether ``x`` is a cuflow tensor."""
    return _cf.is_tensor(x)


def dtype(x):
    """The Keras name of ``x``'s dtype."""
    return standardize_dtype(convert_to_tensor(x).dtype if not hasattr(x, "dtype")
                             else x.dtype)


def saturate_cast(x, dtype):
    """Casts, clamping to the target dtype's range first."""
    return _cf.saturate_cast(convert_to_tensor(x), standardize_dtype(dtype))


def cond(pred, true_fn, false_fn):
    """``true_fn()`` if ``pred`` else ``false_fn()``."""
    return _cf.cond(pred, true_fn, false_fn)


def while_loop(cond, body, loop_vars, maximum_iterations=None):
    """Runs ``body`` while ``cond`` holds; a tuple/list of loop vars keeps its form."""
    single = not isinstance(loop_vars, (tuple, list))
    lv = (loop_vars,) if single else tuple(loop_vars)

    def c(*a):
        return cond(*a)

    def b(*a):
        out = body(*a)
        return (out,) if single or not isinstance(out, (tuple, list)) else tuple(out)
    out = _cf.while_loop(c, b, lv, maximum_iterations=maximum_iterations)
    out = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return out[0] if single else type(loop_vars)(out) if isinstance(loop_vars, list) else out


def fori_loop(lower, upper, body_fun, init_val):
    """``init_val`` updated by ``body_fun(i, val)`` for i in [lower, upper)."""
    out = while_loop(lambda i, v: i < upper, lambda i, v: (i + 1, body_fun(i, v)),
                     (lower, init_val))
    return out[1]


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """JAX's scan: carries ``init`` through ``f(carry, x)`` over ``xs``; returns
    (final carry, stacked outputs)."""
    if xs is None and length is None:
        raise ValueError("Got no `xs` to scan over and `length` not provided.")
    flat = _cf.nest.flatten(xs) if xs is not None else []
    flat = [convert_to_tensor(x) for x in flat]
    n = length if length is not None else flat[0].shape[0]
    order = range(n - 1, -1, -1) if reverse else range(n)
    carry, ys = init, []
    for i in order:
        x = _cf.nest.pack_sequence_as(xs, [t[i] for t in flat]) if xs is not None else None
        carry, y = f(carry, x)
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys or ys[0] is None:
        return carry, None
    stacked = _cf.nest.map_structure(lambda *v: _cf.stack(v), *ys)
    return carry, stacked


def map(f, xs):
    """``f`` applied to each leading slice of ``xs``; outputs stacked."""
    flat = [convert_to_tensor(x) for x in _cf.nest.flatten(xs)]
    outs = [f(_cf.nest.pack_sequence_as(xs, [t[i] for t in flat]))
            for i in range(flat[0].shape[0])]
    return _cf.nest.map_structure(lambda *v: _cf.stack(v), *outs)


def associative_scan(f, elems, reverse=False, axis=0):
    """Inclusive scan of ``elems`` with the associative binary ``f`` along ``axis``."""
    flat = [convert_to_tensor(x) for x in _cf.nest.flatten(elems)]
    n = flat[0].shape[axis]
    idx = range(n - 1, -1, -1) if reverse else range(n)
    parts = [[_cf.gather(t, i, axis=axis) for t in flat] for i in idx]
    acc, outs = None, []
    for p in parts:
        v = _cf.nest.pack_sequence_as(elems, p)
        acc = v if acc is None else f(acc, v)
        outs.append(_cf.nest.flatten(acc))
    if reverse:
        outs.reverse()
    cols = [_cf.stack([o[k] for o in outs], axis=axis) for k in range(len(flat))]
    return _cf.nest.pack_sequence_as(elems, cols)


def switch(index, branches, *operands):
    """``branches[index](*operands)`` (index clamped into range)."""
    i = int(np.clip(int(convert_to_numpy(index)), 0, len(branches) - 1))
    return branches[i](*operands)


def stop_gradient(variable):
    """``variable`` with no gradient flowing back."""
    return _cf.stop_gradient(variable)


def vectorized_map(function, elements):
    """``function`` mapped over the leading axis of ``elements``."""
    return _cf.vectorized_map(function, elements)


def scatter(indices, values, shape):
    """Zeros of ``shape`` with ``values`` added at ``indices``."""
    v = convert_to_tensor(values)
    idx = convert_to_tensor(indices)
    return _cf.scatter_nd(idx, v, list(shape))


def scatter_update(inputs, indices, updates, reduction=None):
    """``inputs`` with ``updates`` written (or reduced: add/max/min/mul) at ``indices``."""
    x = convert_to_tensor(inputs)
    idx = convert_to_tensor(indices)
    u = _cast(convert_to_tensor(updates), x.dtype)
    fn = {None: _cf.tensor_scatter_nd_update, "add": _cf.tensor_scatter_nd_add,
          "max": _cf.tensor_scatter_nd_max, "min": _cf.tensor_scatter_nd_min,
          "mul": _scatter_mul}.get(reduction)
    if fn is None:
        raise ValueError(f"Unsupported reduction: {reduction}")
    return fn(x, idx, u)


def _scatter_mul(x, idx, u):
    out = x
    for k in range(idx.shape[0]):
        row = idx[k:k + 1]
        out = _cf.tensor_scatter_nd_update(out, row, _cf.gather_nd(out, row) * u[k:k + 1])
    return out


def slice(inputs, start_indices, shape):
    """The block of ``shape`` starting at ``start_indices``."""
    start = convert_to_tensor(start_indices)
    return _cf.slice(convert_to_tensor(inputs), start, list(shape) if isinstance(
        shape, (tuple, list)) else shape)


def slice_update(inputs, start_indices, updates):
    """``inputs`` with the block at ``start_indices`` replaced by ``updates``."""
    x = convert_to_tensor(inputs)
    u = _cast(convert_to_tensor(updates), x.dtype)
    starts = [int(s) for s in convert_to_numpy(start_indices)]
    grids = np.meshgrid(*[np.arange(s, s + n) for s, n in zip(starts, u.shape.as_list())],
                        indexing="ij")
    idx = np.stack(grids, axis=-1).reshape(-1, len(starts))
    return _cf.tensor_scatter_nd_update(x, idx, _cf.reshape(u, [-1]))


def custom_gradient(f):
    """``f`` returning (output, grad_fn) becomes a function with that gradient."""
    return _cf.custom_gradient(f)
