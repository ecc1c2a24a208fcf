"""KerasTensor: a symbolic (shape with None batch, dtype) value that records layer calls.

Calling a layer on KerasTensors runs it once on a concrete batch-of-1 zeros value to
build it and learn the output shape/dtype, and records a Node (layer, inputs, outputs)
from which ``Model(inputs, outputs)`` rebuilds the graph.
"""
from __future__ import annotations

import numpy as np

import cuflow as cf


class Node:
    __slots__ = ("layer", "inputs", "args", "kwargs", "outputs")

    def __init__(self, layer, inputs, args, kwargs, outputs):
        self.layer, self.inputs, self.args, self.kwargs, self.outputs = (
            layer, inputs, args, kwargs, outputs)


class KerasTensor:
    """Symbolic tensor of a functional model: ``shape`` (None batch) and ``dtype``."""

    def __init__(self, shape, dtype="float32", node=None, name=None):
        self.shape = cf.TensorShape(shape)
        self.dtype = cf.as_dtype(dtype)
        self.node = node
        self.name = name

    @property
    def ndim(self):
        return self.shape.rank

    def __repr__(self):
        return f"<KerasTensor shape={tuple(self.shape)}, dtype={self.dtype.name}, " \
               f"name={self.name}>"

    def _concrete(self):
        shape = tuple(1 if d is None else d for d in self.shape.as_list())
        return cf.zeros(shape, dtype=self.dtype)

    # operators on symbolic tensors become small Lambda-like layers
    def _op(self, fn, other=None, name="op"):
        from .core import _OpLayer
        return _OpLayer(fn, name=None)(self if other is None else [self, other])

    def __add__(self, o): return _binop(self, o, cf.add)
    def __radd__(self, o): return _binop(o, self, cf.add)
    def __sub__(self, o): return _binop(self, o, cf.subtract)
    def __rsub__(self, o): return _binop(o, self, cf.subtract)
    def __mul__(self, o): return _binop(self, o, cf.multiply)
    def __rmul__(self, o): return _binop(o, self, cf.multiply)
    def __truediv__(self, o): return _binop(self, o, cf.truediv)
    def __neg__(self): return _binop(self, None, lambda a, _: cf.negative(a))
    def __getitem__(self, key): return _binop(self, None, lambda a, _: a[key])


def _binop(a, b, fn):
    from .core import _OpLayer
    syms = [x for x in (a, b) if isinstance(x, KerasTensor)]
    if len(syms) == 2:
        return _OpLayer(lambda xs: fn(xs[0], xs[1]))([a, b])
    if isinstance(a, KerasTensor):
        return _OpLayer(lambda x: fn(x, b))(a)
    return _OpLayer(lambda x: fn(a, x))(b)


def call_symbolic(layer, inputs, args, kwargs):
    concrete = cf.nest.map_structure(
        lambda x: x._concrete() if isinstance(x, KerasTensor) else x, inputs)
    kw = dict(kwargs)
    kw.pop("training", None)
    out = layer(concrete, *args, **kw)
    node = Node(layer, inputs, args, kwargs, None)
    flat_in = [x for x in cf.nest.flatten(inputs) if isinstance(x, KerasTensor)]
    none_batch = any(x.shape.rank and x.shape[0] is None for x in flat_in)

    def sym(t):
        shape = list(t.shape)
        if none_batch and shape:
            shape[0] = None
        return KerasTensor(shape, t.dtype, node, name=layer.name)
    outputs = cf.nest.map_structure(sym, out)
    node.outputs = outputs
    layer._inbound_nodes.append(node)
    return outputs


def infer_output_shape(layer, input_shape):
    def mk(s):
        return KerasTensor(s)
    if isinstance(input_shape, list) and input_shape and isinstance(input_shape[0],
                                                                    (list, tuple)):
        kt = [mk(s) for s in input_shape]
    else:
        kt = mk(input_shape)
    out = call_symbolic(layer, kt, (), {})
    layer._inbound_nodes.pop()
    return cf.nest.map_structure(lambda t: tuple(t.shape.as_list()), out)


def Input(shape=None, batch_size=None, name=None, dtype=None, sparse=None, tensor=None,
          ragged=None, batch_shape=None, **kwargs):
    """A symbolic input for the functional API (``keras.Input``)."""
    from .core import InputLayer
    layer = InputLayer(input_shape=shape, batch_size=batch_size, name=name,
                       dtype=dtype, batch_shape=batch_shape)
    return layer.output
