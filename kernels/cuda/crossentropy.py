"""Softmax cross-entropy with logits on the GPU (CuPy RawModule over crossentropy.cu).

Same API as reference/crossentropy.py with CuPy arrays: ``(loss, backprop)`` from one
kernel that reads each row twice (statistics, then gradient) and writes it once.
"""
import numpy as np

from .._checks import as_rows
from ..reference.crossentropy import check_dense, check_sparse
from ._loader import cupy, kernel, suffix


def _threads(cols):
    t = 32
    while t < 1024 and t * 8 < cols:
        t *= 2
    return t


def softmax_cross_entropy_with_logits(logits, labels):
    """Dense labels: loss per row and d(loss)/d(logits)."""
    check_dense(logits, labels)
    cp = cupy()
    op = "softmax_cross_entropy_with_logits"
    a = cp.ascontiguousarray(as_rows(op, logits))
    lab = cp.ascontiguousarray(labels.reshape(a.shape), dtype=logits.dtype)
    loss = cp.empty(a.shape[0], logits.dtype)
    grad = cp.empty_like(a)
    if a.shape[0]:
        kernel("crossentropy", f"xent_dense_{suffix(op, logits)}")(
            (a.shape[0],), (_threads(a.shape[1]),), (a, lab, loss, grad, np.int32(a.shape[1])))
    return loss.reshape(logits.shape[:-1]), grad.reshape(logits.shape)


def sparse_softmax_cross_entropy_with_logits(logits, labels, check_labels=True):
    """Integer labels: loss per row and gradient. Unchecked out-of-range labels give NaN."""
    op = "sparse_softmax_cross_entropy_with_logits"
    cp = cupy()
    labels = cp.asarray(labels)
    if check_labels:
        check_sparse(logits, labels, xp=cp)
    a = cp.ascontiguousarray(as_rows(op, logits))
    lab = labels.reshape(-1)
    if lab.dtype not in (np.int32, np.int64):
        lab = lab.astype(np.int64)
    lab = cp.ascontiguousarray(lab)
    loss = cp.empty(a.shape[0], logits.dtype)
    grad = cp.empty_like(a)
    if a.shape[0]:
        isuf = "i32" if lab.dtype == np.int32 else "i64"
        kernel("crossentropy", f"xent_sparse_{suffix(op, logits)}_{isuf}")(
            (a.shape[0],), (_threads(a.shape[1]),), (a, lab, loss, grad, np.int32(a.shape[1])))
    return loss.reshape(logits.shape[:-1]), grad.reshape(logits.shape)
