"""Softmax cross-entropy with logits (dense / sparse) on the CPU with Numba.

Same API and results as reference/crossentropy.py: ``(loss, backprop)`` with
backprop = softmax(logits) - labels, fused in one read of each row.
"""
import numpy as np

from .._checks import acc_dtype, as_rows
from ..reference.crossentropy import check_dense, check_sparse


def _jit():
    from . import _jit_softmax
    return _jit_softmax


def softmax_cross_entropy_with_logits(logits, labels):
    """Dense labels: loss per row and d(loss)/d(logits)."""
    check_dense(logits, labels)
    acc = acc_dtype(logits.dtype)
    a = np.ascontiguousarray(as_rows("softmax_cross_entropy_with_logits", logits), acc)
    lab = np.ascontiguousarray(labels.reshape(a.shape), acc)
    loss = np.empty(a.shape[0], acc)
    grad = np.empty_like(a)
    if a.size:
        _jit().softmax_xent_dense(a, lab, loss, grad)
    return (loss.astype(logits.dtype).reshape(logits.shape[:-1]),
            grad.astype(logits.dtype).reshape(logits.shape))


def sparse_softmax_cross_entropy_with_logits(logits, labels):
    """Integer labels of shape logits.shape[:-1]: loss per row and gradient."""
    op = "sparse_softmax_cross_entropy_with_logits"
    labels = np.asarray(labels)
    check_sparse(logits, labels)
    acc = acc_dtype(logits.dtype)
    a = np.ascontiguousarray(as_rows(op, logits), acc)
    loss = np.empty(a.shape[0], acc)
    grad = np.empty_like(a)
    if a.size:
        _jit().softmax_xent_sparse(a, labels.reshape(-1).astype(np.int64), loss, grad)
    return (loss.astype(logits.dtype).reshape(logits.shape[:-1]),
            grad.astype(logits.dtype).reshape(logits.shape))
