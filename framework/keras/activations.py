"""``cf.keras.activations``: activation functions by name (Keras 3 defaults)."""
from __future__ import annotations

from .. import nn as _nn
from ..ops.constant import convert_to_tensor
from ..tensor import Tensor
from ..ops import math_ops as _m
from ..ops import reduce_ops as _r


def linear(x):
    return x


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0):
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return _nn.relu(x)
    y = _m.where_v(_m.greater_equal(x, threshold), x, negative_slope * (x - threshold))
    if max_value is not None:
        y = _m.minimum(y, max_value)
    return y


def _with_logits(out, x):
    """Keras 3 caches an activation's input on its output: cross-entropy losses then use
    the logits (exact, no probability clipping), as Keras on TensorFlow computes them."""
    try:
        out._keras_logits = x if isinstance(x, Tensor) else convert_to_tensor(x)
    except AttributeError:  # a Variable or a non-tensor passed through
        pass
    return out


def softmax(x, axis=-1):
    return _with_logits(_nn.softmax(x, axis=axis), x)


def log_softmax(x, axis=-1):
    return _nn.log_softmax(x, axis=axis)


def sigmoid(x):
    return _with_logits(_m.sigmoid(x), x)


def tanh(x):
    return _m.tanh(x)


def elu(x, alpha=1.0):
    return _nn.elu(x) if alpha == 1.0 else _m.where_v(_m.greater(x, 0), x,
                                                      alpha * _m.expm1(x))


def selu(x):
    return _nn.selu(x)


def gelu(x, approximate=False):
    return _nn.gelu(x, approximate=approximate)


def silu(x):
    return _nn.silu(x)


swish = silu


def softplus(x):
    return _nn.softplus(x)


def softsign(x):
    return _nn.softsign(x)


def exponential(x):
    return _m.exp(x)


def relu6(x):
    return _nn.relu6(x)


def leaky_relu(x, negative_slope=0.2):
    return _nn.leaky_relu(x, alpha=negative_slope)


def hard_sigmoid(x):
    """Keras 3: relu6(x + 3) / 6."""
    return _nn.relu6(x + 3.0) / 6.0


def hard_silu(x):
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def mish(x):
    return x * _m.tanh(_nn.softplus(x))


def log_sigmoid(x):
    return _nn.log_sigmoid(x)


_ALL = {f.__name__: f for f in (linear, relu, softmax, log_softmax, sigmoid, tanh, elu, selu,
                                gelu, silu, softplus, softsign, exponential, relu6,
                                leaky_relu, hard_sigmoid, hard_silu, mish, log_sigmoid)}
_ALL.update(swish=silu, hard_swish=hard_silu)


def get(identifier):
    """An activation function from a name, a callable or None (linear)."""
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        identifier = identifier.get("config", {}).get("name", identifier.get("class_name"))
    fn = _ALL.get(str(identifier))
    if fn is None:
        raise ValueError(f"Could not interpret activation function identifier: "
                         f"{identifier!r}; known: {sorted(_ALL)}")
    return fn


def serialize(fn):
    if fn is None:
        return "linear"
    name = getattr(fn, "__name__", None)
    return name if name in _ALL else fn


def _reduce_sum(x):
    return _r.reduce_sum(x)
