"""A tiny scalar expression IR for fused elementwise kernels.

A ``Program`` has typed inputs, and outputs that are expression trees over them:
``In(i)``, ``Const(value, dtype)``, ``Op(name, args, dtype)`` (names from each
renderer's CODE_FOR_OP table), ``Cast(arg, dtype)`` and ``Where(c, a, b)`` (an Op
named ``select``). Broadcasting is not in the expression: the renderers index each
input by its broadcast pattern (which output dims it really has).

>>> from cuflow_kernels.codegen.expr import In, Const, Op, Program
>>> x = In(0, "float32")
>>> p = Program(["float32"], [Op("add", [Op("multiply", [x, x], "float32"),
...                                       Const(1.0, "float32")], "float32")])
>>> p.text()
'out0 = add(multiply(in0, in0), 1.0:float32)'
"""
from __future__ import annotations

import hashlib

import numpy as np


def _dtype_name(dtype) -> str:
    """NumPy's name for ``dtype``; 'bfloat16' needs ml_dtypes registered first."""
    if str(dtype) == "bfloat16":
        import ml_dtypes  # registers bfloat16 with NumPy
        return np.dtype(ml_dtypes.bfloat16).name
    return np.dtype(dtype).name


class Expr:
    __slots__ = ("dtype",)

    def key(self):
        raise NotImplementedError


class In(Expr):
    __slots__ = ("index",)

    def __init__(self, index, dtype):
        self.index = index
        self.dtype = _dtype_name(dtype)

    def key(self):
        return f"in{self.index}"


class Const(Expr):
    __slots__ = ("value",)

    def __init__(self, value, dtype):
        self.dtype = _dtype_name(dtype)
        self.value = np.asarray(value, dtype=self.dtype).item()

    def key(self):
        return f"{self.value!r}:{self.dtype}"


class Op(Expr):
    __slots__ = ("_key", "args", "name")

    def __init__(self, name, args, dtype):
        self.name = name
        self.args = list(args)
        self.dtype = _dtype_name(dtype)
        # built bottom-up once (no recursion, no recomputation for shared subtrees); a
        # cast's key names its target (two casts of one input to two dtypes are two values)
        head = f"cast<{self.dtype}>" if name == "cast" else self.name
        self._key = f"{head}({', '.join(a.key() for a in self.args)})"

    def key(self):
        return self._key


def Cast(arg, dtype):
    return Op("cast", [arg], dtype)


def Where(c, a, b):
    return Op("select", [c, a, b], a.dtype)


class Program:
    """Inputs (dtypes) and output expressions; ``key()`` is its stable hash."""

    def __init__(self, in_dtypes, outputs):
        self.in_dtypes = [_dtype_name(d) for d in in_dtypes]
        self.outputs = list(outputs)

    def text(self):
        return "\n".join(f"out{i} = {e.key()}" for i, e in enumerate(self.outputs))

    def key(self):
        text = f"{self.in_dtypes}|{self.text()}"
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def schedule(self):
        """Topologically ordered unique subexpressions (shared ones computed once)."""
        order, seen = [], set()
        for root in self.outputs:
            stack = [(root, False)]
            while stack:
                e, expanded = stack.pop()
                k = e.key()
                if k in seen:
                    continue
                if expanded or not isinstance(e, Op):
                    seen.add(k)
                    order.append(e)
                    continue
                stack.append((e, True))
                stack.extend((a, False) for a in reversed(e.args))
        return order

    def n_ops(self):
        return sum(1 for e in self.schedule() if isinstance(e, Op))


def assignments(program, names, spell):
    """What an elementwise renderer declares, in schedule order: ``(temporary, expr,
    text)`` for each op (temporaries t0, t1, ...; ``text`` is ``spell(expr, names)``), with
    constants inlined (their spelling goes into ``names``) and inputs skipped (the
    renderer named them). ``names`` gains each temporary as it is yielded."""
    t = 0
    for e in program.schedule():
        if isinstance(e, In):
            continue
        if isinstance(e, Const):
            names[e.key()] = spell(e, names)
            continue
        text = spell(e, names)
        names[e.key()] = f"t{t}"
        yield f"t{t}", e, text
        t += 1


def broadcast_plan(in_shapes, out_shape):
    """Coalesced (dims, patterns): dims of the loop nest, and per input a tuple of bools
    (True where the input really has that dim, False where it is broadcast)."""
    rank = len(out_shape)
    pats = []
    for s in in_shapes:
        s = (1,) * (rank - len(s)) + tuple(s)
        pats.append([d != 1 for d in s])
    keep = [i for i in range(rank) if out_shape[i] != 1]
    dims = [out_shape[i] for i in keep]
    pats = [[p[i] for i in keep] for p in pats]
    if not dims:
        return (1,), [(False,) for _ in in_shapes]
    cd, cp = [dims[0]], [[p[0]] for p in pats]
    for j in range(1, len(dims)):
        if all(p[j] == q[-1] for p, q in zip(pats, cp)):
            cd[-1] *= dims[j]
        else:
            cd.append(dims[j])
            for p, q in zip(pats, cp):
                q.append(p[j])
    return tuple(cd), [tuple(q) for q in cp]
