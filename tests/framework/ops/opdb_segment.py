"""Op database entries for cuflow.ops.segment_ops and clip_ops (see opdb.py)."""
from __future__ import annotations

import numpy as np

import cuflow as cf
from cuflow.errors import InvalidArgumentError

from .opdb import F, I, OpInfo, Sample, _arr

_Z = cf.zeros


def _seg_ref(kind, sorted_=False):
    def ref(data, ids, n=None):
        n = (int(ids.max()) + 1 if ids.size else 0) if n is None else n
        out = []
        for s in range(n):
            rows = data[ids == s]
            if kind in ("mean", "sqrt_n"):
                v = rows.sum(0) / (max(len(rows), 1) if kind == "mean" else
                                   np.sqrt(max(len(rows), 1)))
            elif len(rows) == 0:
                fill = {"sum": 0, "prod": 1}.get(kind)
                if fill is None:
                    fill = 0 if sorted_ else (np.iinfo(data.dtype).min if kind == "max" else
                                              np.iinfo(data.dtype).max)
                v = np.full(data.shape[ids.ndim:], fill, data.dtype)
            else:
                v = getattr(rows, kind)(0)
            out.append(v)
        return np.array(out, dtype=data.dtype).reshape((n,) + data.shape[ids.ndim:])
    return ref


def _useg_samples(r, d, full=False):
    """full: every segment non-empty (the float lowest() fill of max/min depends on the
    dtype, which the float64 reference cannot see; test_array_extras checks it)."""
    data = _arr(r, (6, 2), d, 0.5, 2.0)
    ids = np.array([0, 1, 0, -1, 2, 3]) if full else np.array([0, 2, 0, -1, 2, 2])
    return [Sample((data, ids, 4)),
            Sample((_arr(r, (2, 3), d, 0.5, 2.0), np.array([[1, 0, 1], [1, 1, 0]]), 2)),
            Sample((_arr(r, (0, 2), d), np.zeros((0,), np.int32), 0 if full else 3))]


def _sseg_samples(r, d):
    return [Sample((_arr(r, (5, 2), d, 0.5, 2.0), np.array([0, 0, 2, 2, 3]))),
            Sample((_arr(r, (3,), d, 0.5, 2.0), np.array([1, 1, 1])))]


def _scan_ref(fn):
    def ref(x, axis=0, exclusive=False, reverse=False):
        if reverse:
            x = np.flip(x, axis)
        c = fn(x, axis)
        if exclusive:
            c = np.moveaxis(c, axis, 0)
            first = np.full_like(c[:1], {"cs": 0, "cp": 1, "lse": -np.inf}[ref.kind])
            c = np.moveaxis(np.concatenate([first, c[:-1]]), 0, axis)
        return np.flip(c, axis) if reverse else c
    return ref


_cs, _cp = _scan_ref(lambda x, a: np.cumsum(x, a)), _scan_ref(lambda x, a: np.cumprod(x, a))
_lse = _scan_ref(lambda x, a: np.logaddexp.accumulate(x, a))
_cs.kind, _cp.kind, _lse.kind = "cs", "cp", "lse"


def _scan_samples(r, d, lse=False):
    """lse: exclusive outputs start at -inf, which finite differences cannot take."""
    return [Sample((_arr(r, (4,), d, 0.5, 2.0),)),
            Sample((_arr(r, (3, 4), d, 0.5, 2.0),), {"axis": 1, "exclusive": True},
                   grad=not lse),
            Sample((_arr(r, (3, 4), d, 0.5, 2.0),), {"axis": -1, "reverse": True}),
            Sample((_arr(r, (2, 3), d, 0.5, 2.0),), {"exclusive": True, "reverse": True},
                   grad=not lse),
            Sample((_arr(r, (0, 2), d),), {"axis": 0})]


def _e(fn, pattern, exc=InvalidArgumentError):
    return (fn, exc, pattern)


def _useg(kind, dtypes=F + I, **kw):
    full = kind in ("max", "min")
    return OpInfo(f"unsorted_segment_{kind}", getattr(cf.math, f"unsorted_segment_{kind}"),
                  _seg_ref(kind), lambda r, d: _useg_samples(r, d, full), dtypes, **kw)


def _sseg(kind, dtypes=F + I):
    return OpInfo(f"segment_{kind}", getattr(cf.math, f"segment_{kind}"),
                  _seg_ref(kind, True), _sseg_samples, dtypes)


def _clip_norm_ref(t, c, axes=None):
    axes = None if axes is None else tuple(axes)
    n = np.sqrt((t * t).sum(axis=axes, keepdims=True))
    return t * c / np.maximum(n, c)


def _cgn_ref(*ts, clip_norm):
    g = np.sqrt(sum((t * t).sum() for t in ts))
    return [t * clip_norm / max(g, clip_norm) for t in ts] + [g]


def _flat_cgn(ts, clip_norm):
    clipped, norm = cf.clip_by_global_norm(ts, clip_norm)
    return [*clipped, norm]


OPS = [
    _useg("sum", errors=(
        _e(lambda: cf.math.unsorted_segment_sum(_Z([3]), [0, 3, 1], 3), r"= 3 is out of range"),
        _e(lambda: cf.math.unsorted_segment_sum(_Z([3]), [0, 1], 3), "prefix"))),
    _useg("prod"), _useg("max"), _useg("min"),
    _useg("mean", F), _useg("sqrt_n", F),
    _sseg("sum"), _sseg("prod"), _sseg("max"), _sseg("min"), _sseg("mean", F),
    OpInfo("segment_sum_unsorted_ids", cf.math.segment_sum, _seg_ref("sum"), lambda r, d: [],
           F, grad=False,
           errors=(_e(lambda: cf.math.segment_sum(_Z([3]), [1, 0, 0]), "sorted"),)),
    OpInfo("cumsum", lambda x, **k: cf.math.cumsum(x, **k), _cs, _scan_samples, F + I,
           errors=(_e(lambda: cf.math.cumsum(_Z([2]), axis=1), "out of range"),)),
    OpInfo("cumprod", lambda x, **k: cf.math.cumprod(x, **k), _cp, _scan_samples, F + I,
           errors=(_e(lambda: cf.math.cumprod(cf.constant([True])), "unsupported dtype"),
                   _e(lambda: cf.math.cumprod(1.0), "rank >= 1"))),
    OpInfo("cumulative_logsumexp", lambda x, **k: cf.math.cumulative_logsumexp(x, **k), _lse,
           lambda r, d: _scan_samples(r, d, True), F,
           errors=(_e(lambda: cf.math.cumulative_logsumexp(cf.constant([1, 2])),
                      "unsupported dtype"),)),
    # TF's order (min then max: where lo > hi the result is lo), not np.clip's
    OpInfo("clip_by_value", cf.clip_by_value,
           lambda t, lo, hi: np.maximum(np.minimum(t, hi), lo), lambda r, d: [
        Sample((_arr(r, (3, 4), d), np.array(-1.5, d), np.array(1.5, d))),
        Sample((_arr(r, (2, 3), d), _arr(r, (3,), d, -2, -0.5), _arr(r, (2, 1), d, 0.5, 2)))],
        F + I, errors=(_e(lambda: cf.clip_by_value(_Z([3]), _Z([2, 3]), 1.0), "broadcast"),)),
    OpInfo("clip_by_norm", lambda t, c, **k: cf.clip_by_norm(t, c, **k), _clip_norm_ref,
           lambda r, d: [Sample((_arr(r, (3, 4), d), 1.0)), Sample((_arr(r, (3, 4), d), 10.0)),
                         Sample((_arr(r, (3, 4), d), 0.5), {"axes": [1]})], F,
           errors=(_e(lambda: cf.clip_by_norm(cf.constant([1, 2]), 1), "float"),)),
    OpInfo("clip_by_global_norm", lambda *ts, clip_norm: _flat_cgn(list(ts), clip_norm),
        _cgn_ref, lambda r, d: [Sample((_arr(r, (3,), d), _arr(r, (2, 2), d)), {"clip_norm": 1.0}),
                                Sample((_arr(r, (3,), d),), {"clip_norm": 100.0})], F),
]
