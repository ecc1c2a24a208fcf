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
    out = cf.random.fixed_unigram_candidate_sampler(cf.constant([[0], [3]], dtype), 1, N,
                                                    False, 5, unigrams=UNIGRAMS, seed=7)
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
