"""Stateful metrics: update_state / result / reset_state, accumulated on the host."""
from __future__ import annotations

import numpy as np

import cuflow as cf

from . import losses as _losses


def _np(x):
    if isinstance(x, (cf.Tensor, cf.Variable)):
        return np.asarray(x.numpy())
    return np.asarray(x)


class Metric:
    def __init__(self, name=None, dtype=None):
        self.name = name or type(self).__name__.lower()
        self.dtype = dtype or "float32"
        self.reset_state()

    def reset_state(self):
        self._total, self._count = 0.0, 0.0

    reset_states = reset_state

    def result(self):
        return cf.constant(np.float32(self._total / self._count if self._count else 0.0))

    def __call__(self, *args, **kwargs):
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    @property
    def variables(self):
        return []


class Mean(Metric):
    def update_state(self, values, sample_weight=None):
        v = _np(values).astype(np.float64)
        if sample_weight is None:
            self._total += float(v.sum())
            self._count += v.size
        else:
            w = np.broadcast_to(_np(sample_weight).astype(np.float64).reshape(
                _np(sample_weight).shape + (1,) * max(0, v.ndim - _np(sample_weight).ndim)),
                v.shape)
            self._total += float((v * w).sum())
            self._count += float(w.sum())


class Sum(Metric):
    def update_state(self, values, sample_weight=None):
        v = _np(values).astype(np.float64)
        if sample_weight is not None:
            v = v * _np(sample_weight)
        self._total += float(v.sum())
        self._count = 1.0


class MeanMetricWrapper(Mean):
    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name or fn.__name__, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        super().update_state(self._fn(_np(y_true), _np(y_pred), **self._fn_kwargs),
                             sample_weight)

    def get_config(self):
        cfg = super().get_config()
        cfg.update(self._fn_kwargs)
        return cfg


def accuracy(y_true, y_pred):
    y_true, y_pred = _np(y_true), _np(y_pred)
    if y_true.shape != y_pred.shape and y_true.size == y_pred.size:
        y_true = y_true.reshape(y_pred.shape)
    return (y_true == y_pred).astype(np.float32)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _np(y_true), _np(y_pred)
    return np.mean((y_true.reshape(y_pred.shape) == (y_pred > threshold)).astype(
        np.float32), axis=-1)


def categorical_accuracy(y_true, y_pred):
    return (np.argmax(_np(y_true), -1) == np.argmax(_np(y_pred), -1)).astype(np.float32)


def sparse_categorical_accuracy(y_true, y_pred):
    y_pred = _np(y_pred)
    y_true = _np(y_true).reshape(y_pred.shape[:-1])
    return (y_true.astype(np.int64) == np.argmax(y_pred, -1)).astype(np.float32)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return sparse_top_k_categorical_accuracy(np.argmax(_np(y_true), -1), y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    y_pred = _np(y_pred)
    y_true = _np(y_true).reshape(y_pred.shape[:-1]).astype(np.int64)
    topk = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    return (topk == y_true[..., None]).any(-1).astype(np.float32)


def _wrap(name, fn, default_name, **defaults):
    def __init__(self, name=default_name, dtype=None, **kwargs):
        kw = dict(defaults)
        kw.update(kwargs)
        MeanMetricWrapper.__init__(self, fn, name=name, dtype=dtype, **kw)
    return type(name, (MeanMetricWrapper,), {"__init__": __init__})


Accuracy = _wrap("Accuracy", accuracy, "accuracy")
BinaryAccuracy = _wrap("BinaryAccuracy", binary_accuracy, "binary_accuracy", threshold=0.5)
CategoricalAccuracy = _wrap("CategoricalAccuracy", categorical_accuracy,
                            "categorical_accuracy")
SparseCategoricalAccuracy = _wrap("SparseCategoricalAccuracy", sparse_categorical_accuracy,
                                  "sparse_categorical_accuracy")
TopKCategoricalAccuracy = _wrap("TopKCategoricalAccuracy", top_k_categorical_accuracy,
                                "top_k_categorical_accuracy", k=5)
SparseTopKCategoricalAccuracy = _wrap("SparseTopKCategoricalAccuracy",
                                      sparse_top_k_categorical_accuracy,
                                      "sparse_top_k_categorical_accuracy", k=5)


def _np_loss(fn):
    def f(y_true, y_pred):
        return _np(fn(cf.constant(np.asarray(y_true, np.float32)),
                      cf.constant(np.asarray(y_pred, np.float32))))
    f.__name__ = fn.__name__
    return f


MeanSquaredError = _wrap("MeanSquaredError", lambda t, p: np.mean(
    (p - t.reshape(p.shape)) ** 2, -1), "mean_squared_error")
MeanAbsoluteError = _wrap("MeanAbsoluteError", lambda t, p: np.mean(
    np.abs(p - t.reshape(p.shape)), -1), "mean_absolute_error")


class RootMeanSquaredError(Mean):
    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = _np(y_pred)
        super().update_state((p - _np(y_true).reshape(p.shape)) ** 2, sample_weight)

    def result(self):
        return cf.constant(np.float32(np.sqrt(self._total / self._count)
                                      if self._count else 0.0))


class _Confusion(Metric):
    def __init__(self, thresholds=None, name=None, dtype=None):
        self.thresholds = 0.5 if thresholds is None else thresholds
        super().__init__(name, dtype)

    def reset_state(self):
        self.tp = self.fp = self.fn = 0.0

    def update_state(self, y_true, y_pred, sample_weight=None):
        p = _np(y_pred) > self.thresholds
        t = _np(y_true).reshape(p.shape).astype(bool)
        w = 1.0 if sample_weight is None else np.broadcast_to(
            _np(sample_weight).reshape(-1, *([1] * (p.ndim - 1))), p.shape)
        self.tp += float((w * (p & t)).sum())
        self.fp += float((w * (p & ~t)).sum())
        self.fn += float((w * (~p & t)).sum())


class Precision(_Confusion):
    def __init__(self, thresholds=None, name="precision", dtype=None, **kw):
        super().__init__(thresholds, name, dtype)

    def result(self):
        d = self.tp + self.fp
        return cf.constant(np.float32(self.tp / d if d else 0.0))


class Recall(_Confusion):
    def __init__(self, thresholds=None, name="recall", dtype=None, **kw):
        super().__init__(thresholds, name, dtype)

    def result(self):
        d = self.tp + self.fn
        return cf.constant(np.float32(self.tp / d if d else 0.0))


_FNS = {"accuracy": accuracy, "acc": accuracy, "binary_accuracy": binary_accuracy,
        "categorical_accuracy": categorical_accuracy,
        "sparse_categorical_accuracy": sparse_categorical_accuracy,
        "top_k_categorical_accuracy": top_k_categorical_accuracy,
        "sparse_top_k_categorical_accuracy": sparse_top_k_categorical_accuracy}
_CLASSES = {"mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
            "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
            "precision": Precision, "recall": Recall,
            "categorical_accuracy": CategoricalAccuracy,
            "sparse_categorical_accuracy": SparseCategoricalAccuracy,
            "binary_accuracy": BinaryAccuracy,
            "top_k_categorical_accuracy": TopKCategoricalAccuracy,
            "sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy,
            "root_mean_squared_error": RootMeanSquaredError}


def get(identifier, loss=None, output_shape=None):
    """A Metric for ``identifier``; 'accuracy' resolves by the loss as Keras does."""
    if isinstance(identifier, Metric):
        return identifier
    if identifier in ("accuracy", "acc"):
        lname = getattr(loss, "name", None) or getattr(loss, "__name__", "") or str(loss)
        if "sparse_categorical" in lname:
            cls = SparseCategoricalAccuracy
        elif "categorical" in lname:
            cls = CategoricalAccuracy
        elif "binary" in lname:
            cls = BinaryAccuracy
        else:
            cls = Accuracy
        return cls(name=identifier)
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier](name=identifier)
        raise ValueError(f"Unknown metric function: {identifier!r}")
    if callable(identifier):
        return MeanMetricWrapper(identifier, name=getattr(identifier, "__name__", None))
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}")
