"""Losses: function and class forms with from_logits, label_smoothing, reduction."""
from __future__ import annotations

import cuflow as cf

from . import _ops

_EPS = 1e-7


def _t(x, dtype=None):
    x = cf.convert_to_tensor(x)
    return cf.cast(x, dtype) if dtype is not None and x.dtype != dtype else x


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0,
                             axis=-1):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    if label_smoothing:
        n = y_pred.shape[axis]
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / n
    if from_logits:
        return -cf.reduce_sum(y_true * _ops.log_softmax(y_pred, axis=axis), axis=axis)
    p = y_pred / cf.reduce_sum(y_pred, axis=axis, keepdims=True)
    p = _ops.clip(p, _EPS, 1.0 - _EPS)
    return -cf.reduce_sum(y_true * cf.log(p), axis=axis)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, axis=-1,
                                    ignore_class=None):
    y_pred = _t(y_pred)
    labels = cf.convert_to_tensor(y_true).numpy()
    import numpy as np
    labels = np.asarray(labels).astype(np.int64).reshape(tuple(y_pred.shape[:-1]))
    onehot = np.eye(y_pred.shape[-1], dtype=y_pred.dtype.as_numpy_dtype)[labels]
    return categorical_crossentropy(cf.constant(onehot), y_pred, from_logits=from_logits,
                                    axis=axis)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    y_pred = _t(y_pred)
    y_true = _t(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        bce = cf.maximum(y_pred, 0.0) - y_pred * y_true + cf.math.log1p(
            cf.exp(-cf.abs(y_pred)))
    else:
        p = _ops.clip(y_pred, _EPS, 1.0 - _EPS)
        bce = -(y_true * cf.log(p) + (1.0 - y_true) * cf.log(1.0 - p))
    return cf.reduce_mean(bce, axis=axis)


def mean_squared_error(y_true, y_pred):
    y_pred = _t(y_pred)
    return cf.reduce_mean(cf.square(y_pred - _t(y_true, y_pred.dtype)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    y_pred = _t(y_pred)
    return cf.reduce_mean(cf.abs(y_pred - _t(y_true, y_pred.dtype)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    y_pred = _t(y_pred)
    err = cf.abs(y_pred - _t(y_true, y_pred.dtype))
    q = cf.minimum(err, delta)
    return cf.reduce_mean(0.5 * q * q + delta * (err - q), axis=-1)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


class Loss:
    """Base loss: ``call(y_true, y_pred)`` per sample, reduced by ``reduction``."""

    def __init__(self, reduction="sum_over_batch_size", name=None, dtype=None):
        if reduction not in ("sum_over_batch_size", "sum", "none", None, "auto", "mean"):
            raise ValueError(f"Invalid value for argument `reduction`: {reduction!r}")
        self.reduction = "sum_over_batch_size" if reduction in ("auto", "mean") else reduction
        self.name = name or type(self).__name__.lower()

    def __call__(self, y_true, y_pred, sample_weight=None):
        values = self.call(y_true, y_pred)
        if sample_weight is not None:
            sw = _t(sample_weight, values.dtype)
            while sw.ndim > values.ndim:
                sw = cf.squeeze(sw, -1)
            values = values * sw
        if self.reduction in ("none", None):
            return values
        total = cf.reduce_sum(values)
        if self.reduction == "sum":
            return total
        n = 1
        for d in values.shape:
            n *= d
        return total / float(max(n, 1))

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class LossFunctionWrapper(Loss):
    def __init__(self, fn, reduction="sum_over_batch_size", name=None, **kwargs):
        super().__init__(reduction, name or fn.__name__)
        self.fn, self._fn_kwargs = fn, kwargs

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(self._fn_kwargs)
        return cfg


def _cls(name, fn, loss_name, **defaults):
    def __init__(self, reduction="sum_over_batch_size", name=loss_name, **kwargs):
        kw = dict(defaults)
        kw.update(kwargs)
        LossFunctionWrapper.__init__(self, fn, reduction=reduction, name=name, **kw)

    @classmethod
    def from_config(cls, config):
        return cls(**config)
    return type(name, (LossFunctionWrapper,), {"__init__": __init__,
                                               "from_config": from_config})


CategoricalCrossentropy = _cls("CategoricalCrossentropy", categorical_crossentropy,
                               "categorical_crossentropy", from_logits=False,
                               label_smoothing=0.0, axis=-1)
SparseCategoricalCrossentropy = _cls("SparseCategoricalCrossentropy",
                                     sparse_categorical_crossentropy,
                                     "sparse_categorical_crossentropy", from_logits=False)
BinaryCrossentropy = _cls("BinaryCrossentropy", binary_crossentropy, "binary_crossentropy",
                          from_logits=False, label_smoothing=0.0)
MeanSquaredError = _cls("MeanSquaredError", mean_squared_error, "mean_squared_error")
MeanAbsoluteError = _cls("MeanAbsoluteError", mean_absolute_error, "mean_absolute_error")
Huber = _cls("Huber", huber, "huber_loss", delta=1.0)

_BY_NAME = {
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "binary_crossentropy": binary_crossentropy, "mean_squared_error": mean_squared_error,
    "mse": mean_squared_error, "mean_absolute_error": mean_absolute_error,
    "mae": mean_absolute_error, "huber": huber, "huber_loss": huber,
}
_CLASSES = {c.__name__: c for c in (CategoricalCrossentropy, SparseCategoricalCrossentropy,
                                    BinaryCrossentropy, MeanSquaredError,
                                    MeanAbsoluteError, Huber)}


def get(identifier):
    """A Loss object for a name, function, dict config or Loss."""
    if identifier is None or isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, dict):
        return _CLASSES[identifier["class_name"]].from_config(identifier["config"])
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier]()
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown loss function: {identifier!r}")
        identifier = _BY_NAME[identifier]
    if callable(identifier):
        return LossFunctionWrapper(identifier)
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
