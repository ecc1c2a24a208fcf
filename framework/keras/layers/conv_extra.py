"""Conv2DTranspose, DepthwiseConv2D, SeparableConv2D (Keras 3 weight layouts)."""
from __future__ import annotations

from ... import nn as _nn
from ...ops import array_ops as _a
from .. import activations, initializers, regularizers
from .base import Layer
from .convolutional import _Conv, _tuple


class Conv2DTranspose(_Conv):
    """Transposed 2-D convolution; kernel (kh, kw, filters, in_channels) as Keras."""

    rank = 2

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 output_padding=None, data_format=None, dilation_rate=(1, 1), **kwargs):
        super().__init__(filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, **kwargs)
        if output_padding is not None or self.dilation_rate != (1, 1):
            raise ValueError("Conv2DTranspose here supports output_padding=None and "
                             "dilation_rate=1 only")
        self.output_padding = output_padding

    def build(self, input_shape):
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer,
                                    constraint=self.bias_constraint) if self.use_bias else None
        self.built = True

    def _out_len(self, n, k, s):
        return n * s if self.padding == "same" else (n - 1) * s + max(k - s, 0) + s

    def _conv(self, x):
        h, w = x.shape[1], x.shape[2]
        oh = self._out_len(h, self.kernel_size[0], self.strides[0])
        ow = self._out_len(w, self.kernel_size[1], self.strides[1])
        batch = _a.shape(x)[0]
        out_shape = _a.stack([batch, oh, ow, self.filters])
        return _nn.conv2d_transpose(x, self._cw(self.kernel), out_shape,
                                    strides=self.strides, padding=self.padding.upper())

    def get_config(self):
        config = super().get_config()
        config.pop("groups", None)
        config["output_padding"] = self.output_padding
        return config


class DepthwiseConv2D(Layer):
    """Per-channel 2-D convolution; depthwise_kernel (kh, kw, in_channels, multiplier)."""

    def __init__(self, kernel_size, strides=(1, 1), padding="valid", depth_multiplier=1,
                 data_format=None, dilation_rate=(1, 1), activation=None, use_bias=True,
                 depthwise_initializer="glorot_uniform", bias_initializer="zeros",
                 depthwise_regularizer=None, bias_regularizer=None, **kwargs):
        super().__init__(**kwargs)
        self.kernel_size = _tuple(kernel_size, 2, "kernel_size")
        self.strides = _tuple(strides, 2, "strides")
        self.dilation_rate = _tuple(dilation_rate, 2, "dilation_rate")
        self.padding = padding.lower()
        self.depth_multiplier = int(depth_multiplier)
        self.data_format = data_format or "channels_last"
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def _channels(self, input_shape):
        return input_shape[-1] if self.data_format == "channels_last" else input_shape[1]

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (c, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer)
        self.bias = self.add_weight("bias", (c * self.depth_multiplier,),
                                    initializer=self.bias_initializer,
                                    regularizer=self.bias_regularizer) \
            if self.use_bias else None
        self.built = True

    def _nhwc(self, x):
        if self.data_format == "channels_first":
            return _a.transpose(x, [0, 2, 3, 1])
        return x

    def _back(self, y):
        if self.data_format == "channels_first":
            return _a.transpose(y, [0, 3, 1, 2])
        return y

    def _depthwise(self, x):
        return _nn.depthwise_conv2d(x, self._cw(self.depthwise_kernel),
                                    strides=(1,) + self.strides + (1,),
                                    padding=self.padding.upper(),
                                    dilations=self.dilation_rate)

    def call(self, inputs):
        y = self._depthwise(self._nhwc(inputs))
        if self.bias is not None:
            y = y + self._cw(self.bias)
        return self._back(self.activation(y))

    def get_config(self):
        config = super().get_config()
        config.update(kernel_size=self.kernel_size, strides=self.strides,
                      padding=self.padding, depth_multiplier=self.depth_multiplier,
                      data_format=self.data_format, dilation_rate=self.dilation_rate,
                      activation=activations.serialize(self.activation),
                      use_bias=self.use_bias,
                      depthwise_initializer=initializers.serialize(self.depthwise_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer))
        return config


class SeparableConv2D(DepthwiseConv2D):
    """Depthwise then 1x1 pointwise convolution; pointwise_kernel (1, 1, c*mult, filters)."""

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid",
                 data_format=None, dilation_rate=(1, 1), depth_multiplier=1,
                 activation=None, use_bias=True, depthwise_initializer="glorot_uniform",
                 pointwise_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(kernel_size, strides=strides, padding=padding,
                         depth_multiplier=depth_multiplier, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.filters = int(filters)
        self.pointwise_initializer = initializers.get(pointwise_initializer)

    def build(self, input_shape):
        c = self._channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            "depthwise_kernel", self.kernel_size + (c, self.depth_multiplier),
            initializer=self.depthwise_initializer)
        self.pointwise_kernel = self.add_weight(
            "pointwise_kernel", (1, 1, c * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer)
        self.bias = self.add_weight("bias", (self.filters,), initializer=self.bias_initializer) \
            if self.use_bias else None
        self.built = True

    def _depthwise(self, x):
        return _nn.separable_conv2d(x, self._cw(self.depthwise_kernel),
                                    self._cw(self.pointwise_kernel),
                                    strides=(1,) + self.strides + (1,),
                                    padding=self.padding.upper(),
                                    dilations=self.dilation_rate)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters,
                      pointwise_initializer=initializers.serialize(self.pointwise_initializer))
        return config
