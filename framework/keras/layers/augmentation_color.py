"""Colour augmentation layers (Keras 3): AutoContrast, Equalization, Solarization,
RandomInvert, RandomGrayscale, RandomPosterization, RandomColorDegeneration,
RandomSaturation, RandomHue, RandomSharpness, RandomColorJitter.

They follow ``augmentation.py``: channels_last internally, a single image is batched,
draws are per image from ``seed``, and the random layers are the identity (cast to the
compute dtype) when ``training`` is False. AutoContrast and Equalization are
deterministic and apply at inference too, as in Keras. Images are assumed in
``value_range`` (default [0, 255]); the maths follows Keras's TF backend step by step so
the deterministic paths match it numerically.

>>> import cuflow as cf, numpy as np
>>> img = np.array([[[[10.], [20.]], [[30.], [50.]]]], "float32")
>>> cf.keras.layers.AutoContrast()(img).numpy().ravel()
array([  0.  ,  63.75, 127.5 , 255.  ], dtype=float32)
"""
from __future__ import annotations

from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import reduce_ops as _r
from ...ops.index_ops import gather as _gather
from ...ops.segment_ops import cumsum as _cumsum
from .augmentation import _ImageAugmentation

_VR_ERROR = ("The `value_range` argument should be a list of two numbers. ")


def _value_range(value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        raise ValueError(_VR_ERROR + f"Received: value_range={value_range}")
    return sorted(value_range)


def _to_range(x, original, target):
    """Keras's ``_transform_value_range``: linear map from ``original`` to ``target``."""
    if original[0] == target[0] and original[1] == target[1]:
        return x
    x = (x - float(original[0])) / float(original[1] - original[0])
    return x * float(target[1] - target[0]) + float(target[0])


def _clip(x, lo, hi):
    return _m.minimum(_m.maximum(x, lo), hi)


def _grayscale(x):
    """(b, h, w, 1) luma with TF's weights (0.2989, 0.587, 0.114)."""
    from ...ops.image_ops import rgb_to_grayscale
    return _m.cast(rgb_to_grayscale(x), x.dtype.name)


class _ColorAugmentation(_ImageAugmentation):
    """Base of the colour layers: Keras's factor rule and (optional) value_range."""

    _FACTOR_BOUNDS = (-1, 1)

    def call(self, inputs, training=True):
        """Images, or Keras's dict: colour ops change ``images`` only; labels, bounding
        boxes and segmentation masks pass through unchanged, as in Keras."""
        if isinstance(inputs, dict):
            return {**inputs, "images": self.call(inputs["images"], training)}
        return super().call(inputs, training)

    def _per_image(self, x, lo, hi, shape=None):
        n = int(x.shape[0])
        return _m.cast(self._uniform(shape or (n, 1, 1, 1), lo, hi), x.dtype.name)

    def get_config(self):
        config = super().get_config()
        for key in ("factor", "value_range"):
            if hasattr(self, key):
                config[key] = getattr(self, key)
        return config


class AutoContrast(_ColorAugmentation):
    """Stretches each image's channels to the full ``value_range`` (min -> low, max ->
    high); constant channels are left unchanged. Applied at inference too."""

    def __init__(self, value_range=(0, 255), **kwargs):
        super().__init__(**kwargs)
        self.value_range = _value_range(value_range)

    def call(self, inputs, training=True):
        return super().call(inputs, True)    # deterministic: applied at inference too

    def _augment(self, x):
        orig = x
        x = _to_range(x, self.value_range, (0, 255))
        low = _r.reduce_min(x, axis=[1, 2], keepdims=True)
        high = _r.reduce_max(x, axis=[1, 2], keepdims=True)
        span = high - low
        flat = _m.equal(span, 0)
        scale = 255.0 / _m.where_v(flat, _a.ones_like(span), span)
        out = _clip(x * scale + (-low * scale), 0.0, 255.0)
        out = _to_range(out, (0, 255), self.value_range)
        return _m.where_v(_m.logical_or(flat, _m.is_nan(out)), orig, out)

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        return config


class Equalization(_ColorAugmentation):
    """Histogram equalization per channel (the histogram is taken over the whole batch,
    as Keras does). Applied at inference too."""

    def __init__(self, value_range=(0, 255), bins=256, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self.value_range = _value_range(value_range)

    def call(self, inputs, training=True):
        return super().call(inputs, True)    # deterministic: applied at inference too

    def _equalize(self, ch):
        from ...ops.sort_ops import bincount
        vr = tuple(self.value_range)
        if vr != (0, 255):
            ch = _to_range(ch, vr, (0, 255))
        bins = self.bins
        idx = _m.cast(_m.cast(ch, "float32") * float(bins - 1) / 255.0, "int32")
        idx = _clip(idx, 0, bins - 1)
        hist = bincount(_a.reshape(idx, [-1]), minlength=bins)
        cdf = _cumsum(hist)
        nonzero = _r.reduce_sum(_m.cast(_m.greater(hist, 0), "int32"))
        cdf_min = _r.reduce_min(_m.where_v(_m.greater(cdf, 0), cdf,
                                           _a.fill([bins], _r.reduce_max(cdf))))
        denom = cdf[-1] - cdf_min
        denom = _m.where_v(_m.equal(denom, 0), _a.ones_like(denom), denom)
        lut = _clip(_m.round(_m.cast((cdf - cdf_min) * 255, "float64") /
                             _m.cast(denom, "float64")), 0.0, 255.0)
        pos = _m.cast(_clip(ch / 255.0 * float(bins - 1), 0.0, float(bins - 1)), "int32")
        eq = _m.cast(_gather(lut, pos), ch.dtype.name)
        out = _m.where_v(_m.less_equal(nonzero, 1), ch, eq)
        if vr != (0, 255):
            out = _to_range(out, (0, 255), vr)
        return out

    def _augment(self, x):
        chans = [self._equalize(x[..., i]) for i in range(int(x.shape[-1]))]
        return _m.cast(_a.stack(chans, axis=-1), self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.pop("seed", None)
        config["bins"] = self.bins
        return config


def _factor01(factor, name):
    msg = ("The `factor` argument should be a number (or a list of two numbers) in the "
           f"range [0, 1]. Received: {name}={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or any(f < 0 or f > 1 for f in factor):
            raise ValueError(msg)
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        if factor < 0 or factor > 1:
            raise ValueError(msg)
        return (0, factor)
    raise ValueError(msg)


class Solarization(_ColorAugmentation):
    """Adds ``uniform(addition_factor) * 255``, clips, then inverts pixels at or above a
    threshold drawn from ``threshold_factor`` (x 255)."""

    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255),
                 seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.addition_factor = _factor01(addition_factor, "addition_factor")
        self.threshold_factor = _factor01(threshold_factor, "threshold_factor")
        self.value_range = _value_range(value_range)

    def _augment(self, x):
        add = self._per_image(x, self.addition_factor[0], self.addition_factor[1] * 255)
        thr = self._per_image(x, self.threshold_factor[0], self.threshold_factor[1] * 255)
        y = _clip(_to_range(x, self.value_range, (0, 255)) + add, 0.0, 255.0)
        y = _m.where_v(_m.less(y, thr), y, 255.0 - y)
        return _to_range(y, (0, 255), self.value_range)

    def get_config(self):
        config = super().get_config()
        config.update(addition_factor=self.addition_factor,
                      threshold_factor=self.threshold_factor)
        return config


class RandomInvert(_ColorAugmentation):
    """``value_range[1] - x`` for images whose uniform draw falls below a probability
    drawn from ``factor``."""

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor=1.0, value_range=(0, 255), seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = self._set_factor(factor)
        self.value_range = value_range

    def _augment(self, x):
        n = int(x.shape[0])
        prob = self._uniform((n, 1, 1, 1), self.factor[0], self.factor[1])
        draw = self._uniform((n, 1, 1, 1), 0.0, 1.0)
        return _m.where_v(_m.less(draw, prob), float(self.value_range[1]) - x, x)


class RandomGrayscale(_ColorAugmentation):
    """Replaces each image by its luma (in every channel) with probability ``factor``."""

    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor}")
        self.factor = factor

    def _augment(self, x):
        apply = _m.less(self._uniform((int(x.shape[0]), 1, 1, 1), 0.0, 1.0), self.factor)
        return _m.where_v(apply, _grayscale(x) + _a.zeros_like(x), x)


class RandomPosterization(_ColorAugmentation):
    """Keeps the top ``b`` bits of each 8-bit value, ``b`` drawn per image from
    ``factor`` (integers in [1, 8])."""

    _FACTOR_BOUNDS = (1, 8)
    _MAX_FACTOR = 8

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = self._set_factor(factor)
        self.value_range = _value_range(value_range)

    def _augment(self, x):
        n = int(x.shape[0])
        lo, hi = self.factor
        if lo != hi:  # Keras: randint in [lo, hi)
            bits = _m.floor(self._uniform((n, 1, 1, 1), float(lo), float(hi)))
        else:
            bits = _a.fill([n, 1, 1, 1], float(lo))
        step = _m.pow(2.0, float(self._MAX_FACTOR) - bits)
        y = _to_range(x, self.value_range, (0, 255))
        y = _m.cast(_m.cast(y, "int32"), "float32")    # Keras's cast to uint8 (truncation)
        y = _m.floor(y / step) * step
        return _to_range(_m.cast(y, x.dtype.name), (0, 255), self.value_range)


class RandomColorDegeneration(_ColorAugmentation):
    """Blends each image towards its grayscale version by a factor drawn from
    ``factor``, clipped to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = self._set_factor(factor)
        self.value_range = _value_range(value_range)

    def _augment(self, x):
        f = self._per_image(x, self.factor[0], self.factor[1])
        y = x + f * (_grayscale(x) - x)
        return _clip(y, float(self.value_range[0]), float(self.value_range[1]))


def _epsilon():
    from ..backend import epsilon
    return epsilon()


class RandomSaturation(_ColorAugmentation):
    """Scales the HSV saturation by ``f / (1 - f)``, f drawn from ``factor`` (0.5 keeps
    the image, 1 saturates fully, 0 gives grayscale)."""

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = self._set_factor(factor)
        self.value_range = _value_range(value_range)

    def _augment(self, x):
        from ...ops.image_color_ops import hsv_to_rgb, rgb_to_hsv
        f = self._per_image(x, self.factor[0], self.factor[1], (int(x.shape[0]), 1, 1))
        f = f / (1.0 - f + _epsilon())
        hsv = rgb_to_hsv(x)
        s = _clip(hsv[..., 1] * f, float(self.value_range[0]), float(self.value_range[1]))
        return hsv_to_rgb(_a.stack([hsv[..., 0], s, hsv[..., 2]], axis=-1))


class RandomHue(_ColorAugmentation):
    """Rotates the hue by ``+-uniform(factor) / 2`` turns (sign drawn per image)."""

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = self._set_factor(factor)
        self.value_range = value_range

    def _augment(self, x):
        from ...ops.image_color_ops import hsv_to_rgb, rgb_to_hsv
        n = int(x.shape[0])
        sign = _m.where_v(_m.greater(self._uniform((n, 1, 1), 0.0, 1.0), 0.5), -1.0, 1.0)
        f = _m.cast(sign * self._uniform((n, 1, 1), self.factor[0], self.factor[1]) * 0.5,
                    x.dtype.name)
        hsv = rgb_to_hsv(_to_range(x, self.value_range, (0, 1)))
        h = hsv[..., 0] + f
        h = _m.where_v(_m.greater(h, 1.0), h - 1.0, h)
        h = _m.where_v(_m.less(h, 0.0), h + 1.0, h)
        y = _clip(hsv_to_rgb(_a.stack([h, hsv[..., 1], hsv[..., 2]], axis=-1)), 0.0, 1.0)
        return _to_range(y, (0, 1), self.value_range)


class RandomSharpness(_ColorAugmentation):
    """Blends each image with a 3x3 smoothed copy: ``x + (1 - 2f) * (smooth - x)``."""

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.factor = self._set_factor(factor)
        self.value_range = _value_range(value_range)

    def _augment(self, x):
        f = self._per_image(x, self.factor[0], self.factor[1]) * 2.0
        c = int(x.shape[-1])
        a, b = 1.0 / 13.0, 5.0 / 13.0
        import numpy as np
        k = np.array([[a, a, a], [a, b, a], [a, a, a]], x.dtype.name).reshape(3, 3, 1, 1)
        smooth = _nn.depthwise_conv2d(x, np.tile(k, (1, 1, c, 1)), strides=(1, 1, 1, 1),
                                      padding="SAME")
        y = x + (1.0 - f) * (smooth - x)
        return _clip(y, float(self.value_range[0]), float(self.value_range[1]))


class RandomColorJitter(_ColorAugmentation):
    """RandomBrightness, RandomContrast, RandomSaturation and RandomHue in that order,
    each only when its factor is given."""

    def __init__(self, value_range=(0, 255), brightness_factor=None, contrast_factor=None,
                 saturation_factor=None, hue_factor=None, seed=None, data_format=None,
                 **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        from .augmentation import RandomBrightness, RandomContrast
        self.value_range = _value_range(value_range)
        self.brightness_factor, self.contrast_factor = brightness_factor, contrast_factor
        self.saturation_factor, self.hue_factor = saturation_factor, hue_factor
        vr, s = self.value_range, seed
        self._parts = []
        if brightness_factor is not None:
            self._parts.append(RandomBrightness(brightness_factor, value_range=vr, seed=s))
        if contrast_factor is not None:
            self._parts.append(RandomContrast(contrast_factor, value_range=vr, seed=s))
        if saturation_factor is not None:
            self._parts.append(RandomSaturation(saturation_factor, value_range=vr, seed=s))
        if hue_factor is not None:
            self._parts.append(RandomHue(hue_factor, value_range=vr, seed=s))

    def _augment(self, x):
        for part in self._parts:
            x = part._augment(x)
        return x

    def get_config(self):
        config = super().get_config()
        config.update(brightness_factor=self.brightness_factor,
                      contrast_factor=self.contrast_factor,
                      saturation_factor=self.saturation_factor, hue_factor=self.hue_factor)
        return config
