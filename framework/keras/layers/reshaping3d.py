"""3-D reshaping layers (volumes: (batch, d1, d2, d3, channels)): ZeroPadding3D,
Cropping3D, UpSampling3D.

>>> import cuflow as cf, numpy as np
>>> cf.keras.layers.ZeroPadding3D(1)(np.ones((1, 2, 2, 2, 1), "float32")).shape
TensorShape([1, 4, 4, 4, 1])
"""
from __future__ import annotations

from ...ops import array_ops as _a
from ...ops.manip_ops import pad as _pad
from ..backend import standardize_data_format as _standardize_data_format
from .base import Layer
from .reshaping import _repeat_axis


def _triple(value, name):
    """int -> ((v, v),) * 3; (a, b, c) -> ((a, a), (b, b), (c, c)); or 3 pairs."""
    if isinstance(value, int):
        return ((value, value),) * 3
    value = tuple(value)
    if len(value) != 3:
        raise ValueError(f"`{name}` should have 3 elements. Received: {name}={value}")
    out = []
    for v in value:
        pair = (v, v) if isinstance(v, int) else tuple(int(i) for i in v)
        if len(pair) != 2:
            raise ValueError(f"`{name}` should be an int, a tuple of 3 ints, or a tuple of 3 "
                             f"tuples of 2 ints. Received: {name}={value}")
        out.append(pair)
    return tuple(out)


def _to_last(x, data_format):
    return _a.transpose(x, [0, 2, 3, 4, 1]) if data_format == "channels_first" else x


def _from_last(x, data_format):
    return _a.transpose(x, [0, 4, 1, 2, 3]) if data_format == "channels_first" else x


class ZeroPadding3D(Layer):
    """Pads the three spatial dimensions with zeros."""

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _triple(padding, "padding")
        self.data_format = _standardize_data_format(data_format)

    def call(self, inputs):
        spatial = [list(p) for p in self.padding]
        pads = [[0, 0]] + spatial + [[0, 0]] if self.data_format == "channels_last" else \
            [[0, 0], [0, 0]] + spatial
        return _pad(inputs, pads)

    def get_config(self):
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class Cropping3D(Layer):
    """Crops (before, after) along each of the three spatial dimensions."""

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _triple(cropping, "cropping")
        self.data_format = _standardize_data_format(data_format)

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        dims = [int(d) for d in x.shape[1:4]]
        if any(a + b >= d for (a, b), d in zip(self.cropping, dims)):
            raise ValueError(f"Cropping {self.cropping} is too large for the input shape "
                             f"{tuple(inputs.shape)}")
        (a0, b0), (a1, b1), (a2, b2) = self.cropping
        x = x[:, a0:dims[0] - b0, a1:dims[1] - b1, a2:dims[2] - b2]
        return _from_last(x, self.data_format)

    def get_config(self):
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


class UpSampling3D(Layer):
    """Repeats each voxel ``size`` times along the three spatial dimensions."""

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.size = (size,) * 3 if isinstance(size, int) else tuple(int(s) for s in size)
        self.data_format = _standardize_data_format(data_format)

    def call(self, inputs):
        x = _to_last(inputs, self.data_format)
        for axis, n in zip((1, 2, 3), self.size):
            x = _repeat_axis(x, axis, n)
        return _from_last(x, self.data_format)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
