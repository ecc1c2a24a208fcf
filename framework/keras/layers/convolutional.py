"""Convolution and pooling layers (channels_last): Conv1D, Conv2D, MaxPooling1D/2D,
AveragePooling1D/2D, GlobalAverage/GlobalMaxPooling1D/2D."""
from __future__ import annotations

from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops import reduce_ops as _r
from ...ops.manip_ops import pad as _pad
from .. import activations, constraints, initializers, regularizers
from .base import InputSpec, Layer


def _tuple(value, n, name):
    if isinstance(value, int):
        return (value,) * n
    value = tuple(int(v) for v in value)
    if len(value) != n:
        raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. "
                         f"Received {name}={value}")
    return value


class _Conv(Layer):
    rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, groups=1, activation=None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if int(filters) <= 0:
            raise ValueError(f"Invalid value for argument `filters`. Expected a strictly "
                             f"positive value. Received filters={filters}.")
        self.filters = int(filters)
        self.kernel_size = _tuple(kernel_size, self.rank, "kernel_size")
        self.strides = _tuple(strides, self.rank, "strides")
        self.dilation_rate = _tuple(dilation_rate, self.rank, "dilation_rate")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same", "causal"):
            raise ValueError(f"Invalid padding {padding!r}; expected 'valid' or 'same'")
        self.data_format = data_format or "channels_last"
        self.groups = int(groups)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=self.rank + 2)

    def build(self, input_shape):
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if channels is None:
            raise ValueError("The channel dimension of the inputs should be defined. "
                             f"Found None. Full input shape received: {input_shape}")
        if channels % self.groups:
            raise ValueError(f"The number of input channels must be evenly divisible by the "
                             f"number of groups. Received groups={self.groups}, but the "
                             f"input has {channels} channels (full input shape is "
                             f"{input_shape}).")
        shape = self.kernel_size + (channels // self.groups, self.filters)
        self.kernel = self.add_weight("kernel", shape, initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def _conv(self, x):
        raise NotImplementedError

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = _a.transpose(x, [0] + list(range(2, self.rank + 2)) + [1])
        out = self._conv(x)
        if self.bias is not None:
            out = out + self._cw(self.bias)
        out = self.activation(out)
        if self.data_format == "channels_first":
            out = _a.transpose(out, [0, self.rank + 1] + list(range(1, self.rank + 1)))
        return out

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                      padding=self.padding, data_format=self.data_format,
                      dilation_rate=self.dilation_rate, groups=self.groups,
                      activation=activations.serialize(self.activation),
                      use_bias=self.use_bias,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer),
                      kernel_regularizer=regularizers.serialize(self.kernel_regularizer),
                      bias_regularizer=regularizers.serialize(self.bias_regularizer),
                      kernel_constraint=constraints.serialize(self.kernel_constraint),
                      bias_constraint=constraints.serialize(self.bias_constraint))
        return config


class Conv2D(_Conv):
    """2-D convolution over NHWC inputs; kernel (kh, kw, in/groups, filters)."""

    rank = 2

    def _conv(self, x):
        return _nn.conv2d(x, self._cw(self.kernel), strides=self.strides, padding=self.padding.upper(),
                          dilations=self.dilation_rate)


class Conv1D(_Conv):
    """1-D convolution over NWC inputs; 'causal' padding pads the left only."""

    rank = 1

    def _conv(self, x):
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = _pad(x, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        return _nn.conv1d(x, self._cw(self.kernel), stride=self.strides[0], padding=padding.upper(),
                          dilations=self.dilation_rate[0])


Convolution1D, Convolution2D = Conv1D, Conv2D


class _Pool(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.pool_size = _tuple(pool_size, self.rank, "pool_size")
        self.strides = _tuple(strides, self.rank, "strides") if strides is not None \
            else self.pool_size
        self.padding = padding.lower()
        self.data_format = data_format or "channels_last"
        self.input_spec = InputSpec(ndim=self.rank + 2)

    def call(self, inputs):
        x = inputs
        if self.data_format == "channels_first":
            x = _a.transpose(x, [0] + list(range(2, self.rank + 2)) + [1])
        if self.rank == 2:
            fn = _nn.max_pool2d if self.kind == "max" else _nn.avg_pool2d
        else:
            fn = _nn.max_pool1d if self.kind == "max" else _nn.avg_pool1d
        out = fn(x, ksize=list(self.pool_size), strides=list(self.strides),
                 padding=self.padding.upper())
        if self.data_format == "channels_first":
            out = _a.transpose(out, [0, self.rank + 1] + list(range(1, self.rank + 1)))
        return out

    def get_config(self):
        config = super().get_config()
        config.update(pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                      data_format=self.data_format)
        return config


class MaxPooling2D(_Pool):
    rank, kind = 2, "max"


class AveragePooling2D(_Pool):
    rank, kind = 2, "avg"


class MaxPooling1D(_Pool):
    rank, kind = 1, "max"


class AveragePooling1D(_Pool):
    rank, kind = 1, "avg"


MaxPool2D, AvgPool2D, MaxPool1D, AvgPool1D = (MaxPooling2D, AveragePooling2D, MaxPooling1D,
                                              AveragePooling1D)


class _GlobalPool(Layer):
    rank = 2
    kind = "avg"

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or "channels_last"
        self.keepdims = keepdims

    def call(self, inputs):
        axes = list(range(1, self.rank + 1)) if self.data_format == "channels_last" else \
            list(range(2, self.rank + 2))
        fn = _r.reduce_mean if self.kind == "avg" else _r.reduce_max
        return fn(inputs, axis=axes, keepdims=self.keepdims)

    def get_config(self):
        config = super().get_config()
        config.update(data_format=self.data_format, keepdims=self.keepdims)
        return config


class GlobalAveragePooling2D(_GlobalPool):
    rank, kind = 2, "avg"


class GlobalMaxPooling2D(_GlobalPool):
    rank, kind = 2, "max"


class GlobalAveragePooling1D(_GlobalPool):
    rank, kind = 1, "avg"


class GlobalMaxPooling1D(_GlobalPool):
    rank, kind = 1, "max"


GlobalAvgPool2D, GlobalMaxPool2D = GlobalAveragePooling2D, GlobalMaxPooling2D
GlobalAvgPool1D, GlobalMaxPool1D = GlobalAveragePooling1D, GlobalMaxPooling1D
