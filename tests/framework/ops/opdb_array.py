"""Op database entries for cuflow.ops.array_ops (see opdb.py)."""
from __future__ import annotations

import numpy as np

import cuflow as cf
from cuflow.errors import InvalidArgumentError

from .opdb import ALL_FLOAT, NUM, F, I, OpInfo, Sample, _arr

ANY = NUM + ("bool",)


def _s(*samples):
    return lambda rng, dtype: [s(rng, dtype) for s in samples]


def _where_ref(c, x, y):
    return np.where(c, x, y)


OPS = [
    OpInfo("reshape", cf.reshape, lambda x, shape: np.reshape(x, shape), _s(
        lambda r, d: Sample((_arr(r, (2, 3), d), [3, 2])),
        lambda r, d: Sample((_arr(r, (2, 3), d), [-1])),
        lambda r, d: Sample((_arr(r, (0, 3), d), [3, 0])),
        lambda r, d: Sample((_arr(r, (), d), [1, 1]))), ANY,
        errors=((lambda: cf.reshape(cf.zeros([2, 3]), [4]), InvalidArgumentError,
                 "reshape.*6 elements.*4"),
                (lambda: cf.reshape(cf.zeros([2, 3]), [-1, -1]), InvalidArgumentError,
                 "at most one -1"))),
    OpInfo("transpose", cf.transpose, lambda x, perm=None: np.transpose(x, perm), _s(
        lambda r, d: Sample((_arr(r, (2, 3), d),)),
        lambda r, d: Sample((_arr(r, (2, 3, 4), d), [1, 0, 2])),
        lambda r, d: Sample((_arr(r, (0, 3), d),)),
        lambda r, d: Sample((_arr(r, (4,), d),))), ANY,
        errors=((lambda: cf.transpose(cf.zeros([2, 3]), [0, 0]), InvalidArgumentError,
                 "not a permutation"),)),
    OpInfo("broadcast_to", cf.broadcast_to, lambda x, shape: np.broadcast_to(x, shape), _s(
        lambda r, d: Sample((_arr(r, (3,), d), [2, 3])),
        lambda r, d: Sample((_arr(r, (2, 1), d), [2, 4])),
        lambda r, d: Sample((_arr(r, (), d), [0, 2]), grad=False)), ANY,
        errors=((lambda: cf.broadcast_to(cf.zeros([3]), [2, 4]), InvalidArgumentError,
                 "broadcast_to"),)),
    OpInfo("concat", lambda *xs, axis: cf.concat(list(xs), axis),
           lambda *xs, axis: np.concatenate(xs, axis), _s(
               lambda r, d: Sample((_arr(r, (2, 3), d), _arr(r, (1, 3), d)), {"axis": 0}),
               lambda r, d: Sample((_arr(r, (2, 3), d), _arr(r, (2, 2), d),
                                    _arr(r, (2, 0), d)), {"axis": -1})), ANY,
           errors=((lambda: cf.concat([cf.zeros([2, 3]), cf.zeros([2, 2])], 0),
                    InvalidArgumentError, "concat"),
                   (lambda: cf.concat([cf.zeros([2]), cf.zeros([2, 2])], 0),
                    InvalidArgumentError, "ranks differ"))),
    OpInfo("split", lambda x, n, axis: cf.split(x, n, axis),
           lambda x, n, axis: np.split(x, n if isinstance(n, int) else
                                       np.cumsum(n)[:-1], axis), _s(
               lambda r, d: Sample((_arr(r, (4, 3), d), 2, 0)),
               lambda r, d: Sample((_arr(r, (2, 5), d), [1, 4], 1)),
               lambda r, d: Sample((_arr(r, (2, 5), d), [2, 0, 3], 1))), ANY,
           covers=("split_2", "split_3"),
           errors=((lambda: cf.split(cf.zeros([5]), 2), InvalidArgumentError,
                    "equal parts"),)),
    OpInfo("strided_slice", lambda x, key: x[key], lambda x, key: x[key], _s(
        lambda r, d: Sample((_arr(r, (3, 4), d), (1, slice(1, None)))),
        lambda r, d: Sample((_arr(r, (3, 4), d), (slice(None, None, -2), None, 2))),
        lambda r, d: Sample((_arr(r, (2, 3, 4), d), (Ellipsis, 1))),
        lambda r, d: Sample((_arr(r, (2, 3, 4), d), (-1, slice(0, 0)))),
        lambda r, d: Sample((_arr(r, (4,), d), (slice(-3, -1),)))), ANY,
        errors=((lambda: cf.zeros([2, 3])[2], InvalidArgumentError, "out of bounds"),
                (lambda: cf.zeros([2])[0, 0], InvalidArgumentError, "too many indices"),
                (lambda: cf.zeros([2])[1.5], TypeError, "valid indices"))),
    OpInfo("fill", cf.fill, lambda dims, v: np.full(dims, v), _s(
        lambda r, d: Sample(([2, 3], _arr(r, (), d))),
        lambda r, d: Sample(([0], _arr(r, (), d)), grad=False)), ANY,
        errors=((lambda: cf.fill([-1], 1.0), InvalidArgumentError, "non-negative"),)),
    OpInfo("zeros_like", cf.zeros_like, np.zeros_like, _s(
        lambda r, d: Sample((_arr(r, (2, 3), d),)),
        lambda r, d: Sample((_arr(r, (0,), d),))), ANY, grad=False),
    OpInfo("ones_like", cf.ones_like, np.ones_like, _s(
        lambda r, d: Sample((_arr(r, (2, 3), d),))), ANY, grad=False),
    OpInfo("range", lambda *a, dtype: cf.range(*a, dtype=dtype),
           lambda *a, dtype: np.arange(*a).astype(dtype), lambda r, d: [
               Sample((5,), {"dtype": d}), Sample((1, 7, 2), {"dtype": d}),
               Sample((3, 3), {"dtype": d}), Sample((5, 0, -2), {"dtype": d})],
           F + I, grad=False,
           errors=((lambda: cf.range(0, 5, 0), InvalidArgumentError, "delta"),)),
    OpInfo("shape", lambda x: cf.shape(x), lambda x: np.asarray(x.shape, np.int32), _s(
        lambda r, d: Sample((_arr(r, (2, 3), d),)),
        lambda r, d: Sample((_arr(r, (), d),))), F, grad=False,
        out_dtype=lambda d: "int32"),
    OpInfo("select_v2", lambda c, x, y: cf.ops.where_v(c, x, y), _where_ref, lambda r, d: [
        Sample((r.random((2, 3)) > 0.5, _arr(r, (2, 3), d), _arr(r, (3,), d))),
        Sample((r.random((3,)) > 0.5, _arr(r, (2, 1), d), _arr(r, (), d))),
        Sample((r.random((0, 3)) > 0.5, _arr(r, (0, 3), d), _arr(r, (0, 3), d)))],
        NUM),
    OpInfo("cast", lambda x, dtype: cf.cast(x, dtype),
           lambda x, dtype: x.astype(cf.as_dtype(dtype).np), lambda r, d: [
               Sample((_arr(r, (2, 3), d), "float64")), Sample((_arr(r, (4,), d), "int32"),
                                                               grad=False),
               Sample((_arr(r, (0,), d), "bool"), grad=False)], ("float32", "float64"),
           out_dtype_from_ref=True, grad=True, rtol=1e-6),
    OpInfo("identity", cf.identity, lambda x: x, _s(
        lambda r, d: Sample((_arr(r, (2, 3), d),)),
        lambda r, d: Sample((_arr(r, (0,), d),))), ALL_FLOAT + I + ("bool",)),
    OpInfo("stop_gradient", cf.stop_gradient, lambda x: x, _s(
        lambda r, d: Sample((_arr(r, (2, 3), d),))), F + I, grad=False),
]


def _cast_out(d):
    return d

OPS += [
    OpInfo("expand_dims", lambda x, axis: cf.ops.apply(cf.ops.get("expand_dims"), (x,),
                                                         {"axis": axis}),
           lambda x, axis: np.expand_dims(x, axis), _s(
               lambda r, d: Sample((_arr(r, (2, 3), d), 1)),
               lambda r, d: Sample((_arr(r, (0, 3), d), 0)),
               lambda r, d: Sample((_arr(r, (), d), 0))), ANY),
    OpInfo("squeeze", lambda x, axis: cf.ops.apply(cf.ops.get("squeeze"), (x,),
                                                     {"axis": axis}),
           lambda x, axis: np.squeeze(x, axis), _s(
               lambda r, d: Sample((_arr(r, (2, 1, 3), d), (1,))),
               lambda r, d: Sample((_arr(r, (1, 0, 1), d), (0, 2)))), ANY,
           errors=((lambda: cf.squeeze(cf.zeros([2, 3]), [0]), InvalidArgumentError,
                    "cannot squeeze axis 0 of size 2"),)),
]
