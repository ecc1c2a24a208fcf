"""``cf.autodiff.ForwardAccumulator``: Jacobian-vector products (forward mode) for the
computation run inside its context.

The tape records the forward pass as usual; ``jvp(target)`` gets J·t by the transpose
trick: the VJP ``u -> Jᵀu`` is linear in ``u``, so differentiating ``<Jᵀu, t>`` with
respect to a dummy cotangent ``u`` gives ``J t``. Every VJP is written with cuflow ops, so
the second backward pass is an ordinary (nested) tape gradient.

>>> import cuflow as cf
>>> x = cf.constant([1.0, 2.0, 3.0])
>>> with cf.autodiff.ForwardAccumulator(primals=x, tangents=cf.ones_like(x)) as acc:
...     y = cf.reduce_sum(x ** 2)
>>> float(acc.jvp(y))
12.0
"""
from __future__ import annotations

import warnings

from .. import nest
from .tape import GradientTape, NoGradientWarning, UnconnectedGradients


class ForwardAccumulator:
    """Computes ``J t`` for targets of the computation run under ``with``: ``primals``
    (tensors or variables) move in the direction ``tangents`` (same structure)."""

    def __init__(self, primals, tangents):
        self._primals = nest.flatten(primals)
        self._tangents = nest.flatten(tangents)
        if len(self._primals) != len(self._tangents):
            raise ValueError(f"ForwardAccumulator: {len(self._primals)} primals but "
                             f"{len(self._tangents)} tangents")
        self._tape = GradientTape(persistent=True, watch_accessed_variables=False)
        self._active = False

    def __enter__(self):
        self._tape.__enter__()
        for p in self._primals:
            self._tape.watch(p)
        self._active = True
        return self

    def __exit__(self, *exc):
        self._active = False
        return self._tape.__exit__(*exc)

    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """J·t for each tensor of the structure ``primals`` (TF's name for the targets):
        None (or zeros with ``UnconnectedGradients.ZERO``) where it does not depend on the
        accumulator's primals."""
        return nest.map_structure(lambda t: self._jvp_one(t, unconnected_gradients),
                                  primals)

    def _jvp_one(self, target, unconnected):
        from ..ops.array_ops import zeros_like
        zero = unconnected in (UnconnectedGradients.ZERO, "zero")
        if not target.dtype.is_floating and not target.dtype.is_complex:
            return zeros_like(target) if zero else None
        u = zeros_like(target)
        with GradientTape() as outer, warnings.catch_warnings():
            warnings.simplefilter("ignore", NoGradientWarning)  # unconnected: None, quietly
            outer.watch(u)
            grads = self._tape.gradient(target, self._primals, output_gradients=u,
                                        _slices=False)
        pairs = [(g, t) for g, t in zip(grads, self._tangents) if g is not None]
        if not pairs:
            return zeros_like(target) if zero else None
        out = outer.gradient([g for g, _ in pairs], u,
                             output_gradients=[t for _, t in pairs], _slices=False)
        if out is None:
            return zeros_like(target) if zero else None
        return out
