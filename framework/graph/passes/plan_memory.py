"""plan_memory: fused kernels write in place into a dead input's buffer when safe.

A fused node may overwrite input ``i`` when: that value was allocated by another fused
kernel (so nothing else views it), every consumer of it is a fused kernel (no view of
it survives), this node is its last use, it is not a graph output or an assigned
variable value, and it has exactly the output's shape and dtype. The executor also
frees every intermediate right after its last use (reported here).
"""
from __future__ import annotations

from ..ir import ASSIGN


def _is_fused(n):
    return isinstance(n.extra, dict) and "kernel" in n.extra


def run(graph, **_):
    consumers: dict[int, list] = {}
    last: dict[int, int] = {}
    for i, n in enumerate(graph.nodes):
        for v in n.inputs:
            consumers.setdefault(v.id, []).append(n)
            last[v.id] = i
    pinned = {v.id for v in graph.outputs}
    for n in graph.nodes:
        if n.op is ASSIGN:
            pinned.update(v.id for v in n.inputs)
    reused = 0
    for i, n in enumerate(graph.nodes):
        if not _is_fused(n) or len(n.outputs) != 1:
            continue  # the executor's in-place step writes exactly one output
        out = n.outputs[0]
        if not out.shape.is_fully_defined():
            continue
        for pos, v in enumerate(n.inputs):
            p = v.producer
            if p is None or not _is_fused(p) or v.id in pinned or last.get(v.id) != i:
                continue
            if v.dtype != out.dtype or v.shape.as_list() != out.shape.as_list():
                continue
            if not all(_is_fused(c) for c in consumers[v.id]):
                continue
            if sum(1 for u in n.inputs if u.id == v.id) > 1:
                pass  # reading the same buffer twice at the same index is still safe
            n.extra["inplace"] = pos
            reused += 1
            break
    freed = sum(1 for vid in last if vid not in pinned)
    lines = [f"{reused} fused kernels write in place into a dead input"] if reused else []
    lines.append(f"{freed} intermediates are freed right after their last use")
    return lines
