"""Row programs: elementwise work around reductions over the trailing axes, one kernel.

A ``RowProgram`` sees its data as ``[rows, cols]`` (the reduced trailing axes flattened
into ``cols``). Every input has a role: ``full`` (one value per element), ``row`` (one per
row: a keepdims statistic, a per-row bias), ``col`` (one per column: layer norm's gamma)
or ``scalar``. Outputs are expression trees over the inputs and ``Reduce`` nodes (a row
statistic: ``sum``, ``mean``, ``max`` or ``min`` of an expression over the row); each is
either a full output or a per-row output. ``stages()`` orders the reductions so that the
renderers emit one loop over the row per reduction plus one final loop for the full
outputs, recomputing cheap element expressions in each loop instead of storing them.

>>> from cuflow_kernels.codegen.expr import In, Op
>>> from cuflow_kernels.codegen.rows import Reduce, RowProgram
>>> x = In(0, "float32")
>>> e = Op("exp", [Op("subtract", [x, Reduce("max", x, "float32")], "float32")], "float32")
>>> p = RowProgram(["float32"], ["full"], [Op("truediv", [e, Reduce("sum", e, "float32")],
...                                          "float32")], [False])
>>> [r.kind for r in p.stages()]
['max', 'sum']
"""
from __future__ import annotations

import hashlib

from .expr import Const, Expr, In, Op, _dtype_name

KINDS = ("sum", "mean", "max", "min")
ROLES = ("full", "row", "col", "scalar")
# Ops whose result is worth keeping in the output row between loops (instead of
# recomputing it in the final loop): the transcendental ones.
EXPENSIVE = {"exp", "expm1", "log", "log1p", "tanh", "sigmoid", "sin", "cos", "tan", "erf",
             "erfc", "pow", "softplus", "elu", "sinh", "cosh", "atan", "asin", "acos",
             "atan2", "lgamma", "asinh", "acosh", "atanh"}


class Reduce(Expr):
    """A row statistic of ``arg``: ``kind`` in sum/mean/max/min, in dtype ``dtype``."""

    __slots__ = ("_key", "arg", "kind")

    def __init__(self, kind, arg, dtype):
        if kind not in KINDS:
            raise ValueError(f"unknown row reduction {kind!r}")
        self.kind = kind
        self.arg = arg
        self.dtype = _dtype_name(dtype)
        self._key = f"{kind}[{arg.key()}]"

    def key(self):
        return self._key


class RowProgram:
    """Typed inputs with roles, outputs (``out_rows[j]``: a per-row output)."""

    def __init__(self, in_dtypes, in_roles, outputs, out_rows):
        self.in_dtypes = [_dtype_name(d) for d in in_dtypes]
        self.in_roles = list(in_roles)
        self.outputs = list(outputs)
        self.out_rows = [bool(r) for r in out_rows]
        bad = [r for r in self.in_roles if r not in ROLES]
        if bad or len(self.in_roles) != len(self.in_dtypes):
            raise ValueError(f"bad input roles {self.in_roles}")
        for e, per_row in zip(self.outputs, self.out_rows):
            if per_row and self.level(e) != "row":
                raise ValueError(f"per-row output varies along the row: {e.key()}")

    def text(self):
        lines = [f"in{i}: {d} {r}" for i, (d, r) in enumerate(zip(self.in_dtypes,
                                                                  self.in_roles))]
        lines += [f"out{j}{'[row]' if r else ''} = {e.key()}"
                  for j, (e, r) in enumerate(zip(self.outputs, self.out_rows))]
        return "\n".join(lines)

    def key(self):
        return hashlib.sha256(self.text().encode()).hexdigest()[:20]

    def level(self, e, _memo=None):
        """'row' if ``e`` is constant along a row (row/scalar inputs, constants,
        reductions), else 'elem'."""
        memo = self._levels if _memo is None else _memo
        k = e.key()
        if k in memo:
            return memo[k]
        if isinstance(e, In):
            lv = "elem" if self.in_roles[e.index] in ("full", "col") else "row"
        elif isinstance(e, (Const, Reduce)):
            lv = "row"
        else:
            lv = "row" if all(self.level(a) == "row" for a in e.args) else "elem"
        memo[k] = lv
        return lv

    @property
    def _levels(self):
        d = self.__dict__.get("_lv")
        if d is None:
            d = self.__dict__["_lv"] = {}
        return d

    def stages(self):
        """The distinct reductions, each after the reductions its argument uses."""
        order, seen = [], set()

        def visit(e):
            if isinstance(e, Reduce):
                if e.key() in seen:
                    return
                visit(e.arg)
                seen.add(e.key())
                order.append(e)
            elif isinstance(e, Op):
                for a in e.args:
                    visit(a)
        for e in self.outputs:
            visit(e)
        return order

    def n_ops(self):
        seen = set()

        def count(e):
            if e.key() in seen or not isinstance(e, (Op, Reduce)):
                return 0
            seen.add(e.key())
            kids = [e.arg] if isinstance(e, Reduce) else e.args
            return 1 + sum(count(a) for a in kids)
        return sum(count(e) for e in self.outputs)


def schedule(roots, leaves=()):
    """Topologically ordered unique subexpressions of ``roots``; a Reduce is a leaf
    (its value is known before the loop that uses it), and so is any key in ``leaves``
    (values read back from an output row)."""
    order, seen = [], set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            e, expanded = stack.pop()
            k = e.key()
            if k in seen:
                continue
            if expanded or not isinstance(e, Op) or k in leaves:
                seen.add(k)
                order.append(e)
                continue
            stack.append((e, True))
            stack.extend((a, False) for a in reversed(e.args))
    return order


def expensive(e):
    """True if computing ``e`` involves a transcendental op (worth storing once)."""
    return any(isinstance(s, Op) and s.name in EXPENSIVE for s in schedule([e]))


def row_loops(program):
    """The loop plan shared by the renderers: a list of ``(reduce or None, roots)``
    (one loop per reduction, then the final loop with the full outputs' roots) and
    ``cached``: {expression key: output index} for expensive reduction arguments that
    a full output of the same dtype also contains, so the reduction loop stores them in
    that output's row and later loops read them back instead of recomputing."""
    loops = [(r, [r.arg]) for r in program.stages()]
    finals = [e for e, per_row in zip(program.outputs, program.out_rows) if not per_row]
    loops.append((None, finals))
    cached, claimed = {}, set()
    for r, _ in loops[:-1]:
        a = r.arg
        if a.key() in cached or program.level(a) != "elem" or not expensive(a):
            continue
        for j, (e, per_row) in enumerate(zip(program.outputs, program.out_rows)):
            if per_row or j in claimed or e.dtype != a.dtype:
                continue
            if any(s.key() == a.key() for s in schedule([e])):
                cached[a.key()] = j
                claimed.add(j)
                break
    return loops, cached
