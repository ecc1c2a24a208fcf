"""GradientTape: records the ops that touch watched values, then runs their VJPs backwards.

Only ops with a watched input are recorded (a tape costs nothing for unrelated work);
outputs of recorded ops become watched. Trainable Variables read inside the tape are
watched automatically (``watch_accessed_variables``). Gradient ops run through the
ordinary dispatcher, so an outer tape records them: nesting gives higher-order
derivatives.
"""
from __future__ import annotations

import contextlib
import enum
import warnings

from .. import nest
from .. import tensor as _tensor_module
from ..ops.dispatch import _tls
from ..ops.registry import OPAQUE, OpDef
from ..indexed_slices import IndexedSlices
from ..tensor import Tensor, Variable
from . import backprop, explain

# Tensor.numpy() tells active tapes when a watched value leaves cuflow (one attribute
# test when no tape is active).
_tensor_module._tape_state = _tls


class NoGradientWarning(UserWarning):
    """gradient() returned None for every source; the message says where the chain broke."""


# Ops whose output does not depend on the input's values: not a broken chain.
_VALUE_FREE = frozenset(["shape", "size", "rank", "zeros_like", "ones_like",
                         "constant_fill", "argmax", "argmin"])


def _break_reason(op, outs):
    dtype = outs[0].dtype.name if outs else "?"
    if op.name == "stop_gradient":
        return "cf.stop_gradient (intentional)"
    if op.name == "cast":
        return f"cast to {dtype}: integer/bool results have no gradient"
    return f"op '{op.name}' has no gradient (output dtype {dtype})"


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for sources the target does not depend on."""
    NONE = "none"
    ZERO = "zero"


class _Entry:
    __slots__ = ("op", "in_keys", "inputs", "out_keys", "outputs", "attrs")

    def __init__(self, op, in_keys, inputs, out_keys, outputs, attrs):
        self.op = op
        self.in_keys = in_keys
        self.inputs = inputs
        self.out_keys = out_keys
        self.outputs = outputs
        self.attrs = attrs


_MAX_BREAKS = 32
# A variable read: the value tensor's gradient is the variable's.
_READ = OpDef("read_variable", OPAQUE, None, vjp=lambda g, out, v, token=None: (g,))


class GradientTape:
    """Records operations for automatic differentiation (``tf.GradientTape``).

    >>> import cuflow as cf
    >>> x = cf.constant(3.0)
    >>> with cf.GradientTape() as g:
    ...     g.watch(x)
    ...     y = x * x
    >>> float(g.gradient(y, x))
    6.0
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed = bool(watch_accessed_variables)
        self._watched: set[int] = set()
        self._keep: list = []            # watched sources, kept alive so ids stay unique
        self._variables: dict[int, Variable] = {}
        self._entries: list[_Entry] = []
        self._recording = False
        self._used = False
        self._breaks: list[str] = []
        self._reads: dict[int, Variable] = {}   # id(value tensor) -> variable
        self._aliases: dict = {}   # (id(variable), id(value)) -> key, for shared values
        self._quiet = False               # jacobian rows: no per-row warnings
        self._last_explanation = None

    # --- context --------------------------------------------------------------------------
    def __enter__(self):
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape cannot be re-entered after "
                               "gradient() was called; create a new tape")
        _tls.tapes.append(self)
        self._recording = True
        return self

    def __exit__(self, *exc):
        self._recording = False
        tapes = _tls.tapes
        if self in tapes:
            tapes.remove(self)
        return False

    @contextlib.contextmanager
    def stop_recording(self):
        """Ops inside this block are not recorded on this tape."""
        was = self._recording
        self._recording = False
        try:
            yield
        finally:
            self._recording = was

    def reset(self):
        """Forgets everything recorded so far (the tape keeps recording)."""
        self._watched.clear()
        self._keep.clear()
        self._variables.clear()
        self._entries.clear()
        self._breaks.clear()
        self._reads.clear()
        self._aliases.clear()

    # --- watching -------------------------------------------------------------------------
    def watch(self, tensor):
        """Watches a tensor, a variable, or a nested structure of them."""
        for t in nest.flatten(tensor):
            if isinstance(t, Variable):
                self._watch_variable(t)
            elif isinstance(t, Tensor):
                if id(t) not in self._watched:
                    self._watched.add(id(t))
                    self._keep.append(t)
            elif hasattr(t, "_as_variable"):
                self._watch_variable(t._as_variable())
            else:
                raise ValueError(f"GradientTape.watch: expected tensors or variables, got "
                                 f"{type(t).__name__}")

    def _watch_variable(self, v):
        k = id(v)
        if k not in self._variables:
            self._variables[k] = v
            self._watched.add(k)

    def watched_variables(self):
        """The variables this tape watches, in the order first watched."""
        return tuple(self._variables.values())

    # --- recording (called by the dispatcher) ---------------------------------------------------
    def _record(self, op, args, result, attrs):
        watched = self._watched
        hit = literal = False
        in_keys = []
        inputs = []
        for a in args:
            t = type(a)
            if t is Tensor or (t is not Variable and isinstance(a, Tensor)):  # symbolic too
                k = id(a)
                if k not in watched:
                    k = None          # unwatched inputs get no gradient (as in TF)
            elif isinstance(a, Variable):
                k = id(a)
                if k not in watched and self._watch_accessed and a.trainable:
                    self._watch_variable(a)
                k = self._read(a) if k in watched else None
                a = a._tensor
            else:
                k = None
                literal = True
            if k is not None:
                hit = True
            in_keys.append(k)
            inputs.append(a)
        if not hit:
            return
        if literal and op.strict:
            inputs = _typed_literals(inputs)
        if type(result) is tuple:
            outs = result
            ok = any(_differentiable(o) for o in outs)
        else:   # the common single output: no generators (this runs once per op)
            outs = (result,)
            dt = result.dtype
            ok = dt.is_floating or dt.is_complex
        if not ok or not op.differentiable:
            if op.name not in _VALUE_FREE:
                self._note_break(_break_reason(op, outs))
            return
        if len(outs) == 1:
            out_keys = (id(outs[0]),)
            watched.add(out_keys[0])
        else:
            out_keys = tuple([id(o) for o in outs])
            watched.update(out_keys)
        self._entries.append(_Entry(op, tuple(in_keys), tuple(inputs), out_keys, outs,
                                    attrs))

    def _read(self, v):
        """The key of variable ``v``'s current value, recording the read once.

        Like TF's ReadVariableOp: ops see the value tensor, whose gradient flows to the
        variable. VJPs then use that tensor, which this tape (and every outer tape) has
        watched, so nested tapes differentiate through variable reads too."""
        value = v._tensor
        k = id(value)
        owner = self._reads.get(k)
        if owner is v:
            return k
        if owner is None:
            self._reads[k] = v
            self._watched.add(k)
            self._entries.append(_Entry(_READ, (id(v),), (v,), (k,), (value,), {}))
            return k
        # Two variables built from one tensor object share their value: give this one its
        # own key (first order is exact; nested tapes see the first variable's key).
        alias = self._aliases.get((id(v), k))
        if alias is None:
            token = (v, value)
            alias = id(token)
            self._aliases[(id(v), k)] = alias
            self._watched.add(alias)
            self._entries.append(_Entry(_READ, (id(v),), (v,), (alias,), (value,),
                                        {"token": token}))
        return alias

    def _note_break(self, what):
        if len(self._breaks) < _MAX_BREAKS:
            self._breaks.append(f"{what}, at {explain.source_line()}")

    def _note_numpy(self, t):
        """Called by Tensor.numpy() while a tape is active (float(), np.asarray too)."""
        if self._recording and id(t) in self._watched:
            self._note_break(f"a watched tensor (shape {tuple(t.shape)}, {t.dtype.name}) "
                             "was turned into a NumPy/Python value (.numpy(), float(), "
                             "np.asarray): anything computed from that value has no "
                             "gradient")

    def chain_breaks(self):
        """Where a watched value's gradient chain was cut (non-differentiable ops,
        integer casts, ``.numpy()`` round trips), with the user's source line of each."""
        return list(self._breaks)

    # --- gradients --------------------------------------------------------------------------
    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE, _slices=True):
        """d(target)/d(sources), structured like ``sources``; None where unconnected; an
        IndexedSlices for a source read only by row gathers (TF's). cuflow's own callers
        that need tensors pass ``_slices=False``."""
        if self._used and not self._persistent:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute "
                               "one set of gradients (or jacobians); use "
                               "GradientTape(persistent=True) to call gradient() repeatedly")
        unconnected = UnconnectedGradients(getattr(unconnected_gradients, "value",
                                                   unconnected_gradients))
        flat_sources = nest.flatten(sources)
        for s in flat_sources:
            if not isinstance(s, (Tensor, Variable)) and not hasattr(s, "_as_variable"):
                raise ValueError(f"GradientTape.gradient: sources must be tensors or "
                                 f"variables, got {type(s).__name__}")
        # an IndexedSlices target (a first gradient, differentiated again) is its values,
        # as TF's composite-tensor gradients take it
        flat_targets = [t.values if isinstance(t, IndexedSlices) else t
                        for t in nest.flatten(target)]
        flat_og = None if output_gradients is None else nest.flatten(output_gradients)
        was = self._recording
        self._recording = False
        try:
            grads = backprop.run(self._entries, flat_targets, flat_og,
                                 [_source_var(s) for s in flat_sources],
                                 unconnected is UnconnectedGradients.ZERO, _slices)
        finally:
            self._recording = was
        for i, src in enumerate(flat_sources):
            # an unwatched tensor has no gradient, even w.r.t. itself (as in TF)
            if isinstance(src, Tensor) and id(src) not in self._watched:
                grads[i] = None
                if unconnected is UnconnectedGradients.ZERO:
                    from ..ops.array_ops import zeros_like
                    grads[i] = zeros_like(src)
        if flat_sources and not self._quiet and all(g is None for g in grads):
            self._last_explanation = explain.explain(self, flat_targets, flat_sources)
            warnings.warn(self._last_explanation, NoGradientWarning, stacklevel=2)
        if not self._persistent:
            self._used = True
            self._entries = []
            self._keep = []
            self._reads = {}
            self._aliases = {}
        return nest.pack_sequence_as(sources, grads)

    def explain_gradients(self, target=None, sources=None):
        """Why ``gradient(target, sources)`` is None: unwatched or integer sources, a
        target not computed on this tape, and every place the chain was cut (with the
        user's source line). Without arguments: the explanation of the last all-None
        gradient() call."""
        if target is None:
            return self._last_explanation or "no all-None gradient() call so far"
        return explain.explain(self, nest.flatten(target),
                               [_source_var(s) for s in nest.flatten(sources)])

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """Full Jacobian: result[i] has shape target.shape + sources[i].shape."""
        from . import jacobians
        return jacobians.jacobian(self, target, sources, unconnected_gradients)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobian of target [B, ...] w.r.t. source [B, ...]."""
        from . import jacobians
        return jacobians.batch_jacobian(self, target, source, unconnected_gradients)


def _source_var(s):
    return s._as_variable() if hasattr(s, "_as_variable") else s


def _typed_literals(inputs):
    """An op's Python/NumPy inputs as tensors of its tensors' dtype (the dtype the op ran
    them in), so its VJP computes in that dtype (``x_f64 * 0.5`` -> float64 gradient)."""
    dt = next((x.dtype for x in inputs if isinstance(x, Tensor)), None)
    if dt is None or all(isinstance(x, Tensor) for x in inputs):
        return inputs
    import numpy as np

    from ..ops.constant import _place
    dev = next(x._device for x in inputs if isinstance(x, Tensor))
    plain = (int, float, bool, complex, list, tuple, np.ndarray, np.generic)
    return [_place(np.asarray(x).astype(dt.np), dev) if isinstance(x, plain) else x
            for x in inputs]


def _differentiable(t):
    dt = t.dtype
    return dt.is_floating or dt.is_complex
