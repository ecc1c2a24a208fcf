"""Op database entries for cuflow.ops.signal_ops (see opdb.py). Complex results are
checked as stacked (real, imag) parts so the float64 gradient check covers the VJPs."""
from __future__ import annotations

import cuflow as cf
import numpy as np

from .opdb import F, OpInfo, Sample
from .opdb import _arr as _a

S = cf.signal


def _parts(z):
    return cf.stack([cf.math.real(z), cf.math.imag(z)])


def _np_parts(z):
    return np.stack([z.real, z.imag])


def _pair(shapes):
    def gen(rng, d):
        return [Sample((_a(rng, s, d), _a(rng, s, d))) for s in shapes]
    return gen


def _single(shapes, kwargs=()):
    def gen(rng, d):
        out = [Sample((_a(rng, s, d),)) for s in shapes]
        out += [Sample((_a(rng, s, d),), kw) for s, kw in kwargs]
        return out
    return gen


OPS: list[OpInfo] = [
    OpInfo("fft", lambda re, im: _parts(S.fft(cf.complex(re, im))),
           lambda re, im: _np_parts(np.fft.fft(re + 1j * im) if re.size else re + 0j),
           _pair([(8,), (2, 5), (0,)]), F,
           rtol=1e-5, atol=1e-5),
    OpInfo("fft2d_inverse", lambda re, im: _parts(S.ifft2d(cf.complex(re, im))),
           lambda re, im: _np_parts(np.fft.ifft2(re + 1j * im)), _pair([(2, 4, 3)]), F,
           rtol=1e-5, atol=1e-5),
    OpInfo("rfft", lambda x, **kw: _parts(S.rfft(x, **kw)),
           lambda x, fft_length=None: _np_parts(np.fft.rfft(x, n=None if fft_length is None
                                                             else fft_length[0])),
           _single([(8,), (3, 7)], [((6,), {"fft_length": [9]}), ((6,), {"fft_length": [4]})]),
           F, rtol=1e-5, atol=1e-5),
    OpInfo("irfft", lambda re, im: S.irfft(cf.complex(re, im)),
           lambda re, im: np.fft.irfft(re + 1j * im), _pair([(5,), (2, 4)]), F,
           rtol=1e-5, atol=1e-5),
]
