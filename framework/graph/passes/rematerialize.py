"""rematerialize: recompute a cheap chain start per consumer instead of storing it.

An elementwise op whose inputs come from outside any elementwise chain (graph inputs,
constants, reductions) and that feeds several elementwise consumers gets one copy per
extra consumer. Fusion then computes it inside each consumer's kernel: one flop per
element instead of writing and re-reading a full array (layer norm's ``x - mean`` feeds
both the variance and the output).
"""
from __future__ import annotations

from ..ir import Node, Value
from .fuse_elementwise import _spellable, too_small


def run(graph, jit_compile=False, **_):
    fusable = {n.id for n in graph.nodes if _spellable(n) is None}
    consumers: dict[int, list] = {}
    for n in graph.nodes:
        for v in n.inputs:
            consumers.setdefault(v.id, []).append(n)
    new_nodes, copies = [], 0
    clone_for: dict[int, dict] = {}     # consumer node id -> {value id: clone output}
    for n in graph.nodes:
        replace = clone_for.get(n.id)
        if replace:
            new_nodes.extend(clone for _, clone in replace.values())
            n.inputs = tuple(replace[v.id][1].outputs[0] if v.id in replace else v
                             for v in n.inputs)
        new_nodes.append(n)
        if n.id not in fusable or any(v.producer is not None and v.producer.id in fusable
                                      for v in n.inputs):
            continue
        if too_small([n], jit_compile):     # its consumers stay NumPy calls: store it
            continue
        out = n.outputs[0]
        users = [c for c in consumers.get(out.id, []) if c.id in fusable]
        if len(users) < 2:
            continue
        for c in users[1:]:
            clone = Node(n.op, n.inputs, n.attrs, n.source)
            clone.outputs = (Value(out.shape, out.dtype, producer=clone, graph=graph),)
            clone_for.setdefault(c.id, {})[out.id] = (n, clone)
            copies += 1
    graph.nodes = new_nodes
    return [f"recomputed {copies} chain starts per consumer instead of storing them"] \
        if copies else []
