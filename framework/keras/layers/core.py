"""Core layers: InputLayer, Dense, Activation, Dropout, Flatten, Reshape, Lambda."""
from __future__ import annotations

import numpy as np

import cuflow as cf

from .. import activations, initializers, regularizers
from .base import Layer
from .symbolic import KerasTensor


class InputLayer(Layer):
    def __init__(self, input_shape=None, batch_size=None, dtype=None, name=None,
                 batch_shape=None, **kwargs):
        kwargs.pop("batch_input_shape", None)
        super().__init__(name=name or None, **kwargs)
        if batch_shape is None:
            batch_shape = (batch_size,) + tuple(input_shape or ())
        self._batch_input_shape = tuple(batch_shape)
        self._in_dtype = cf.as_dtype(dtype or self.compute_dtype)
        self.output = KerasTensor(batch_shape, self._in_dtype, None, name=self.name)
        self.output._input_layer = self
        self.built = True

    def get_config(self):
        return {"batch_shape": list(self._batch_input_shape), "dtype": self._in_dtype.name,
                "name": self.name}


class Dense(Layer):
    """``activation(inputs @ kernel + bias)``: one matmul, one add, one activation."""

    def __init__(self, units, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint, self.bias_constraint = kernel_constraint, bias_constraint

    def build(self, input_shape):
        last = input_shape[-1]
        if last is None:
            raise ValueError(f"Dense {self.name!r}: the last dimension of the input must "
                             f"be defined, got shape {input_shape}")
        self.kernel = self.add_weight("kernel", (last, self.units),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.units,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def call(self, inputs):
        k = self.kernel
        if k.dtype.name != self.compute_dtype:
            k = cf.cast(k, self.compute_dtype)
        if inputs.ndim == 2:
            y = cf.matmul(inputs, k)
        else:
            shp = cf.shape(inputs)
            y = cf.reshape(cf.matmul(cf.reshape(inputs, (-1, inputs.shape[-1])), k),
                           cf.concat([shp[:-1], [self.units]], 0))
        if self.bias is not None:
            b = self.bias if self.bias.dtype.name == self.compute_dtype else cf.cast(
                self.bias, self.compute_dtype)
            y = y + b
        return self.activation(y)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(units=self.units, activation=activations.serialize(self.activation),
                   use_bias=self.use_bias,
                   kernel_initializer=initializers.serialize(self.kernel_initializer),
                   bias_initializer=initializers.serialize(self.bias_initializer),
                   kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                   bias_regularizer=regularizers.serialize(self.bias_regularizer))
        return cfg


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs):
        return self.activation(inputs)

    def get_config(self):
        cfg = super().get_config()
        cfg["activation"] = activations.serialize(self.activation)
        return cfg


class Dropout(Layer):
    """Zeroes a ``rate`` fraction of inputs while training, scales the rest by 1/(1-rate)."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a "
                             f"float value between 0 and 1. Received: rate={rate}")
        self.rate, self.noise_shape, self.seed = float(rate), noise_shape, seed
        self._rng = np.random.default_rng(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0:
            return inputs
        shape = tuple(inputs.shape) if self.noise_shape is None else tuple(
            s if s is not None else inputs.shape[i] for i, s in enumerate(self.noise_shape))
        keep = (self._rng.random(shape) >= self.rate).astype(inputs.dtype.as_numpy_dtype)
        return inputs * cf.constant(keep / (1.0 - self.rate) if self.rate < 1 else keep)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return cfg


class Flatten(Layer):
    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format

    def call(self, inputs):
        if self.data_format == "channels_first" and inputs.ndim > 2:
            inputs = cf.transpose(inputs, [0] + list(range(2, inputs.ndim)) + [1])
        return cf.reshape(inputs, (inputs.shape[0] if inputs.shape[0] is not None else -1,
                                   -1) if inputs.ndim != 1 else (-1, 1))

    def get_config(self):
        cfg = super().get_config()
        cfg["data_format"] = self.data_format
        return cfg


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(target_shape)

    def call(self, inputs):
        return cf.reshape(inputs, (-1,) + self.target_shape)

    def get_config(self):
        cfg = super().get_config()
        cfg["target_shape"] = list(self.target_shape)
        return cfg


class Lambda(Layer):
    """Wraps a Python function. Its code is not serializable safely: loading refuses it
    unless ``safe_mode=False``."""

    def __init__(self, function, output_shape=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        self.function, self.arguments = function, dict(arguments or {})

    def call(self, inputs):
        return self.function(inputs, **self.arguments)

    def get_config(self):
        import base64
        import marshal
        cfg = super().get_config()
        cfg["function"] = base64.b64encode(marshal.dumps(self.function.__code__)).decode()
        cfg["arguments"] = self.arguments
        return cfg

    @classmethod
    def from_config(cls, config, safe_mode=True):
        from .. import saving
        if safe_mode and saving._safe_mode():
            raise ValueError(
                "Requested the deserialization of a Lambda layer, whose Python code "
                "cannot be loaded safely (it can run arbitrary code). If you trust the "
                "source of this file, pass `safe_mode=False` to the loading function.")
        import base64
        import marshal
        import types
        config = dict(config)
        code = marshal.loads(base64.b64decode(config.pop("function")))
        fn = types.FunctionType(code, globals())
        return cls(fn, **config)


class _OpLayer(Layer):
    """An operator applied to KerasTensors in a functional model (not serializable)."""

    def __init__(self, fn, **kwargs):
        super().__init__(**kwargs)
        self.fn = fn

    def call(self, inputs):
        return self.fn(inputs)
