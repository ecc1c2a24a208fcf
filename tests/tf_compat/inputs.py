"""Deterministic inputs for the differential cases (identical for TF and cuflow).

Arrays are NumPy, seeded by the case name, so adding a case never changes another's
inputs. ``bfloat16`` has no portable NumPy spelling between the two frameworks, so such
inputs are made inside the case with ``T.cast`` (see :func:`const`).
"""
from __future__ import annotations

import zlib

import numpy as np

FLOATS = ("float16", "bfloat16", "float32", "float64")
INTS = ("int8", "int16", "int32", "int64", "uint8")
COMPLEX = ("complex64", "complex128")
ALL = FLOATS + INTS + ("bool",) + COMPLEX


def rng(key):
    return np.random.default_rng(zlib.crc32(key.encode()))


def arr(key, shape, dtype="float32", lo=-3.0, hi=3.0):
    """A deterministic array of ``dtype`` in [lo, hi] (bfloat16 comes back as float32)."""
    r = rng(f"{key}|{shape}|{dtype}|{lo}|{hi}")
    if dtype == "bool":
        return r.random(shape) > 0.5
    if dtype in INTS or dtype.startswith(("uint", "int")):
        info = np.iinfo(dtype)
        a, b = max(int(np.floor(lo)), info.min), min(int(np.ceil(hi)), info.max)
        return r.integers(a, b + 1, size=shape).astype(dtype)
    if dtype in COMPLEX:
        return (r.uniform(lo, hi, shape) + 1j * r.uniform(lo, hi, shape)).astype(dtype)
    out = r.uniform(lo, hi, shape)
    return out.astype("float32" if dtype == "bfloat16" else dtype)


def const(T, a, dtype=None):
    """``a`` as a tensor of ``dtype`` in framework ``T`` (bfloat16 through a cast)."""
    if dtype == "bfloat16":
        return T.cast(T.constant(np.asarray(a, np.float32)), T.bfloat16)
    return T.constant(a)


def grad(T, f, *xs, unconnected=None, dtype=None):
    """Gradients of sum(f(*xs)) w.r.t. each x (watched constants)."""
    xs = [const(T, a, dtype) if isinstance(a, np.ndarray) else T.constant(a) for a in xs]
    with T.GradientTape() as tape:
        for a in xs:
            tape.watch(a)
        y = f(*xs)
    if unconnected is not None:
        mode = getattr(T.UnconnectedGradients, unconnected)
        return tape.gradient(y, xs, unconnected_gradients=mode)
    return tape.gradient(y, xs)


class CaseList:
    """Collects (name, fn, tol) triples; ``fn(T)`` runs the case in framework ``T``."""

    def __init__(self):
        self.items = []

    def add(self, name, fn, tol=None):
        self.items.append((name, fn, tol))
