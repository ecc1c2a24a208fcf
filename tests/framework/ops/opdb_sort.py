"""Op database entries for cuflow.ops.sort_ops (see opdb.py)."""
from __future__ import annotations

import numpy as np

import cuflow as cf
from cuflow.errors import InvalidArgumentError

from .opdb import F, I, OpInfo, Sample, _arr

R = F + I
_Z = cf.zeros


def _distinct(r, shape, d):
    """Values without ties (so finite differences do not cross a reordering)."""
    n = int(np.prod(shape))
    return (r.permutation(n).reshape(shape) * 0.5 - n / 4).astype(d)


def _sort_ref(x, axis=-1, direction="ASCENDING"):
    if direction == "DESCENDING":
        return -np.sort(-x, axis=axis, kind="stable")
    return np.sort(x, axis=axis)


def _argsort_ref(x, axis=-1, direction="ASCENDING"):
    if direction == "DESCENDING":
        n = x.shape[axis]
        return (n - 1 - np.flip(np.argsort(np.flip(x, axis), axis=axis, kind="stable"),
                                axis)).astype(np.int32)
    return np.argsort(x, axis=axis, kind="stable").astype(np.int32)


def _top_k_ref(x, k=1, sorted=True):
    idx = _argsort_ref(x, -1, "DESCENDING")[..., :k]
    idx = idx if sorted else np.sort(idx, -1)
    return np.take_along_axis(x, idx, -1), idx


def _unique_ref(x):
    _, first, inv, counts = np.unique(x, return_index=True, return_inverse=True,
                                      return_counts=True)
    order = np.argsort(first)
    rank = np.argsort(order)
    return x[np.sort(first)], rank[inv].astype(np.int32), counts[order].astype(np.int32)


def _in_top_k_ref(t, p, k):
    tv = p[np.arange(len(t)), t]
    return (p > tv[:, None]).sum(1) < k


def _bincount_ref(a, weights=None, minlength=None, maxlength=None, dtype=None):
    out = np.bincount(a.ravel(), None if weights is None else weights.ravel(),
                      minlength=minlength or 0)
    return (out[:maxlength] if maxlength is not None else out).astype(
        np.int32 if weights is None else weights.dtype)


def _hist_ref(v, rng, nbins=100):
    b = np.clip(np.floor((v - rng[0]) / (rng[1] - rng[0]) * nbins), 0, nbins - 1)
    return np.bincount(b.astype(int).ravel(), minlength=nbins).astype(np.int32)


def _top_k_samples(r, d):
    return [Sample((_distinct(r, (3, 6), d),), {"k": 3}),
            Sample((np.array([1, 3, 2, 3, 3], d),), {"k": 2}, grad=False),
            Sample((_distinct(r, (5,), d),)),
            Sample((_arr(r, (2, 4), d),), {"k": 0}, grad=False),
            Sample((_distinct(r, (2, 4), d),), {"k": 4, "sorted": False}, grad=False)]


def _unique_samples(r, d):
    return [Sample((np.array([3, 1, 3, 2, 1, 7], d),)),
            Sample((np.array([1, 1, 2, 4, 4, 4, 7, 8, 8], d),)), Sample((np.zeros((0,), d),))]


def _e(fn, pattern, exc=InvalidArgumentError):
    return (fn, exc, pattern)


OPS = [
    OpInfo("sort", lambda x, **k: cf.sort(x, **k), _sort_ref, lambda r, d: [
        Sample((_distinct(r, (3, 5), d),)),
        Sample((_distinct(r, (3, 5), d),), {"direction": "DESCENDING", "axis": 0}),
        Sample((np.array([2, 1, 2, 0, 1], d),), {"direction": "DESCENDING"}, grad=False),
        Sample((_arr(r, (0, 3), d),))], R,
        errors=(_e(lambda: cf.sort([1.0], direction="UP"), "direction", ValueError),)),
    OpInfo("argsort", lambda x, **k: cf.argsort(x, **k), _argsort_ref, lambda r, d: [
        Sample((np.array([[2, 1, 2, 0, 1], [1, 1, 1, 0, 0]], d),)),
        Sample((np.array([[2, 1, 2, 0, 1], [1, 1, 1, 0, 0]], d),), {"direction": "DESCENDING"}),
        Sample((_arr(r, (4, 3), d),), {"axis": 0})], R, grad=False,
        out_dtype=lambda d: "int32"),
    OpInfo("top_k", lambda x, **k: cf.math.top_k(x, **k)[0], lambda x, **k: _top_k_ref(x, **k)[0],
           _top_k_samples, R,
           errors=(_e(lambda: cf.math.top_k(_Z([3]), k=4), "at least k=4"),)),
    OpInfo("top_k_indices", lambda x, **k: cf.math.top_k(x, **k)[1],
           lambda x, **k: _top_k_ref(x, **k)[1], _top_k_samples, R, grad=False,
           out_dtype=lambda d: "int32"),
    OpInfo("in_top_k", lambda t, p, k: cf.math.in_top_k(t, p, k), _in_top_k_ref, lambda r, d: [
        Sample((np.array([0, 2, 1], d), np.array([[.1, .5, .4], [.3, .3, .3], [1, 2, 0]], "f")),
               {"k": 1}),
        Sample((np.array([0, 2, 1], d), np.array([[.1, .5, .4], [.3, .3, .3], [1, 2, 0]], "f")),
               {"k": 2})], I, grad=False, out_dtype=lambda d: "bool",
        errors=(_e(lambda: cf.math.in_top_k([0, 1], _Z([3, 2]), 1), "predictions must be"),)),
    OpInfo("unique_with_counts", lambda x: cf.unique_with_counts(x)[0],
           lambda x: _unique_ref(x)[0], _unique_samples, R, grad=False,
           errors=(_e(lambda: cf.unique(_Z([2, 2])), "1D"),)),
    OpInfo("unique_with_counts_idx", lambda x: cf.unique_with_counts(x)[1:],
           lambda x: _unique_ref(x)[1:], _unique_samples, R, grad=False,
           out_dtype=lambda d: "int32"),
    OpInfo("unique", lambda x: cf.unique(x, out_idx=cf.int64)[1],
           lambda x: _unique_ref(x)[1].astype(np.int64), _unique_samples, R, grad=False,
           out_dtype=lambda d: "int64"),
    OpInfo("searchsorted", lambda s, v, **k: cf.searchsorted(s, v, **k),
           lambda s, v, side="left": np.stack([np.searchsorted(a, b, side) for a, b in zip(
               s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1]))]).reshape(v.shape)
           .astype(np.int32), lambda r, d: [
               Sample((np.sort(_arr(r, (6,), d))[None], _arr(r, (1, 4), d))),
               Sample((np.sort(_arr(r, (2, 5), d), -1), _arr(r, (2, 3), d)), {"side": "right"})],
           R, grad=False, out_dtype=lambda d: "int32",
           errors=(_e(lambda: cf.searchsorted(_Z([2, 3]), _Z([3, 1])), "leading"),
                   _e(lambda: cf.searchsorted(_Z([3]), _Z([1]), side="mid"), "side",
                      ValueError))),
    OpInfo("bincount", lambda a, **k: cf.math.bincount(a, **k), _bincount_ref, lambda r, d: [
        Sample((np.array([1, 1, 4, 0], d),)), Sample((np.array([[1, 2], [2, 2]], d),),
                                                    {"minlength": 5}),
        Sample((np.array([1, 5, 2], d),), {"maxlength": 3}),
        Sample((np.array([1, 1, 3], d),), {"weights": np.array([.5, 1., 2.])})], I,
        grad=False, out_dtype_from_ref=True,
        errors=(_e(lambda: cf.math.bincount([1, -1]), "non-negative"),)),
    OpInfo("histogram_fixed_width", lambda v, rg, **k: cf.histogram_fixed_width(v, rg, **k),
           _hist_ref, lambda r, d: [
               Sample((_arr(r, (20,), d, -3, 3), np.array([-2, 2], d)), {"nbins": 5}),
               Sample((_arr(r, (0,), d), np.array([0, 1], d)), {"nbins": 3})], F,
           grad=False, out_dtype=lambda d: "int32",
           errors=(_e(lambda: cf.histogram_fixed_width([1.0], [0.0, 1.0], 0), "nbins"),
                   _e(lambda: cf.histogram_fixed_width([1.0], [1.0, 1.0]), "value_range"))),
]


def _cm_ref(lab, pred, num_classes=None, weights=None):
    n = num_classes or int(max(lab.max(), pred.max())) + 1
    out = np.zeros((n, n), np.int32 if weights is None else weights.dtype)
    np.add.at(out, (lab, pred), 1 if weights is None else weights)
    return out


OPS += [
    OpInfo("confusion_matrix", lambda a, b, **k: cf.math.confusion_matrix(a, b, **k), _cm_ref,
           lambda r, d: [Sample((np.array([1, 2, 4, 2], d), np.array([2, 2, 4, 0], d))),
                         Sample((np.array([0, 1], d), np.array([1, 1], d)),
                                {"num_classes": 3})], I, grad=False,
           out_dtype=lambda d: "int32",
           errors=(_e(lambda: cf.math.confusion_matrix([3], [0], num_classes=2), "< num_"),)),
]
