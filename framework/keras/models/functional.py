"""The layer graph of a functional model: nodes in topological order, run on values."""
from __future__ import annotations

import inspect

import cuflow as cf

from ..layers.symbolic import KerasTensor

_accepts_training: dict = {}


def call_layer(layer, inputs, training, args=(), kwargs=None):
    """Calls ``layer`` passing ``training`` only where its ``call`` accepts it."""
    kwargs = dict(kwargs or {})
    key = type(layer)
    acc = _accepts_training.get(key)
    if acc is None:
        try:
            params = inspect.signature(layer.call).parameters
            acc = "training" in params or any(p.kind == p.VAR_KEYWORD
                                              for p in params.values())
        except (TypeError, ValueError):
            acc = False
        _accepts_training[key] = acc
    if acc and training is not None:
        kwargs.setdefault("training", training)
    else:
        kwargs.pop("training", None)
    return layer(inputs, *args, **kwargs)


def topo_nodes(inputs, outputs):
    """Nodes from ``inputs`` to ``outputs`` in execution order (shared layers allowed)."""
    input_ids = {id(t) for t in inputs}
    order, seen = [], set()

    def visit(t):
        if id(t) in input_ids:
            return
        node = t.node
        if node is None:
            raise ValueError(f"Output tensor {t} is not connected to the model inputs "
                             f"{list(inputs)}")
        if id(node) in seen:
            return
        for x in cf.nest.flatten(node.inputs):
            if isinstance(x, KerasTensor):
                visit(x)
        seen.add(id(node))
        order.append(node)
    for o in outputs:
        visit(o)
    return order


def run_graph(inputs, outputs, nodes, values, training):
    """Evaluates ``outputs`` given ``values`` for ``inputs`` (flat lists)."""
    env = {id(k): v for k, v in zip(inputs, values)}
    for node in nodes:
        args = cf.nest.map_structure(
            lambda t: env[id(t)] if isinstance(t, KerasTensor) else t, node.inputs)
        out = call_layer(node.layer, args, training, node.args, node.kwargs)
        for kt, v in zip(cf.nest.flatten(node.outputs), cf.nest.flatten(out)):
            env[id(kt)] = v
    return [env[id(o)] for o in outputs]
