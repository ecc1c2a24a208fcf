"""dce: drops nodes whose outputs nobody uses; stateful nodes (assign, print) stay."""
from __future__ import annotations

from ...ops.registry import STATEFUL


def run(graph, **_):
    live = {v.id for v in graph.outputs}
    kept = []
    for n in reversed(graph.nodes):
        if n.op.kind == STATEFUL or any(o.id in live for o in n.outputs):
            kept.append(n)
            live.update(v.id for v in n.inputs)
    removed = len(graph.nodes) - len(kept)
    graph.nodes = kept[::-1]
    n_caps = len(graph.captures)
    graph.captures = [(v, var) for v, var in graph.captures if v.id in live]
    graph.constants = [v for v in graph.constants if v.id in live]
    lines = []
    if removed:
        lines.append(f"removed {removed} dead nodes")
    if n_caps != len(graph.captures):
        lines.append(f"dropped {n_caps - len(graph.captures)} unused variable reads")
    return lines
