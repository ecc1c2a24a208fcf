"""Attention layers: MultiHeadAttention (Keras 3 weight layout), Attention (dot-product)
and AdditiveAttention."""
from __future__ import annotations

import math

from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops import linalg_ops as _la
from ...ops import math_ops as _m
from ...ops import reduce_ops as _r
from .. import initializers
from .base import Layer


def _masked_softmax(scores, mask):
    if mask is not None:
        big = -1e9 if scores.dtype.name != "float16" else -6e4
        scores = _m.where_v(mask, scores, _a.ones_like(scores) * big)
    return _nn.softmax(scores, axis=-1)


class MultiHeadAttention(Layer):
    """Scaled dot-product attention over ``num_heads`` heads (attention on the sequence
    axis). Weights per projection: kernel (dim, heads, key_dim), bias (heads, key_dim);
    the output kernel is (heads, value_dim, out_dim)."""

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.num_heads, self.key_dim = int(num_heads), int(key_dim)
        self.value_dim = int(value_dim) if value_dim else self.key_dim
        self.dropout, self.use_bias = float(dropout), use_bias
        self._output_dim = output_shape
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)

    def _proj(self, name, dim, heads, size):
        k = self.add_weight(f"{name}/kernel", (dim, heads, size),
                            initializer=self.kernel_initializer)
        b = self.add_weight(f"{name}/bias", (heads, size), initializer=self.bias_initializer) \
            if self.use_bias else None
        return k, b

    def build(self, query_shape, value_shape=None, key_shape=None):
        value_shape = value_shape or query_shape
        key_shape = key_shape or value_shape
        h = self.num_heads
        self.query_kernel, self.query_bias = self._proj("query", query_shape[-1], h,
                                                        self.key_dim)
        self.key_kernel, self.key_bias = self._proj("key", key_shape[-1], h, self.key_dim)
        self.value_kernel, self.value_bias = self._proj("value", value_shape[-1], h,
                                                        self.value_dim)
        out_dim = self._output_dim or query_shape[-1]
        self.output_kernel = self.add_weight("attention_output/kernel",
                                             (h, self.value_dim, out_dim),
                                             initializer=self.kernel_initializer)
        self.output_bias = self.add_weight("attention_output/bias", (out_dim,),
                                           initializer=self.bias_initializer) \
            if self.use_bias else None
        self.built = True

    def __call__(self, query, value=None, key=None, **kwargs):
        value = query if value is None else value
        key = value if key is None else key
        if not self.built and not _symbolic(query, value, key):
            self.build(tuple(query.shape), tuple(value.shape), tuple(key.shape))
        return super().__call__(query, value, key, **kwargs)

    def _apply(self, x, kernel, bias):
        out = _la.einsum("btd,dhk->bthk", x, self._cw(kernel))
        return out + self._cw(bias) if bias is not None else out

    def call(self, query, value=None, key=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        value = query if value is None else value
        key = value if key is None else key
        q = self._apply(query, self.query_kernel, self.query_bias)
        k = self._apply(key, self.key_kernel, self.key_bias)
        v = self._apply(value, self.value_kernel, self.value_bias)
        q = q * (1.0 / math.sqrt(self.key_dim))
        scores = _la.einsum("bqhk,bvhk->bhqv", q, k)
        mask = None
        if attention_mask is not None:
            mask = _m.cast(attention_mask, "bool")
            mask = _a.expand_dims(mask, 1) if mask.shape.rank == 3 else mask
        if use_causal_mask:
            tq, tv = int(scores.shape[2]), int(scores.shape[3])
            import numpy as np
            causal = _a.reshape(_m.cast(np.tril(np.ones((tq, tv), bool)), "bool"),
                                (1, 1, tq, tv))
            mask = causal if mask is None else _m.logical_and(mask, causal)
        weights = _masked_softmax(scores, mask)
        if self.dropout and training:
            weights = _nn.dropout(weights, rate=self.dropout)
        ctx = _la.einsum("bhqv,bvhk->bqhk", weights, v)
        out = _la.einsum("bqhk,hko->bqo", ctx, self._cw(self.output_kernel))
        if self.output_bias is not None:
            out = out + self._cw(self.output_bias)
        return (out, weights) if return_attention_scores else out

    def get_config(self):
        config = super().get_config()
        config.update(num_heads=self.num_heads, key_dim=self.key_dim,
                      value_dim=self.value_dim, dropout=self.dropout, use_bias=self.use_bias,
                      output_shape=self._output_dim)
        return config


def _symbolic(*xs):
    from ..keras_tensor import KerasTensor
    return any(isinstance(x, KerasTensor) for x in xs)


class Attention(Layer):
    """Dot-product attention: inputs [query, value] or [query, value, key]."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Invalid value for argument score_mode. Expected one of "
                             f"{{'dot', 'concat'}}. Received: score_mode={score_mode}")
        self.use_scale, self.score_mode, self.dropout = use_scale, score_mode, dropout

    def build(self, input_shape):
        self.scale = self.add_weight("scale", (), initializer="ones") if self.use_scale \
            else None
        self.concat_score_weight = self.add_weight("concat_score_weight", (),
                                                   initializer="ones") \
            if self.score_mode == "concat" else None
        self.built = True

    def _score(self, q, k):
        if self.score_mode == "dot":
            s = _la.matmul(q, k, transpose_b=True)
            return s * self.scale if self.scale is not None else s
        qe = _a.expand_dims(q, -2)
        ke = _a.expand_dims(k, -3)
        t = _m.tanh(qe + ke) if self.scale is None else _m.tanh(self.scale * (qe + ke))
        return self.concat_score_weight * _r.reduce_sum(t, axis=-1)

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) > 2 else v
        scores = self._score(q, k)
        vmask = None
        if mask is not None and len(mask) > 1 and mask[1] is not None:
            vmask = _a.expand_dims(_m.cast(mask[1], "bool"), -2)
        if use_causal_mask:
            import numpy as np
            tq, tv = int(scores.shape[-2]), int(scores.shape[-1])
            causal = _m.cast(np.tril(np.ones((1, tq, tv), bool)), "bool")
            vmask = causal if vmask is None else _m.logical_and(vmask, causal)
        weights = _masked_softmax(scores, vmask)
        if self.dropout and training:
            weights = _nn.dropout(weights, rate=self.dropout)
        out = _la.matmul(weights, v)
        return (out, weights) if return_attention_scores else out

    def get_config(self):
        config = super().get_config()
        config.update(use_scale=self.use_scale, score_mode=self.score_mode,
                      dropout=self.dropout)
        return config


class AdditiveAttention(Attention):
    """Bahdanau-style attention: scores = sum(scale * tanh(q + k))."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(use_scale=False, score_mode="dot", dropout=dropout, **kwargs)
        self.use_scale_additive = use_scale

    def build(self, input_shape):
        dim = input_shape[0][-1]
        self.scale = self.add_weight("scale", (dim,), initializer="glorot_uniform") \
            if self.use_scale_additive else None
        self.built = True

    def _score(self, q, k):
        t = _m.tanh(_a.expand_dims(q, -2) + _a.expand_dims(k, -3))
        if self.scale is not None:
            t = t * self.scale
        return _r.reduce_sum(t, axis=-1)
