"""Conv3DTranspose, DepthwiseConv1D, SpatialDropout3D and the adaptive pooling layers
(Keras 3 weights, configs and output sizes).

Adaptive pooling splits each spatial axis of length L into ``out`` windows
``[floor(i*L/out), ceil((i+1)*L/out))`` (PyTorch's and Keras's rule); a rectangular
window's mean or max is the per-axis reduction applied axis after axis.

>>> import cuflow as cf, numpy as np
>>> cf.keras.layers.AdaptiveAveragePooling2D(2)(np.ones((1, 5, 7, 3), "float32")).shape
TensorShape([1, 2, 2, 3])
"""
from __future__ import annotations

from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops import reduce_ops as _r
from ...ops.conv_ops import _BP_INPUT3D, _pads
from ...ops.dispatch import apply as _apply
from .. import regularizers
from ..backend import standardize_data_format as _standardize_data_format
from .base import InputSpec, Layer
from .convolutional import Conv1DTranspose, DepthwiseConv2D, _ConvTranspose
from .reshaping import _SpatialDropout


class Conv3DTranspose(_ConvTranspose):
    """Transposed 3-D convolution over NDHWC inputs; kernel (kd, kh, kw, filters, in)."""

    rank = 3

    def _conv(self, x):
        out = self._out_shape(x)
        pads = _pads("conv3d_transpose", self.padding.upper(), out[1:4],
                     self.kernel_size, self.strides, self.dilation_rate, False)
        return _apply(_BP_INPUT3D, (x, self._cw(self.kernel)),
                      {"in_shape": tuple(out), "strides": tuple(self.strides),
                       "dilations": tuple(self.dilation_rate), "pads": pads})

    def get_config(self):
        return {**super().get_config(), "activity_regularizer":
                regularizers.serialize(self.activity_regularizer)}


Convolution3DTranspose = Conv3DTranspose
Convolution1DTranspose = Conv1DTranspose


class DepthwiseConv1D(DepthwiseConv2D):
    """Per-channel 1-D convolution; kernel (k, in, depth_multiplier)."""

    rank = 1

    def __init__(self, kernel_size, strides=1, padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=1, activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 depthwise_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer,
                         bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def _conv(self, x):
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            from ...ops.manip_ops import pad
            x = pad(x, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        y = _nn.depthwise_conv2d(_a.expand_dims(x, 1), _a.expand_dims(self._cw(self.kernel), 0),
                                 strides=(1, 1, self.strides[0], 1), padding=padding.upper(),
                                 dilations=(1, self.dilation_rate[0]))
        return _a.squeeze(y, [1])

    def get_config(self):
        return {**super().get_config(), "activity_regularizer":
                regularizers.serialize(self.activity_regularizer)}


class SpatialDropout3D(_SpatialDropout):
    """Drops whole 3-D feature maps (noise shape (batch, 1, 1, 1, channels))."""

    def __init__(self, rate, data_format=None, seed=None, name=None, dtype=None):
        super().__init__(rate, seed=seed, name=name, dtype=dtype)
        self.data_format = _standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=5)

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        shape = [int(d) for d in inputs.shape]
        noise = [shape[0], 1, 1, 1, shape[4]] if self.data_format == "channels_last" else \
            [shape[0], shape[1], 1, 1, 1]
        return _nn.dropout(inputs, rate=self.rate, noise_shape=noise, seed=self.seed)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}


# --- adaptive pooling -----------------------------------------------------------------------


def _adaptive_axis(x, axis, out, kind):
    """Reduces ``axis`` of ``x`` into ``out`` adaptive windows."""
    n = int(x.shape[axis])
    if n % out == 0:  # equal windows: one reshape + reduce
        shape = [int(d) for d in x.shape]
        shape[axis:axis + 1] = [out, n // out]
        fn = _r.reduce_mean if kind == "avg" else _r.reduce_max
        return fn(_a.reshape(x, shape), axis=axis + 1)
    pieces = []
    for i in range(out):
        lo, hi = (i * n) // out, -(-((i + 1) * n) // out)
        idx = [slice(None)] * len(x.shape)
        idx[axis] = slice(lo, hi)
        part = x[tuple(idx)]
        fn = _r.reduce_mean if kind == "avg" else _r.reduce_max
        pieces.append(fn(part, axis=axis, keepdims=True))
    return _a.concat(pieces, axis=axis)


class _AdaptivePool(Layer):
    rank = 2
    kind = "avg"

    def __init__(self, output_size, data_format=None, **kwargs):
        if isinstance(output_size, int):
            size = (output_size,) * self.rank
        elif isinstance(output_size, (tuple, list)) and len(output_size) == self.rank:
            size = tuple(int(v) for v in output_size)
        else:
            raise TypeError(f"`output_size` must be an integer or a tuple of {self.rank} "
                            f"integers. Received: {output_size} of type "
                            f"{type(output_size)}")
        super().__init__(**kwargs)
        self.output_size = size
        self.data_format = _standardize_data_format(data_format)
        if self.data_format not in ("channels_first", "channels_last"):
            raise ValueError(f"Invalid data_format: {self.data_format}. Expected "
                             "'channels_first' or 'channels_last'.")

    def call(self, inputs):
        x = inputs
        first = 1 if self.data_format == "channels_last" else 2
        for i, out in enumerate(self.output_size):
            x = _adaptive_axis(x, first + i, out, self.kind)
        return x

    def compute_output_shape(self, input_shape):
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self):
        return {**super().get_config(), "output_size": self.output_size,
                "data_format": self.data_format}


class AdaptiveAveragePooling1D(_AdaptivePool):
    rank, kind = 1, "avg"


class AdaptiveAveragePooling2D(_AdaptivePool):
    rank, kind = 2, "avg"


class AdaptiveAveragePooling3D(_AdaptivePool):
    rank, kind = 3, "avg"


class AdaptiveMaxPooling1D(_AdaptivePool):
    rank, kind = 1, "max"


class AdaptiveMaxPooling2D(_AdaptivePool):
    rank, kind = 2, "max"


class AdaptiveMaxPooling3D(_AdaptivePool):
    rank, kind = 3, "max"
