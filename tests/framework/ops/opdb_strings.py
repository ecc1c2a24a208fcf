"""Op database entry for cuflow.ops.string_ops: the one ``string_map`` op, sampled
through several of its kernels (see opdb.py)."""
from __future__ import annotations

import cuflow as cf
import numpy as np

from .opdb import OpInfo, Sample

WORDS = np.array([b"  Hello ", b"x1-2", b"", "été".encode()], dtype=object)


def _samples(rng, dtype):
    return [Sample((WORDS,), {"kernel": "upper"}, grad=False),
            Sample((WORDS.reshape(2, 2),), {"kernel": "strip"}, grad=False),
            Sample((np.array([], dtype=object),), {"kernel": "lower"}, grad=False)]


def _fn(x, kernel):
    return getattr(cf.strings, kernel)(x)


def _ref(x, kernel):
    f = {"upper": bytes.upper, "lower": bytes.lower, "strip": bytes.strip}[kernel]
    return np.frompyfunc(f, 1, 1)(np.asarray(x, dtype=object)).astype(object)


OPS: list[OpInfo] = [
    OpInfo("string_map", _fn, _ref, _samples, ("string",), grad=False,
           errors=((lambda: cf.strings.to_number(["x"]), cf.errors.InvalidArgumentError,
                    "could not correctly convert"),
                   (lambda: cf.strings.upper([1]), TypeError, "expected a string tensor"))),
]
