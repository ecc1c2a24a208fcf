"""LossScaleOptimizer: dynamic loss scaling for float16 training (Keras 3).

The loss is multiplied by ``dynamic_scale`` before differentiation; gradients are divided
by it. A step whose gradients contain inf/NaN is skipped and the scale halved; after
``dynamic_growth_steps`` good steps in a row the scale doubles. Like Keras, it is an
Optimizer of its own (learning rate 0, its own ``iteration``) whose ``step_counter`` and
``dynamic_scale`` variables are made by ``build``; ``iterations`` and ``learning_rate``
are the inner optimizer's.

>>> import cuflow as cf
>>> opt = cf.keras.optimizers.LossScaleOptimizer(cf.keras.optimizers.SGD(0.1),
...                                              initial_scale=8.0)
>>> float(opt.scale_loss(cf.constant(2.0)))
16.0
"""
from __future__ import annotations

import numpy as np

from ..ops import math_ops as _m
from ..indexed_slices import IndexedSlices
from ..ops import reduce_ops as _r
from .optimizers.base import Optimizer

_BASE_DEFAULTS = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None,
                  "clipvalue": None, "use_ema": False, "ema_momentum": 0.99,
                  "ema_overwrite_frequency": None, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}


class LossScaleOptimizer(Optimizer):
    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. "
                             "Instead, simply set `loss_scale_factor` directly on the "
                             "`inner_optimizer`.")
        for arg, default in _BASE_DEFAULTS.items():  # accepted at their defaults (old
            if arg in kwargs and kwargs.pop(arg) != default:  # configs carry them)
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, "
                                 f"set `{arg}` on the `inner_optimizer`.")
        if kwargs:
            raise ValueError("LossScaleOptimizer does not support arguments: "
                             f"`{'`, `'.join(kwargs)}`.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None  # else gradients are scaled twice

    def build(self, var_list):
        if not self.built:
            self.step_counter = self._new_variable(np.int64(0), "step_counter")
            self.dynamic_scale = self._new_variable(np.float32(self.initial_scale),
                                                    "dynamic_scale")
            self._variables += [self.step_counter, self.dynamic_scale]
        self.inner_optimizer.build(var_list)
        self._built = True

    @property
    def learning_rate(self):
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        self.inner_optimizer.learning_rate = value

    @property
    def iterations(self):
        return self.inner_optimizer.iterations

    @property
    def variables(self):
        return list(self._variables) + list(self.inner_optimizer.variables)

    def scale_loss(self, loss):
        """``loss`` times the current scale (``initial_scale`` before ``build``),
        promoted as keras.ops.multiply promotes (a float16 loss gives float32)."""
        from .ops import multiply
        return multiply(loss, self.dynamic_scale if self.built else self.initial_scale)

    def check_finite(self, grads):
        checks = [_r.reduce_all(_m.is_finite(_values(g))) for g in grads if g is not None]
        finite = checks[0] if checks else _m.cast(True, "bool")
        for c in checks[1:]:
            finite = _m.logical_and(finite, c)
        return finite

    def apply_gradients(self, grads_and_vars):
        pairs = [(g, v) for g, v in grads_and_vars]
        return self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables=None):
        """Unscales and applies finite gradients; on inf/NaN skips the step and halves
        the scale. A cf.cond, so it also runs inside a compiled step."""
        from ..ops.control_flow_ops import cond
        if not self.built:
            self.build([v for g, v in zip(grads, trainable_variables) if g is not None])

        def step():
            unscaled = [None if g is None else _unscale(g, self.dynamic_scale)
                        for g in grads]
            self.inner_optimizer.apply(unscaled, trainable_variables)
            grow = _m.equal(self.step_counter, np.int64(self.dynamic_growth_steps - 1))
            self.dynamic_scale.assign(_m.where_v(grow, self.dynamic_scale * 2.0,
                                                 self.dynamic_scale))
            self.step_counter.assign(_m.where_v(grow, np.int64(0),
                                                self.step_counter + np.int64(1)))
            return _m.cast(0, "int32")

        def skip():
            self.step_counter.assign(np.int64(0))
            self.dynamic_scale.assign(self.dynamic_scale * 0.5)
            return _m.cast(0, "int32")
        if any(g is not None for g in grads):
            cond(self.check_finite(grads), step, skip)
        return self.iterations

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        from .serialization import serialize
        return {"name": self.name, "inner_optimizer": serialize(self.inner_optimizer),
                "initial_scale": self.initial_scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from .serialization import deserialize
        config = dict(config)
        inner = deserialize(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)

    def _checkpoint_children(self):
        children = {"inner": self.inner_optimizer}
        if self.built:
            children.update(scale=self.dynamic_scale, counter=self.step_counter)
        return children


def _values(g):
    """The numbers of a gradient (an IndexedSlices' gathered rows)."""
    return g.values if isinstance(g, IndexedSlices) else g


def _unscale(g, scale):
    """``g / scale``; an IndexedSlices gradient keeps its rows (its values are scaled)."""
    if isinstance(g, IndexedSlices):
        return g._with_values(g.values / _m.cast(scale, g.dtype))
    return g / _m.cast(scale, g.dtype)
