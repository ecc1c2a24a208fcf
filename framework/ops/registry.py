"""THE op registry: one OpDef per op, read by eager dispatch, the tape, the tracer,
the fuser and the tests.

An OpDef holds
  * ``impl(xp, *arrays, **attrs)``: the math, written once against the array namespace
    ``xp`` (numpy or cupy), so the same code serves the CPU and the GPU;
  * ``kernels``: optional per-device-type overrides ``{"GPU": fn, "CPU": fn}`` with
    impl's signature minus ``xp`` (hand-written kernels from ``cuflow_kernels``);
  * ``vjp(g, out, *inputs, **attrs)``: the gradient, written with cuflow ops, returning one
    cotangent per input (``None`` where there is none). It sees the output too, so
    ``exp`` and ``sigmoid`` reuse it. Broadcasting is undone by the engine, not here;
  * ``infer(*avals, **attrs)``: shape and dtype rule (``None``: the tracer probes impl);
  * ``scalar``: the fuser's spelling of an elementwise op (``"({0} + {1})"``), or None;
  * ``dtypes``: which input dtypes it accepts; ``promote``: unify its inputs' dtypes.

Register with :func:`defop`; look up with :func:`get` and :func:`all_ops`.
"""
from __future__ import annotations

from typing import Callable

ELEMENTWISE = "elementwise"
REDUCE = "reduce"
MOVEMENT = "movement"
OPAQUE = "opaque"
CREATION = "creation"
RANDOM = "random"
STATEFUL = "stateful"
KINDS = (ELEMENTWISE, REDUCE, MOVEMENT, OPAQUE, CREATION, RANDOM, STATEFUL)

_REGISTRY: dict[str, "OpDef"] = {}
_STRICT_OPAQUE = frozenset({"matmul", "concat", "einsum"})


class OpDef:
    """Everything cuflow knows about one primitive op."""

    __slots__ = ("name", "kind", "impl", "vjp_fn", "infer", "kernels", "scalar", "dtypes",
                 "promote", "n_out", "differentiable", "doc", "module", "extra",
                 "ok_dtype", "strict")

    def __init__(self, name, kind, impl, *, dtypes=None, promote=False, n_out=1,
                 vjp=None, infer=None, scalar=None, differentiable=True, kernels=None,
                 doc=None):
        if kind not in KINDS:
            raise ValueError(f"op {name}: unknown kind {kind!r}; expected one of {KINDS}")
        self.name = name
        self.kind = kind
        self.impl = impl
        self.vjp_fn = vjp
        self.infer = infer
        self.scalar = scalar
        self.dtypes = dtypes
        self.promote = promote
        # TF's typing: the tensor inputs share one dtype (no promotion between tensors),
        # Python scalars convert to it or raise, NumPy values are cast to it
        self.strict = bool(promote) and (kind == ELEMENTWISE or name in _STRICT_OPAQUE)
        self.n_out = n_out
        self.differentiable = differentiable
        self.kernels = dict(kernels or {})
        self.doc = doc or (impl.__doc__ if impl is not None else None)
        self.module = getattr(impl, "__module__", None)
        self.extra = {}
        self.ok_dtype = None  # dispatch cache: last input dtype that passed ``dtypes``

    # decorator forms: @OP.def_vjp, @OP.def_infer, OP.override("GPU")(fn)
    def def_vjp(self, fn: Callable) -> Callable:
        self.vjp_fn = fn
        return fn

    def def_infer(self, fn: Callable) -> Callable:
        self.infer = fn
        return fn

    def override(self, device_type: str):
        def register(fn):
            self.kernels[device_type.upper()] = fn
            return fn
        return register

    def __repr__(self):
        return f"<OpDef {self.name} kind={self.kind}>"


def defop(name: str, kind: str = OPAQUE, **options) -> Callable[[Callable], OpDef]:
    """Decorator registering ``impl`` as op ``name``; returns the OpDef.

    >>> from cuflow.ops.registry import get
    >>> op = get("exp")
    >>> op.kind, op.scalar, op.vjp_fn is not None
    ('elementwise', 'exp({0})', True)
    """
    def register(impl):
        if name in _REGISTRY:
            raise ValueError(f"op {name!r} is already registered "
                             f"(by {_REGISTRY[name].module})")
        op = OpDef(name, kind, impl, **options)
        _REGISTRY[name] = op
        return op
    return register


def get(name: str) -> OpDef:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise KeyError(f"no op named {name!r} in the cuflow registry") from None


def all_ops() -> dict[str, OpDef]:
    """Every registered op by name (a copy)."""
    return dict(_REGISTRY)
