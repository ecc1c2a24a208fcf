"""GroupQueryAttention (grouped-query attention, Keras's GroupedQueryAttention) and
ReversibleEmbedding (an embedding that also projects hidden states back to logits).

GQA projects the query into ``num_query_heads`` heads and the key and value into
``num_key_value_heads`` heads, each repeated ``num_query_heads // num_key_value_heads``
times so several query heads share one key/value head (Keras 3 weights: query, key,
[gate,] value, attention_output EinsumDense kernels and biases, in that order).

>>> import cuflow as cf, numpy as np
>>> gqa = cf.keras.layers.GroupQueryAttention(4, 4, 2)
>>> gqa(np.zeros((2, 5, 6), "float32"), np.zeros((2, 3, 6), "float32")).shape
TensorShape([2, 5, 6])
"""
from __future__ import annotations

import math

from ...ops import array_ops as _a
from ...ops import linalg_ops as _la
from ...ops import math_ops as _m
from ...ops.index_ops import repeat as _repeat
from .. import constraints, initializers, regularizers
from .attention import EinsumDense
from .base import Layer, get_mask, set_mask
from .embedding import Embedding


class GroupedQueryAttention(Layer):
    """Grouped-query attention, exported (and saved) as ``GroupQueryAttention``."""

    _keras_class_name = "GroupQueryAttention"

    def __init__(self, head_dim, num_query_heads, num_key_value_heads, dropout=0.0,
                 use_bias=True, sliding_window=None, flash_attention=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, use_gate=False, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.head_dim = head_dim
        self.num_query_heads, self.num_key_value_heads = num_query_heads, num_key_value_heads
        if num_query_heads % num_key_value_heads != 0:
            raise ValueError("`num_query_heads` must be divisible by `num_key_value_heads`.")
        self.num_repeats = num_query_heads // num_key_value_heads
        self.dropout, self.use_bias, self.use_gate = dropout, use_bias, use_gate
        if sliding_window is not None and (not isinstance(sliding_window, int) or
                                           sliding_window <= 0):
            raise ValueError("`sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self.sliding_window = sliding_window
        self._flash_attention = bool(flash_attention)
        if self._flash_attention and dropout > 0.0:
            raise ValueError("Dropout is not supported when flash attention is enabled. "
                             "Please set dropout to 0.0 to use flash attention.")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        # Keras hands the activity regularizer to the sub-layers, not to this layer
        self._sub_activity = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.seed = seed
        self._inverse_sqrt_head_dim = 1.0 / math.sqrt(float(self.head_dim))
        self._dense_built = False

    def build(self, input_shape):
        self.built = True

    def _dense(self, name, eq, shape, bias_axes, activation=None):
        init = self.kernel_initializer
        binit = self.bias_initializer
        return EinsumDense(eq, shape, bias_axes=bias_axes if self.use_bias else None,
                           activation=activation, name=name, dtype=self._dtype_policy.name,
                           kernel_initializer=type(init).from_config(init.get_config()),
                           bias_initializer=type(binit).from_config(binit.get_config()),
                           kernel_regularizer=self.kernel_regularizer,
                           bias_regularizer=self.bias_regularizer,
                           activity_regularizer=self._sub_activity,
                           kernel_constraint=self.kernel_constraint,
                           bias_constraint=self.bias_constraint)

    def _build_dense(self, query, value, key):
        self.feature_dim = int(query.shape[-1])
        nq, nkv, hd = self.num_query_heads, self.num_key_value_heads, self.head_dim
        self._query_dense = self._dense("query", "bqm,muh->bquh", (None, nq, hd), "uh")
        self._query_dense.build(tuple(query.shape))
        self._key_dense = self._dense("key", "bkm,mvh->bkvh", (None, nkv, hd), "vh")
        self._key_dense.build(tuple(key.shape))
        if self.use_gate:
            self._gate_dense = self._dense("gate", "bqm,muh->bquh", (None, nq, hd), "uh",
                                          activation="sigmoid")
            self._gate_dense.build(tuple(query.shape))
        self._value_dense = self._dense("value", "bkm,mvh->bkvh", (None, nkv, hd), "vh")
        self._value_dense.build(tuple(value.shape))
        from .activation import Softmax
        from .core import Dropout
        self._softmax = Softmax(axis=-1, dtype=self._dtype_policy.name)
        self._dropout_layer = Dropout(rate=self.dropout, seed=self.seed,
                                      dtype=self._dtype_policy.name)
        self._output_dense = self._dense("attention_output", "bquh,uhm->bqm",
                                        (None, self.feature_dim), "m")
        self._output_dense.build((None, None, nq, hd))
        # Keras's attribute names (the .keras weight paths); tracked by hand, as
        # underscore attributes are not
        self._layers.extend(layer for layer in (
            self._query_dense, self._key_dense, getattr(self, "_gate_dense", None),
            self._value_dense, self._output_dense) if layer is not None)
        self._dense_built = True

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
             attention_mask=None, return_attention_scores=False, training=None,
             use_causal_mask=False):
        key_given = key is not None
        key = value if key is None else key
        query_mask = get_mask(query) if query_mask is None else query_mask
        value_mask = get_mask(value) if value_mask is None else value_mask
        if key_mask is None and key_given:
            key_mask = get_mask(key)
        if not self._dense_built:
            self._build_dense(query, value, key)
        mask = self._attention_mask(query, value, query_mask, value_mask, key_mask,
                                    attention_mask, use_causal_mask)
        gate = self._gate_dense(query) if self.use_gate else None
        q = self._query_dense(query)
        k = _repeat(self._key_dense(key), self.num_repeats, axis=2)
        v = _repeat(self._value_dense(value), self.num_repeats, axis=2)
        q = q * _m.cast(self._inverse_sqrt_head_dim, q.dtype)
        scores = _la.einsum("bquh,bkuh->buqk", q, k)
        if mask is not None:
            mask = _a.expand_dims(mask, -3)
        scores = self._softmax(scores, mask=mask)
        dropped = self._dropout_layer(scores, training=training) if self.dropout > 0 \
            else scores
        out = _la.einsum("buqk,bkuh->bquh", dropped, v)
        out = self._output_dense(out * gate if gate is not None else out)
        return (out, scores) if return_attention_scores else out

    def _attention_mask(self, query, value, query_mask, value_mask, key_mask,
                        attention_mask, use_causal_mask):
        auto = None
        tq, tk = int(query.shape[1]), int(value.shape[1])
        if query_mask is not None:
            auto = _a.expand_dims(_m.cast(query_mask, "bool"), -1)            # (B, T, 1)
        for m in (value_mask, key_mask):
            if m is not None:
                m = _a.expand_dims(_m.cast(m, "bool"), -2)                    # (B, 1, S)
                auto = m if auto is None else _m.logical_and(auto, m)
        rows = _a.reshape(_a.range(tq), (1, tq, 1))
        cols = _a.reshape(_a.range(tk), (1, 1, tk))
        if use_causal_mask:
            c = _m.greater_equal(rows, cols)
            auto = c if auto is None else _m.logical_and(auto, c)
        if self.sliding_window is not None:
            w = _m.less(_m.abs(rows - cols), self.sliding_window)
            auto = w if auto is None else _m.logical_and(auto, w)
        if attention_mask is not None:
            am = _m.cast(attention_mask, "bool")
            return am if auto is None else _m.logical_and(am, auto)
        return auto

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, query_shape, value_shape, key_shape=None):
        return query_shape

    def get_config(self):
        config = super().get_config()
        config.update({
            "head_dim": self.head_dim, "num_query_heads": self.num_query_heads,
            "num_key_value_heads": self.num_key_value_heads, "use_bias": self.use_bias,
            "use_gate": self.use_gate, "sliding_window": self.sliding_window,
            "dropout": self.dropout,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self._sub_activity),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "seed": self.seed})
        return config


GroupQueryAttention = GroupedQueryAttention


class ReversibleEmbedding(Embedding):
    """An Embedding whose ``call(h, reverse=True)`` maps hidden states to logits over the
    vocabulary, with the transposed table (``tie_weights``) or its own
    ``reverse_embeddings`` (output_dim, input_dim)."""

    def __init__(self, input_dim, output_dim, tie_weights=True,
                 embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, reverse_dtype=None,
                 logit_soft_cap=None, **kwargs):
        kwargs.pop("quantization_config", None)
        super().__init__(input_dim, output_dim, embeddings_initializer=embeddings_initializer,
                         embeddings_regularizer=embeddings_regularizer,
                         embeddings_constraint=embeddings_constraint, mask_zero=mask_zero,
                         **kwargs)
        self.tie_weights, self.reverse_dtype = tie_weights, reverse_dtype
        self.logit_soft_cap = logit_soft_cap

    def build(self, input_shape=None):
        super().build(input_shape)
        if not self.tie_weights:
            self.reverse_embeddings = self.add_weight(
                "reverse_embeddings", (self.output_dim, self.input_dim),
                initializer=self.embeddings_initializer)
        self.built = True

    def call(self, inputs, reverse=False):
        if not reverse:
            out = super().call(inputs)
            if self.mask_zero:
                set_mask(out, _m.not_equal(inputs, 0))
            return out
        kernel = _a.transpose(self._cw(self.embeddings)) if self.tie_weights else \
            self._cw(self.reverse_embeddings)
        x = inputs
        if self.reverse_dtype is not None:
            x, kernel = _m.cast(x, self.reverse_dtype), _m.cast(kernel, self.reverse_dtype)
        elif x.dtype != kernel.dtype:
            x = _m.cast(x, kernel.dtype)
        logits = _la.matmul(x, kernel)
        if self.logit_soft_cap is not None:
            cap = self.logit_soft_cap
            logits = _m.tanh(logits / cap) * cap
        return logits

    def compute_mask(self, inputs, mask=None):
        return None

    def compute_output_shape(self, input_shape, reverse=False):
        shape = list(input_shape)
        if reverse:
            shape[-1] = self.input_dim
        else:
            shape.append(self.output_dim)
        return shape

    def get_config(self):
        config = super().get_config()
        config.update(
            embeddings_regularizer=regularizers.serialize(self.embeddings_regularizer),
            activity_regularizer=regularizers.serialize(self.activity_regularizer),
            embeddings_constraint=constraints.serialize(self.embeddings_constraint),
            quantization_config=None, tie_weights=self.tie_weights,
            reverse_dtype=self.reverse_dtype,
            logit_soft_cap=self.logit_soft_cap)
        return config
