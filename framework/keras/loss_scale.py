"""LossScaleOptimizer: dynamic loss scaling for float16 training.

The loss is multiplied by ``scale`` before differentiation; gradients are divided by it.
A step whose gradients contain inf/NaN is skipped and the scale halved; after
``dynamic_growth_steps`` good steps in a row the scale doubles (Keras 3's rule)."""
from __future__ import annotations

import numpy as np

from ..ops import array_ops as _a
from ..ops import math_ops as _m
from ..ops import reduce_ops as _r
from ..tensor import Variable


class LossScaleOptimizer:
    def __init__(self, inner_optimizer, initial_scale=32768.0, dynamic_growth_steps=2000,
                 **kwargs):
        self.inner_optimizer = inner_optimizer
        self.dynamic_growth_steps = int(dynamic_growth_steps)
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
        """Unscales and applies the gradients when all are finite; otherwise keeps every
        variable (model and optimizer) and halves the scale. Written without Python
        branches on tensor values, so it also runs inside a compiled train step."""
        present = [g for g in grads if g is not None]
        if not present:
            return self.iterations
        finite = None
        for g in present:
            ok = _r.reduce_all(_m.is_finite(_m.cast(g, "float32")))
            finite = ok if finite is None else _m.logical_and(finite, ok)
        inv = _m.reciprocal(self.dynamic_scale)
        unscaled = [None if g is None else
                    _m.where_v(finite, g * _m.cast(inv, g.dtype), _a.zeros_like(g))
                    for g in grads]
        self.inner_optimizer.build([v for g, v in zip(grads, trainable_variables)
                                    if g is not None])
        state = [v for g, v in zip(grads, trainable_variables) if g is not None]
        state += self.inner_optimizer.variables
        before = [v.read_value() if hasattr(v, "read_value") else v.value() for v in state]
        self.inner_optimizer.apply(unscaled, trainable_variables)
        for v, old in zip(state, before):
            v.assign(_m.where_v(finite, v, old))
        counter = _m.where_v(finite, self.step_counter + 1, _a.zeros_like(self.step_counter))
        grow = _m.greater_equal(counter, self.dynamic_growth_steps)
        scale = _m.where_v(finite, _m.where_v(grow, self.dynamic_scale * 2.0,
                                              self.dynamic_scale + 0.0),
                           _m.maximum(self.dynamic_scale * 0.5, 1.0))
        self.dynamic_scale.assign(scale)
        self.step_counter.assign(_m.where_v(grow, _a.zeros_like(counter), counter))
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
