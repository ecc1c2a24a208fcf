"""cse: nodes with the same op, inputs and attrs compute the same value once.

The tracer already hash-conses while tracing; this pass catches the duplicates that
``fold_constants`` and ``simplify`` expose.
"""
from __future__ import annotations

from ..tracing import attrs_key
from ._rewrite import is_pure, substitute


def run(graph, **_):
    seen = {}
    mapping = {}
    kept = []
    for n in graph.nodes:
        if mapping:
            n.inputs = tuple(mapping.get(v.id, v) for v in n.inputs)
        ak = attrs_key(n.attrs) if is_pure(n) else None
        if ak is not None:
            key = (n.op.name, tuple(v.id for v in n.inputs), ak)
            hit = seen.get(key)
            if hit is not None:
                for a, b in zip(n.outputs, hit.outputs):
                    mapping[a.id] = b
                continue
            seen[key] = n
        kept.append(n)
    removed = len(graph.nodes) - len(kept)
    graph.nodes = kept
    substitute(graph, mapping)
    return [f"merged {removed} duplicate nodes"] if removed else []
