"""Keras activations by name: ``get('relu')`` -> function."""
from __future__ import annotations

import cuflow as cf

from . import _ops


def linear(x):
    return x


def relu(x):
    return _ops.relu(x)


def softmax(x, axis=-1):
    return _ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return _ops.log_softmax(x, axis=axis)


def sigmoid(x):
    return cf.sigmoid(x)


def tanh(x):
    return cf.tanh(x)


def softplus(x):
    return _ops.softplus(x)


def elu(x, alpha=1.0):
    return cf.where(x > 0, x, alpha * (cf.exp(cf.minimum(x, 0.0)) - 1.0))


def selu(x):
    return 1.0507009873554805 * elu(x, 1.6732632423543772)


def swish(x):
    return x * cf.sigmoid(x)


silu = swish


def gelu(x, approximate=False):
    if approximate:
        return 0.5 * x * (1.0 + cf.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
    return 0.5 * x * (1.0 + cf.math.erf(x * 0.7071067811865476))


_ALL = {f.__name__: f for f in (linear, relu, softmax, log_softmax, sigmoid, tanh,
                                softplus, elu, selu, swish, gelu)}
_ALL["silu"] = swish


def get(identifier):
    """Resolves an activation name, None (linear) or callable."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, str) and identifier in _ALL:
        return _ALL[identifier]
    raise ValueError(f"Unknown activation function: {identifier!r}")


def serialize(fn):
    return getattr(fn, "__name__", fn)
