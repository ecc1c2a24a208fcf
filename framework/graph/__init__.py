"""Graph mode: ``cf.function`` traces Python into an IR, optimizes it, replays it.

Modules: ir (values, nodes, graphs), tracing (FuncGraph: op calls -> nodes), function
(cf.function, the signature cache, retrace warnings), concrete (ConcreteFunction),
executor (the flat schedule), passes/ (the pipeline), autograph/ (if/while/for).
"""
from __future__ import annotations

from .concrete import ConcreteFunction
from .function import Function, RetracingWarning, function
from .ir import Graph, Node, Value
from .tracing import FuncGraph, SymbolicTensor, init_scope

__all__ = ["ConcreteFunction", "FuncGraph", "Function", "Graph", "Node", "RetracingWarning",
           "SymbolicTensor", "Value", "function", "init_scope"]
