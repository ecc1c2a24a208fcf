"""Regression metrics from Keras 3: R2Score (streaming sums per output, optional adjusted
R^2) and the correlation metrics PearsonCorrelation and ConcordanceCorrelation (per-sample
coefficients along ``axis``, averaged like every MeanMetricWrapper)."""
from __future__ import annotations

import warnings

from ..ops import array_ops as _a
from ..ops import index_ops as _i
from ..ops import math_ops as _m
from ..ops import reduce_ops as _r
from ..ops.constant import convert_to_tensor
from .backend import floatx
from .metrics import MeanMetricWrapper, Metric
from .metrics_thresholds import squeeze_or_expand_to_same_rank

_EPS = 1e-7
_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


def _pair(y_true, y_pred):
    y_pred = convert_to_tensor(y_pred)
    y_true = _m.cast(convert_to_tensor(y_true), y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def _axis(axis):
    return list(axis) if isinstance(axis, (list, tuple)) else axis


def pearson_correlation(y_true, y_pred, axis=-1):
    """Pearson's r between labels and predictions along ``axis``.

    >>> import cuflow as cf
    >>> r = cf.keras.metrics.pearson_correlation([[0, 1, 0.5], [1, 1, 0.2]],
    ...                                          [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> [round(float(v), 4) for v in r]
    [1.0, 0.9934]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    axis = _axis(axis)
    t = y_true - _r.reduce_mean(y_true, axis=axis, keepdims=True)
    p = y_pred - _r.reduce_mean(y_pred, axis=axis, keepdims=True)
    t = t / _r.reduce_std(t, axis=axis, keepdims=True)
    p = p / _r.reduce_std(p, axis=axis, keepdims=True)
    return _r.reduce_mean(t * p, axis=axis)


def concordance_correlation(y_true, y_pred, axis=-1):
    """Lin's concordance coefficient along ``axis``, as Keras 3.15 computes it (its
    covariance term centres ``y_true`` on the mean of ``y_pred``).

    >>> import cuflow as cf
    >>> r = cf.keras.metrics.concordance_correlation([[0, 1, 0.5], [1, 1, 0.2]],
    ...                                              [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> [round(float(v), 4) for v in r]
    [0.9756, 0.9877]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    axis = _axis(axis)
    true_mean = _r.reduce_mean(y_true, axis=axis, keepdims=True)
    pred_mean = _r.reduce_mean(y_pred, axis=axis, keepdims=True)
    true_var = _r.reduce_variance(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = _r.reduce_variance(y_pred - pred_mean, axis=axis, keepdims=True)
    covar = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + _m.square(true_mean - pred_mean)
    return _r.reduce_mean(2 * covar / (norm + _EPS), axis=axis)


class _CorrelationMetric(MeanMetricWrapper):
    _direction = "up"
    _fn = None

    def __init__(self, name=None, dtype=None, axis=-1):
        super().__init__(type(self)._fn, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class PearsonCorrelation(_CorrelationMetric):
    """Mean Pearson correlation of each sample's labels and predictions along ``axis``.

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.PearsonCorrelation()
    >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> round(float(m.result()), 4)
    0.9967
    """

    _fn = staticmethod(pearson_correlation)

    def __init__(self, name="pearson_correlation", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)


class ConcordanceCorrelation(_CorrelationMetric):
    """Mean concordance correlation of each sample's labels and predictions.

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.ConcordanceCorrelation()
    >>> m.update_state([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]])
    >>> round(float(m.result()), 4)
    0.9816
    """

    _fn = staticmethod(concordance_correlation)

    def __init__(self, name="concordance_correlation", dtype=None, axis=-1):
        super().__init__(name=name, dtype=dtype, axis=axis)


class R2Score(Metric):
    """Coefficient of determination per output, aggregated (or adjusted for
    ``num_regressors`` predictors).

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.R2Score()
    >>> m.update_state([[1], [4], [3]], [[2], [4], [4]])
    >>> round(float(m.result()), 4)
    0.5714
    """

    _direction = "up"

    def __init__(self, class_aggregation="uniform_average", num_regressors=0,
                 name="r2_score", dtype=None):
        super().__init__(name, dtype)
        if class_aggregation not in _AGGREGATIONS:
            raise ValueError("Invalid value for argument `class_aggregation`. Expected one of "
                             f"{_AGGREGATIONS}. Received: class_aggregation={class_aggregation}")
        if num_regressors < 0:
            raise ValueError("Invalid value for argument `num_regressors`. Expected a value "
                             f">= 0. Received: num_regressors={num_regressors}")
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), dtype=floatx(), name="num_samples")
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError("R2Score expects 2D inputs with shape (batch_size, output_dim). "
                             f"Received input shapes: y_pred.shape={pred_shape} and "
                             f"y_true.shape={true_shape}.")
        n = (int(pred_shape[-1]),)
        self.squared_sum = self.add_variable(n, dtype=floatx(), name="squared_sum")
        self.sum = self.add_variable(n, dtype=floatx(), name="sum")
        self.total_mse = self.add_variable(n, dtype=floatx(), name="residual")
        self.count = self.add_variable(n, dtype=floatx(), name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _m.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = _m.cast(convert_to_tensor(y_pred), self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        sw = _m.cast(convert_to_tensor(1 if sample_weight is None else sample_weight),
                     self.dtype)
        if sw.shape.rank == 1:  # one weight per sample
            sw = _a.expand_dims(sw, 1)
        sw = _a.broadcast_to(sw, tuple(y_true.shape))
        weighted = y_true * sw

        def add(var, value):
            var.assign_add(_m.cast(value, var.dtype))

        add(self.sum, _r.reduce_sum(weighted, axis=0))
        add(self.squared_sum, _r.reduce_sum(y_true * weighted, axis=0))
        add(self.total_mse, _r.reduce_sum(_m.square(y_true - y_pred) * sw, axis=0))
        add(self.count, _r.reduce_sum(sw, axis=0))
        add(self.num_samples, _a.size(y_true))

    def result(self):
        if not self._built:
            raise AttributeError("R2Score.result() before any update_state(): the number "
                                 "of outputs is not known yet")
        mean = self.sum / self.count
        total = self.squared_sum - self.sum * mean
        raw = 1 - self.total_mse / total
        raw = _i.where(_m.is_inf(raw), _a.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            score = _r.reduce_mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            score = _r.reduce_sum(total * raw) / _r.reduce_sum(total)
        else:
            score = raw
        return score if self.num_regressors == 0 else self._adjusted(score)

    def _adjusted(self, score):
        n = _m.cast(_m.identity(self.num_samples), "float32")
        p = float(self.num_regressors)
        if n._sym is not None:  # traced: the fallback as a select (Keras on TF cannot)
            ok = _m.less(p, n - 1.0)
            dof = _i.where(ok, n - p - 1.0, _a.ones_like(n))
            return _i.where(ok, 1.0 - (1.0 - score) * (n - 1.0) / dof, score)
        samples = float(n.numpy())
        if p > samples - 1:
            warnings.warn("More independent predictors than datapoints in adjusted R2 "
                          "score. Falling back to standard R2 score.", stacklevel=3)
            return score
        if p == samples - 1:
            warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard "
                          "R2 score.", stacklevel=3)
            return score
        return 1.0 - (1.0 - score) * (n - 1.0) / (n - p - 1.0)

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype,
                "class_aggregation": self.class_aggregation,
                "num_regressors": self.num_regressors}
