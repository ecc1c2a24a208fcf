"""Image reshaping and misc layers: ZeroPadding2D, UpSampling2D, Cropping2D,
SpatialDropout2D, Masking, GroupNormalization, Normalization (with ``adapt``)."""
from __future__ import annotations

import numpy as np

import cuflow as cf

from .. import initializers
from .base import Layer


def _pairs(v, n=2):
    if isinstance(v, int):
        return ((v, v),) * n
    return tuple((x, x) if isinstance(x, int) else tuple(x) for x in v)


def _cl(x, data_format):
    """To channels_last (and the function back)."""
    if data_format == "channels_first":
        return cf.transpose(x, [0, 2, 3, 1]), lambda y: cf.transpose(y, [0, 3, 1, 2])
    return x, lambda y: y


class ZeroPadding2D(Layer):
    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding, self.data_format = _pairs(padding), data_format

    def call(self, inputs):
        x, back = _cl(inputs, self.data_format)
        (t, b), (lft, r) = self.padding
        return back(cf.pad(x, [[0, 0], [t, b], [lft, r], [0, 0]]))

    def get_config(self):
        return super().get_config() | {"padding": self.padding,
                                       "data_format": self.data_format}


class Cropping2D(Layer):
    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping, self.data_format = _pairs(cropping), data_format

    def call(self, inputs):
        x, back = _cl(inputs, self.data_format)
        (t, b), (lft, r) = self.cropping
        h, w = x.shape[1], x.shape[2]
        return back(x[:, t:h - b, lft:w - r, :])

    def get_config(self):
        return super().get_config() | {"cropping": self.cropping,
                                       "data_format": self.data_format}


class UpSampling2D(Layer):
    """Nearest-neighbour upsampling (``interpolation='nearest'``, Keras' default)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        if interpolation != "nearest":
            raise ValueError(f"UpSampling2D: interpolation={interpolation!r} is not "
                             "supported here; use 'nearest'")
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.data_format, self.interpolation = data_format, interpolation

    def call(self, inputs):
        x, back = _cl(inputs, self.data_format)
        x = cf.repeat(x, self.size[0], axis=1)
        return back(cf.repeat(x, self.size[1], axis=2))

    def get_config(self):
        return super().get_config() | {"size": self.size, "data_format": self.data_format,
                                       "interpolation": self.interpolation}


class SpatialDropout2D(Layer):
    """Drops whole feature maps (the noise shape is (batch, 1, 1, channels))."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.rate, self.data_format, self.seed = float(rate), data_format, seed

    def call(self, inputs, training=False):
        if not training or self.rate == 0:
            return inputs
        s = cf.shape(inputs)
        if self.data_format == "channels_first":
            noise = cf.stack([s[0], s[1], 1, 1])
        else:
            noise = cf.stack([s[0], 1, 1, s[3]])
        return cf.nn.dropout(inputs, rate=self.rate, noise_shape=noise, seed=self.seed)

    def get_config(self):
        return super().get_config() | {"rate": self.rate, "data_format": self.data_format,
                                       "seed": self.seed}


class Masking(Layer):
    """Masks timesteps whose features all equal ``mask_value`` (and zeroes them)."""

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True

    def compute_mask(self, inputs, mask=None):
        return cf.reduce_any(cf.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = cf.reduce_any(cf.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        return inputs * cf.cast(keep, inputs.dtype)

    def get_config(self):
        return super().get_config() | {"mask_value": self.mask_value}


class GroupNormalization(Layer):
    """Normalizes over groups of channels (last axis), per sample; Keras 3 defaults."""

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.groups, self.axis, self.epsilon = int(groups), axis, float(epsilon)
        self.center, self.scale = center, scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)

    def build(self, input_shape):
        if self.axis not in (-1, len(input_shape) - 1):
            raise ValueError("GroupNormalization here supports axis=-1 only")
        c = input_shape[-1]
        if c % self.groups:
            raise ValueError(f"Number of groups ({self.groups}) must be a multiple of "
                             f"the number of channels ({c}).")
        self.gamma = self.add_weight("gamma", (c,), initializer=self.gamma_initializer) \
            if self.scale else None
        self.beta = self.add_weight("beta", (c,), initializer=self.beta_initializer) \
            if self.center else None
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        c = shape[-1]
        s = cf.shape(inputs)
        g = cf.reshape(inputs, cf.concat([s[:-1], [self.groups, c // self.groups]], 0))
        axes = list(range(1, len(shape) - 1)) + [len(shape)]
        mean = cf.reduce_mean(g, axis=axes, keepdims=True)
        var = cf.reduce_mean(cf.square(g - mean), axis=axes, keepdims=True)
        y = cf.reshape((g - mean) * cf.math.rsqrt(var + self.epsilon), s)
        if self.gamma is not None:
            y = y * cf.cast(self.gamma, y.dtype)
        if self.beta is not None:
            y = y + cf.cast(self.beta, y.dtype)
        return y

    def get_config(self):
        return super().get_config() | {"groups": self.groups, "axis": self.axis,
                                       "epsilon": self.epsilon, "center": self.center,
                                       "scale": self.scale}


class Normalization(Layer):
    """``(x - mean) / sqrt(var)`` with statistics from ``adapt(data)`` or given."""

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        self.axis, self.invert = axis, invert
        self._init_mean, self._init_var = mean, variance

    def build(self, input_shape):
        rank = len(input_shape)
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        axes = [a % rank for a in axes]
        shape = tuple(input_shape[a] if a in axes else 1 for a in range(rank))
        self._stat_shape = shape
        self.mean = self.add_weight("mean", shape, initializer="zeros", trainable=False)
        self.variance = self.add_weight("variance", shape, initializer="ones",
                                        trainable=False)
        if self._init_mean is not None:
            self.mean.assign(np.broadcast_to(np.asarray(self._init_mean, np.float32), shape))
            self.variance.assign(np.broadcast_to(np.asarray(self._init_var, np.float32),
                                                 shape))
        self.built = True

    def adapt(self, data, batch_size=None, steps=None):
        if hasattr(data, "numpy"):
            data = data.numpy()
        if not isinstance(data, np.ndarray):
            data = np.concatenate([np.asarray(b.numpy() if hasattr(b, "numpy") else b)
                                   for b in data])
        data = np.asarray(data, np.float64)
        if not self.built:
            self.build((None,) + data.shape[1:])
        axes = tuple(a for a, s in enumerate(self._stat_shape) if s == 1)
        self.mean.assign(data.mean(axis=axes, keepdims=True).reshape(
            self._stat_shape).astype(np.float32))
        self.variance.assign(data.var(axis=axes, keepdims=True).reshape(
            self._stat_shape).astype(np.float32))

    def call(self, inputs):
        mean = cf.cast(self.mean, inputs.dtype)
        std = cf.sqrt(cf.maximum(cf.cast(self.variance, inputs.dtype), 1e-7))
        if self.invert:
            return inputs * std + mean
        return (inputs - mean) / std

    def get_config(self):
        return super().get_config() | {"axis": self.axis, "invert": self.invert,
                                       "mean": self._init_mean, "variance": self._init_var}
