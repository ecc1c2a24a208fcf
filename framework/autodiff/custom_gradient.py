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
        from .tape import GradientTape
        if not _tls.tapes:
            result, _ = f(*args, **kwargs)
            return result
        with _paused_tapes():
            probe = GradientTape(watch_accessed_variables=True)
            _tls.tapes.append(probe)
            probe._recording = True
            try:
                result, grad_fn = f(*args, **kwargs)
            finally:
                _tls.tapes.remove(probe)
        variables = list(probe.watched_variables())
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
            gs = g if isinstance(g, tuple) else (g,)
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

        op = OpDef("custom_gradient", OPAQUE, None, n_out=len(flat_out), vjp=vjp)
        outs = tuple(flat_out)
        for tape in list(_tls.tapes):
            if tape._recording:
                tape._record(op, inputs + variables, outs if len(outs) > 1 else outs[0], {})
        return result

    return decorated


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
