"""``experimental_enable_numpy_behavior``: NumPy's dtype promotion for every op (tensor
operators included) and NumPy's methods on tensors, as TF's switch does."""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt

_ON = [False]


def enable():
    if _ON[0]:
        return
    from .ops import dispatch
    from .tensor import Tensor, Variable
    _ON[0] = True
    dispatch._STRICT[0] = False
    _dt.use_numpy_promotion()
    dispatch._WEAK.clear()
    for cls in (Tensor, Variable):
        for name, fn in _METHODS.items():
            if not hasattr(cls, name):
                setattr(cls, name, fn)


def _reshape(self, *shape, order="C"):
    from .ops.array_ops import reshape
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = shape[0]
    return reshape(self, list(shape))


def _astype(self, dtype):
    from .ops.math_ops import cast
    return cast(self, dtype)


def _ravel(self):
    from .ops.array_ops import reshape
    return reshape(self, [-1])


def _transpose(self, *axes):
    from .ops.array_ops import transpose
    if len(axes) == 1 and isinstance(axes[0], (list, tuple)):
        axes = axes[0]
    return transpose(self, list(axes) if axes else None)


def _clip(self, a_min, a_max):
    from .experimental_numpy import clip
    return clip(self, a_min, a_max)


_METHODS = {
    "reshape": _reshape, "astype": _astype, "ravel": _ravel, "flatten": _ravel,
    "transpose": _transpose, "clip": _clip,
    "T": property(lambda self: _transpose(self)),
    "size": property(lambda self: np.int64(np.prod(self.shape.as_list()))),
    "tolist": lambda self: self.numpy().tolist(),
}
