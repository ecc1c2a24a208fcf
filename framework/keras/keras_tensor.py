"""KerasTensor: a symbolic value (shape with a None batch dim, dtype) flowing through a
Functional model's layer graph, and the Node that records each layer call."""
from __future__ import annotations

import itertools

from .. import dtypes as _dt
from .. import nest
from ..tensor_shape import TensorShape

_ids = itertools.count()


class Node:
    """One call of ``layer`` on symbolic inputs: args/kwargs (with KerasTensors in them)
    and the KerasTensors it produced."""

    __slots__ = ("args", "id", "kwargs", "layer", "outputs")

    def __init__(self, layer, args, kwargs, outputs):
        self.layer = layer
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.id = next(_ids)

    @property
    def input_tensors(self):
        return [x for x in nest.flatten((self.args, self.kwargs)) if isinstance(x, KerasTensor)]


class KerasTensor:
    """A symbolic tensor: ``shape`` (batch None), ``dtype``, and the node that made it."""

    def __init__(self, shape, dtype="float32", sparse=False, name=None, node=None, index=0):
        self.shape = TensorShape(shape)
        self.dtype = _dt.as_dtype(dtype)
        self.sparse = sparse
        self.name = name or f"keras_tensor_{next(_ids)}"
        self.node = node
        self.index = index
        self._keras_mask = None

    @property
    def ndim(self):
        return self.shape.rank

    def __repr__(self):
        return (f"<KerasTensor shape={tuple(self.shape)}, dtype={self.dtype.name}, "
                f"name={self.name}>")

    def numpy(self):
        raise ValueError("A KerasTensor is symbolic: it has no value. Build a Model from it "
                         "and call the model on data.")

    # Operators on symbolic values become auto-wrapped layers (Keras 3's behaviour).
    def _op(self, fn, *others):
        from .layers.core import _OpLayer
        return _OpLayer(fn)(self, *others)

    def __add__(self, o): return self._op(lambda a, b: a + b, o)
    def __radd__(self, o): return self._op(lambda a, b: b + a, o)
    def __sub__(self, o): return self._op(lambda a, b: a - b, o)
    def __rsub__(self, o): return self._op(lambda a, b: b - a, o)
    def __mul__(self, o): return self._op(lambda a, b: a * b, o)
    def __rmul__(self, o): return self._op(lambda a, b: b * a, o)
    def __truediv__(self, o): return self._op(lambda a, b: a / b, o)
    def __rtruediv__(self, o): return self._op(lambda a, b: b / a, o)
    def __pow__(self, o): return self._op(lambda a, b: a ** b, o)
    def __matmul__(self, o): return self._op(lambda a, b: a @ b, o)
    def __neg__(self): return self._op(lambda a: -a)
    def __abs__(self): return self._op(lambda a: abs(a))
    def __getitem__(self, key): return self._op(lambda a: a[key])


def is_keras_tensor(x) -> bool:
    return isinstance(x, KerasTensor)


def any_symbolic(structure) -> bool:
    return any(isinstance(x, KerasTensor) for x in nest.flatten(structure))
