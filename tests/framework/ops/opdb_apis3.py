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
