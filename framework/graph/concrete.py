"""ConcreteFunction: one traced graph, optimized by the pass pipeline, run by the executor."""
from __future__ import annotations

import numpy as np

from .. import nest
from ..errors import InvalidArgumentError
from ..ops import dispatch as _dispatch
from ..ops.dispatch import _tls
from ..tensor import Tensor, Variable
from ..tensor_spec import TensorSpec
from . import signature as _sig
from .executor import Executor
from .ir import clone
from .tracing import SymbolicTensor


class ConcreteFunction:
    """A graph specialized to one input signature (``tf.types.experimental.ConcreteFunction``)."""

    def __init__(self, graph, structured_outputs, struct, name, jit_compile, key):
        from . import passes
        self.name = name
        self.traced_graph = graph
        self._struct = struct
        self._structured_outputs = structured_outputs
        self._key = key
        self.jit_compile = jit_compile
        optimized = clone(graph)
        self.report = passes.optimize(optimized, jit_compile=bool(jit_compile))
        self.graph = optimized
        self._executor = Executor(optimized, graph.device)
        from ..config import knobs
        if knobs.debug >= 2:
            import sys
            print(f"[cuflow graph] {name}: {len(graph.nodes)} traced nodes -> "
                  f"{len(optimized.nodes)} after passes\n  " + "\n  ".join(self.report),
                  file=sys.stderr)
        self._device = graph.device
        self._call_op = None
        self._grad_fn = None
        self._input_structure = None
        self._shown_outputs = None

    # --- introspection --------------------------------------------------------------------
    @property
    def inputs(self):
        return list(self.graph.inputs)

    @property
    def outputs(self):
        return list(self.graph.outputs)

    @property
    def variables(self):
        return tuple(var for _, var in self.traced_graph.captures)

    @property
    def trainable_variables(self):
        return tuple(v for v in self.variables if v.trainable)

    @property
    def structured_input_signature(self):
        """(positional args, keyword args) as traced, tensors as TensorSpecs (TF's)."""
        if self._input_structure is not None:
            return self._input_structure
        return tuple(TensorSpec(p[2], p[3], name=p[0]) for p in self._key if p[1] == "T"), {}

    @property
    def structured_outputs(self):
        """The traced outputs; tensors named as TF names them (each output passes through
        an Identity op: ``Identity:0``, ``Identity_1:0``, ...)."""
        if self._shown_outputs is None:
            count = iter(range(1 << 30))

            def show(x):
                if not isinstance(x, SymbolicTensor):
                    return x
                n = next(count)
                return _OutputTensor(x, "Identity" if n == 0 else f"Identity_{n}")
            self._shown_outputs = nest.map_structure(show, self._structured_outputs)
        return self._shown_outputs

    def pretty_printed_signature(self, verbose=True):
        """TF's signature text: each parameter with its kind and TensorSpec (or the
        Python value it was traced with), the output type and the captured variables."""
        args, kwargs = self.structured_input_signature
        params = getattr(self, "_params", None) or []
        lines = ["Input Parameters:"]
        values = list(args) + [kwargs[k] for k in sorted(kwargs)]
        names = [p.name for p in params[:len(args)]] + sorted(kwargs)
        kinds = {p.name: str(p.kind) for p in params}
        for i, v in enumerate(values):
            n = names[i] if i < len(names) else f"args_{i}"
            lines.append(f"  {n} ({kinds.get(n, 'POSITIONAL_OR_KEYWORD')}): {_spec_text(v)}")
        lines += ["Output Type:", f"  {_spec_text(self._structured_outputs)}", "Captures:"]
        caps = self.variables
        lines += [f"  {id(v)}: TensorSpec(shape=(), dtype=cf.resource, name=None)"
                  for v in caps] if caps else ["  None"]
        return "\n".join(lines)

    def __repr__(self):
        return f"ConcreteFunction {self.pretty_printed_signature()}"

    __str__ = __repr__

    def pretty(self):
        return self.graph.pretty()

    def compiler_report(self):
        """The optimized graph, each pass's notes, the fusion report and kernel sources."""
        parts = ["== optimized graph ==", self.graph.pretty(), "", "== passes =="]
        parts += self.report or ["(none)"]
        kernels = [n for n in self.graph.nodes if isinstance(n.extra, dict)
                   and "kernel" in n.extra]
        if kernels:
            from ..config import knobs
            parts.append(f"(calls on fewer than {knobs.fuse_min_size} elements run the "
                         "fused ops through NumPy: CUFLOW_FUSE_MIN_SIZE)")
        for n in kernels:
            k = n.extra["kernel"]
            title = (f"== kernel {k.name} ({n.extra.get('n_ops', '?')} ops; "
                     f"compile {k.compile_seconds * 1e3:.0f} ms) ==")
            parts += ["", title, k.source]
        return "\n".join(parts)

    # --- calls ---------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        names = [p.name for p in (getattr(self, "_params", None) or [])]
        variables = []
        key, leaves = _sig.call_key(args, kwargs, names, variables)
        traced = {p[0]: p for p in self._key if p[1] == "P"}
        for p in key:
            q = traced.get(p[0])
            if p[1] == "P" and q is not None and q[3] != p[3]:   # TF: literals are fixed
                raise TypeError(f"ConcreteFunction {self.name} was constructed with "
                                f"{type(q[3]).__name__} value {q[3]!r} in {p[0]}, but was "
                                f"called with {type(p[3]).__name__} value {p[3]!r}.")
        want = [p for p in self._key if p[1] == "C"]
        got = [p for p in key if p[1] == "C"]
        if len(want) != len(got) or any(p[2] != q[2] or not _sig.covers((p,), (q,))
                                        for p, q in zip(want, got)):
            raise TypeError(f"ConcreteFunction {self.name}: composite arguments "
                            f"{[_sig.spec_of_part(q) for q in got]} do not match its "
                            f"signature {[_sig.spec_of_part(p) for p in want]}")
        ins = self.traced_graph.inputs
        bad = len(leaves) != len(ins) or any(
            not v.shape.is_compatible_with(tuple(np.shape(x) if not isinstance(x, Tensor)
                                                 else x.shape)) or
            v.dtype.name != _dtype_name(x) for v, x in zip(ins, leaves))
        if bad:
            raise InvalidArgumentError(
                None, self.name, f"ConcreteFunction {self.name}: arguments "
                f"{[(tuple(getattr(x, 'shape', ())), _dtype_name(x)) for x in leaves]} do "
                f"not match its signature {self.structured_input_signature}")
        return self._call_leaves(leaves, variables)

    def _call_leaves(self, leaves, variables=()):
        proxies = getattr(self.traced_graph, "variable_proxies", ())
        if proxies:
            return self._call_bound(leaves, variables, proxies)
        return self._call_leaves_unbound(leaves)

    def _call_leaves_unbound(self, leaves):
        arrays = []
        for leaf in leaves:
            if type(leaf) is Tensor:
                arrays.append(leaf._value)
            elif isinstance(leaf, Tensor):
                if leaf._sym is not None:
                    raise InvalidArgumentError(
                        None, self.name, f"{self.name}: got the symbolic tensor "
                        f"{leaf._sym.name} from another trace")
                arrays.append(leaf._value)
            else:
                arrays.append(np.asarray(leaf))
        outs = self._executor.run(arrays)
        dev = self._device
        tensors = [Tensor(a, dev) for a in outs]
        if _tls.tapes and tensors:
            self._record(leaves, tensors)
        it = iter(tensors)
        flat = [next(it) if s is _OUT else s.build(it) if type(s) in _BUILT else s
                for s in self._struct]
        if not flat:
            return None if self._structured_outputs is None else self._structured_outputs
        return _pack(self._structured_outputs, iter(flat))

    def _call_bound(self, leaves, variables, proxies):
        """Variable arguments: each stand-in variable of the trace reads (and writes) the
        caller's variable for the duration of the call."""
        if len(variables) != len(proxies):
            raise TypeError(f"{self.name}: expected {len(proxies)} variable arguments, got "
                            f"{len(variables)}")
        before = []
        for proxy, var in zip(proxies, variables):
            proxy._tensor = var._tensor
            before.append(var._tensor)
        self._bound = {id(p): v for p, v in zip(proxies, variables)}
        try:
            out = self._call_leaves_unbound(leaves)
        finally:
            self._bound = None
            for proxy, var, old in zip(proxies, variables, before):
                if proxy._tensor is not old:     # assigned inside: write it back
                    var._set_tensor(proxy._tensor)
        return out

    def _record(self, leaves, tensors):
        from .function import call_op
        if self._call_op is None:
            self._call_op = call_op(self)
        args = [x if isinstance(x, Tensor) else Tensor(np.asarray(x), self._device)
                for x in leaves]
        bound = getattr(self, "_bound", None) or {}
        args += [bound.get(id(var), var) for _, var in self.traced_graph.captures]
        result = tensors[0] if len(tensors) == 1 else tuple(tensors)
        _dispatch._record(_tls.tapes, self._call_op, args, result, {})

    def _grad_function(self):
        if self._grad_fn is None:
            from .function import grad_function
            self._grad_fn = grad_function(self)
        return self._grad_fn


def _pack(t, it):
    """nest.pack_sequence_as without a self-referencing closure (that cycle kept every
    call's outputs alive until the next garbage collection)."""
    if nest.is_nested(t):
        return nest._rebuild(t, [_pack(c, it) for c in nest._children(t)])
    return next(it)


def _dtype_name(x):
    from .. import dtypes as _dt
    return _dt.as_dtype(getattr(x, "dtype", np.asarray(x).dtype)).name


from .function import _OUT

__all__ = ["ConcreteFunction", "Variable"]


def _spec_text(x):
    """A traced value as TF prints it in a signature (TensorSpec, Literal[...], nests)."""
    from ..tensor import Tensor
    from ..tensor_spec import TensorSpec, TypeSpec
    if isinstance(x, TensorSpec):
        return repr(TensorSpec(x.shape, x.dtype))
    if isinstance(x, TypeSpec):
        return repr(x)
    if getattr(type(x), "_is_composite", False):
        return repr(x._type_spec)
    if isinstance(x, Tensor):
        return repr(TensorSpec(x.shape, x.dtype))
    if isinstance(x, dict):
        return "Dict[" + ", ".join(f"[{k!r}, {_spec_text(v)}]" for k, v in x.items()) + "]"
    if isinstance(x, (list, tuple)):
        kind = "Tuple" if isinstance(x, tuple) else "List"
        return f"{kind}[" + ", ".join(_spec_text(v) for v in x) + "]"
    if x is None:
        return "None"
    return f"Literal[{x!r}]"


class _OutputTensor(SymbolicTensor):
    """A traced output as ``structured_outputs`` shows it (TF's Identity name)."""

    __slots__ = ("_shown",)

    def __init__(self, src, shown):
        super().__init__(src._sym, src._device)
        self._shown = shown

    def __str__(self):
        return _rename(super().__str__(), self._shown)

    def __repr__(self):
        return _rename(super().__repr__(), self._shown)


def _rename(text, name):
    start = text.index("'" if text.startswith("<") else '"') + 1
    return text[:start] + name + text[text.index(":", start):]


class SlicesOut:
    """Marks an IndexedSlices output: its values, indices (and dense_shape) are ``n``
    consecutive graph outputs, rebuilt into an IndexedSlices per call (as TF returns a
    composite tensor from a tf.function)."""

    __slots__ = ("n", "shape")

    def __init__(self, n, shape):
        self.n, self.shape = n, shape

    def build(self, it):
        from ..indexed_slices import IndexedSlices
        parts = [next(it) for _ in range(self.n)]
        out = IndexedSlices(*parts)
        out._static_shape = self.shape
        return out


class CompositeOut:
    """Marks a composite output (RaggedTensor, SparseTensor): its component tensors are
    consecutive graph outputs, rebuilt by its spec per call."""

    __slots__ = ("spec", "n")

    def __init__(self, spec):
        self.spec, self.n = spec, len(spec._component_specs)

    def build(self, it):
        return self.spec._from_components([next(it) for _ in range(self.n)])


_BUILT = (SlicesOut, CompositeOut)
