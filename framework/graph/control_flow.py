"""cond and while_loop as graph nodes holding subgraphs (used while tracing).

Each branch / loop body is traced into its own FuncGraph nested in the current one;
values from outside become captured inputs. The node's op runs the branch's compiled
executor at run time. Gradients: cond's VJP is a cond over the branches' VJPs (built by
replaying each branch under a tape, so higher orders work); while_loop's VJP is a
``while_grad`` node that, at run time, re-runs the loop eagerly under a tape and
differentiates the recorded iterations; its own VJP re-runs that under a second tape, and
so on (``rerun_vjp``), so gradients of any order flow through loops.
"""
from __future__ import annotations

import functools

import numpy as np

from .. import dtypes as _dt
from .. import nest
from ..errors import InvalidArgumentError, user_frame
from ..ops.dispatch import _tls
from ..ops.registry import OPAQUE, STATEFUL, OpDef
from ..tensor import Tensor, Variable
from ..tensor_shape import TensorShape
from .executor import Executor
from .ir import clone
from .tracing import FuncGraph, SymbolicTensor


class Branch:
    """A traced subgraph, its optimized executor and its output structure."""

    def __init__(self, fn, arg_specs, name, runtime_vars=()):
        outer = _tls.graph
        g = FuncGraph(name, outer=outer, device=outer.device)
        g.runtime_vars = set(runtime_vars)
        args = [g.placeholder(s, d) for s, d in arg_specs]
        self.n_args = len(args)
        with g:
            out = fn(*args)
            flat = nest.flatten(out)
            tensors = []
            for leaf in flat:
                if isinstance(leaf, Variable):
                    leaf = g.read_variable(leaf)
                if not isinstance(leaf, Tensor):
                    from ..ops.constant import convert_to_tensor
                    leaf = convert_to_tensor(leaf)
                tensors.append(leaf)
            g.outputs = [g.value_of(t) if t._sym is not None else g._const_of(t)
                         for t in tensors]
        self.structure = out
        self.graph = g
        from . import passes
        opt = clone(g)
        passes.optimize(opt)
        self.executor = Executor(opt, g.device)
        # outer tensors captured, in the order of the branch's extra inputs
        self.captured = [outer_v for outer_v, _ in g.outer_captures]
        self.sources = {v.id: g.capture_src[v.id] for v in self.captured}

    def run(self, arrays):
        return self.executor.run(arrays)


def _kind(*branches):
    """Stateful (kept in order, never dropped or merged) when a branch has side effects."""
    for b in branches:
        if any(n.op.kind == STATEFUL for n in b.graph.nodes):
            return STATEFUL
    return OPAQUE


def _outer_tensor(v):
    return SymbolicTensor(v, _tls.graph.device)


def _union(*branches):
    """Captured outer objects (tensors / Variables) of all branches, and per branch the
    positions of its captures in that list."""
    vals, index = [], {}
    for b in branches:
        for v in b.captured:
            if v.id not in index:
                index[v.id] = len(vals)
                vals.append(b.sources[v.id])
    maps = [[index[v.id] for v in b.captured] for b in branches]
    return vals, maps


# --- cond --------------------------------------------------------------------------------
class _CondSpec:
    def __init__(self, true, false, maps, out_avals):
        self.true, self.false, self.maps, self.out_avals = true, false, maps, out_avals


def _cond_impl(xp, pred, *caps, _cond):
    spec = _cond
    take = bool(pred.item() if hasattr(pred, "item") else pred)
    b, m = (spec.true, spec.maps[0]) if take else (spec.false, spec.maps[1])
    outs = b.run([caps[i] for i in m])
    return outs[0] if len(outs) == 1 else tuple(outs)


def _cond_vjp(g, out, pred, *caps, _cond):
    from ..ops.control_flow_ops import cond
    spec = _cond
    gs = list(g) if isinstance(g, tuple) else [g]
    float_idx = [i for i, c in enumerate(caps) if c.dtype.is_floating or c.dtype.is_complex]

    def branch_grad(b, m):
        def fn():
            from ..autodiff.tape import GradientTape
            from ..ops.array_ops import zeros_like
            from .function import replay
            xs = [caps[i] for i in m]
            with GradientTape() as tape:
                for x in xs:
                    tape.watch(x)
                outs = replay(b.graph, xs)
            pairs = [(o, gi) for o, gi in zip(outs, gs)
                     if gi is not None and (o.dtype.is_floating or o.dtype.is_complex)]
            res = tape.gradient([o for o, _ in pairs], xs,
                                output_gradients=[gi for _, gi in pairs],
                                _slices=False) if pairs else \
                [None] * len(xs)
            full = {}
            for i, r in zip(m, res):
                if r is not None:
                    full[i] = r if i not in full else full[i] + r
            return [full[i] if i in full else zeros_like(caps[i]) for i in float_idx]
        return fn
    if not float_idx:
        return (None,) * (1 + len(caps))
    res = cond(pred, branch_grad(spec.true, spec.maps[0]),
               branch_grad(spec.false, spec.maps[1]))
    res = list(res) if isinstance(res, (list, tuple)) else [res]
    out = [None] * len(caps)
    for i, r in zip(float_idx, res):
        out[i] = r
    return (None, *out)


def _avals_infer(*_, _cond=None, _while=None, **__):
    spec = _cond or _while
    avals = spec.out_avals
    return avals[0] if len(avals) == 1 else avals


def build_cond(pred, true_fn, false_fn):
    t = Branch(true_fn, [], "cond_true")
    f = Branch(false_fn, [], "cond_false")
    try:
        nest.assert_same_structure(t.structure, f.structure)
    except (ValueError, TypeError) as e:
        raise ValueError(f"cf.cond: true_fn and false_fn must return the same structure "
                         f"({e}) (at {user_frame()})") from None
    avals = []
    for i, (a, b) in enumerate(zip(t.graph.outputs, f.graph.outputs)):
        if a.dtype != b.dtype:
            raise TypeError(f"cf.cond: output {i} has dtype {a.dtype.name} in true_fn "
                            f"but {b.dtype.name} in false_fn (at {user_frame()})")
        sa, sb = a.shape, b.shape
        shape = TensorShape([x if x == y else None for x, y in zip(sa.as_list(),
                                                                    sb.as_list())]) \
            if sa.rank == sb.rank else TensorShape(None)
        avals.append((shape, a.dtype))
    if not avals and _kind(t, f) != STATEFUL:
        return t.structure
    caps, maps = _union(t, f)
    spec = _CondSpec(t, f, maps, avals)
    op = OpDef("cond", _kind(t, f), _cond_impl, n_out=len(avals), vjp=_cond_vjp,
               infer=_avals_infer)
    args = [pred] + caps
    res = _tls.graph.apply(op, args, {"_cond": spec})
    _tls.graph.reread_assigned([t, f])
    if not avals:
        return t.structure
    res = list(res) if isinstance(res, tuple) else [res]
    return nest.pack_sequence_as(t.structure, res)


# --- while_loop ----------------------------------------------------------------------------
class _WhileSpec:
    def __init__(self, cond, body, n, maps, out_avals, max_iter):
        self.cond, self.body, self.n, self.maps = cond, body, n, maps
        self.out_avals, self.max_iter = out_avals, max_iter


def _while_impl(xp, *arrays, _while):
    s = _while
    vs, caps = list(arrays[:s.n]), arrays[s.n:]
    cc = [caps[i] for i in s.maps[0]]
    bc = [caps[i] for i in s.maps[1]]
    i = 0
    while s.max_iter is None or i < s.max_iter:
        c = s.cond.run(vs + cc)[0]
        if not bool(c.item() if hasattr(c, "item") else c):
            break
        vs = s.body.run(vs + bc)
        i += 1
    return vs[0] if len(vs) == 1 else tuple(vs)


def _run_loop(s, *ts):
    """The loop run eagerly through the dispatcher (a tape around it records every
    iteration); ``ts``: loop variables then captures."""
    from .function import replay
    vs, caps = list(ts[:s.n]), ts[s.n:]
    cc = [caps[i] for i in s.maps[0]]
    bc = [caps[i] for i in s.maps[1]]
    i = 0
    while s.max_iter is None or i < s.max_iter:
        if not bool(replay(s.cond.graph, vs + cc)[0]):
            break
        vs = replay(s.body.graph, vs + bc)
        i += 1
    return vs


def _while_vjp(g, out, *inputs, _while):
    return rerun_vjp(functools.partial(_run_loop, _while), g, out, inputs, "while_grad")


# --- gradients by re-running eagerly, to any order -------------------------------------------
class _RerunSpec:
    """An opaque op's program: ``fn(*tensors) -> [tensors]`` run eagerly, and the avals of
    its outputs (for shape inference while tracing)."""

    def __init__(self, fn, out_avals, name):
        self.fn, self.out_avals, self.name = fn, out_avals, name


def _rerun_impl(xp, *arrays, _rerun):
    dev = _device_of(arrays)
    ts = [Tensor(a, dev) for a in arrays]
    saved = (_tls.graph, _tls.tapes)
    _tls.graph, _tls.tapes = None, []
    try:
        outs = _rerun.fn(*ts)
    finally:
        _tls.graph, _tls.tapes = saved
    res = tuple(o._value for o in outs)
    return res[0] if len(res) == 1 else res


def _rerun_op_vjp(g, out, *inputs, _rerun):
    return rerun_vjp(_rerun.fn, g, out, inputs, f"{_rerun.name}_grad")


def _grad_program(fn, n_in):
    """``(*xs, *gs) -> d<fn(xs), gs>/dxs`` computed eagerly under a tape (zeros where a
    float input is unconnected). Differentiating it again nests tapes: any order."""
    def grads(*ts):
        from ..autodiff.tape import GradientTape
        from ..ops.array_ops import zeros_like
        xs, gs = list(ts[:n_in]), list(ts[n_in:])
        with GradientTape(watch_accessed_variables=False) as tape:
            for x in xs:
                tape.watch(x)
            outs = fn(*xs)
        pairs = [(o, gi) for o, gi in zip(outs, gs) if o.dtype.is_floating or
                 o.dtype.is_complex]
        res = tape.gradient([o for o, _ in pairs], xs,
                            output_gradients=[gi for _, gi in pairs],
                                _slices=False) if pairs else \
            [None] * len(xs)
        return [r if r is not None else zeros_like(x) for r, x in zip(res, xs)]
    return grads


def rerun_vjp(fn, g, out, inputs, name):
    """The VJP of an op computing ``fn(*inputs)``: a ``name`` op that re-runs ``fn`` under a
    tape at run time; its own VJP does the same one order up."""
    from ..ops.array_ops import zeros_like
    from ..ops.dispatch import apply
    outs = out if isinstance(out, tuple) else (out,)
    gs = list(g) if isinstance(g, tuple) else [g]
    gs = [gi if gi is not None else zeros_like(o) for gi, o in zip(gs, outs)]
    spec = _RerunSpec(_grad_program(fn, len(inputs)), [(x.shape, x.dtype) for x in inputs],
                      name)
    op = OpDef(name, OPAQUE, _rerun_impl, n_out=len(inputs), vjp=_rerun_op_vjp,
               infer=_rerun_infer)
    res = apply(op, list(inputs) + gs, {"_rerun": spec})
    res = list(res) if isinstance(res, tuple) else [res]
    return tuple(r if (x.dtype.is_floating or x.dtype.is_complex) else None
                 for r, x in zip(res, inputs))


def _rerun_infer(*_, _rerun):
    avals = _rerun.out_avals
    return avals[0] if len(avals) == 1 else avals


def _device_of(arrays):
    """The Device holding ``arrays`` (NumPy: the CPU; CuPy: that array's GPU)."""
    from .. import placement
    for a in arrays:
        if not isinstance(a, (np.ndarray, np.generic)) and hasattr(a, "device"):
            return placement.parse(f"/GPU:{a.device.id}")
    return placement.parse("/CPU:0")


def build_while(cond_fn, body_fn, loop_vars, shape_invariants, max_iter):
    from ..ops.constant import convert_to_tensor
    flat = [convert_to_tensor(v) if not isinstance(v, (Tensor, Variable)) else v
            for v in nest.flatten(loop_vars)]
    flat = [v.read_value() if isinstance(v, Variable) else v for v in flat]
    inv = nest.flatten(shape_invariants) if shape_invariants is not None else \
        [None] * len(flat)
    specs = [(TensorShape(s) if s is not None else v.shape, v.dtype)
             for v, s in zip(flat, inv)]

    def trace(runtime_vars=()):
        return (Branch(lambda *a: cond_fn(*_as_args(loop_vars, a)), specs, "while_cond",
                       runtime_vars),
                Branch(lambda *a: nest.flatten(body_fn(*_as_args(loop_vars, a))), specs,
                       "while_body", runtime_vars))
    c, b = trace()
    assigned = {id(v) for br in (c, b) for v in br.graph.assigned_vars}
    if assigned & (c.graph.read_vars | b.graph.read_vars):
        c, b = trace(assigned)      # variables the loop assigns are re-read every iteration
    if len(b.graph.outputs) != len(flat):
        raise ValueError(f"cf.while_loop: body returned {len(b.graph.outputs)} values for "
                         f"{len(flat)} loop variables (at {user_frame()})")
    for i, ((shape, dt), o) in enumerate(zip(specs, b.graph.outputs)):
        if o.dtype != dt:
            raise TypeError(f"cf.while_loop: loop variable {i} enters with dtype {dt.name} "
                            f"but the body returns {o.dtype.name} (at {user_frame()})")
        if not shape.is_compatible_with(o.shape) or (
                shape_invariants is None and o.shape.as_list() != shape.as_list()):
            raise ValueError(
                f"cf.while_loop: loop variable {i} has shape {shape} before the loop, but "
                f"shape {o.shape} after one iteration. To allow the shape to vary across "
                f"iterations, use the `shape_invariants` argument (at {user_frame()})")
    caps, maps = _union(c, b)
    spec = _WhileSpec(c, b, len(flat), maps, specs, max_iter)
    op = OpDef("while", _kind(c, b), _while_impl, n_out=len(flat), vjp=_while_vjp,
               infer=_avals_infer)
    res = _tls.graph.apply(op, flat + caps, {"_while": spec})
    _tls.graph.reread_assigned([c, b])
    res = list(res) if isinstance(res, tuple) else [res]
    return nest.pack_sequence_as(loop_vars, res)


def _as_args(loop_vars, flat):
    """Body/cond arguments: the loop_vars structure repacked, one argument per element."""
    packed = nest.pack_sequence_as(loop_vars, list(flat))
    return list(packed) if isinstance(loop_vars, (list, tuple)) else [packed]


__all__ = ["InvalidArgumentError", "_dt", "build_cond", "build_while", "np"]
