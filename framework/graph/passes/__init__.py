"""The optimization pipeline: one module per pass, run in this order.

Each pass takes a Graph, rewrites it in place and returns a list of report lines
(what it did and why), shown by ``ConcreteFunction.compiler_report()``.
"""
from __future__ import annotations

from ... import config as _config
from . import (
    cse,
    dce,
    fold_constants,
    fuse_elementwise,
    fuse_reductions,
    plan_memory,
    rematerialize,
    simplify,
)

PIPELINE = [
    ("fold_constants", fold_constants.run),
    ("simplify", simplify.run),
    ("cse", cse.run),
    ("dce", dce.run),
    ("rematerialize", rematerialize.run),
    ("fuse_reductions", fuse_reductions.run),
    ("fuse_elementwise", fuse_elementwise.run),
    ("dce", dce.run),
    ("plan_memory", plan_memory.run),
]


def optimize(graph, jit_compile=False):
    """Runs every pass; returns the report lines."""
    report = []
    for name, fn in PIPELINE:
        knobs = _config.knobs
        if name in ("rematerialize", "fuse_reductions", "fuse_elementwise") and not (
                knobs.fuse or jit_compile) or name == "fuse_reductions" and not knobs.fuse_rows:
            continue
        lines = fn(graph, jit_compile=jit_compile) or []
        report += [f"[{name}] {line}" for line in lines]
    graph.check()
    return report
