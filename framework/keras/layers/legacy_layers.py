"""Keras 2 layers that TF 2.21's ``tf.keras.layers`` still exports from Keras's legacy
module: ``RandomHeight``, ``RandomWidth`` (resize one axis by a random factor) and
``ThresholdedReLU``.

    >>> import cuflow as cf, numpy as np
    >>> cf.keras.layers.ThresholdedReLU(theta=1.0)(np.array([0.5, 1.0, 2.0])).numpy()
    array([0., 0., 2.], dtype=float32)
"""
from __future__ import annotations

from ...ops import math_ops as _m
from ...ops import random_ops as _rand
from ...ops.constant import convert_to_tensor
from ...ops.image_ops import resize as _resize
from .base import Layer


class _RandomAxisResize(Layer):
    """Resizes axis ``_AXIS`` (-3 height, -2 width) by ``1 + U(lower, upper)`` per call
    (one factor for the whole batch) when training, as Keras 2 did."""

    _AXIS = -3
    _NAME = "height"

    def __init__(self, factor, interpolation="bilinear", seed=None, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor
        lower, upper = (factor[0], factor[1]) if isinstance(factor, (tuple, list)) else \
            (-factor, factor)
        if upper < lower:
            raise ValueError("`factor` argument cannot have an upper bound "
                             f"{'lesser' if self._AXIS == -3 else 'less'} than the lower bound. "
                             f"Received: factor={factor}")
        if lower < -1.0 or upper < -1.0:
            raise ValueError("`factor` argument must have values larger than -1. "
                             f"Received: factor={factor}")
        self._lower, self._upper = lower, upper
        setattr(self, f"{self._NAME}_lower", lower)
        setattr(self, f"{self._NAME}_upper", upper)
        self.interpolation = interpolation
        self.seed = seed

    def call(self, inputs, training=True):
        x = convert_to_tensor(inputs, dtype=self.compute_dtype)
        if not training:
            return x
        factor = _rand.uniform([], 1.0 + self._lower, 1.0 + self._upper, seed=self.seed)
        h, w = int(x.shape[-3]), int(x.shape[-2])
        if self._AXIS == -3:
            size = [int(float(_m.cast(factor * float(h), "int32"))), w]
        else:
            size = [h, int(float(_m.cast(factor * float(w), "int32")))]
        return _m.cast(_resize(x, size, method=self.interpolation), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        shape[self._AXIS] = None
        return tuple(shape)

    def _symbolic_call(self, inputs, args, kwargs):
        # the probes see one random size; the symbolic size is unknown, as in Keras
        from ..keras_tensor import KerasTensor, _keras_shape
        out = super()._symbolic_call(inputs, args, kwargs)
        if isinstance(out, KerasTensor) and kwargs.get("training", True):
            out.shape = _keras_shape(self.compute_output_shape(tuple(out.shape)))
        return out

    def get_config(self):
        return {**super().get_config(), "factor": self.factor,
                "interpolation": self.interpolation, "seed": self.seed}


class RandomHeight(_RandomAxisResize):
    """Randomly rescales image height by ``1 + U(-factor, factor)`` (or the given range)."""
    _AXIS, _NAME = -3, "height"


class RandomWidth(_RandomAxisResize):
    """Randomly rescales image width by ``1 + U(-factor, factor)`` (or the given range)."""
    _AXIS, _NAME = -2, "width"


class ThresholdedReLU(Layer):
    """``x if x > theta else 0``."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError("Theta of a Thresholded ReLU layer cannot be None, expecting a "
                             f"float. Received: {theta}")
        if theta < 0:
            raise ValueError("The theta value of a Thresholded ReLU layer should be >=0. "
                             f"Received: {theta}")
        self.supports_masking = True
        self.theta = convert_to_tensor(theta, dtype=self.compute_dtype)

    def call(self, inputs):
        x = convert_to_tensor(inputs)
        return x * _m.cast(_m.greater(x, _m.cast(self.theta, x.dtype)), self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "theta": float(self.theta)}

    def compute_output_shape(self, input_shape):
        return input_shape
