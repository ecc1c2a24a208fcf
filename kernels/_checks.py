"""Input checks and dtype rules shared by every kernel family (reference, cpu, cuda).

Rule: float16 and bfloat16 inputs accumulate in float32; float32 in float32; float64 in
float64. Outputs keep the input dtype. Works on NumPy and CuPy arrays alike (it only
reads ``.dtype``, ``.ndim`` and ``.shape``).
"""
from __future__ import annotations

import numpy as np

FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64")


_NAMES: dict = {}


def dtype_name(x) -> str:
    # NumPy computes dtype.name in Python (~1 us); kernels check it on every call
    name = _NAMES.get(x.dtype)
    if name is None:
        name = _NAMES[x.dtype] = np.dtype(x.dtype).name
    return name


def acc_dtype(dtype) -> np.dtype:
    """Accumulation dtype: float64 for float64, float32 for everything narrower."""
    return np.dtype(np.float64) if np.dtype(dtype) == np.float64 else np.dtype(np.float32)


def check_float(op: str, **arrays) -> None:
    """Raise ValueError unless every array has a floating dtype cuflow kernels accept."""
    for name, x in arrays.items():
        if x is None:
            continue
        if dtype_name(x) not in FLOAT_NAMES:
            raise ValueError(f"{op}: {name} must be float16/bfloat16/float32/float64, "
                             f"got {dtype_name(x)} with shape {tuple(x.shape)}")


def check_ndim(op: str, x, ndim: int, name: str = "x", at_least: bool = False) -> None:
    ok = x.ndim >= ndim if at_least else x.ndim == ndim
    if not ok:
        want = f"at least {ndim}" if at_least else f"{ndim}"
        raise ValueError(f"{op}: {name} must have {want} dimensions, got shape "
                         f"{tuple(x.shape)} ({dtype_name(x)})")


def check_same_shape(op: str, **arrays) -> None:
    shapes = {n: tuple(a.shape) for n, a in arrays.items() if a is not None}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"{op}: shapes must match, got {shapes}")


def as_rows(op: str, x):
    """View ``x`` (ndim >= 1) as a 2-D (rows, cols) array over its last axis."""
    check_ndim(op, x, 1, at_least=True)
    cols = x.shape[-1]
    rows = int(np.prod(x.shape[:-1], dtype=np.int64))
    return x.reshape(rows, cols)


def pair(value, name: str, op: str) -> tuple[int, int]:
    """Normalize an int or a pair (ksize, strides, dilations) to two positive ints."""
    if isinstance(value, (int, np.integer)):
        out = (int(value), int(value))
    else:
        out = tuple(int(v) for v in value)
    if len(out) != 2 or min(out) < 1:
        raise ValueError(f"{op}: {name} must be a positive int or a pair, got {value!r}")
    return out
