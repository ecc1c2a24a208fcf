"""Host callbacks: ``cf.numpy_function`` / ``cf.py_function`` run Python on NumPy values,
eagerly or as a stateful node of a traced graph (kept in program order, never folded)."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..backend import to_numpy
from ..tensor_shape import TensorShape
from .dispatch import apply as _apply
from .registry import STATEFUL, OpDef

_OPS: dict[int, OpDef] = {}


def _impl(xp, *arrays, func, tout, shapes=None):
    outs = func(*[np.asarray(to_numpy(a)) for a in arrays])
    if outs is None and not tout:       # a side-effect-only callback (Tout=[])
        return ()
    outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
    if len(outs) != len(tout):
        raise ValueError(f"numpy_function: the function returned {len(outs)} values; Tout "
                         f"declares {len(tout)}")
    res = tuple(xp.asarray(np.asarray(o, dtype=t)) for o, t in zip(outs, tout))
    return res[0] if len(res) == 1 else res


def _infer(*avals, func, tout, shapes=None):
    out = [(TensorShape(None if shapes is None else shapes[i]), _dt.as_dtype(t))
           for i, t in enumerate(tout)]
    return out[0] if len(out) == 1 else out


def _op(n):
    op = _OPS.get(n)
    if op is None:
        op = _OPS[n] = OpDef("numpy_function" if n == 1 else f"numpy_function_{n}", STATEFUL,
                             _impl, n_out=n, infer=_infer, differentiable=False)
    return op


def numpy_function(func, inp, Tout, stateful=True, name=None, _shapes=None):
    """Calls ``func`` on the NumPy values of ``inp``; returns tensors of dtypes ``Tout``.

    >>> import cuflow as cf
    >>> cf.numpy_function(lambda a: a * 2, [cf.constant([1, 2])], cf.int32).numpy().tolist()
    [2, 4]
    """
    single = not isinstance(Tout, (list, tuple))
    tout = tuple(_dt.as_dtype(t).np for t in ([Tout] if single else Tout))
    attrs = {"func": func, "tout": tout}
    if _shapes is not None:     # cuflow's own host nodes know their output shapes
        attrs["shapes"] = tuple(tuple(s) if s is not None else None for s in _shapes)
    out = _apply(_op(len(tout)), tuple(inp), attrs)
    if not tout:
        return None
    if single:
        return out
    return list(out) if isinstance(out, tuple) else [out]


def py_function(func, inp, Tout, name=None):
    """Like numpy_function, but ``func`` receives eager tensors (TF's EagerTensors: it may
    call ``.numpy()`` or cuflow ops on them) and may return tensors.

    >>> import cuflow as cf
    >>> f = cf.function(lambda x: cf.py_function(lambda t: t.numpy() * 2, [x], cf.int32))
    >>> f(cf.constant([1, 2])).numpy().tolist()
    [2, 4]
    """
    from .constant import constant

    def call(*arrays):
        out = func(*[constant(a) for a in arrays])
        if isinstance(out, (list, tuple)):
            return [o.numpy() if hasattr(o, "numpy") else o for o in out]
        return out.numpy() if hasattr(out, "numpy") else out
    out = numpy_function(call, inp, Tout, name=name)
    return [] if out is None and isinstance(Tout, (list, tuple)) else out
