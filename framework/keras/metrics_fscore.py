"""keras.metrics.FBetaScore and F1Score (Keras 3: F1Score is FBetaScore with beta=1.0).

Counts of true/false positives, false negatives and true labels accumulate per class (or
summed over classes for ``average="micro"``); the score keeps Keras's epsilons, so an
empty state gives 0, not NaN."""
from __future__ import annotations

from ..errors import InvalidArgumentError
from ..ops import array_ops as _a
from ..ops import math_ops as _m
from ..ops import reduce_ops as _r
from ..ops.constant import convert_to_tensor
from .metrics import Metric

_EPS = 1e-7
_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """F-beta score: ``(1 + b^2) * p * r / (b^2 * p + r)`` per class or averaged.

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.FBetaScore(beta=2.0, threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(float(v), 4) for v in m.result()]
    [0.3846, 0.9091, 0.8333]
    """

    _direction = "up"

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score",
                 dtype=None):
        super().__init__(name, dtype)
        if average not in _AVERAGES:
            raise ValueError("Invalid `average` argument value. Expected one of: "
                             "{None, 'micro', 'macro', 'weighted'}. "
                             f"Received: average={average}")
        if not isinstance(beta, float):
            raise ValueError(  # noqa: TRY004 - Keras's exception type
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. "
                             f"Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError("Invalid `threshold` argument value. It should be a Python "
                                 f"float. Received: threshold={threshold} of type "
                                 f"'{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError("Invalid `threshold` argument value. It should verify "
                                 f"0 < threshold <= 1. Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, true_shape, pred_shape):
        if len(pred_shape) != 2 or len(true_shape) != 2:
            raise ValueError("FBetaScore expects 2D inputs with shape (batch_size, "
                             f"output_dim). Received input shapes: y_pred.shape="
                             f"{pred_shape} and y_true.shape={true_shape}.")
        shape = () if self.average == "micro" else (int(pred_shape[-1]),)
        for name in ("true_positives", "false_positives", "false_negatives",
                     "intermediate_weights"):
            setattr(self, name, self.add_variable(shape, name=name))
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _m.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = _m.cast(convert_to_tensor(y_pred), self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            if 0 in tuple(y_pred.shape):  # Keras's ops.max refuses an empty tensor
                raise InvalidArgumentError(None, "Max",
                                           "Cannot compute the max of an empty tensor.")
            # the row's maximum is predicted, unless it is 0 (an all-zero row predicts none)
            top = _r.reduce_max(y_pred, axis=-1, keepdims=True)
            pred = _m.logical_and(_m.greater_equal(y_pred, top),
                                  _m.greater(_m.abs(y_pred), 1e-9))
        else:
            pred = _m.greater(y_pred, self.threshold)
        pred = _m.cast(pred, self.dtype)
        sw = None if sample_weight is None else _a.expand_dims(
            _m.cast(convert_to_tensor(sample_weight), self.dtype), 1)

        def total(values):
            return _r.reduce_sum(values if sw is None else values * sw, axis=self.axis)

        self.true_positives.assign_add(total(pred * y_true))
        self.false_positives.assign_add(total(pred * (1 - y_true)))
        self.false_negatives.assign_add(total((1 - pred) * y_true))
        self.intermediate_weights.assign_add(total(y_true))

    def result(self):
        if not self._built:
            raise AttributeError(f"{type(self).__name__}.result() before any update_state(): "
                                 "the number of classes is not known yet")
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        precision = tp / (tp + fp + _EPS)
        recall = tp / (tp + fn + _EPS)
        b2 = self.beta ** 2
        score = (precision * recall) / (b2 * precision + recall + _EPS) * (1 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights
            return _r.reduce_sum(score * (w / (_r.reduce_sum(w) + _EPS)))
        if self.average is not None:
            return _r.reduce_mean(score)
        return score

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype, "average": self.average,
                "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """F1 score: the harmonic mean of precision and recall (FBetaScore with beta=1).

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(float(v), 4) for v in m.result()]
    [0.5, 0.8, 0.6667]
    """

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name,
                         dtype=dtype)

    def get_config(self):
        config = super().get_config()
        del config["beta"]
        return config
