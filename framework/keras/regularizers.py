"""``cf.keras.regularizers``: L1, L2, L1L2, OrthogonalRegularizer."""
from __future__ import annotations

import numpy as np

from ..ops import math_ops as _m
from ..ops import reduce_ops as _r


class Regularizer:
    def __call__(self, x):
        return 0.0

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|x|) + l2 * sum(x^2)``."""

    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        out = 0.0
        if self.l1:
            out = out + self.l1 * _r.reduce_sum(_m.abs(x))
        if self.l2:
            out = out + self.l2 * _r.reduce_sum(_m.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": float(np.float32(self.l1))}  # Keras keeps L1's factor as a float32


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1 = L1
l2 = L2
l1_l2 = L1L2
_ALIASES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return _ALIASES[identifier["class_name"]].from_config(identifier.get("config", {}))
    if str(identifier) in _ALIASES:
        return _ALIASES[str(identifier)]()
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")


def serialize(reg):
    if reg is None:
        return None
    from .serialization import serialize as keras_serialize
    return keras_serialize(reg)  # Keras 3's form, with module and registered_name


def deserialize(config, custom_objects=None):
    from .serialization import deserialize_with
    return deserialize_with(get, config, custom_objects)
