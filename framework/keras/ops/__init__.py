"""``cf.keras.ops``: Keras 3's backend-agnostic ops (``keras.ops``) on cuflow.

Each function takes Keras's argument names and follows Keras 3.15's TensorFlow backend
(dtype promotion by ``keras.backend.result_type``; Python scalars are weak) and returns
cuflow Tensors. Called on KerasTensors, an op becomes a node of a Functional model.
Sub-namespaces: ``ops.numpy``, ``ops.nn``, ``ops.linalg``, ``ops.image``.

    >>> import cuflow as cf
    >>> ops = cf.keras.ops
    >>> float(ops.mean(ops.arange(4)).numpy())
    1.5
"""
from __future__ import annotations

import sys as _sys
import types as _types

from . import array as _array
from . import conv as _conv
from . import core as _core
from . import elementwise as _elementwise
from . import extra as _extra
from . import image_ops as _image_mod
from . import linalg_ops as _linalg_mod
from . import nn_ops as _nn_mod
from . import products as _products
from . import reduction as _reduction
from ._base import symbolic as _symbolic

# functions that take no tensors, take callables, or return Python values: not wrapped
_PLAIN = {"shape", "ndim", "is_tensor", "dtype", "convert_to_numpy", "cond", "while_loop",
          "fori_loop", "scan", "map", "associative_scan", "switch", "vectorized_map",
          "custom_gradient", "eye", "identity", "tri", "arange", "zeros", "ones", "full",
          "empty", "linspace", "logspace", "geomspace", "bartlett", "blackman", "hamming",
          "hanning", "kaiser", "jvp", "vectorize"}


def _namespace(name, doc, mods):
    ns = _types.ModuleType(f"{__name__}.{name}", doc)
    for mod in mods:
        for n in mod.__all__:
            fn = _WRAPPED[n]
            setattr(ns, n, fn)
    _sys.modules[ns.__name__] = ns
    return ns


_WRAPPED = {}
for _mod in (_elementwise, _reduction, _array, _products, _core, _nn_mod, _conv,
             _linalg_mod, _extra):
    for _n in _mod.__all__:
        _fn = getattr(_mod, _n)
        _WRAPPED[_n] = _fn if _n in _PLAIN else _symbolic(_fn)
globals().update(_WRAPPED)

numpy = _namespace("numpy", "keras.ops.numpy: the NumPy-style ops.",
                   [_elementwise, _reduction, _array, _products])
numpy.slogdet = _WRAPPED["slogdet"]
numpy.vectorize = _WRAPPED["vectorize"]
nn = _namespace("nn", "keras.ops.nn: activations, losses, convolutions, pooling.",
                [_nn_mod, _conv])
nn.fold, nn.unfold = _WRAPPED["fold"], _WRAPPED["unfold"]
_LINALG = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "jvp", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular",
           "svd"]
linalg = _types.ModuleType(f"{__name__}.linalg", "keras.ops.linalg: decompositions, solves.")
for _n in _LINALG:
    setattr(linalg, _n, _WRAPPED[_n])
_sys.modules[linalg.__name__] = linalg

image = _types.ModuleType(f"{__name__}.image", "keras.ops.image: image transformations.")
for _n in _image_mod.__all__:
    setattr(image, _n, _symbolic(getattr(_image_mod, _n)))
for _n in _extra.IMAGE:
    setattr(image, _n, _symbolic(getattr(_extra, _n)))
_sys.modules[image.__name__] = image

del _mod, _n, _fn
