"""Op database entries for the apis3 ops: the weighted candidate sampler (see opdb.py)."""
from __future__ import annotations

import cuflow as cf
import numpy as np
from cuflow.errors import InvalidArgumentError

from .opdb import OpInfo, Sample

N = 20000
UNIGRAMS = [1.0, 0.0, 2.0, 5.0, 2.0]


def _fixed_unigram(dtype):
    """Frequencies of a fixed-unigram draw (with replacement) and its expected counts."""
    cf.random.set_seed(1)       # restarts the (global, op) seed stream: eager = traced
    out = cf.random.fixed_unigram_candidate_sampler(cf.constant([[0], [3]], dtype), 1, N,
                                                    False, 5, unigrams=UNIGRAMS, seed=7)
    cf.random.set_seed(None)
    freq = cf.reduce_mean(cf.cast(cf.equal(cf.expand_dims(out.sampled_candidates, -1),
                                           cf.range(5, dtype=cf.int64)), cf.float64), 0)
    return cf.concat([freq, cf.cast(cf.reshape(out.true_expected_count, [-1]), cf.float64)
                      / N], 0)


def _fixed_unigram_ref(d):
    p = np.asarray(UNIGRAMS) / sum(UNIGRAMS)
    return np.concatenate([p, p[[0, 3]]])


OPS = [
    OpInfo("weighted_candidate_sampler", _fixed_unigram, _fixed_unigram_ref,
           lambda rng, d: [Sample((d,), grad=False)], ("int64",), grad=False,
           out_dtype=lambda d: "float64", rtol=0, atol=0.012,
           errors=((lambda: cf.random.fixed_unigram_candidate_sampler(
                        [[7]], 1, 2, False, 5, unigrams=UNIGRAMS),
                    InvalidArgumentError, "out of range"),
                   (lambda: cf.random.fixed_unigram_candidate_sampler(
                       [[1]], 1, 2, False, 4, unigrams=UNIGRAMS),
                    InvalidArgumentError, "must be equal to weights size"))),
]


# --- morphology ---------------------------------------------------------------------------------
def _dilation_ref(x, w, strides, padding, data_format, dilations):
    """Direct loops over TF's definition: max over taps of input + filter (-inf padding)."""
    n, h, wd, c = x.shape
    fh, fw, _ = w.shape
    s, r = strides[1:3], dilations[1:3]
    eff = [(fh - 1) * r[0] + 1, (fw - 1) * r[1] + 1]
    if padding == "SAME":
        out = [-(-h // s[0]), -(-wd // s[1])]
        tot = [max((o - 1) * st + e - i, 0) for o, st, e, i in zip(out, s, eff, (h, wd))]
        top, left = tot[0] // 2, tot[1] // 2
    else:
        out = [(h - eff[0]) // s[0] + 1, (wd - eff[1]) // s[1] + 1]
        top = left = 0
    y = np.full((n, *out, c), -np.inf)
    for i in range(out[0]):
        for j in range(out[1]):
            for a in range(fh):
                for b in range(fw):
                    hi, wj = i * s[0] + a * r[0] - top, j * s[1] + b * r[1] - left
                    if 0 <= hi < h and 0 <= wj < wd:
                        y[:, i, j] = np.maximum(y[:, i, j], x[:, hi, wj] + w[a, b])
    return y.astype(np.result_type(x, w))


def _dilation_samples(rng, dtype):
    def arr(*s):
        return rng.uniform(-3, 3, s).astype(dtype) if dtype.startswith("float") else \
            rng.integers(-5, 6, s).astype(dtype)
    return [Sample((arr(2, 5, 6, 3), arr(3, 2, 3), [1, 1, 1, 1], pad, "NHWC", [1, 1, 1, 1]))
            for pad in ("SAME", "VALID")] + [
        Sample((arr(1, 7, 6, 2), arr(2, 3, 2), [1, 2, 1, 1], "SAME", "NHWC", [1, 1, 2, 1])),
        Sample((arr(1, 7, 6, 2), arr(2, 2, 2), [1, 2, 3, 1], "VALID", "NHWC", [1, 2, 1, 1])),
        Sample((arr(0, 4, 4, 2), arr(2, 2, 2), [1, 1, 1, 1], "SAME", "NHWC", [1, 1, 1, 1]),
               grad=False)]


OPS.append(OpInfo(
    "dilation2d", cf.nn.dilation2d, _dilation_ref, _dilation_samples,
    ("float32", "float64", "int32"), covers=("dilation2d_grad",),
    errors=((lambda: cf.nn.dilation2d(cf.zeros([1, 2, 2, 1]), cf.zeros([3, 3, 1]),
                                      [1, 1, 1, 1], "VALID", "NHWC", [1, 1, 1, 1]),
             InvalidArgumentError, "larger than"),
            (lambda: cf.nn.dilation2d(cf.zeros([1, 4, 4, 2]), cf.zeros([2, 2, 1]),
                                      [1, 1, 1, 1], "SAME", "NHWC", [1, 1, 1, 1]),
             InvalidArgumentError, "must equal the filters' depth"))))


# --- isotonic regression (scipy's PAV as the reference) -----------------------------------------
def _isotonic_ref(x, decreasing=True, axis=-1):
    from scipy.optimize import isotonic_regression as scipy_iso
    xm = np.moveaxis(np.asarray(x, np.float64), axis, -1)
    fit, seg = np.empty_like(xm), np.empty(xm.shape, np.int32)
    for idx in np.ndindex(xm.shape[:-1]):
        res = scipy_iso(xm[idx], increasing=not decreasing)
        fit[idx] = res.x
        seg[idx] = np.repeat(np.arange(len(res.blocks) - 1), np.diff(res.blocks))
    out_dt = x.dtype if x.dtype.kind == "f" else (np.float32 if x.dtype.itemsize <= 2
                                                  else np.float64)
    return np.stack([np.moveaxis(fit, -1, axis), np.moveaxis(seg, -1, axis)]).astype(out_dt)


def _isotonic(x, **kw):
    """The fit and its segment ids, stacked (one output dtype for the template)."""
    y, seg = cf.nn.isotonic_regression(x, **kw)
    return cf.stack([y, cf.cast(seg, y.dtype)])


def _isotonic_samples(rng, dtype):
    # No two adjacent blocks may tie in mean: TF keeps them apart, scipy merges them.
    # Floats are tie-free almost surely; integers are distinct draws from a wide range.
    def arr(*s):
        if dtype.startswith("float"):
            return rng.uniform(-3, 3, s).astype(dtype)
        n = int(np.prod(s))
        return (rng.choice(30000, n, replace=False) - 15000).reshape(s).astype(dtype)
    return [Sample((arr(3, 7),)), Sample((arr(3, 7),), {"decreasing": False}),
            Sample((arr(4, 2, 5),), {"axis": 0}), Sample((arr(6),)),
            Sample((arr(0, 4),), grad=False)]


OPS.append(OpInfo(
    "isotonic_regression", _isotonic, _isotonic_ref, _isotonic_samples,
    ("float32", "float64", "int16", "int32"),
    out_dtype=lambda d: {"int16": "float32", "int32": "float64"}.get(d, d),
    errors=((lambda: cf.nn.isotonic_regression(cf.constant([[1, 2]], cf.uint8)),
             InvalidArgumentError, "unsupported dtype"),)))


# --- image: NMS with overlaps, glimpses ----------------------------------------------------------
def _nms_overlaps_ref(ov, scores, max_output_size, overlap_threshold=0.5,
                      score_threshold=-np.inf):
    order = sorted((i for i in range(len(scores)) if scores[i] > score_threshold),
                   key=lambda i: (-scores[i], i))
    kept = []
    for i in order:
        if len(kept) < max_output_size and all(ov[i, j] <= overlap_threshold for j in kept):
            kept.append(i)
    return np.asarray(kept, np.int32)


def _nms_overlaps_samples(rng, dtype):
    ov = rng.uniform(0, 1, (6, 6)).astype(dtype)
    ov = (ov + ov.T) / 2
    s = rng.permutation(6).astype(dtype) / 6
    return [Sample((ov, s, 6), grad=False), Sample((ov, s, 2, 0.3), grad=False),
            Sample((ov, s, 6, 0.6, 0.4), grad=False),
            Sample((np.zeros((0, 0), dtype), np.zeros(0, dtype), 3), grad=False)]


def _glimpse_ref(x, size, offsets, centered=True, normalized=True, noise="zero"):
    n, h, w, c = x.shape
    out = np.zeros((n, *size, c))
    for i in range(n):
        y0, x0 = offsets[i]
        if normalized and centered:
            y0, x0 = y0 * h / 2 + h / 2 - size[0] / 2, x0 * w / 2 + w / 2 - size[1] / 2
        elif normalized:
            y0, x0 = y0 * h, x0 * w
        elif centered:
            y0, x0 = y0 + h / 2, x0 + w / 2
        y0, x0 = int(y0), int(x0)
        for a in range(size[0]):
            for b in range(size[1]):
                if 0 <= y0 + a < h and 0 <= x0 + b < w:
                    out[i, a, b] = x[i, y0 + a, x0 + b]
    return out


def _glimpse_samples(rng, dtype):
    x = rng.uniform(-1, 1, (2, 7, 9, 2)).astype(dtype)
    return [Sample((x, [3, 4], np.array([[0.0, 0.1], [-0.3, 0.5]], dtype)), {"noise": "zero"},
                   grad=False),
            Sample((x, [5, 5], np.array([[-1.0, -1.0], [0.9, 0.95]], dtype)),
                   {"noise": "zero"}, grad=False),
            Sample((x, [2, 3], np.array([[2.0, 3.0], [-1.0, 8.0]], dtype)),
                   {"centered": False, "normalized": False, "noise": "zero"}, grad=False),
            Sample((x, [2, 3], np.array([[0.25, 0.5], [0.9, 0.0]], dtype)),
                   {"centered": False, "noise": "zero"}, grad=False)]


OPS.append(OpInfo(
    "non_max_suppression_with_overlaps", cf.image.non_max_suppression_overlaps,
    _nms_overlaps_ref, _nms_overlaps_samples, ("float32",), grad=False,
    out_dtype=lambda d: "int32",
    errors=((lambda: cf.image.non_max_suppression_overlaps(cf.zeros([3, 2]), cf.zeros([3]), 2),
             InvalidArgumentError, "square"),)))
OPS.append(OpInfo(
    "extract_glimpse", cf.image.extract_glimpse, _glimpse_ref, _glimpse_samples,
    ("float32",), grad=False,
    errors=((lambda: cf.image.extract_glimpse(cf.zeros([1, 4, 4, 1]), [2, 2], [[0.0, 0.0]],
                                              noise="salt"), InvalidArgumentError, "noise"),)))
