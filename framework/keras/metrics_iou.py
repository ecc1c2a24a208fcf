"""Intersection-over-union metrics on a streaming confusion matrix (Keras 3's
iou_metrics.py): IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU.

The matrix is ``(num_classes, num_classes)``, rows the true class and columns the
predicted one, in the metric's dtype (``int64`` unless given, so float sample weights are
truncated as in Keras). Entries whose true or predicted class is out of range, or whose
true class is ``ignore_class``, are left out. A class that appears nowhere (zero
denominator) is left out of the mean."""
from __future__ import annotations

import warnings

import numpy as np

from ..ops import array_ops as _a
from ..ops import index_ops as _i
from ..ops import linalg_ops as _l
from ..ops import math_ops as _m
from ..ops import reduce_ops as _r
from ..ops import segment_ops as _s
from ..ops.constant import convert_to_tensor
from .metrics import Metric
from .metrics_thresholds import auto_name

_EPS = 1e-7


def _standard_dtype(dtype):
    """Keras's dtype names: "int" is int64, "float" float32."""
    name = str(getattr(dtype, "name", dtype))
    return {"int": "int64", "float": "float32"}.get(name, name)


def confusion_matrix(labels, predictions, num_classes, weights=None, dtype="int32"):
    """``(num_classes, num_classes)`` sums of ``weights`` (or counts) at
    ``[label, prediction]``; labels and predictions must lie in ``[0, num_classes)``."""
    labels = _m.cast(convert_to_tensor(labels), "int64")
    predictions = _m.cast(convert_to_tensor(predictions), "int64")
    values = _a.ones_like(labels, dtype=dtype) if weights is None else \
        _m.cast(convert_to_tensor(weights), dtype)
    n = int(num_classes)
    cells = _s.unsorted_segment_sum(values, labels * n + predictions, n * n)
    return _a.reshape(cells, (n, n))


class _IoUBase(Metric):
    """The confusion-matrix state and its update, shared by every IoU metric."""

    _direction = "up"

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(name or auto_name(self), _standard_dtype(dtype or "int"))
        self.num_classes, self.ignore_class = num_classes, ignore_class
        self.sparse_y_true, self.sparse_y_pred, self.axis = sparse_y_true, sparse_y_pred, axis
        self.total_cm = self.add_variable((num_classes, num_classes),
                                          name="total_confusion_matrix")

    def update_state(self, y_true, y_pred, sample_weight=None):
        if not self.sparse_y_true:
            y_true = _r.argmax(convert_to_tensor(y_true), axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = _r.argmax(convert_to_tensor(y_pred), axis=self.axis)
        y_true = _a.reshape(_m.cast(convert_to_tensor(y_true), self.dtype), (-1,))
        y_pred = _a.reshape(_m.cast(convert_to_tensor(y_pred), self.dtype), (-1,))
        if sample_weight is None:
            sample_weight = 1
        elif "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may "
                          "result in an incorrect weight due to type casting Consider using "
                          "integer weights.", stacklevel=2)
        sw = _m.cast(convert_to_tensor(sample_weight), self.dtype)
        if sw.shape.rank > 1:
            sw = _a.reshape(sw, (-1,))
        sw = _a.broadcast_to(sw, tuple(y_true.shape))
        # out-of-range classes and the ignored class never reach the matrix
        keep = _m.logical_and(
            _m.logical_and(_m.greater_equal(y_true, 0), _m.less(y_true, self.num_classes)),
            _m.logical_and(_m.greater_equal(y_pred, 0), _m.less(y_pred, self.num_classes)))
        if self.ignore_class is not None:
            keep = _m.logical_and(keep, _m.not_equal(y_true, self.ignore_class))
        zeros = _a.zeros_like(y_true)
        y_true = _i.where(keep, y_true, zeros)
        y_pred = _i.where(keep, y_pred, zeros)
        sw = _i.where(keep, sw, _a.zeros_like(sw))
        self.total_cm.assign_add(confusion_matrix(y_true, y_pred, self.num_classes, sw,
                                                  self.dtype))


class IoU(_IoUBase):
    """Mean IoU over ``target_class_ids``: ``tp / (tp + fp + fn)`` per class.

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, "
                             f"which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self):
        cm = self.total_cm
        true_pos = _l.matrix_diag_part(cm)
        denominator = _r.reduce_sum(cm, axis=0) + _r.reduce_sum(cm, axis=1) - true_pos
        ids = convert_to_tensor(np.asarray(self.target_class_ids, np.int32))
        true_pos = _m.cast(_i.gather(true_pos, ids), "float32")
        denominator = _m.cast(_i.gather(denominator, ids), "float32")
        valid = _m.greater(denominator, 1e-9)  # a class seen nowhere counts as absent
        iou = _i.where(valid, true_pos / (denominator + _EPS), _a.zeros_like(true_pos))
        return _r.reduce_sum(iou, axis=self.axis) / (
            _r.reduce_sum(_m.cast(valid, "float32")) + _EPS)

    def get_config(self):
        return {**super().get_config(), "num_classes": self.num_classes,
                "target_class_ids": self.target_class_ids, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}


class BinaryIoU(IoU):
    """IoU of two classes, predictions ``>= threshold`` being class 1.

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name,
                         dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _m.cast(convert_to_tensor(y_true), self.dtype)
        y_pred = _m.cast(_m.greater_equal(_m.cast(convert_to_tensor(y_pred), "float32"),
                                          self.threshold), self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self):
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold,
                "name": self.name, "dtype": self.dtype}


class MeanIoU(IoU):
    """IoU averaged over all ``num_classes`` classes (those present).

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)
    0.3333
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_true=True, sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=sparse_y_true,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_true": self.sparse_y_true,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotIoU(IoU):
    """IoU with one-hot labels (and, unless ``sparse_y_pred``, per-class scores).

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    >>> round(float(m.result()), 4)
    0.1667
    """

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None,
                 ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype,
                         ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "target_class_ids": self.target_class_ids,
                "name": self.name, "dtype": self.dtype, "ignore_class": self.ignore_class,
                "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot labels (and, unless ``sparse_y_pred``, per-class scores).

    >>> import cuflow as cf
    >>> m = cf.keras.metrics.OneHotMeanIoU(num_classes=3)
    >>> m.update_state([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]],
    ...                [[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]])
    >>> round(float(m.result()), 4)
    0.1111
    """

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None,
                 sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self):
        return {"num_classes": self.num_classes, "name": self.name, "dtype": self.dtype,
                "ignore_class": self.ignore_class, "sparse_y_pred": self.sparse_y_pred,
                "axis": self.axis}
