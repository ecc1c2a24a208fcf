"""fuse_elementwise: chains of elementwise ops become one generated kernel.

Walks the nodes in program order and grows groups: an elementwise node with a scalar
spelling joins the group of one of its producers when its output has the group's shape
(broadcast inputs are fine; each input is indexed by its broadcast pattern). Values a
group produces and something outside uses become extra kernel outputs (multi-output
fusion). A chain stops, with the reason recorded, at:

  * a non-elementwise op (reduction, matmul, movement, ...);
  * an op the codegen cannot spell (no ``scalar`` in the registry / renderer table);
  * a dtype the target cannot compute (float16/bfloat16/complex on the CPU);
  * a shape change (the consumer's output is bigger: a broadcast to a new loop);
  * a cycle (the node also needs a value computed *from* the group by an outside op).

Single-op groups stay NumPy calls unless ``jit_compile=True`` or the output is large
(then a parallel generated loop beats a single-threaded NumPy ufunc, notably when it
broadcasts). Under a size floor (``knobs.fuse_min_group``: Keras ``fit`` on the CPU) a
group smaller than the floor, or with one computing op, stays NumPy calls too; and at run
time a chain whose strided inputs would cost more copies than it saves passes runs its
ops through NumPy (measured in bench/fit_fusion_bench.py).
"""
from __future__ import annotations

import numpy as np
from cuflow_kernels.codegen import render_numba
from cuflow_kernels.codegen.expr import Const, In, Op, Program

from ...config import knobs as _knobs
from ...errors import InvalidArgumentError
from ...ops.registry import ELEMENTWISE, OpDef
from ..ir import Node

RENAME = {"select_v2": "select"}
PASS_THROUGH = {"identity", "stop_gradient"}


def numpy_step(op):
    """How a fused node runs member ``op`` through NumPy (tiny inputs): its CPU kernel
    override when it has one (the C softmax / cross-entropy / relu_grad rows), else impl.
    Called as ``f(np, *arrays, **attrs)``; only ever with NumPy arrays."""
    kernel = op.kernels.get("CPU") if op.kernels else None
    if kernel is None:
        return op.impl
    return lambda xp, *arrays, **attrs: kernel(*arrays, **attrs)


def _spellable(node):
    """None if the node can be fused, else the reason it cannot."""
    op = node.op
    if op.kind != ELEMENTWISE or op.n_out != 1:
        return f"{op.name} is a {op.kind} op, not elementwise"
    name = RENAME.get(op.name, op.name)
    if op.scalar is None or name not in render_numba.CODE_FOR_OP:
        return f"{op.name} has no scalar spelling for the codegen"
    dts = [v.dtype.np.name for v in node.inputs] + [node.outputs[0].dtype.np.name]
    bad = [d for d in dts if d not in render_numba.SUPPORTED_DTYPES]
    if bad:
        return f"{op.name} on {bad[0]} is not supported by the CPU codegen"
    if op.name == "floordiv" and node.inputs[0].dtype.is_integer:
        return "integer floordiv checks for division by zero (left to NumPy)"
    if node.outputs[0].shape.rank is None:
        return f"{op.name} has an output of unknown rank"
    return None


def _can_merge(a, b, dep, producer_group):
    """Two chains feeding one node can share a kernel unless an outside op sits between."""
    for x, y in ((a, b), (b, a)):
        for m in y.nodes:
            for u in m.inputs:
                if producer_group.get(u.id) is not y and x.id in dep(u):
                    return False
    return True


def _merge(into, other, group_of, producer_group, deps):
    for m in other.nodes:
        group_of[m.id] = into
        producer_group[m.outputs[0].id] = into
    into.nodes.extend(other.nodes)
    into.stops.extend(other.stops)
    into.closed = into.closed or other.closed
    other.nodes = []
    for k, d in deps.items():
        if other.id in d:
            deps[k] = (d - {other.id}) | {into.id}


SINGLE_OP_KERNEL = 1 << 16   # a lone op this big gets a (parallel) kernel too
MAX_OPS = 128                # ops per generated kernel (compile time grows with size)


def group_elements(nodes):
    """The most elements of any value the nodes read or write (None if a shape is unknown)."""
    most = 1
    for m in nodes:
        for v in (*m.inputs, *m.outputs):
            if not v.shape.is_fully_defined():
                return None
            most = max(most, v.shape.num_elements())
    return most


def too_small(nodes, jit_compile, c_target=False):
    """Why the static size rule (``knobs.fuse_min_group``, set by Keras fit on the CPU)
    keeps these nodes out of a kernel, or None. ``c_target``: an elementwise group, which
    the C codegen target runs at ~1 us per call where a Numba kernel's dispatch cost the
    floor was measured against: no floor when the C target will take the group."""
    floor = _knobs.fuse_min_group
    if jit_compile or not floor:
        return None
    n = group_elements(nodes)
    if n is None or n >= floor:
        return None
    if c_target and _c_takes(nodes, n):
        return None
    return f"{n} elements < fuse_min_group {floor}"


def _c_takes(nodes, elements):
    """The C codegen target will run this group (compiler there, ops spelled, size)."""
    from cuflow_kernels.codegen import fused, render_c
    from cuflow_kernels.cpu import native
    if fused.CPU_TARGET == "numba" or not native.available():
        return False
    names = [RENAME.get(m.op.name, m.op.name) for m in nodes]
    for m, name in zip(nodes, names):
        dts = [v.dtype.np.name for v in m.inputs] + [m.outputs[0].dtype.np.name]
        if not render_c.supports(name, dts):
            return False
    return elements < fused.C_MAX_TRANSCENDENTAL or all(n in fused.CHEAP_OPS for n in names)


def _big(node):
    # not under a size floor (Keras fit on the CPU): a one-op kernel saves no memory pass,
    # and measured 0.5-1.0x NumPy there for 131K-614K elements (bench/fit_fusion_bench.py)
    shape = node.outputs[0].shape
    return not _knobs.fuse_min_group and shape.is_fully_defined() and \
        shape.num_elements() >= SINGLE_OP_KERNEL


def _work(nodes):
    """Member ops that compute (not identity, stop_gradient, conj or real of a real)."""
    return sum(1 for m in nodes if m.op.name not in PASS_THROUGH and not (
        m.op.name in ("conj", "real") and not m.inputs[0].dtype.is_complex))


class _Group:
    __slots__ = ("closed", "id", "nodes", "shape", "stops")

    def __init__(self, node, gid):
        self.nodes = [node]
        self.shape = node.outputs[0].shape.as_list()
        self.id = gid
        self.stops = []
        self.closed = None      # why no later node may join (something outside used it)


class _Fused:
    """A fused node's callable: the generated kernel, or for tiny inputs (where a
    parallel kernel launch costs more than the work, and compiling is not worth it) the
    member ops' own NumPy implementations in order."""

    __slots__ = ("c_small", "kernel", "name", "outs", "steps", "work")

    def __init__(self, kernel, steps, outs, work, c_small=False):
        self.kernel, self.steps, self.outs = kernel, steps, outs
        self.name = kernel.name
        self.work = work    # member ops that compute (not identity, conj of a real, ...)
        self.c_small = c_small  # small inputs run the C kernel (~1 us), not NumPy steps

    def __call__(self, xp, *arrays, out=None):
        if xp is np and (self._strided(arrays) or not self.c_small and _knobs.fuse_min_size
                         and max((a.size for a in arrays), default=1) < _knobs.fuse_min_size):
            vals = list(arrays)
            for impl, refs, attrs in self.steps:
                r = impl(np, *[vals[i] if i >= 0 else c for i, c in refs], **attrs)
                vals.append(np.asarray(r))
            res = [vals[i] for i in self.outs]
            return res[0] if len(res) == 1 else tuple(res)
        return self.kernel(*arrays, out=out)

    def _strided(self, arrays):
        """The kernel copies each non-contiguous input first (a memory pass NumPy's
        ufuncs avoid by reading strides); it pays only when the chain saves more passes
        than the copies cost: measured 0.1-0.2x for one or two ops on one transposed
        input, 3-5x for twelve ops on two (bench/fit_fusion_bench.py)."""
        copies = 0
        for a in arrays:
            if not a.flags.c_contiguous:
                copies += 1
        return copies and copies >= self.work - 1

    def __repr__(self):
        return self.name


def _run_fused(xp, *arrays, kernel, out=None):
    return kernel(xp, *arrays, out=out)


def run(graph, jit_compile=False, **_):
    from cuflow_kernels.codegen.fused import FusedKernel
    group_of: dict[int, _Group] = {}         # node id -> group
    producer_group: dict[int, _Group] = {}   # value id -> group that computes it
    deps: dict[int, frozenset] = {}          # value id -> groups it depends on
    groups: list[_Group] = []
    notes = []

    def dep(v):
        return deps.get(v.id, frozenset())

    for n in graph.nodes:
        reason = _spellable(n)
        if reason is not None:
            if jit_compile and n.op.kind == ELEMENTWISE and n.op.n_out == 1:
                raise InvalidArgumentError(
                    None, n.op.name, f"jit_compile=True: cannot compile {n!r}: {reason} "
                    f"(traced at {n.source})")
            d = frozenset().union(*[dep(v) for v in n.inputs]) if n.inputs else frozenset()
            for v in n.inputs:
                g = producer_group.get(v.id)
                if g is not None:
                    d = d | {g.id}
                    if not g.closed:
                        g.closed = f"{n.op.name} consumes its output: {reason}"
                        g.stops.append(g.closed)
            for o in n.outputs:
                deps[o.id] = d
            continue
        shape = n.outputs[0].shape.as_list()
        joined = None
        why = []
        for v in n.inputs:
            g = producer_group.get(v.id)
            if g is None or g is joined or any(g is x for x, _ in why):
                continue
            if g.closed:
                why.append((g, g.closed))
                continue
            if g.shape != shape:
                why.append((g, (f"{n.op.name} broadcasts to shape {shape} (the chain "
                                f"computes {g.shape})")))
                continue
            if any(g.id in dep(u) for u in n.inputs if producer_group.get(u.id) is not g):
                why.append((g, (f"{n.op.name} also needs a value computed from the chain "
                                "by a non-fused op (cycle)")))
                continue
            if joined is None:
                joined = g
            elif not g.closed and _can_merge(joined, g, dep, producer_group):
                _merge(joined, g, group_of, producer_group, deps)
        if joined is None:
            joined = _Group(n, len(groups))
            groups.append(joined)
            for g, text in why:
                g.stops.append(text)
        else:
            joined.nodes.append(n)
            if len(joined.nodes) >= MAX_OPS and not joined.closed:
                joined.closed = f"kernel size limit ({MAX_OPS} ops)"
                joined.stops.append(joined.closed)
        group_of[n.id] = joined
        for v in n.inputs:
            g = producer_group.get(v.id)
            if g is not None and g is not joined and not g.closed:
                g.closed = f"{n.op.name} uses a value of the chain"
        d = frozenset().union(*[dep(v) for v in n.inputs]) if n.inputs else frozenset()
        for v in n.inputs:
            g = producer_group.get(v.id)
            if g is not None and g is not joined:
                d = d | {g.id}
        deps[n.outputs[0].id] = d
        producer_group[n.outputs[0].id] = joined

    used_outside = _outside_uses(graph, group_of)
    replace = {}
    fused = 0
    order = {n.id: i for i, n in enumerate(graph.nodes)}
    for g in groups:
        g.nodes.sort(key=lambda m: order[m.id])
        if not g.nodes or len(g.nodes) < 2 and not jit_compile and not _big(g.nodes[0]):
            continue
        if all(n.op.name in PASS_THROUGH for n in g.nodes):
            continue
        small = too_small(g.nodes, jit_compile, c_target=True)
        if not small and _knobs.fuse_min_group and not jit_compile and _work(g.nodes) < 2:
            small = "one computing op (conj/identity of a real are free)"
        if small:
            notes.append(f"{len(g.nodes)} ops [{' -> '.join(m.op.name for m in g.nodes)}] "
                         f"left to NumPy ({small})")
            continue
        node = _build(g, used_outside, FusedKernel)
        replace[g.nodes[-1].id] = node
        for m in g.nodes[:-1]:
            replace[m.id] = None
        fused += 1
        ops = " -> ".join(m.op.name for m in g.nodes)
        stops = "; ".join(dict.fromkeys(g.stops)) or "end of the graph"
        notes.append(f"{node.op.name}: {len(g.nodes)} ops [{ops}] into 1 kernel with "
                     f"{len(node.inputs)} inputs, {len(node.outputs)} outputs; "
                     f"stopped because: {stops}")
    for g in groups:
        if len(g.nodes) == 1 and not jit_compile and g.nodes[0].op.name not in PASS_THROUGH \
                and not _big(g.nodes[0]):
            notes.append(f"{g.nodes[0].op.name} left to NumPy (a chain of one op; "
                         f"{'; '.join(dict.fromkeys(g.stops)) or 'no fusable neighbour'})")
    if replace:
        out = []
        for n in graph.nodes:
            r = replace.get(n.id, n)
            if r is not None:
                out.append(r)
        graph.nodes = out
    return notes


def _outside_uses(graph, group_of):
    used = {v.id for v in graph.outputs}
    for n in graph.nodes:
        g = group_of.get(n.id)
        for v in n.inputs:
            p = v.producer
            if p is not None and p.id in group_of and group_of[p.id] is not g:
                used.add(v.id)
    return used


def _build(g, used_outside, FusedKernel):
    members = {m.id for m in g.nodes}
    ext: list = []
    ext_index: dict[int, int] = {}
    exprs: dict[int, object] = {}

    def leaf(v):
        if v.id in exprs:
            return exprs[v.id]
        if v.const is not None and np.size(v.const) == 1 and v.shape.rank == 0:
            e = Const(np.asarray(v.const).reshape(()).item(), v.dtype.np)
        else:
            if v.id not in ext_index:
                ext_index[v.id] = len(ext)
                ext.append(v)
            e = In(ext_index[v.id], v.dtype.np)
        exprs[v.id] = e
        return e

    outs = []
    for m in g.nodes:
        args = [exprs[v.id] if (v.producer is not None and v.producer.id in members)
                else leaf(v) for v in m.inputs]
        o = m.outputs[0]
        name = RENAME.get(m.op.name, m.op.name)
        if name in PASS_THROUGH:
            e = args[0]
        else:
            e = Op(name, args, o.dtype.np)
        exprs[o.id] = e
        if o.id in used_outside:
            outs.append(o)
    program = Program([v.dtype.np for v in ext], [exprs[o.id] for o in outs])
    slot = {v.id: i for i, v in enumerate(ext)}
    steps = []
    for m in g.nodes:
        refs = [(slot[v.id], None) if v.id in slot else (-1, v.const) for v in m.inputs]
        steps.append((numpy_step(m.op), refs, dict(m.attrs)))
        slot[m.outputs[0].id] = len(ext) + len(steps) - 1
    kernel = _Fused(FusedKernel(program), steps, [slot[o.id] for o in outs], _work(g.nodes),
                    c_small=_c_takes(g.nodes, 0))
    op = OpDef(f"fused_{len(g.nodes)}x_{program.key()[:6]}", ELEMENTWISE, _run_fused,
               n_out=len(outs), differentiable=False)
    node = Node(op, ext, {"kernel": kernel}, g.nodes[-1].source)
    node.outputs = tuple(outs)
    for i, o in enumerate(outs):
        o.producer, o.index = node, i
    node.extra = {"kernel": kernel.kernel, "n_ops": program.n_ops(),
                  "ops": [m.op.name for m in g.nodes]}
    return node
