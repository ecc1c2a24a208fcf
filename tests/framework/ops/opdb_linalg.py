"""Op database entries for cuflow.ops.linalg_ops (see opdb.py)."""
from __future__ import annotations

import numpy as np

import cuflow as cf
from cuflow.errors import InvalidArgumentError

from .opdb import FH, OpInfo, Sample, _arr


def _mm_ref(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False):
    if transpose_a or adjoint_a:
        a = np.swapaxes(a, -1, -2)
        a = np.conj(a) if adjoint_a else a
    if transpose_b or adjoint_b:
        b = np.swapaxes(b, -1, -2)
        b = np.conj(b) if adjoint_b else b
    return np.matmul(a, b)


def _mm_samples(rng, d):
    return [Sample((_arr(rng, (2, 3), d), _arr(rng, (3, 4), d))),
            Sample((_arr(rng, (2, 2, 3), d), _arr(rng, (3, 4), d))),
            Sample((_arr(rng, (3, 2), d), _arr(rng, (2, 4, 3), d)),
                   {"transpose_a": True, "transpose_b": True}),
            Sample((_arr(rng, (2, 3), d), _arr(rng, (4, 3), d)), {"adjoint_b": True}),
            Sample((_arr(rng, (0, 3), d), _arr(rng, (3, 2), d)), grad=False),
            Sample((_arr(rng, (2, 0), d), _arr(rng, (0, 2), d)), grad=False)]


OPS = [
    OpInfo("matmul", cf.matmul, _mm_ref, _mm_samples, FH + ("int32",), rtol=None,
           errors=((lambda: cf.matmul(cf.zeros([2, 3]), cf.zeros([4, 5])),
                    InvalidArgumentError, r"Matrix size-incompatible.*\[2, 3\].*\[4, 5\]"),
                   (lambda: cf.matmul(cf.zeros([3]), cf.zeros([3, 2])),
                    InvalidArgumentError, "rank >= 2"))),
]
