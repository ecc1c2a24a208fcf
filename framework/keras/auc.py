"""keras.metrics.AUC: area under the ROC, PR or PR-gain curve from confusion counts at
fixed thresholds, with Keras's summation methods (interpolation, minoring, majoring), the
Davis & Goadrich interpolation for PR, multi-label and label weights."""
from __future__ import annotations

import numpy as np

from ..ops import array_ops as _a
from ..ops import index_ops as _i
from ..ops import math_ops as _m
from ..ops import reduce_ops as _r
from ..ops.constant import convert_to_tensor
from .backend import unique_name
from .metrics import Metric
from .metrics_thresholds import evenly_distributed, update_confusion_counts

_EPS = 1e-7
_CURVES = ("ROC", "PR", "PRGAIN")
_SUMMATION = ("interpolation", "minoring", "majoring")


class AUC(Metric):
    """Approximate AUC (Keras's definition: counts at ``num_thresholds`` thresholds).

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
    >>> round(float(m.result()), 4)
    0.75
    """

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation",
                 name=None, dtype=None, thresholds=None, multi_label=False, num_labels=None,
                 label_weights=None, from_logits=False):
        super().__init__(name or unique_name("auc"), dtype)  # auc, auc_1, ... as Keras
        if thresholds is not None:
            thresholds = sorted(float(t) for t in np.atleast_1d(thresholds))
            self.num_thresholds = len(thresholds) + 2
            self._thresholds_distributed_evenly = evenly_distributed(
                np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = int(num_thresholds)
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1)
                          for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - _EPS] + list(thresholds) + [1.0 + _EPS])
        curve = str(getattr(curve, "value", curve)).upper().replace("_", "")
        if curve not in _CURVES:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are '
                             f'["PR", "ROC", "PRGAIN"]')
        method = str(getattr(summation_method, "value", summation_method)).lower()
        if method not in _SUMMATION:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". '
                             f'Expected values are ["interpolation", "majoring", "minoring"]')
        self.curve, self.summation_method = curve, method
        self.multi_label, self.num_labels = bool(multi_label), num_labels
        self.label_weights = None if label_weights is None else \
            np.asarray(label_weights, np.float32)
        self._from_logits = bool(from_logits)
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found "
                                 f"rank {len(shape)}. Full shape received for `y_pred`: "
                                 f"{tuple(shape)}")
            var_shape = (self.num_thresholds, int(shape[1]))
        else:
            var_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(var_shape, name="true_positives")
        self.false_positives = self.add_variable(var_shape, name="false_positives")
        self.true_negatives = self.add_variable(var_shape, name="true_negatives")
        self.false_negatives = self.add_variable(var_shape, name="false_negatives")
        self._built = True

    # keep the names the rest of cuflow (and Keras 2 code) reads
    tp = property(lambda self: self.true_positives)
    fp = property(lambda self: self.false_positives)
    tn = property(lambda self: self.true_negatives)
    fn = property(lambda self: self.false_negatives)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = convert_to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = _m.sigmoid(y_pred)
        # multi-label AUCs weigh labels in result(); otherwise label weights weigh counts
        update_confusion_counts(
            {"tp": self.true_positives, "tn": self.true_negatives,
             "fp": self.false_positives, "fn": self.false_negatives},
            y_true, y_pred, list(self._thresholds), self._thresholds_distributed_evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _average(self, per_threshold):
        if not self.multi_label:
            return _r.reduce_sum(per_threshold)
        by_label = _r.reduce_sum(per_threshold, axis=0)
        if self.label_weights is None:
            return _r.reduce_mean(by_label)
        lw = convert_to_tensor(self.label_weights)
        return _m.div_no_nan(_r.reduce_sum(by_label * lw), _r.reduce_sum(lw))

    def _interpolate_pr_auc(self):
        """Davis & Goadrich (2006): precision interpolated along true positives."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives, self.false_positives, self.false_negatives
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = _m.div_no_nan(dtp, _m.maximum(dp, 0.0))
        intercept = tp[1:] - slope * p[1:]
        both = _m.logical_and(_m.greater(p[:n - 1], 0.0), _m.greater(p[1:], 0.0))
        ratio = _i.where(both, _m.div_no_nan(p[:n - 1], _m.maximum(p[1:], 0.0)),
                         _a.ones_like(p[1:]))
        inc = _m.div_no_nan(slope * (dtp + intercept * _m.log(ratio)),
                            _m.maximum(tp[1:] + fn[1:], 0.0))
        return self._average(inc)

    def result(self):
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr_auc()
        tp, fp, tn, fn = (self.true_positives, self.false_positives, self.true_negatives,
                          self.false_negatives)
        recall = _m.div_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = _m.div_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, _m.div_no_nan(tp, tp + fp)
        else:  # PR gain (Flach & Kull)
            scale = _m.div_no_nan(tp + fn, tn + fp)
            zero_tp = _m.equal(tp, 0.0)
            rg = _i.where(zero_tp, _a.zeros_like(tp), 1.0 - scale * _m.div_no_nan(fn, tp))
            pg = _i.where(zero_tp, _a.ones_like(tp), 1.0 - scale * _m.div_no_nan(fp, tp))
            x, y = _m.maximum(rg, 0.0), pg
        n = self.num_thresholds
        if self.summation_method == "interpolation":
            heights = (y[:n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = _m.minimum(y[:n - 1], y[1:])
        else:
            heights = _m.maximum(y[:n - 1], y[1:])
        return self._average((x[:n - 1] - x[1:]) * heights)

    def reset_state(self):
        if self._built:
            super().reset_state()

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method,
                  "multi_label": self.multi_label, "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else
                  self.label_weights.tolist(), "from_logits": self._from_logits,
                  "thresholds": [float(t) for t in self._thresholds[1:-1]]}
        config.update(super().get_config())
        return config
