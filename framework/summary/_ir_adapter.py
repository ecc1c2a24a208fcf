"""cuflow's graph IR as TensorBoard graph nodes (the adapter ``cf.summary.graph`` uses).

Takes a ``cf.function`` (its most recent trace), a ``ConcreteFunction`` (its traced,
pre-optimization graph, what TF's graph dashboard shows) or an IR ``Graph``, and returns
the generic node list of ``graph_def_from_nodes``: inputs become ``Placeholder``,
variable reads ``ReadVariableOp``, constants ``Const``, every node its op name, and the
outputs ``Identity`` nodes; shapes and dtypes go on every node, the user's source line
as the ``source`` attr. Returns None for anything else, so other adapters can try.
"""
from __future__ import annotations

import re

_BAD_CHARS = re.compile(r"[^A-Za-z0-9_./-]")


def _graph_of(obj):
    if hasattr(obj, "traced_graph"):           # ConcreteFunction
        return obj.traced_graph
    if all(hasattr(obj, a) for a in ("nodes", "inputs", "outputs", "constants", "captures")):
        return obj                             # ir.Graph
    if hasattr(obj, "experimental_get_tracing_count") and hasattr(obj, "_cache"):
        traced = list(getattr(obj, "_cache", {}).values())   # cf.function: latest trace
        traced += [c for _, c in getattr(obj, "_relaxed", [])]
        return traced[-1].traced_graph if traced else None
    return None


class _Names:
    """Unique, TensorBoard-legal node names."""

    def __init__(self):
        self.used: set = set()

    def __call__(self, wanted):
        base = _BAD_CHARS.sub("_", str(wanted).lstrip("%")) or "node"
        if not base[0].isalnum():
            base = "v" + base
        name, k = base, 1
        while name in self.used:
            name, k = f"{base}_{k}", k + 1
        self.used.add(name)
        return name


def _shape(value):
    shape = value.shape
    return None if getattr(shape, "rank", 0) is None else tuple(shape.as_list())


def _plain_attrs(attrs):
    out = {}
    for key, value in (attrs or {}).items():
        if key.startswith("_") or value is None or key in ("dtype", "shape"):
            continue
        if isinstance(value, (bool, int, float, str)):
            out[key] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, (int, float))
                                                      for v in value):
            out[key] = list(value)
        else:
            out[key] = str(getattr(value, "name", value))
    return out


def ir_graph_nodes(obj):
    """Node list of a cuflow function / ConcreteFunction / IR Graph, or None."""
    graph = _graph_of(obj)
    if graph is None:
        return None
    names, refs, nodes = _Names(), {}, []

    def source(value, op, attrs=None, wanted=None):
        name = names(wanted or value.name)
        refs[value.id] = name
        nodes.append({"name": name, "op": op, "inputs": [],
                      "attrs": dict(attrs or {}, dtype=value.dtype, shape=_shape(value))})

    for value in graph.inputs:
        source(value, "Placeholder")
    for value, var in graph.captures:
        source(value, "ReadVariableOp", {"variable": str(getattr(var, "name", "variable"))},
               wanted=str(getattr(var, "name", value.name)).split(":")[0])
    for value in graph.constants:
        source(value, "Const")
    for node in graph.nodes:
        name = names(node.op.name)
        for out in node.outputs:
            refs[out.id] = name if out.index == 0 else f"{name}:{out.index}"
        attrs = _plain_attrs(node.attrs)
        if node.outputs:
            attrs["dtype"] = node.outputs[0].dtype
            attrs["shape"] = [_shape(o) for o in node.outputs]
        if node.source:
            attrs["source"] = str(node.source)
        nodes.append({"name": name, "op": node.op.name, "attrs": attrs,
                      "inputs": [refs[v.id] for v in node.inputs if v.id in refs]})
    for i, value in enumerate(graph.outputs):
        if value.id in refs:
            nodes.append({"name": names(f"output_{i}"), "op": "Identity",
                          "inputs": [refs[value.id]],
                          "attrs": {"T": value.dtype, "shape": _shape(value)}})
    return nodes
