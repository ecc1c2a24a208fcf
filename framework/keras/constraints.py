"""``cf.keras.constraints``: projections applied to a weight after each optimizer step."""
from __future__ import annotations

from ..ops import math_ops as _m
from ..ops import reduce_ops as _r


class Constraint:
    def __call__(self, w):
        return w

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class NonNeg(Constraint):
    def __call__(self, w):
        return w * _m.cast(_m.greater_equal(w, 0.0), w.dtype)


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _m.sqrt(_r.reduce_sum(_m.square(w), axis=self.axis, keepdims=True))
        desired = _m.minimum(norms, float(self.max_value))
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        return w / (1e-7 + _m.sqrt(_r.reduce_sum(_m.square(w), axis=self.axis, keepdims=True)))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _m.sqrt(_r.reduce_sum(_m.square(w), axis=self.axis, keepdims=True))
        clipped = _m.minimum(_m.maximum(norms, self.min_value), self.max_value)
        desired = self.rate * clipped + (1 - self.rate) * norms
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
_ALIASES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
            "min_max_norm": MinMaxNorm, "MaxNorm": MaxNorm, "NonNeg": NonNeg,
            "UnitNorm": UnitNorm, "MinMaxNorm": MinMaxNorm}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return _ALIASES[identifier["class_name"]].from_config(identifier.get("config", {}))
    return _ALIASES[str(identifier)]()


def serialize(c):
    if c is None:
        return None
    from .serialization import serialize as keras_serialize
    return keras_serialize(c)  # Keras 3's form, with module and registered_name


def deserialize(config, custom_objects=None):
    from .serialization import deserialize_with
    return deserialize_with(get, config, custom_objects)
