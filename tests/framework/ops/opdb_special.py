"""Op database entries for cuflow.ops.special_ops, math_extra and array_extra (opdb.py)."""
from __future__ import annotations

import cuflow as cf
import numpy as np
import scipy.special as sp

from .opdb import FH, F, OpInfo, Sample, _b, _u
from .opdb import _arr as _a

S = cf.math.special


def _betainc_samples(rng, d):
    return [Sample((_a(rng, (2, 3), "float32", 0.5, 3).tolist(),
                    _a(rng, (3,), "float32", 0.5, 3).tolist(), _a(rng, (2, 3), d, 0.1, 0.9))),
            Sample((1.5, 2.5, _a(rng, (0,), d, 0.1, 0.9)))]


def _polygamma_samples(rng, d):
    # n as a list: TF has no gradient for it, so it stays out of the gradient check
    return [Sample(([0.0, 1.0, 2.0], _a(rng, (3,), d, 0.5, 3))),
            Sample(([[1.0], [3.0]], _a(rng, (2, 3), d, 0.5, 3)))]


def _second_arg_samples(lo, hi, lo2, hi2):
    """(list, array) samples: the first argument is not differentiated (as TF); float32
    values, so the list converts exactly."""
    def gen(rng, d):
        return [Sample((_a(rng, (2, 3), "float32", lo, hi).tolist(), _a(rng, (2, 3), d, lo2, hi2))),
                Sample((_a(rng, (3,), "float32", lo, hi).tolist(), _a(rng, (2, 3), d, lo2, hi2))),
                Sample((float(lo), _a(rng, (0, 2), d, lo2, hi2)))]
    return gen


def _bitcast_samples(rng, d):
    return [Sample((_a(rng, (2, 3), d),), {"type": cf.uint8}, grad=False),
            Sample((_a(rng, (0,), d),), {"type": cf.int8}, grad=False)]


def _bitcast_ref(x, type):
    return x.view(np.uint8 if type == cf.uint8 else np.int8).reshape(x.shape + (x.itemsize,))


OPS: list[OpInfo] = [
    _u("bessel_i0", cf.math.bessel_i0, sp.i0, FH),
    _u("bessel_i1", cf.math.bessel_i1, sp.i1, FH),
    _u("bessel_i0e", cf.math.bessel_i0e, sp.i0e, FH),
    _u("bessel_i1e", cf.math.bessel_i1e, sp.i1e, FH),
    _u("bessel_j0", S.bessel_j0, sp.j0, F),
    _u("bessel_j1", S.bessel_j1, sp.j1, F),
    _u("bessel_y0", S.bessel_y0, sp.y0, F, lo=0.5, hi=4.0),
    _u("bessel_y1", S.bessel_y1, sp.y1, F, lo=0.5, hi=4.0),
    _u("bessel_k0", S.bessel_k0, sp.k0, F, lo=0.5, hi=4.0),
    _u("bessel_k0e", S.bessel_k0e, sp.k0e, F, lo=0.5, hi=4.0),
    _u("bessel_k1", S.bessel_k1, sp.k1, F, lo=0.5, hi=4.0),
    _u("bessel_k1e", S.bessel_k1e, sp.k1e, F, lo=0.5, hi=4.0),
    _u("dawsn", S.dawsn, sp.dawsn, F),
    _u("expint", S.expint, sp.expi, F, lo=0.5, hi=3.0),
    _u("fresnel_cos", S.fresnel_cos, lambda x: sp.fresnel(x)[1], F),
    _u("fresnel_sin", S.fresnel_sin, lambda x: sp.fresnel(x)[0], F),
    _u("spence", S.spence, sp.spence, F, lo=0.5, hi=3.0),
    _u("ndtri", cf.math.ndtri, sp.ndtri, F, lo=0.05, hi=0.95),
    OpInfo("igamma", cf.math.igamma, sp.gammainc, _second_arg_samples(0.5, 3, 0.5, 3), F),
    OpInfo("igammac", cf.math.igammac, sp.gammaincc, _second_arg_samples(0.5, 3, 0.5, 3), F),
    OpInfo("zeta", cf.math.zeta, sp.zeta, _second_arg_samples(1.5, 4, 0.5, 3), F),
    OpInfo("polygamma", cf.math.polygamma, lambda n, x: sp.polygamma(np.asarray(n).astype(int), x),
           _polygamma_samples, F),
    OpInfo("betainc", cf.math.betainc, sp.betainc, _betainc_samples, F),
    _b("mul_no_nan", cf.math.multiply_no_nan, lambda x, y: np.where(y == 0, 0, x * y), F),
    _b("xlog1py", cf.math.xlog1py, sp.xlog1py, F, lo2=0.0, hi2=2.0),
    _b("nextafter", cf.math.nextafter, np.nextafter, F, grad=False),
    OpInfo("bitcast", cf.bitcast, _bitcast_ref, _bitcast_samples, ("int32", "int16", "int64"),
           grad=False, out_dtype_from_ref=True),
]
