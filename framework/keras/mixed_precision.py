"""Dtype policies: 'float32', 'mixed_float16', 'mixed_bfloat16' (Keras 3 names)."""
from __future__ import annotations


class Policy:
    """compute_dtype / variable_dtype of a layer (``keras.mixed_precision.Policy``)."""

    def __init__(self, name="float32"):
        if isinstance(name, Policy):
            name = name.name
        self.name = name
        if name == "mixed_float16":
            self.compute_dtype, self.variable_dtype = "float16", "float32"
        elif name == "mixed_bfloat16":
            self.compute_dtype, self.variable_dtype = "bfloat16", "float32"
        elif name in ("float16", "float32", "float64", "bfloat16"):
            self.compute_dtype = self.variable_dtype = name
        else:
            raise ValueError(f"Cannot convert {name!r} to a mixed precision Policy, which "
                             "should be one of 'mixed_float16', 'mixed_bfloat16' or a "
                             "float dtype name")

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'

    def __eq__(self, other):
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


DTypePolicy = Policy
_global = Policy("float32")


def set_global_policy(policy):
    global _global
    _global = Policy(policy if policy is not None else "float32")


def global_policy():
    return _global


def set_dtype_policy(policy):
    set_global_policy(policy)


def dtype_policy():
    return _global


class LossScaleOptimizer:
    """Dynamic loss scaling: scale the loss, unscale gradients, skip non-finite steps.

    The scale starts at ``initial_scale`` (2**15), halves on a non-finite gradient (the
    step is skipped) and doubles after ``dynamic_growth_steps`` finite steps.
    """

    def __init__(self, inner_optimizer, initial_scale=2.0 ** 15, dynamic_growth_steps=2000,
                 dynamic=True, **kwargs):
        self.inner_optimizer = inner_optimizer
        self.dynamic = dynamic
        self._scale = float(initial_scale)
        self.dynamic_growth_steps = int(dynamic_growth_steps)
        self._good_steps = 0

    def __getattr__(self, name):
        if name == "inner_optimizer":
            raise AttributeError(name)
        return getattr(self.inner_optimizer, name)

    @property
    def loss_scale(self):
        return self._scale

    @property
    def dynamic_counter(self):
        return self._good_steps

    def scale_loss(self, loss):
        import cuflow as cf
        return loss * cf.cast(self._scale, loss.dtype)

    get_scaled_loss = scale_loss

    def get_unscaled_gradients(self, grads):
        return [None if g is None else g * (1.0 / self._scale) for g in grads]

    def apply_gradients(self, grads_and_vars, **kwargs):
        import numpy as np
        pairs = list(grads_and_vars)
        grads = [None if g is None else np.asarray(g.numpy(), np.float32) / self._scale
                 for g, _ in pairs]
        finite = all(np.isfinite(g).all() for g in grads if g is not None)
        if not finite:
            self._scale = max(self._scale / 2.0, 1.0)
            self._good_steps = 0
            return self.inner_optimizer.iterations
        self._good_steps += 1
        if self.dynamic and self._good_steps >= self.dynamic_growth_steps:
            self._scale *= 2.0
            self._good_steps = 0
        import cuflow as cf
        return self.inner_optimizer.apply_gradients(
            [(None if g is None else cf.constant(g), v) for g, (_, v) in zip(grads, pairs)])

    def get_config(self):
        from . import optimizers
        return {"inner_optimizer": optimizers.serialize(self.inner_optimizer),
                "initial_scale": self._scale,
                "dynamic_growth_steps": self.dynamic_growth_steps}
