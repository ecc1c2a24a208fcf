"""C optimizer loops behind cpu/optim.py (csrc/optim.c, built by cpu/native.py).

The functions here skip all checks: the callers (cpu/optim.py after its own checks, the
Keras fused update after its eligibility test) pass C-contiguous arrays of one float
dtype and size, p and the slots writable, and Python-float scalars (c1 = 1 - beta1,
c2 = 1 - beta2, lr_wd = lr * weight_decay). Bit-identical to reference/optim.py.
"""
import ctypes

import numpy as np

from . import native

_C: dict = {}


def library():
    """{dtype: (adam, adam_nogil, sgd, sgd_nogil)} callables (native.bind), or None when csrc/optim.c cannot be
    built."""
    if not _C:
        lib = native.load("optim")
        if lib is None:
            return None
        for dt, ct, sfx in ((np.dtype(np.float32), ctypes.c_float, "f32"),
                            (np.dtype(np.float64), ctypes.c_double, "f64")):
            _C[dt] = tuple(native.bind(lib, name + sfx, sig, ctype_floats=ct, nogil=nogil)
                           for name, sig in (("adam_", "ppppnfffff"), ("sgd_", "pppnffif"))
                           for nogil in (False, True))
    return _C


# Variables this large are updated with the GIL released (milliseconds of work, other
# threads may run); smaller ones keep it: a thread that took the GIL meanwhile could
# hold it for the interpreter's switch interval (5 ms) before the update returns.
NOGIL_MIN = 1 << 20


def adam(p, g, m, v, alpha, c1, c2, eps, lr_wd):
    """Keras Adam (epsilon hat): m, v updated; p -= alpha * m / (sqrt(v) + eps)."""
    _C[p.dtype][p.size >= NOGIL_MIN](p, g, m, v, p.size, alpha, c1, c2, eps, lr_wd)


def sgd(p, g, vel, lr, momentum, nesterov, lr_wd):
    """Keras SGD; ``vel`` None: p -= lr * g."""
    _C[p.dtype][2 + (p.size >= NOGIL_MIN)](p, g, vel, p.size, lr, momentum,
                                           int(bool(nesterov)), lr_wd)
