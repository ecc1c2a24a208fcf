"""Image augmentation layers (Keras 3): RandomFlip, RandomRotation, RandomZoom,
RandomTranslation, RandomContrast, RandomBrightness, RandomCrop.

As in Keras 3, they augment when ``training`` is True -- which is their default when
called directly -- and pass images through in ``predict``/``evaluate`` or with
``training=False``. Images are (batch, h, w, c) or a single (h, w, c) image; draws are
per image from ``seed`` (one reproducible stream per layer). Geometric layers resample
through ``image_projective_transform`` with Keras's ``fill_mode``/``interpolation``.

>>> import cuflow as cf, numpy as np
>>> img = np.arange(4, dtype="float32").reshape(1, 1, 4, 1)
>>> flip = cf.keras.layers.RandomFlip("horizontal", seed=0)
>>> flip(img, training=False).numpy().ravel()
array([0., 1., 2., 3.], dtype=float32)
"""
from __future__ import annotations

import math

from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import random_ops as _rand
from ...ops import reduce_ops as _r
from ...ops.image_ops import resize as _resize
from ...ops.image_transform_ops import FILL_MODES, INTERPOLATIONS
from ...ops.image_transform_ops import image_projective_transform_v3 as _project
from ...ops.manip_ops import reverse as _reverse
from .. import backend
from ..backend import standardize_data_format as _standardize_data_format
from .base import Layer

HORIZONTAL, VERTICAL = "horizontal", "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


class _ImageAugmentation(Layer):
    """Shared steps: cast to the compute dtype, batch a single image, channels_last,
    augment only when training."""

    _allow_non_tensor_positional_args = True  # as Keras's

    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, seed=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.data_format = _standardize_data_format(data_format)

    def _set_factor(self, factor):
        lo, hi = self._FACTOR_BOUNDS
        msg = (f"The `factor` argument should be a number (or a list of two numbers) in the "
               f"range [{lo}, {hi}]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > hi or factor[1] < lo:
                raise ValueError(msg)
            return tuple(sorted(factor))
        if isinstance(factor, (int, float)):
            if factor < lo or factor > hi:
                raise ValueError(msg)
            return (max(-abs(factor), lo), abs(factor))
        raise ValueError(msg)

    def _uniform(self, shape, lo, hi):
        return _rand.uniform(list(shape), lo, hi, seed=self.seed)

    def call(self, inputs, training=True):
        x = inputs
        if len(x.shape) not in (3, 4):
            raise ValueError("Expected image tensor to have rank 3 (single image) or 4 "
                             f"(batch of images). Received: data.shape={tuple(x.shape)}")
        if x.dtype.name != self.compute_dtype:
            x = _m.cast(x, self.compute_dtype)
        if training is False:
            return x
        single = len(x.shape) == 3
        if single:
            x = _a.expand_dims(x, 0)
        first = self.data_format == "channels_first"
        if first:
            x = _a.transpose(x, [0, 2, 3, 1])
        x = self._augment(x)
        if first:
            x = _a.transpose(x, [0, 3, 1, 2])
        return _a.squeeze(x, [0]) if single else x

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format, "seed": self.seed}


def _check_modes(fill_mode, interpolation):
    if fill_mode not in FILL_MODES:
        raise NotImplementedError(f"Unknown `fill_mode` {fill_mode}. Expected of one "
                                  f"{FILL_MODES}.")
    if interpolation not in INTERPOLATIONS:
        raise NotImplementedError(f"Unknown `interpolation` {interpolation}. Expected of "
                                  f"one {INTERPOLATIONS}.")


class RandomFlip(_ImageAugmentation):
    """Flips each image with probability 1/2 ('horizontal_and_vertical' flips both ways
    together, as Keras)."""

    def __init__(self, mode=HORIZONTAL_AND_VERTICAL, seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode "
                             f"argument {mode}")
        self.mode = mode

    def _augment(self, x):
        flips = _m.less_equal(self._uniform((int(x.shape[0]), 1, 1, 1), 0.0, 1.0), 0.5)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            x = _m.where_v(flips, _reverse(x, [2]), x)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            x = _m.where_v(flips, _reverse(x, [1]), x)
        return x

    def get_config(self):
        return {**super().get_config(), "mode": self.mode}


class _Affine(_ImageAugmentation):
    """Geometric layers: a per-image [a0, a1, a2, b0, b1, b2, 0, 0] output->input map."""

    def __init__(self, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        _check_modes(fill_mode, interpolation)
        self.fill_mode, self.interpolation, self.fill_value = fill_mode, interpolation, \
            fill_value

    def _augment(self, x):
        h, w = int(x.shape[1]), int(x.shape[2])
        t = self._transforms(int(x.shape[0]), h, w)
        return _project(x, t, [h, w], self.fill_value, self.interpolation, self.fill_mode)

    def get_config(self):
        return {**super().get_config(), "fill_mode": self.fill_mode,
                "interpolation": self.interpolation, "fill_value": self.fill_value}


def _rows(*cols):
    """[n, 8] transforms from eight [n] columns (Tensors or floats)."""
    n = next(int(c.shape[0]) for c in cols if hasattr(c, "shape"))
    full = [c if hasattr(c, "shape") else _a.fill([n], float(c)) for c in cols]
    return _a.stack([_m.cast(c, "float32") for c in full], axis=1)


class RandomRotation(_Affine):
    """Rotates each image by ``factor * 360`` degrees drawn uniformly from the factor
    range, about its centre."""

    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.factor = self._set_factor(factor)

    def _transforms(self, n, h, w):
        angle = self._uniform((n,), self.factor[0] * 360.0, self.factor[1] * 360.0) * \
            (math.pi / 180.0)
        cos, sin = _m.cos(angle), _m.sin(angle)
        cx, cy = 0.5 * (w - 1), 0.5 * (h - 1)
        return _rows(cos, -sin, cx - cx * cos + cy * sin, sin, cos,
                     cy - cx * sin - cy * cos, 0.0, 0.0)

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _factor_range(factor, name, open_low):
    low = "(-1.0, 1.0]" if open_low else "[-1.0, 1.0]"
    msg = (f"The `{'height_factor` and `width_factor' if open_low else 'factor'}` "
           f"argument{'s' if open_low else ''} should be a number (or a list of two numbers) "
           f"in the range {low}. ")

    def check(v):
        if v > 1.0 or (v <= -1.0 if open_low else v < -1.0):
            raise ValueError(msg + f"Received: input_number={v}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2:
            raise ValueError(msg + f"Received: {name}={factor}")
        check(factor[0])
        check(factor[1])
        return tuple(sorted(factor))
    if isinstance(factor, (int, float)):
        check(factor)
        return (-abs(factor), abs(factor))
    raise ValueError(msg + f"Received: {name}={factor}")


class RandomZoom(_Affine):
    """Zooms each image by 1 + a factor drawn per axis (negative: zoom in); without
    ``width_factor`` the aspect ratio is kept."""

    def __init__(self, height_factor, width_factor=None, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _factor_range(height_factor, "height_factor",
                                                             True)
        if width_factor is not None:
            self.width_lower, self.width_upper = _factor_range(width_factor, "width_factor",
                                                               True)

    def _transforms(self, n, h, w):
        zh = self._uniform((n,), 1.0 + self.height_lower, 1.0 + self.height_upper)
        zw = zh if self.width_factor is None else \
            self._uniform((n,), 1.0 + self.width_lower, 1.0 + self.width_upper)
        return _rows(zw, 0.0, (w - 1.0) / 2.0 * (1.0 - zw), 0.0, zh,
                     (h - 1.0) / 2.0 * (1.0 - zh), 0.0, 0.0)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomTranslation(_Affine):
    """Shifts each image by fractions of its height and width drawn from the factors."""

    def __init__(self, height_factor, width_factor, fill_mode="reflect",
                 interpolation="bilinear", seed=None, fill_value=0.0, data_format=None,
                 **kwargs):
        super().__init__(fill_mode, interpolation, seed, fill_value, data_format, **kwargs)
        self.height_factor, self.width_factor = height_factor, width_factor
        self.height_lower, self.height_upper = _factor_range(height_factor, "height_factor",
                                                             False)
        self.width_lower, self.width_upper = _factor_range(width_factor, "width_factor", False)

    def _transforms(self, n, h, w):
        dy = self._uniform((n,), self.height_lower, self.height_upper) * float(h)
        dx = self._uniform((n,), self.width_lower, self.width_upper) * float(w)
        return _rows(1.0, 0.0, -dx, 0.0, 1.0, -dy, 0.0, 0.0)

    def get_config(self):
        return {**super().get_config(), "height_factor": self.height_factor,
                "width_factor": self.width_factor}


class RandomContrast(_ImageAugmentation):
    """``(x - mean) * f + mean`` per image and channel, f uniform in
    [1 - factor[0], 1 + factor[1]], clipped to ``value_range``."""

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = self._set_factor(factor)
        self.value_range = value_range

    def _augment(self, x):
        f = self._uniform((int(x.shape[0]), 1, 1, 1), 1.0 - self.factor[0],
                          1.0 + self.factor[1])
        f = _m.cast(f, x.dtype.name)
        mean = _r.reduce_mean(x, axis=[1, 2], keepdims=True)
        return _m.minimum(_m.maximum((x - mean) * f + mean, self.value_range[0]),
                          self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomBrightness(_ImageAugmentation):
    """Adds ``uniform(factor) * (value_range[1] - value_range[0])`` to each image,
    clipped to ``value_range``."""

    def __init__(self, factor, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.factor = self._set_factor(factor)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError("The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range}")
        self.value_range = sorted(value_range)

    def _augment(self, x):
        d = self._uniform((int(x.shape[0]), 1, 1, 1), self.factor[0], self.factor[1])
        d = _m.cast(d * float(self.value_range[1] - self.value_range[0]), x.dtype.name)
        return _m.minimum(_m.maximum(x + d, self.value_range[0]), self.value_range[1])

    def get_config(self):
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range}


class RandomCrop(_ImageAugmentation):
    """Crops one random (height, width) window from the batch when training (inputs not
    larger on both axes: Keras's centred window, resized to the target). Keras 3.15
    returns the input unchanged at inference, yet gives symbolic outputs the target size
    (its compute_output_shape): layers after it are built for (height, width) here too.
    """

    def call(self, inputs, training=True):
        if training is False and backend.in_stand_in():
            return super().call(inputs, training=True)  # the shape Keras's tracing gives
        return super().call(inputs, training=training)

    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, name=name, **kwargs)
        self.height, self.width = int(height), int(width)

    def _augment(self, x):
        h, w = int(x.shape[1]), int(x.shape[2])
        if h > self.height and w > self.width and not backend.in_stand_in():
            top = _m.floor(self._uniform((1,), 0.0, float(h - self.height + 1)))
            left = _m.floor(self._uniform((1,), 0.0, float(w - self.width + 1)))
            t = _rows(1.0, 0.0, left, 0.0, 1.0, top, 0.0, 0.0)
            return _project(x, t, [self.height, self.width], 0.0, "nearest", "constant")
        ch = max(min(h, int(float(w * self.height) / self.width)), 1)
        cw = max(min(w, int(float(h * self.width) / self.height)), 1)
        top, left = int(float(h - ch) / 2), int(float(w - cw) / 2)
        # Keras slices the target size (not the aspect crop) from there, then resizes
        x = x[:, top:top + self.height, left:left + self.width, :]
        if tuple(x.shape[1:3]) != (self.height, self.width):
            x = _m.cast(_resize(x, [self.height, self.width]), x.dtype.name)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        ax = (-2, -1) if self.data_format == "channels_first" else (-3, -2)
        shape[ax[0]], shape[ax[1]] = self.height, self.width
        return tuple(shape)

    def get_config(self):
        return {**super().get_config(), "height": self.height, "width": self.width}
