"""RMSNormalization, the Wrapper base class and SpectralNormalization (Keras 3).

SpectralNormalization keeps Keras's behaviour: at training time one or more power
iterations estimate the wrapped kernel's largest singular value sigma, and the kernel
*variable itself* is overwritten with ``kernel / sigma`` (``vector_u`` is updated too);
inference calls the wrapped layer unchanged.

>>> import cuflow as cf, numpy as np
>>> cf.keras.layers.RMSNormalization()(np.ones((2, 3), "float32")).numpy().round(3)
array([[1., 1., 1.],
       [1., 1., 1.]], dtype=float32)
"""
from __future__ import annotations

from ... import dtypes as _dt
from ...ops import array_ops as _a
from ...ops import linalg_ops as _la
from ...ops import math_ops as _m
from ...ops import reduce_ops as _r
from .. import initializers
from .base import InputSpec, Layer


class RMSNormalization(Layer):
    """``x * rsqrt(mean(x**2, axis) + epsilon) * scale`` (computed in at least float32)."""

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.epsilon = axis, epsilon
        self.supports_masking = True

    def build(self, input_shape):
        if isinstance(self.axis, (list, tuple)):
            self.axis = sorted(self.axis)
            shape = tuple(input_shape[d] for d in self.axis)
        else:
            shape = (input_shape[self.axis],)
            self.axis = [self.axis]
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, x):
        dtype = x.dtype
        wide = _dt.result_type(dtype, _dt.float32)
        xw = _m.cast(x, wide) if wide != dtype else x
        ms = _r.reduce_mean(_m.square(xw), axis=list(self.axis), keepdims=True)
        out = xw * _m.rsqrt(ms + self.epsilon) * _m.cast(self.scale, wide)
        return _m.cast(out, dtype) if wide != dtype else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}


class Wrapper(Layer):
    """Base class of layers that wrap another layer (``self.layer``)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer "
                             "type. Please ensure wrapped layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        self.built = True

    def get_config(self):
        from ..saving import serialize_keras_object
        return {**super().get_config(), "layer": serialize_keras_object(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving import deserialize_keras_object
        config = dict(config)
        layer = config.pop("layer")
        if isinstance(layer, dict):
            layer = deserialize_keras_object(layer, custom_objects=custom_objects)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = config["dtype"].get("config", {}).get("name", "float32")
        return cls(layer, **config)


def _l2_normalize(x, epsilon=1e-7):
    """Keras's ``normalize(x, axis=None)``: ``x * min(rsqrt(sum(x**2)), 1/epsilon)``."""
    inv = _m.minimum(_m.rsqrt(_r.reduce_sum(_m.square(x))), 1.0 / epsilon)
    return x * inv


class SpectralNormalization(Wrapper):
    """Divides the wrapped layer's ``kernel`` (or ``embeddings``) by its spectral norm."""

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}`")
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        if hasattr(self.layer, "kernel"):
            kernel = self.layer.kernel
        elif hasattr(self.layer, "embeddings"):
            kernel = self.layer.embeddings
        else:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' "
                             "nor 'embeddings'")
        # Keras tracks the wrapped kernel as this layer's own variable (attribute
        # tracking): weights are kernel, vector_u, then the wrapped layer's others.
        self.kernel = kernel
        self.kernel_shape = tuple(int(d) for d in kernel.shape)
        self.vector_u = self.add_weight(
            name="vector_u", shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False,
            dtype=kernel.dtype)
        self.built = True

    @property
    def losses(self):
        # the wrapped kernel is listed here too (Keras's weight order); count its
        # regularizer once, through the wrapped layer
        return list(self._losses) + list(self.layer.losses)

    def normalized_weights(self):
        """(new vector_u, kernel / sigma) from ``power_iterations`` power iterations."""
        from ...ops.math_ops import stop_gradient
        w = _a.reshape(self.kernel.read_value(), [-1, self.kernel_shape[-1]])
        u = self.vector_u.read_value()
        for _ in range(self.power_iterations):
            v = _l2_normalize(_la.matmul(u, w, transpose_b=True))
            u = _l2_normalize(_la.matmul(v, w))
        u, v = stop_gradient(u), stop_gradient(v)
        sigma = _la.matmul(_la.matmul(v, w), u, transpose_b=True)
        return u, sigma

    def call(self, inputs, training=False):
        if training:
            kernel = self.kernel.read_value()
            u, sigma = self.normalized_weights()
            zero = _r.reduce_all(_m.equal(kernel, 0))
            sigma = _m.where_v(zero, _a.ones_like(sigma), sigma)
            self.vector_u.assign(_m.where_v(zero, self.vector_u.read_value(),
                                            _m.cast(u, self.vector_u.dtype)))
            self.kernel.assign(_m.cast(kernel / _a.reshape(sigma, []), self.kernel.dtype))
        out = self.layer(inputs)
        return _m.cast(out, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
