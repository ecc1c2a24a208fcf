"""The op database: sample inputs, NumPy references and tolerances for every registry op.

Entries live in one module per op family (opdb_math.py, opdb_array.py, ...); this
module holds the record type and sample generators and collects ``OPS``.

One ``OpInfo`` per registry op (PyTorch's OpInfo idea). The generic tests in
test_registry_ops.py run every entry over its dtypes: values against a float64 NumPy
reference, output dtype and shape, VJPs against central finite differences, and bad
input. Adding an op = adding one entry here.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy as np
import scipy.special as sp

import cuflow as cf

F = ("float32", "float64")
FH = ("float16", "float32", "float64")
I = ("int32", "int64")
NUM = FH + I
ALL_FLOAT = ("float16", "bfloat16", "float32", "float64")


@dataclasses.dataclass
class Sample:
    args: tuple
    kwargs: dict = dataclasses.field(default_factory=dict)
    grad: bool = True  # include in the finite-difference check


@dataclasses.dataclass
class OpInfo:
    name: str                      # registry name (or a family name for multi-entry ops)
    fn: Callable                   # the public cuflow function
    ref: Callable                  # NumPy reference, fed float64 copies of float inputs
    samples: Callable              # (rng, dtype) -> list[Sample]
    dtypes: tuple = F
    grad: bool = True              # run the finite-difference check (float64)
    out_dtype: Callable | None = None   # dtype name -> expected output dtype name
    rtol: float | None = None
    atol: float | None = None
    grad_rtol: float = 1e-5
    grad_atol: float = 1e-6
    errors: tuple = ()             # (callable, exception type, regex)
    covers: tuple = ()             # further registry names this entry exercises
    out_dtype_from_ref: bool = False    # expected dtype = the reference's (e.g. cast)


# --- sample generators --------------------------------------------------------------------
def _arr(rng, shape, dtype, lo=-2.0, hi=2.0):
    dt = cf.as_dtype(dtype)
    if dt.is_bool:
        return rng.random(shape) > 0.5
    if dt.is_integer:
        lo_i, hi_i = (int(lo), int(hi)) if hi - lo >= 2 else (-5, 6)
        if dt.is_unsigned:
            lo_i = max(lo_i, 0)
        return rng.integers(lo_i, hi_i, size=shape).astype(dt.np)
    if dt.is_complex:
        return (rng.uniform(lo, hi, shape) + 1j * rng.uniform(lo, hi, shape)).astype(dt.np)
    return rng.uniform(lo, hi, shape).astype(dt.np)


UNARY_SHAPES = [(), (5,), (2, 3), (0,), (2, 0, 3)]
BINARY_SHAPES = [((), ()), ((4,), (4,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((3,), ()),
                 ((0, 3), (1, 3)), ((2, 3, 1), (3, 4))]


def unary_samples(lo=-2.0, hi=2.0, shapes=UNARY_SHAPES):
    def gen(rng, dtype):
        return [Sample((_arr(rng, s, dtype, lo, hi),)) for s in shapes]
    return gen


def binary_samples(lo=-2.0, hi=2.0, lo2=None, hi2=None, shapes=BINARY_SHAPES):
    lo2 = lo if lo2 is None else lo2
    hi2 = hi if hi2 is None else hi2

    def gen(rng, dtype):
        return [Sample((_arr(rng, a, dtype, lo, hi), _arr(rng, b, dtype, lo2, hi2)))
                for a, b in shapes]
    return gen


def reduce_samples(lo=-2.0, hi=2.0):
    def gen(rng, dtype):
        x = _arr(rng, (3, 4), dtype, lo, hi)
        y = _arr(rng, (2, 3, 4), dtype, lo, hi)
        return [Sample((x,)), Sample((x,), {"axis": 0}), Sample((x,), {"axis": -1}),
                Sample((y,), {"axis": [0, 2], "keepdims": True}),
                Sample((y,), {"axis": 1, "keepdims": False}),
                Sample((_arr(rng, (), dtype, lo, hi),)),
                Sample((_arr(rng, (0, 3), dtype, lo, hi),), {"axis": 1}, grad=False)]
    return gen


def _bool_out(_):
    return "bool"


def _float_of_int(d):
    return {"int8": "float32", "int16": "float32", "uint8": "float32",
            "uint16": "float32"}.get(d, "float64" if d.startswith(("int", "uint")) else d)


# --- references needing care --------------------------------------------------------------
def _np_reduce(fn, empty=None):
    def ref(x, axis=None, keepdims=False):
        ax = tuple(np.atleast_1d(axis).tolist()) if axis is not None else None
        if empty is not None and x.size == 0:
            shape = np.sum(np.zeros(x.shape), axis=ax, keepdims=keepdims).shape
            return np.full(shape, empty)
        return fn(x, axis=ax, keepdims=keepdims)
    return ref


def _mean_ref(x, axis=None, keepdims=False):
    ax = tuple(np.atleast_1d(axis).tolist()) if axis is not None else None
    if x.dtype.kind in "iu":
        s = np.sum(x.astype(np.int64), axis=ax, keepdims=keepdims)
        n = x.size // max(np.size(s), 1) if x.size else 1
        return np.trunc(s / n).astype(x.dtype)
    return np.mean(x, axis=ax, keepdims=keepdims)


def _lse_ref(x, axis=None, keepdims=False):
    ax = tuple(np.atleast_1d(axis).tolist()) if axis is not None else None
    if x.size == 0:
        return np.full(np.sum(x, axis=ax, keepdims=keepdims).shape, -np.inf)
    return sp.logsumexp(x, axis=ax, keepdims=keepdims)


def _floordiv_ref(x, y):
    return np.floor_divide(x, y)


def _truediv_ref(x, y):
    return np.true_divide(x, y)


def _sigmoid_ref(x):
    return sp.expit(x)


def _u(name, fn, ref, dtypes=F, lo=-2.0, hi=2.0, **kw):
    return OpInfo(name, fn, ref, unary_samples(lo, hi), dtypes, **kw)


def _b(name, fn, ref, dtypes=F, lo=-2.0, hi=2.0, lo2=None, hi2=None, **kw):
    return OpInfo(name, fn, ref, binary_samples(lo, hi, lo2, hi2), dtypes, **kw)


def _r(name, fn, ref, dtypes=F, **kw):
    return OpInfo(name, fn, ref, reduce_samples(), dtypes, **kw)


unary = _u
binary = _b
reduction = _r


def all_infos():
    """Every OpInfo of every family module (imported here to avoid import cycles)."""
    import importlib
    import pkgutil
    import os

    out = []
    here = os.path.dirname(__file__)
    for m in sorted(pkgutil.iter_modules([here]), key=lambda m: m.name):
        if m.name.startswith("opdb_"):
            mod = importlib.import_module(f"{__package__}.{m.name}" if __package__ else m.name)
            out.extend(mod.OPS)
    return out
