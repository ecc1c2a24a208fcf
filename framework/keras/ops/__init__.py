"""``cf.keras.ops``: Keras 3's backend-agnostic ops (``keras.ops``) on cuflow.

Each function takes Keras's argument names and follows Keras 3.15's TensorFlow backend
(dtype promotion by ``keras.backend.result_type``; Python scalars are weak) and returns
cuflow Tensors. Called on KerasTensors, an op becomes a node of a Functional model.

    >>> import cuflow as cf
    >>> ops = cf.keras.ops
    >>> float(ops.mean(ops.arange(4)))
    1.5
"""
from __future__ import annotations

import sys as _sys
import types as _types

from . import array as _array
from . import core as _core
from . import elementwise as _elementwise
from . import products as _products
from . import reduction as _reduction
from ._base import symbolic as _symbolic

_FAMILIES = [_elementwise, _reduction, _array, _products, _core]


def _export(mod, into):
    for name in mod.__all__:
        fn = getattr(mod, name)
        into[name] = _symbolic(fn) if name not in _PLAIN else fn


# functions that take no tensors (or must not be wrapped)
_PLAIN = {"shape", "ndim", "is_tensor", "dtype", "convert_to_numpy", "cond", "while_loop",
          "fori_loop", "scan", "map", "associative_scan", "switch", "vectorized_map",
          "custom_gradient", "eye", "identity", "tri", "arange", "zeros", "ones", "full",
          "empty", "linspace", "logspace", "geomspace", "bartlett", "blackman", "hamming",
          "hanning", "kaiser", "einsum", "normal", "uniform"}

for _mod in _FAMILIES:
    _export(_mod, globals())

numpy = _types.ModuleType(__name__ + ".numpy", "keras.ops.numpy: the NumPy-style ops.")
for _mod in (_elementwise, _reduction, _array, _products):
    for _n in _mod.__all__:
        setattr(numpy, _n, globals()[_n])
_sys.modules[numpy.__name__] = numpy

del _mod, _n
