"""``tf.signal``: FFTs (primitives with TF's gradients), windows, framing, STFT, DCT and
mel filterbanks (composites).

The FFT primitives act on the innermost ``rank`` axes, in the input's precision
(complex64 stays complex64). Gradients follow TF's convention for complex values
(the cotangent is dL/dRe + i dL/dIm): fft -> ifft(g) * N, ifft -> fft(g) / N,
rfft -> Re(ifft(zero-extended g)) * N, irfft -> rfft(g) * [1, 2, ..., 2, 1] / N.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import math_ops as _m
from ._util import shape_of, static_value
from .constant import constant, convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

_C = _dt.COMPLEX
_R = frozenset([np.dtype(np.float32), np.dtype(np.float64)])
_TO_COMPLEX = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}
_TO_REAL = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}


def _axes(rank):
    return tuple(range(-rank, 0))


def _fft_impl(xp, x, rank, inverse):
    if x.size == 0:  # NumPy refuses zero-length transforms; TF returns the empty input
        return x.copy()
    fn = xp.fft.ifftn if inverse else xp.fft.fftn
    return fn(x, axes=_axes(rank)).astype(x.dtype)


def _fft_vjp(g, y, x, rank, inverse):
    n = float(np.prod(shape_of(x)[-rank:])) if rank else 1.0
    back = _apply(_FFT, (g,), {"rank": rank, "inverse": not inverse})
    return back / n if inverse else back * n


_FFT = defop("fft", OPAQUE, dtypes=_C, vjp=_fft_vjp)(_fft_impl)


def _rfft_impl(xp, x, fft_length):
    out = xp.fft.rfftn(x, s=fft_length, axes=_axes(len(fft_length)))
    return out.astype(_TO_COMPLEX[x.dtype])


def _fit_last(x, sizes):
    """Crops or zero-pads the innermost axes of ``x`` to ``sizes``."""
    from .manip_ops import pad
    shape = [int(d) for d in shape_of(x)]
    k = len(sizes)
    lead = shape[:-k]
    x = x[(Ellipsis,) + tuple(slice(0, s) for s in sizes)] if any(
        d > s for d, s in zip(shape[-k:], sizes)) else x
    cur = [int(d) for d in shape_of(x)][-k:]
    if any(c < s for c, s in zip(cur, sizes)):
        x = pad(x, [[0, 0]] * len(lead) + [[0, s - c] for c, s in zip(cur, sizes)])
    return x


def _rfft_vjp(g, y, x, fft_length):
    k = len(fft_length)
    full = list(fft_length)
    g_full = _fit_last(g, full[:-1] + [full[-1]])  # zero-extend the half spectrum
    n = float(np.prod(full))
    dx = _m.real(_apply(_FFT, (g_full,), {"rank": k, "inverse": True})) * n
    return _fit_last(dx, [int(d) for d in shape_of(x)[-k:]])


_RFFT = defop("rfft", OPAQUE, dtypes=_R, vjp=_rfft_vjp)(_rfft_impl)


def _irfft_impl(xp, x, fft_length):
    out = xp.fft.irfftn(x, s=fft_length, axes=_axes(len(fft_length)))
    return out.astype(_TO_REAL[x.dtype])


def _irfft_vjp(g, y, x, fft_length):
    n_last = fft_length[-1]
    bins = n_last // 2 + 1
    w = np.full(bins, 2.0)
    w[0] = 1.0
    if n_last % 2 == 0:
        w[-1] = 1.0
    dy = _apply(_RFFT, (g,), {"fft_length": fft_length})
    dy = dy * constant((w / float(np.prod(fft_length))).astype(dy.dtype.np))
    return _fit_last(dy, [int(d) for d in shape_of(x)[-len(fft_length):]])


_IRFFT = defop("irfft", OPAQUE, dtypes=_C, vjp=_irfft_vjp)(_irfft_impl)


def _complex_fft(rank, inverse, name):
    def fn(input, name=None):
        from ..tensor import Tensor, Variable
        x = convert_to_tensor(input)
        if not isinstance(input, (Tensor, Variable)) and not x.dtype.is_complex:
            x = _m.cast(x, _dt.complex64)  # TF converts Python/NumPy values to complex64
        if len(shape_of(x)) < rank:
            raise InvalidArgumentError(None, name, f"{name}: input must have rank >= {rank}, "
                                       f"got shape {list(shape_of(x))}")
        return _apply(_FFT, (x,), {"rank": rank, "inverse": inverse})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"{'Inverse ' if inverse else ''}FFT over the innermost {rank} axes."
    return fn


fft, ifft = _complex_fft(1, False, "fft"), _complex_fft(1, True, "ifft")
fft2d, ifft2d = _complex_fft(2, False, "fft2d"), _complex_fft(2, True, "ifft2d")
fft3d, ifft3d = _complex_fft(3, False, "fft3d"), _complex_fft(3, True, "ifft3d")


def _lengths(op, x, fft_length, rank, inverse):
    if fft_length is not None:
        out = tuple(int(v) for v in np.asarray(static_value(fft_length)).ravel())
        if len(out) != rank:
            raise InvalidArgumentError(None, op, f"{op}: fft_length must have {rank} "
                                       f"values, got {list(out)}")
        return out
    shape = [int(d) for d in shape_of(x)[-rank:]]
    if inverse:
        shape[-1] = 2 * (shape[-1] - 1)
    return tuple(shape)


def _real_fft(rank, inverse, name):
    def fn(input_tensor, fft_length=None, name=None):
        x = convert_to_tensor(input_tensor)
        if len(shape_of(x)) < rank:
            raise InvalidArgumentError(None, name, f"{name}: input must have rank >= {rank}, "
                                       f"got shape {list(shape_of(x))}")
        lengths = _lengths(name, x, fft_length, rank, inverse)
        return _apply(_IRFFT if inverse else _RFFT, (x,), {"fft_length": lengths})
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"{'Inverse real' if inverse else 'Real'} FFT over the innermost {rank} "
                  "axes (``fft_length`` crops or zero-pads).")
    return fn


rfft, irfft = _real_fft(1, False, "rfft"), _real_fft(1, True, "irfft")
rfft2d, irfft2d = _real_fft(2, False, "rfft2d"), _real_fft(2, True, "irfft2d")
rfft3d, irfft3d = _real_fft(3, False, "rfft3d"), _real_fft(3, True, "irfft3d")


def _shift(x, axes, inverse):
    from .manip_ops import roll
    x = convert_to_tensor(x)
    nd = len(shape_of(x))
    axes = list(range(nd)) if axes is None else [a % nd for a in np.atleast_1d(axes).tolist()]
    shape = [int(d) for d in shape_of(x)]
    shifts = [(-(shape[a] // 2) if inverse else shape[a] // 2) for a in axes]
    return roll(x, shifts, axes)


def fftshift(x, axes=None, name=None):
    """Moves the zero-frequency bin to the centre."""
    return _shift(x, axes, False)


def ifftshift(x, axes=None, name=None):
    """Inverse of :func:`fftshift`."""
    return _shift(x, axes, True)
