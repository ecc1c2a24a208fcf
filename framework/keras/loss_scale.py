"""LossScaleOptimizer: dynamic loss scaling for float16 training.

The loss is multiplied by ``scale`` before differentiation; gradients are divided by it.
A step whose gradients contain inf/NaN is skipped and the scale halved; after
``dynamic_growth_steps`` good steps in a row the scale doubles (Keras 3's rule)."""
from __future__ import annotations

import numpy as np

from ..ops import array_ops as _a
from ..ops import math_ops as _m
from ..ops import reduce_ops as _r
from ..indexed_slices import IndexedSlices
from ..tensor import Variable


class LossScaleOptimizer:
    def __init__(self, inner_optimizer, initial_scale=32768.0, dynamic_growth_steps=2000,
                 name=None, **kwargs):
        self.inner_optimizer = inner_optimizer
        self.name = name or "loss_scale_optimizer"  # Keras's default, not the inner's
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        self.initial_scale = initial_scale
        self.dynamic_scale = Variable(np.float32(initial_scale), trainable=False,
                                      name="loss_scale")
        self.step_counter = Variable(np.int64(0), trainable=False, name="step_counter")

    def __getattr__(self, name):
        return getattr(self.__dict__["inner_optimizer"], name)

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
        return self.inner_optimizer.variables + [self.dynamic_scale, self.step_counter]

    def scale_loss(self, loss):
        return loss * _m.cast(self.dynamic_scale, loss.dtype)

    def build(self, var_list):
        self.inner_optimizer.build(var_list)

    def apply_gradients(self, grads_and_vars):
        pairs = [(g, v) for g, v in grads_and_vars]
        return self.apply([g for g, _ in pairs], [v for _, v in pairs])

    def apply(self, grads, trainable_variables):
        """Unscales and applies finite gradients; skips the step and halves the scale when
        any is inf/NaN. Written with cf.cond so it also runs inside a compiled step."""
        from ..ops.control_flow_ops import cond
        present = [g for g in grads if g is not None]
        checks = [_r.reduce_all(_m.is_finite(_m.cast(g, "float32"))) for g in present]
        finite = checks[0]
        for c in checks[1:]:
            finite = _m.logical_and(finite, c)

        def step():
            inv = 1.0 / self.dynamic_scale
            unscaled = [None if g is None else _unscale(g, inv) for g in grads]
            self.inner_optimizer.apply(unscaled, trainable_variables)
            self.step_counter.assign_add(np.int64(1))
            grow = _m.greater_equal(self.step_counter, self.dynamic_growth_steps)
            self.dynamic_scale.assign(_m.where_v(grow, self.dynamic_scale * 2.0,
                                                 self.dynamic_scale))
            self.step_counter.assign(_m.where_v(grow, np.int64(0), self.step_counter))
            return _m.cast(finite, "int32")

        def skip():
            self.dynamic_scale.assign(_m.maximum(self.dynamic_scale / 2.0, 1.0))
            self.step_counter.assign(np.int64(0))
            return _m.cast(finite, "int32")
        if not present:
            return self.iterations
        cond(finite, step, skip)
        return self.iterations

    def finalize_variable_values(self, var_list):
        self.inner_optimizer.finalize_variable_values(var_list)

    def get_config(self):
        return {"inner_optimizer": {"class_name": type(self.inner_optimizer).__name__,
                                    "config": self.inner_optimizer.get_config()},
                "initial_scale": float(self.dynamic_scale.numpy()),
                "dynamic_growth_steps": self.dynamic_growth_steps}

    def _checkpoint_children(self):
        return {"inner": self.inner_optimizer, "scale": self.dynamic_scale,
                "counter": self.step_counter}


def _unscale(g, inv):
    """``g / scale``; an IndexedSlices gradient keeps its rows (its values are scaled)."""
    if isinstance(g, IndexedSlices):
        return g._with_values(g.values * _m.cast(inv, g.dtype))
    return g * _m.cast(inv, g.dtype)
