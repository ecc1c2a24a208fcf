"""Small helpers the passes share: replacing values, pure-node tests."""
from __future__ import annotations

from ...ops.registry import RANDOM, STATEFUL


def is_pure(node):
    return node.op.kind not in (RANDOM, STATEFUL)


def substitute(graph, mapping):
    """Rewires every use of value ``old.id`` in ``mapping`` to the mapped value."""
    if not mapping:
        return

    def get(v):
        while v.id in mapping:
            v = mapping[v.id]
        return v
    for n in graph.nodes:
        if any(v.id in mapping for v in n.inputs):
            n.inputs = tuple(get(v) for v in n.inputs)
    graph.outputs = [get(v) for v in graph.outputs]
