"""Small composites Keras needs until the nn ops land (relu, softmax, ...)."""
from __future__ import annotations

import cuflow as cf


def relu(x):
    return cf.maximum(x, 0.0)


def softmax(x, axis=-1):
    return cf.exp(x - cf.reduce_logsumexp(x, axis=axis, keepdims=True))


def log_softmax(x, axis=-1):
    return x - cf.reduce_logsumexp(x, axis=axis, keepdims=True)


def softplus(x):
    # log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for both signs
    return cf.maximum(x, 0.0) + cf.math.log1p(cf.exp(-cf.abs(x)))


def clip(x, lo, hi):
    from cuflow.ops.math_ops import clip_by_value_v
    return clip_by_value_v(x, lo, hi)
