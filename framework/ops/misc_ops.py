"""TF's small top-level utilities: ``executing_eagerly``, ``get_static_value``, ``no_op``,
``group``, ``tuple``, ``guarantee_const``, ``grad_pass_through``, ``vectorized_map`` and
the ``tf.*_initializer`` callables (TF 2's ``init_ops_v2``)."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor, Variable


def executing_eagerly():
    """True unless a ``cf.function`` is being traced.

    >>> import cuflow as cf
    >>> cf.executing_eagerly()
    True
    """
    from .dispatch import _tls
    return _tls.graph is None


def get_static_value(tensor, partial=False):
    """The NumPy value of ``tensor`` when known without running a graph, else None."""
    if isinstance(tensor, Variable):
        return None
    if isinstance(tensor, Tensor):
        return None if tensor._sym is not None else tensor.numpy()
    return tensor


def parallel_stack(values, name=None):
    """``stack`` for graphs; like TF, refused when executing eagerly."""
    if executing_eagerly():
        raise RuntimeError("tf.parallel_stack() is not compatible with eager execution.")
    from .array_ops import stack
    return stack(values)


def no_op(name=None):
    """Does nothing (eagerly there is no operation to return)."""
    return


def group(*inputs, **kwargs):
    """Groups side effects; eagerly everything has already run."""
    return


def tuple(tensors, control_inputs=None, name=None):
    """The tensors, unchanged (TF's tuple is a control-dependency barrier)."""
    from .math_ops import identity
    return [identity(t) if isinstance(t, (Tensor, Variable)) else t for t in tensors]


def guarantee_const(input, name=None):
    """``input`` unchanged (a hint to TF's graph optimizer)."""
    from .math_ops import identity
    return identity(input)


def grad_pass_through(f):
    """``f`` with an identity gradient (the straight-through estimator).

    >>> import cuflow as cf
    >>> x = cf.constant([1.4, 2.6])
    >>> with cf.GradientTape() as t:
    ...     t.watch(x); y = cf.grad_pass_through(cf.round)(x)
    >>> t.gradient(y, x).numpy().tolist()
    [1.0, 1.0]
    """
    from ..autodiff import custom_gradient

    @custom_gradient
    def wrapped(x):
        return f(x), lambda dy: dy
    return wrapped


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` over axis 0 of ``elems`` (nested structures allowed), results stacked."""
    from .control_flow_ops import map_fn
    return map_fn(fn, elems)


# --- tf.*_initializer (init_ops_v2): callables (shape, dtype) -> Tensor ---------------------
class _Initializer:
    def get_config(self):
        return {k: v for k, v in vars(self).items() if not k.startswith("_")}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class zeros_initializer(_Initializer):
    """Initializer of zeros (``tf.zeros_initializer``)."""

    def __call__(self, shape, dtype=_dt.float32, **kwargs):
        from .array_ops import zeros
        return zeros(shape, dtype)


class ones_initializer(_Initializer):
    """Initializer of ones (``tf.ones_initializer``)."""

    def __call__(self, shape, dtype=_dt.float32, **kwargs):
        from .array_ops import ones
        return ones(shape, dtype)


class constant_initializer(_Initializer):
    """Initializer filling with ``value`` (a scalar, or values of the full shape)."""

    def __init__(self, value=0, support_partition=False):
        self.value = value

    def __call__(self, shape, dtype=_dt.float32, **kwargs):
        from .array_ops import fill, reshape
        from .constant import constant
        if np.ndim(self.value) == 0:
            return fill(shape, constant(self.value, dtype=dtype))
        return reshape(constant(self.value, dtype=dtype), shape)


class random_uniform_initializer(_Initializer):
    """Initializer drawing uniformly from [minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=_dt.float32, **kwargs):
        from .random_ops import uniform
        return uniform(shape, self.minval, self.maxval, dtype, seed=self.seed)


class random_normal_initializer(_Initializer):
    """Initializer drawing from a normal distribution."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=_dt.float32, **kwargs):
        from .random_ops import normal
        return normal(shape, self.mean, self.stddev, dtype, seed=self.seed)
