"""Softmax cross-entropy with logits (dense and sparse labels): loss and gradient.

Like TF's ``SoftmaxCrossEntropyWithLogits`` kernels, each returns ``(loss, backprop)``:
loss per row, and d(loss)/d(logits) = softmax(logits) - labels (unscaled).
"""
import numpy as np

from .._checks import acc_dtype, as_rows, check_float


def _log_softmax(a):
    m = a.max(axis=1, keepdims=True)
    return a - (m + np.log(np.exp(a - m).sum(axis=1, keepdims=True)))


def check_dense(logits, labels):
    """Validation shared by every implementation of the dense op."""
    check_float("softmax_cross_entropy_with_logits", logits=logits, labels=labels)
    if tuple(logits.shape) != tuple(labels.shape) or logits.shape[-1] == 0:
        raise ValueError(f"softmax_cross_entropy_with_logits: logits {tuple(logits.shape)} "
                         f"and labels {tuple(labels.shape)} must match and have classes")


def check_sparse(logits, labels, xp=np):
    """Validation shared by every implementation of the sparse op (``xp``: numpy/cupy)."""
    op = "sparse_softmax_cross_entropy_with_logits"
    check_float(op, logits=logits)
    if np.dtype(labels.dtype).kind not in "iu" or tuple(labels.shape) != tuple(
            logits.shape[:-1]):
        raise ValueError(f"{op}: labels must be integers of shape {tuple(logits.shape[:-1])}"
                         f", got {labels.dtype} {tuple(labels.shape)}")
    classes = logits.shape[-1]
    if labels.size:
        lo, hi = int(xp.min(labels)), int(xp.max(labels))
        if lo < 0 or hi >= classes:
            raise ValueError(f"{op}: labels must lie in [0, {classes}), got range "
                             f"[{lo}, {hi}]")


def softmax_cross_entropy_with_logits(logits, labels):
    """Dense labels (a distribution per row, same shape as logits)."""
    check_dense(logits, labels)
    acc = acc_dtype(logits.dtype)
    a = as_rows("softmax_cross_entropy_with_logits", logits).astype(acc)
    lab = labels.reshape(a.shape).astype(acc)
    logp = _log_softmax(a)
    loss = -(lab * logp).sum(axis=1)
    grad = np.exp(logp) - lab
    return (loss.astype(logits.dtype).reshape(logits.shape[:-1]),
            grad.astype(logits.dtype).reshape(logits.shape))


def sparse_softmax_cross_entropy_with_logits(logits, labels):
    """Integer class labels of shape logits.shape[:-1]."""
    op = "sparse_softmax_cross_entropy_with_logits"
    labels = np.asarray(labels)
    check_sparse(logits, labels)
    acc = acc_dtype(logits.dtype)
    a = as_rows(op, logits).astype(acc)
    lab = labels.reshape(-1)
    logp = _log_softmax(a)
    rows = np.arange(a.shape[0])
    loss = -logp[rows, lab]
    grad = np.exp(logp)
    grad[rows, lab] -= 1
    return (loss.astype(logits.dtype).reshape(logits.shape[:-1]),
            grad.astype(logits.dtype).reshape(logits.shape))
