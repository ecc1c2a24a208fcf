"""cf.custom_gradient and cf.recompute_grad: user-defined VJPs recorded as one tape op."""
from __future__ import annotations

import contextlib
import functools
import inspect

from .. import nest
from ..ops.dispatch import _tls
from ..ops.registry import OPAQUE, OpDef
from ..tensor import Tensor, Variable


@contextlib.contextmanager
def _paused_tapes():
    tapes = list(_tls.tapes)
    states = [t._recording for t in tapes]
    for t in tapes:
        t._recording = False
    try:
        yield
    finally:
        for t, s in zip(tapes, states):
            t._recording = s


def _wants_variables(grad_fn):
    try:
        params = inspect.signature(grad_fn).parameters
    except (TypeError, ValueError):
        return False
    return "variables" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())


def custom_gradient(f=None):
    """Decorates ``f(*x) -> (y, grad_fn)`` so the tape uses ``grad_fn(*dy)`` as its VJP.

    If ``f`` reads variables, ``grad_fn(*dy, variables=...)`` must return
    ``(input_grads, variable_grads)``, as in TF.

    >>> import cuflow as cf
    >>> @cf.custom_gradient
    ... def clip_grad(x):
    ...     def grad(dy):
    ...         return cf.minimum(cf.maximum(dy, -1.0), 1.0)
    ...     return cf.identity(x), grad
    >>> x = cf.constant(2.0)
    >>> with cf.GradientTape() as t:
    ...     t.watch(x)
    ...     y = clip_grad(x) * 10.0
    >>> float(t.gradient(y, x))
    1.0
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        if not _tls.tapes:
            if _tls.graph is not None:      # traced: a tape may later replay this graph
                return _traced(f, args, kwargs)
            result, _ = f(*args, **kwargs)
            return result
        # a variable passed as an argument is an input (its gradient comes from grad_fn's
        # input gradients), not a variable read inside f (TF's rule)
        result, grad_fn, variables = _probe_variables(f, args, kwargs)
        inputs = [a for a in nest.flatten(list(args)) if isinstance(a, (Tensor, Variable))]
        flat_out = nest.flatten(result)
        in_ids = {id(a) for a in inputs}
        if any(id(o) in in_ids or isinstance(o, Variable) for o in flat_out):
            # an output that *is* an input (or a variable) needs its own tape identity
            from ..ops.math_ops import identity
            with _paused_tapes():
                flat_out = [identity(o) if id(o) in in_ids or isinstance(o, Variable) else o
                            for o in flat_out]
            result = nest.pack_sequence_as(result, flat_out)
        n_in = len(inputs)

        def vjp(g, out, *xs):
            return _call_grad_fn(grad_fn, g if isinstance(g, tuple) else (g,), variables, n_in)

        op = OpDef("custom_gradient", OPAQUE, None, n_out=len(flat_out), vjp=vjp)
        outs = tuple(flat_out)
        for tape in list(_tls.tapes):
            if tape._recording:
                tape._record(op, inputs + variables, outs if len(outs) > 1 else outs[0], {})
        return result

    return decorated


def _probe_variables(f, args, kwargs):
    """Runs ``f`` under a throwaway tape: (result, grad_fn, variables read that are not
    arguments)."""
    from .tape import GradientTape
    with _paused_tapes():
        probe = GradientTape(watch_accessed_variables=True)
        _tls.tapes.append(probe)
        probe._recording = True
        try:
            result, grad_fn = f(*args, **kwargs)
        finally:
            _tls.tapes.remove(probe)
    in_ids = {id(a) for a in nest.flatten(list(args))}
    return result, grad_fn, [v for v in probe.watched_variables() if id(v) not in in_ids]


def _call_grad_fn(grad_fn, gs, variables, n_in):
    if variables:
        if not _wants_variables(grad_fn):
            raise TypeError("custom_gradient: the function reads variables "
                            f"{[v.name for v in variables]}, so its grad_fn must "
                            "accept `variables=` and return (grads, variable_grads)")
        gin, gvar = grad_fn(*gs, variables=variables)
    else:
        gin, gvar = grad_fn(*gs), []
    gin = list(gin) if isinstance(gin, (list, tuple)) else [gin]
    if len(gin) != n_in:
        raise ValueError(f"custom_gradient: grad_fn returned {len(gin)} gradients "
                         f"for {n_in} tensor inputs")
    return tuple(gin) + tuple(gvar)


def _traced(f, args, kwargs):
    """Inside cf.function: ``f``'s ops are traced as they are, then its outputs pass
    through one marker op whose VJP is ``grad_fn``. A tape that later differentiates the
    function replays the graph; at the marker it runs ``f`` again on the replayed inputs
    for a ``grad_fn`` bound to them (the outputs' other path is cut, so only grad_fn
    counts)."""
    result, _, variables = _probe_variables(f, args, kwargs)
    flat_args = nest.flatten(list(args))
    slots = [i for i, a in enumerate(flat_args) if isinstance(a, (Tensor, Variable))]
    inputs = [flat_args[i] for i in slots]
    flat_out = nest.flatten(result)
    n_out, n_in = len(flat_out), len(inputs)
    if not n_out or not all(isinstance(o, (Tensor, Variable)) for o in flat_out):
        return result

    def vjp(g, out, *xs):
        gs = g if isinstance(g, tuple) else (g,)
        leaves = list(flat_args)
        for i, x in zip(slots, xs[n_out:n_out + n_in]):
            leaves[i] = x
        again = nest.pack_sequence_as(list(args), leaves)
        with _paused_tapes():
            _, grad_fn = f(*again, **kwargs)
        return (None,) * n_out + _call_grad_fn(grad_fn, gs, variables, n_in)

    def infer(*vals):
        specs = tuple((v.shape.as_list() if v.shape.rank is not None else None,
                       v.dtype.np) for v in vals[:n_out])
        return specs if n_out > 1 else specs[0]

    op = OpDef("custom_gradient", OPAQUE, _pass_through(n_out), n_out=n_out, vjp=vjp,
               infer=infer)
    from ..ops.dispatch import apply
    outs = apply(op, tuple(flat_out) + tuple(inputs) + tuple(variables))
    return nest.pack_sequence_as(result, list(outs) if n_out > 1 else [outs])


def _pass_through(n):
    def impl(xp, *arrays):
        return arrays[0] if n == 1 else tuple(arrays[:n])
    return impl


def recompute_grad(f):
    """Runs ``f`` without keeping its intermediates; recomputes them for the gradient."""
    @custom_gradient
    def inner(*args, **kwargs):
        result = f(*args, **kwargs)

        def grad(*dresult, variables=None):
            from .tape import GradientTape
            with GradientTape() as t:
                t.watch([a for a in args if isinstance(a, (Tensor, Variable))])
                again = f(*args, **kwargs)
            inputs = [a for a in args if isinstance(a, (Tensor, Variable))]
            srcs = inputs + list(variables or [])
            gs = t.gradient(again, srcs, output_gradients=list(dresult) if len(dresult) > 1
                            else dresult[0], _slices=False)
            n = len(inputs)
            if variables:
                return gs[:n], gs[n:]
            return gs[:n]
        return result, grad
    return inner
