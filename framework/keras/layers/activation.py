"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax, and AlphaDropout (Keras 3).

>>> import cuflow as cf, numpy as np
>>> cf.keras.layers.LeakyReLU()(np.array([-10.0, 5.0], "float32")).numpy()
array([-3.,  5.], dtype=float32)
"""
from __future__ import annotations

import warnings

from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import random_ops as _rand
from ...ops import reduce_ops as _r
from .. import activations, constraints, initializers, regularizers
from .base import InputSpec, Layer


class _Elementwise(Layer):
    """An activation of one input: keeps the mask, output shape = input shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return input_shape


class LeakyReLU(_Elementwise):
    """``x if x >= 0 else negative_slope * x`` (Keras 3 default slope 0.3)."""

    def __init__(self, negative_slope=0.3, **kwargs):
        if "alpha" in kwargs:
            negative_slope = kwargs.pop("alpha")
            warnings.warn("Argument `alpha` is deprecated. Use `negative_slope` instead.")
        super().__init__(**kwargs)
        if negative_slope is None or negative_slope < 0:
            raise ValueError("The negative_slope value of a Leaky ReLU layer cannot be None or "
                             "negative value. Expected a float. Received: "
                             f"negative_slope={negative_slope}")
        self.negative_slope = negative_slope

    def call(self, inputs):
        return activations.leaky_relu(inputs, negative_slope=self.negative_slope)

    def get_config(self):
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ReLU(_Elementwise):
    """Thresholded, capped, leaky ReLU: ``max_value``, ``negative_slope``, ``threshold``."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        for name, v in (("max_value", max_value), ("negative_slope", negative_slope),
                        ("threshold", threshold)):
            if (v is None and name != "max_value") or (v is not None and v < 0.0):
                what = "a negative" if name == "max_value" else "None or a negative"
                raise ValueError(f"{name} of a ReLU layer cannot be {what} value. "
                                 f"Received: {name}={v}")
        self.max_value, self.negative_slope, self.threshold = max_value, negative_slope, \
            threshold

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class ELU(_Elementwise):
    """``x if x > 0 else alpha * (exp(x) - 1)``."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        self.alpha = alpha

    def call(self, inputs):
        return activations.elu(inputs, alpha=self.alpha)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha}


class PReLU(_Elementwise):
    """Leaky ReLU with a learned slope ``alpha`` per input element (shared along
    ``shared_axes``)."""

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None,
                 alpha_constraint=None, shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)

    def build(self, input_shape):
        param_shape = [None if d is None else int(d) for d in list(input_shape)[1:]]
        for i in self.shared_axes or ():
            param_shape[i - 1] = 1
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {i: input_shape[i] for i in range(1, len(input_shape))
                if self.shared_axes and i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs) - self._cw(self.alpha) * activations.relu(-inputs)

    def get_config(self):
        return {**super().get_config(),
                "alpha_initializer": initializers.serialize(self.alpha_initializer),
                "alpha_regularizer": regularizers.serialize(self.alpha_regularizer),
                "alpha_constraint": constraints.serialize(self.alpha_constraint),
                "shared_axes": self.shared_axes}


def _large_negative(dtype):
    return -3e4 if dtype.name == "float16" else -1e9


class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or a list of axes); ``mask`` (1 = keep) gives masked
    positions probability 0."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = self._check_mask(inputs, mask)
            inputs = _m.where_v(mask, inputs, _m.cast(_large_negative(inputs.dtype),
                                                      inputs.dtype.name))
        axis = self.axis
        if isinstance(axis, (tuple, list)) and len(axis) > 1:
            out = _m.exp(inputs - _r.reduce_logsumexp(inputs, axis=list(axis), keepdims=True))
        else:
            axis = axis[0] if isinstance(axis, (tuple, list)) else axis
            out = activations.softmax(inputs, axis=axis)
        if mask is not None:
            out = _m.where_v(mask, out, _a.zeros_like(out))
        return out

    @staticmethod
    def _check_mask(inputs, mask):
        from ...ops.constant import convert_to_tensor
        mask = convert_to_tensor(mask)
        if len(mask.shape) > len(inputs.shape) or any(
                m is not None and i is not None and m != 1 and m != i
                for m, i in zip(list(mask.shape)[::-1], list(inputs.shape)[::-1])):
            raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask "
                             "dimension must be 1 or match the corresponding input dimension. "
                             f"Received: inputs.shape={tuple(inputs.shape)}, "
                             f"mask.shape={tuple(mask.shape)}")
        if mask.dtype.name != "bool":
            mask = _m.greater(mask, _m.cast(0.5, mask.dtype.name))
        return mask

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_Elementwise):
    """Dropout that keeps SELU's self-normalizing mean and variance: dropped units take
    the negative saturation value, then an affine map restores the moments."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate, self.seed, self.noise_shape = rate, seed, noise_shape

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        shape = [int(d) for d in inputs.shape]
        if self.noise_shape is not None:
            shape = [s if v is None else int(v) for s, v in zip(shape, self.noise_shape)]
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = _m.cast(_m.greater_equal(_rand.uniform(shape, seed=self.seed), self.rate),
                       inputs.dtype.name)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p ** 2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}
