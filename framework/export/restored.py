"""What ``cf.saved_model.load`` returns: restored objects, functions and signatures.

* ``_UserObject``: attributes as saved (variables, sub-objects, functions); the root
  also has ``signatures``.
* ``RestoredFunction``: a saved ``cf.function``; a call binds its arguments as TF does
  (defaults applied, keyword or positional) and runs the first traced concrete function
  whose signature accepts them, else raises as TF does.
* ``RestoredConcreteFunction``: one traced graph (a ``ConcreteFunction``), rebuilt from
  the file and run by the same executor as a fresh trace.
* ``SignatureFunction``: ``signatures[name]``; keyword tensors in, a dict out.
"""
from __future__ import annotations

import collections.abc
import inspect

import numpy as np

from .. import nest
from ..errors import InvalidArgumentError
from ..graph.concrete import ConcreteFunction
from ..graph.function import _OUT
from ..tensor import Tensor, Variable
from ..tensor_spec import TensorSpec

_NO_DEFAULT = object()


class _UserObject:
    """A restored object (TF's ``_UserObject``): saved attributes, nothing else."""

    def __call__(self, *args, **kwargs):
        fn = self.__dict__.get("__call__")
        if fn is None:
            raise TypeError(f"'{type(self).__name__}' object is not callable")
        return fn(*args, **kwargs)

    def _all_variables(self):
        out, seen = [], set()

        def walk(x):
            if id(x) in seen:
                return
            seen.add(id(x))
            if isinstance(x, Variable):
                out.append(x)
            elif isinstance(x, _UserObject):
                for k in sorted(vars(x)):
                    if k != "signatures":
                        walk(vars(x)[k])
            elif isinstance(x, (list, tuple)):
                for v in x:
                    walk(v)
            elif isinstance(x, dict):
                for v in x.values():
                    walk(v)
            elif isinstance(x, (RestoredFunction, RestoredConcreteFunction)):
                for v in x.variables:
                    walk(v)
        walk(self)
        return out

    # attributes saved under these names win (ExportArchive saves lists by these names)
    @property
    def variables(self):
        """Every variable the object holds or its functions use (a cuflow convenience:
        TF's restored objects have this only when it was saved as an attribute)."""
        if "variables" in self.__dict__:
            return self.__dict__["variables"]
        return self._all_variables()

    @property
    def trainable_variables(self):
        if "trainable_variables" in self.__dict__:
            return self.__dict__["trainable_variables"]
        return [v for v in self._all_variables() if v.trainable]

    @property
    def non_trainable_variables(self):
        if "non_trainable_variables" in self.__dict__:
            return self.__dict__["non_trainable_variables"]
        return [v for v in self._all_variables() if not v.trainable]


class _SignatureMap(collections.abc.Mapping):
    """``loaded.signatures``: name -> SignatureFunction (TF's ``_SignatureMap``)."""

    def __init__(self, items):
        self._items = dict(items)

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def __repr__(self):
        return f"_SignatureMap({self._items!r})"


# --- binding arguments to a traced signature ----------------------------------------------
def _match(structure, params, args, kwargs, convert):
    """The flat input leaves for a call of one traced signature, or raises TypeError.

    ``structure``: (args, kwargs) as traced (TensorSpecs and literals); ``params``:
    inspect.Parameters of the Python function; ``convert``: Python values may become
    tensors of a TensorSpec's dtype (as TF binds them)."""
    s_args, s_kwargs = structure
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                        p.POSITIONAL_OR_KEYWORD)]

    def name_of(i):
        return positional[i] if i < len(positional) else f"*args[{i}]"
    traced = [(name_of(i), a) for i, a in enumerate(s_args)] + sorted(s_kwargs.items())
    given = {name_of(i): a for i, a in enumerate(args)}
    for k, v in kwargs.items():
        if k in given:
            raise TypeError(f"got multiple values for argument '{k}'")
        given[k] = v
    defaults = {p.name: p.default for p in params if p.default is not p.empty}
    names = {n for n, _ in traced}
    for n in list(given):
        if n not in names and not (n in defaults and _same_literal(given[n], defaults[n])):
            raise TypeError(f"unexpected argument '{n}'")
    leaves = []
    for n, spec in traced:
        if n in given:
            value = given[n]
        elif n in defaults:
            value = defaults[n]
        else:
            raise TypeError(f"missing a required argument: '{n}'")
        _flatten_match(spec, value, n, convert, leaves)
    return leaves


def _flatten_match(spec, value, path, convert, leaves):
    if isinstance(spec, TensorSpec):
        leaves.append(_as_tensor(spec, value, path, convert))
        return
    if isinstance(spec, dict):
        if not isinstance(value, dict) or set(value) != set(spec):
            raise TypeError(f"{path}: expected a dict with keys {sorted(spec, key=repr)}, "
                            f"got {_show(value)}")
        for k in sorted(spec, key=repr):
            _flatten_match(spec[k], value[k], f"{path}[{k!r}]", convert, leaves)
        return
    if isinstance(spec, (list, tuple)):
        if not isinstance(value, (list, tuple)) or len(value) != len(spec):
            raise TypeError(f"{path}: expected a sequence of {len(spec)} elements, got "
                            f"{_show(value)}")
        for i, (s, v) in enumerate(zip(spec, value)):
            _flatten_match(s, v, f"{path}[{i}]", convert, leaves)
        return
    if not _same_literal(value, spec):
        raise TypeError(f"{path}: traced with the Python value {spec!r}, called with "
                        f"{_show(value)}")


def _same_literal(a, b):
    if isinstance(a, (Tensor, Variable, np.ndarray)) or isinstance(b, (Tensor, np.ndarray)):
        return False
    try:
        return bool(a == b) and (a is None) == (b is None)
    except Exception:       # noqa: BLE001 - objects that cannot be compared do not match
        return False


def _as_tensor(spec, value, path, convert):
    from .. import dtypes as _dt
    if isinstance(value, TensorSpec):        # get_concrete_function(TensorSpec)
        ok = value.dtype == spec.dtype and spec.shape.is_compatible_with(value.shape)
        if not ok:
            raise TypeError(f"{path}: {value} is not compatible with {spec}")
        return value
    if isinstance(value, Variable):
        value = value.read_value()
    if isinstance(value, np.ndarray) and value.dtype.kind in "USO":
        value = list(value.tolist()) if value.ndim else value.item()   # strings: converted
    if not isinstance(value, (Tensor, np.ndarray)):
        if not convert:
            raise TypeError(f"{path}: expected a tensor for {spec}, got {_show(value)}")
        from ..ops.constant import convert_to_tensor
        try:
            value = convert_to_tensor(value, dtype=spec.dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"{path}: cannot convert {_show(value)} to {spec}: {e}") from None
    dtype = value.dtype if isinstance(value, Tensor) else _dt.as_dtype(value.dtype)
    shape = tuple(value.shape)
    if dtype != spec.dtype or not spec.shape.is_compatible_with(shape):
        raise TypeError(f"{path}: Can not cast TensorSpec(shape={shape}, dtype="
                        f"{dtype.name}) to {spec}")
    return value


def _show(x):
    if isinstance(x, Tensor):
        return f"a tensor of shape {tuple(x.shape)} and dtype {x.dtype.name}"
    return f"{type(x).__name__} {x!r:.60}"


# --- functions ----------------------------------------------------------------------------
class RestoredConcreteFunction(ConcreteFunction):
    """One traced signature rebuilt from a SavedModel."""

    def __init__(self, graph, outputs, name, key, structure, params):
        struct = [_OUT if isinstance(x, TensorSpec) else x for x in nest.flatten(outputs)]
        super().__init__(graph, outputs, struct, name, None, key)
        self._input_structure = structure
        self._params = params
        self._outputs_spec = outputs

    @property
    def structured_outputs(self):
        """The output structure, each tensor as a TensorSpec (the graph is gone)."""
        return self._outputs_spec

    def _leaves(self, args, kwargs, convert=True):
        return _match(self._input_structure, self._params, args, kwargs, convert)

    def _call_leaves(self, leaves, variables=()):
        from ..ops.dispatch import _tls
        if _tls.graph is not None:        # called while tracing: inline the graph
            return self._inline(leaves)
        return super()._call_leaves(leaves, variables)

    def _inline(self, leaves):
        """Replays the graph through the dispatcher into the enclosing trace (variable
        assignments included), so a loaded function can be used inside a cf.function,
        a Keras train step or a Functional model."""
        from ..graph.ir import ASSIGN, PRINT, READ
        from ..ops.constant import convert_to_tensor
        from ..ops.dispatch import apply
        g = self.traced_graph
        env = {v.id: x for v, x in zip(g.inputs, leaves)}
        env.update((v.id, var.read_value()) for v, var in g.captures)
        env.update((v.id, convert_to_tensor(v.const)) for v in g.constants)
        for n in g.nodes:
            if n.op is ASSIGN:
                n.attrs["var"].assign(env[n.inputs[0].id])
            elif n.op is READ:
                env[n.outputs[0].id] = n.attrs["var"].read_value()
            elif n.op is not PRINT:
                out = apply(n.op, [env[v.id] for v in n.inputs], n.attrs)
                outs = (out,) if len(n.outputs) == 1 else out
                env.update((o.id, r) for o, r in zip(n.outputs, outs))
        it = iter(env[v.id] for v in g.outputs)
        flat = [next(it) if s is _OUT else s for s in self._struct]
        return nest.pack_sequence_as(self._outputs_spec, flat) if flat else None

    def __call__(self, *args, **kwargs):
        try:
            leaves = self._leaves(args, kwargs)
        except TypeError as e:
            raise TypeError(f"Binding inputs to tf.function failed due to `{e}`. Received "
                            f"args: {args} and kwargs: {kwargs} for signature: "
                            f"{_signature_text(self)}.") from None
        return self._call_leaves(leaves)


def _signature_text(c):
    args, kwargs = c.structured_input_signature
    names = [p.name for p in c._params]
    parts = [f"{names[i] if i < len(names) else f'args_{i}'}: {a!r}"
             for i, a in enumerate(args)] + [f"{k}: {v!r}" for k, v in kwargs.items()]
    return f"({', '.join(parts)}) -> {c.structured_outputs!r}"


class RestoredFunction:
    """A saved ``cf.function``: its traced concrete functions, callable as TF's
    ``RestoredFunction`` is."""

    def __init__(self, name, concretes, has_input_signature):
        self._name = name
        self._concretes = list(concretes)
        self._has_input_signature = has_input_signature

    @property
    def name(self):
        return self._name

    @property
    def concrete_functions(self):
        return list(self._concretes)

    def _list_all_concrete_functions(self):
        return list(self._concretes)

    @property
    def variables(self):
        out, seen = [], set()
        for c in self._concretes:
            for v in c.variables:
                if id(v) not in seen:
                    seen.add(id(v))
                    out.append(v)
        return out

    @property
    def trainable_variables(self):
        return [v for v in self.variables if v.trainable]

    def __call__(self, *args, **kwargs):
        errors = []
        for c in self._concretes:
            try:
                leaves = c._leaves(args, kwargs)
            except TypeError as e:
                errors.append(str(e))
                continue
            return c._call_leaves(leaves)
        if self._has_input_signature and self._concretes:
            raise TypeError(f"Binding inputs to tf.function failed due to `{errors[0]}`. "
                            f"Received args: {args} and kwargs: {kwargs} for signature: "
                            f"{_signature_text(self._concretes[0])}.")
        raise ValueError(self._no_match(args, kwargs))

    def get_concrete_function(self, *args, **kwargs):
        if not args and not kwargs and len(self._concretes) == 1:
            return self._concretes[0]
        for c in self._concretes:
            try:
                c._leaves(args, kwargs, convert=True)
            except TypeError:
                continue
            return c
        raise ValueError(self._no_match(args, kwargs))

    def _no_match(self, args, kwargs):
        lines = [("Could not find matching concrete function to call loaded from the "
                  "SavedModel. Got:"), f"  Positional arguments ({len(args)} total):"]
        lines += [f"    * {a!r}" for a in args]
        lines.append(f"  Keyword arguments: {kwargs}")
        lines.append(f"\n Expected these arguments to match one of the following "
                     f"{len(self._concretes)} option(s):")
        for i, c in enumerate(self._concretes):
            a, k = c.structured_input_signature
            lines += ["", f"Option {i + 1}:", f"  Positional arguments ({len(a)} total):"]
            lines += [f"    * {x!r}" for x in a]
            lines.append(f"  Keyword arguments: {k}")
        return "\n".join(lines)

    def pretty_printed_concrete_signatures(self, verbose=True):
        return "\n\n".join(c.pretty_printed_signature(verbose) for c in self._concretes)

    def __repr__(self):
        return f"<RestoredFunction {self._name} ({len(self._concretes)} concrete)>"


class SignatureFunction:
    """``signatures[name]``: the flat-signature view of one concrete function: keyword
    (or positional, in order) tensors in, a dict of named outputs out."""

    def __init__(self, concrete, input_names, output_names):
        self._concrete = concrete
        self._input_names = list(input_names)
        self._output_names = list(output_names)
        flat = nest.flatten(concrete._input_structure)
        self._specs = [s for s in flat if isinstance(s, TensorSpec)]
        self.name = concrete.name
        self.graph = concrete.graph

    @property
    def structured_input_signature(self):
        return (), {n: TensorSpec(s.shape, s.dtype, name=n)
                    for n, s in zip(self._input_names, self._specs)}

    @property
    def structured_outputs(self):
        flat = [x for x in nest.flatten(self._concrete.structured_outputs)
                if isinstance(x, TensorSpec)]
        return {n: TensorSpec(s.shape, s.dtype, name=n)
                for n, s in zip(self._output_names, flat)}

    @property
    def inputs(self):
        return self._concrete.inputs

    @property
    def outputs(self):
        return self._concrete.outputs

    @property
    def variables(self):
        return self._concrete.variables

    @property
    def trainable_variables(self):
        return self._concrete.trainable_variables

    def pretty_printed_signature(self, verbose=True):
        return self._concrete.pretty_printed_signature(verbose)

    def __call__(self, *args, **kwargs):
        names = self._input_names
        if len(args) > len(names):
            raise TypeError(f"signature_wrapper({', '.join(names)}) takes {len(names)} "
                            f"arguments but {len(args)} were given")
        given = dict(zip(names, args))
        for k in kwargs:
            if k in given:
                raise TypeError(f"signature_wrapper: got two values for argument '{k}'")
        given.update(kwargs)
        missing = [n for n in names if n not in given]
        if missing:
            raise TypeError(f"signature_wrapper({', '.join(names)}) missing required "
                            f"arguments: {', '.join(missing)}.")
        extra = [k for k in given if k not in names]
        if extra:
            raise TypeError(f"signature_wrapper({', '.join(names)}) got an unexpected "
                            f"keyword argument '{extra[0]}'")
        leaves = []
        for i, (n, spec) in enumerate(zip(names, self._specs)):
            try:
                leaves.append(_as_tensor(spec, given[n], n, True))
            except TypeError as e:
                raise InvalidArgumentError(
                    None, self.name, f"cannot compute {self.name} as input #{i}(zero-based) "
                    f"'{n}' does not match {spec}: {e}") from None
        out = self._concrete._call_leaves(leaves)
        flat = [x for x in nest.flatten(out) if isinstance(x, Tensor)]
        return dict(zip(self._output_names, flat))

    def __repr__(self):
        return f"<SignatureFunction {self.name}({', '.join(self._input_names)})>"


def parameters(stored):
    """inspect.Parameters from the saved ``[name, kind, default]`` triples."""
    out = []
    for name, kind, default in stored:
        out.append(inspect.Parameter(name, inspect._ParameterKind(kind),
                                     default=inspect.Parameter.empty
                                     if default is _NO_DEFAULT else default))
    return out
