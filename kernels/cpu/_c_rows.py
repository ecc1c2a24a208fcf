"""C row kernels behind the CPU overrides of softmax, log_softmax, softmax cross-entropy,
argmax/argmin (csrc/rows.c), leading-axis sums and relu_grad (csrc/exact.c, bit-identical
to NumPy), built by cpu/native.py.

No checks here beyond what the C code needs: callers pass float32/float64 arrays (any
layout: they are made C-contiguous). A function returns None when the kernel met a NaN
or an infinity (the caller then runs the op's NumPy definition) or when the library
cannot be built.
"""
import ctypes

import numpy as np

from . import native

_F = {}
_SFX = {np.dtype(np.float32): "f32", np.dtype(np.float64): "f64"}


def library():
    """{(name, dtype): callable} (native.bind), or None when the sources cannot be built."""
    if not _F:
        rows, exact = native.load("rows"), native.load("exact")
        if rows is None or exact is None:
            return None
        sigs = {"softmax": "ppnn", "log_softmax": "ppnn", "xent": "pppnn", "arg": "ppnni",
                "sum_cols": "ppnn", "relu_grad": "pppn"}
        for dt, sfx in _SFX.items():
            for name, sig in sigs.items():
                lib = exact if name in ("sum_cols", "relu_grad") else rows
                _F[name, dt] = native.bind(lib, f"{name}_{sfx}", sig,
                                           None if lib is exact else ctypes.c_int)
    return _F


def _c(a, dtype=None):
    """a as a C-contiguous array (of ``dtype``) with its own shape (0-d stays 0-d)."""
    if a.flags.c_contiguous and (dtype is None or a.dtype == dtype):
        return a
    return np.asarray(np.ascontiguousarray(a, dtype)).reshape(a.shape)


def _rows_of(x):
    x = _c(x)
    cols = x.shape[-1]
    return x, (x.size // cols if cols else 0), cols


def _rowwise(name, x):
    x, rows, cols = _rows_of(x)
    out = np.empty(x.shape, x.dtype)
    if rows and cols and _F[name, x.dtype](x, out, rows, cols):
        return None
    return out


def softmax(x):
    """Softmax over the last axis (x.shape[-1] > 0)."""
    return _rowwise("softmax", x)


def log_softmax(x):
    return _rowwise("log_softmax", x)


def xent(labels, logits):
    """-sum(labels * log_softmax(logits), -1); labels cast to the logits' dtype."""
    x, rows, cols = _rows_of(logits)
    lab = _c(labels, x.dtype)
    loss = np.empty(x.shape[:-1], x.dtype)
    if rows and cols and _F["xent", x.dtype](lab, x, loss, rows, cols):
        return None
    return loss


def arg(x, largest):
    """argmax (``largest``) or argmin over the last axis as int64 (first index on ties)."""
    x, rows, cols = _rows_of(x)
    out = np.empty(x.shape[:-1], np.int64)
    if rows and _F["arg", x.dtype](x, out, rows, cols, 1 if largest else -1):
        return None
    return out


def sum_cols(x, rows, cols):
    """Sums over the leading axis of x viewed as (rows, cols): shape (cols,)."""
    x = _c(x)
    out = np.empty(cols, x.dtype)
    if cols:
        _F["sum_cols", x.dtype](x, out, rows, cols)
    return out


def relu_grad(g, x):
    """g * (x > 0), g and x of one shape and dtype."""
    g, x = _c(g), _c(x)
    out = np.empty(g.shape, g.dtype)
    if g.size:
        _F["relu_grad", g.dtype](g, x, out, g.size)
    return out
