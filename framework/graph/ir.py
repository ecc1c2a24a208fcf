"""The graph IR: values (shape + dtype), nodes (op calls), graphs (inputs, nodes, outputs).

Shaped like a jaxpr: ``Graph(inputs, nodes, outputs)``; a node is ``(op, inputs, outputs,
attrs, source)`` where ``source`` is the user's ``file:line`` recorded at trace time.
Values carry a TensorShape (``None`` dims allowed), a DType and, for constants, the array.
Variable reads are *captures* (read on every call), never constants.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..ops.registry import RANDOM, STATEFUL, OpDef
from ..tensor_shape import TensorShape

_ids = itertools.count()

# Pseudo-ops the tracer emits (not in the registry: they have no array impl of their own).
ASSIGN = OpDef("assign_variable", STATEFUL, None, differentiable=False)
PRINT = OpDef("print", STATEFUL, None, differentiable=False)
READ = OpDef("read_variable", STATEFUL, None, differentiable=False)  # re-read after a branch
                                                                    # assigned it
CALL = OpDef("function_call", STATEFUL, None)       # a fused/opaque sub-program (cond, while)


class Value:
    """An edge: one tensor flowing between nodes."""

    __slots__ = (
        "__weakref__",
        "const",
        "dtype",
        "graph",
        "id",
        "index",
        "kind",
        "name",
        "producer",
        "shape",
    )

    def __init__(self, shape, dtype, producer=None, index=0, kind="node", const=None,
                 name=None, graph=None):
        self.id = next(_ids)
        self.graph = graph
        self.shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self.dtype = dtype
        self.producer = producer
        self.index = index
        self.kind = kind          # input | const | capture | node
        self.const = const        # the array, for constants
        self.name = name or f"%{self.id}"

    @property
    def constant_value(self):
        return self.const

    def type_str(self):
        dims = ",".join("?" if d is None else str(d) for d in self.shape.as_list()) \
            if self.shape.rank is not None else "*"
        return f"{self.dtype.name}[{dims}]"

    def __repr__(self):
        return f"{self.name}:{self.type_str()}"


class Node:
    """One op call."""

    __slots__ = ("attrs", "extra", "id", "inputs", "op", "outputs", "source")

    def __init__(self, op, inputs, attrs, source):
        self.id = next(_ids)
        self.op = op
        self.inputs = tuple(inputs)
        self.outputs = ()
        self.attrs = attrs
        self.source = source
        self.extra = None        # pass-specific payload (e.g. a fused kernel)

    @property
    def name(self):
        return self.op.name

    @property
    def type(self):
        return self.op.name

    @property
    def stateful(self):
        return self.op.kind == STATEFUL

    @property
    def random(self):
        return self.op.kind == RANDOM

    def attr_text(self):
        parts = []
        for k, v in (self.attrs or {}).items():
            if k.startswith("_"):
                continue
            if isinstance(v, np.dtype) or hasattr(v, "name") and not isinstance(v, (str, tuple)):
                v = v.name
            text = repr(v)
            parts.append(f"{k}={text if len(text) < 60 else text[:57] + '...'}")
        return ", ".join(parts)

    def __repr__(self):
        outs = ", ".join(map(repr, self.outputs))
        ins = ", ".join(v.name for v in self.inputs)
        attrs = self.attr_text()
        return f"{outs} = {self.op.name}({ins}{'; ' + attrs if attrs else ''})"


class Graph:
    """inputs, nodes in program order, outputs; plus constants and variable captures."""

    def __init__(self, name="graph"):
        self.name = name
        self.inputs: list[Value] = []
        self.nodes: list[Node] = []
        self.outputs: list[Value] = []
        self.constants: list[Value] = []
        self.captures: list[tuple[Value, object]] = []   # (value, Variable) read per call
        self.reports: list[str] = []                     # what each pass did

    def get_operations(self):
        """The nodes in program order (``tf.Graph.get_operations``)."""
        return list(self.nodes)

    def check(self):
        """Every node input is defined before use; raises AssertionError otherwise."""
        defined = {v.id for v in self.inputs} | {v.id for v in self.constants}
        defined |= {v.id for v, _ in self.captures}
        for n in self.nodes:
            for v in n.inputs:
                if v.id not in defined:
                    raise AssertionError(f"{n!r}: input {v!r} used before definition")
            defined.update(o.id for o in n.outputs)
        for v in self.outputs:
            if v.id not in defined:
                raise AssertionError(f"output {v!r} is never defined")
        return True

    def pretty(self):
        """A jaxpr-like listing of the graph."""
        lines = [f"{self.name}({', '.join(map(repr, self.inputs))}) {{"]
        for v, var in self.captures:
            lines.append(f"  {v!r} = read_variable '{var.name}'")
        for v in self.constants:
            text = np.array2string(np.asarray(v.const), threshold=6, separator=",")
            lines.append(f"  {v!r} = constant {' '.join(text.split())[:60]}")
        for n in self.nodes:
            lines.append(f"  {n!r}" + (f"    # {n.source}" if n.source else ""))
        lines.append(f"  return {', '.join(v.name for v in self.outputs)}")
        lines.append("}")
        return "\n".join(lines)

    as_text = pretty

    def __str__(self):
        return self.pretty()

    def uses(self):
        """value id -> number of node/output uses."""
        count: dict[int, int] = {}
        for n in self.nodes:
            for v in n.inputs:
                count[v.id] = count.get(v.id, 0) + 1
        for v in self.outputs:
            count[v.id] = count.get(v.id, 0) + 1
        return count


def clone(graph):
    """A copy of ``graph`` with fresh values and nodes (passes rewrite the copy)."""
    new = Graph(graph.name)
    new.device = getattr(graph, "device", None)
    m: dict[int, Value] = {}

    def cp(v):
        c = Value(v.shape, v.dtype, kind=v.kind, const=v.const, name=v.name,
                  graph=new)
        m[v.id] = c
        return c
    new.inputs = [cp(v) for v in graph.inputs]
    new.captures = [(cp(v), var) for v, var in graph.captures]
    new.constants = [cp(v) for v in graph.constants]
    for n in graph.nodes:
        c = Node(n.op, [m[v.id] for v in n.inputs], n.attrs, n.source)
        c.outputs = tuple(Value(o.shape, o.dtype, producer=c, index=o.index, name=o.name,
                                graph=new) for o in n.outputs)
        for o, co in zip(n.outputs, c.outputs):
            m[o.id] = co
        new.nodes.append(c)
    new.outputs = [m[v.id] for v in graph.outputs]
    return new
