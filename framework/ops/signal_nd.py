"""N-d FFTs over chosen axes (``tf.signal.fftnd`` & co., top-level ``tf.fftnd``) and the
modified DCT (``tf.signal.mdct`` / ``inverse_mdct``).

An n-d transform is separable: one 1-D transform per axis (the axis moved innermost),
with ``fft_length`` cropping or zero-padding that axis first, as NumPy's ``fftn(x, s,
axes)``. The 1-D transforms are signal_ops' primitives, so gradients come free. TF 2.21
only registers these kernels for GPUs; on the CPU TF raises NotFoundError, cuflow runs.

>>> import cuflow as cf
>>> x = cf.complex(cf.ones([2, 4]), cf.zeros([2, 4]))
>>> complex(cf.signal.fftnd(x).numpy()[0, 0])
(8+0j)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from . import array_ops as _a
from . import math_ops as _m
from . import signal_ops as _s
from ._util import static_value
from .constant import convert_to_tensor
from .signal_frames import vorbis_window


def _move_last(x, axis):
    rank = len(x.shape)
    if axis == rank - 1:
        return x, None
    perm = [i for i in range(rank) if i != axis] + [axis]
    return _a.transpose(x, perm), [int(i) for i in np.argsort(perm)]


def _fit(x, n):
    """Crops or zero-pads the last axis to ``n``."""
    from .manip_ops import pad
    have = x.shape[-1]
    if have == n:
        return x
    if have > n:
        return x[..., :n]
    return pad(x, [[0, 0]] * (len(x.shape) - 1) + [[0, n - have]])


def _along(x, axis, fn):
    y, inv = _move_last(x, axis)
    y = fn(y)
    return y if inv is None else _a.transpose(y, inv)


def _args(x, fft_length, axes, inverse_real=False):
    rank = len(x.shape)
    axes = list(range(rank)) if axes is None else [
        int(a) % rank for a in np.asarray(static_value(axes)).ravel().tolist()]
    if fft_length is None:
        lengths = [x.shape[a] for a in axes]
        if inverse_real and axes:
            lengths[-1] = max(0, 2 * (lengths[-1] - 1))
    else:
        lengths = [int(v) for v in np.asarray(static_value(fft_length)).ravel().tolist()]
        if len(lengths) > len(axes):      # TF's default: the whole shape; keep the axes'
            lengths = lengths[-len(axes):]
        if len(lengths) != len(axes):
            raise ValueError(f"fft_length ({lengths}) and axes ({axes}) must have the same "
                             "length")
    return axes, lengths


def _scale(x, lengths, norm, inverse):
    norm = norm or "backward"
    if norm not in ("backward", "forward", "ortho"):
        raise ValueError(f'norm must be "backward", "forward" or "ortho", got {norm!r}')
    if norm == "backward":
        return x
    n = float(np.prod(lengths)) if lengths else 1.0
    k = n if norm == "forward" else np.sqrt(n)
    return x * k if inverse else x / k


def _complex(x):
    x = convert_to_tensor(x)
    return x if x.dtype.is_complex else _m.cast(x, _dt.complex64)


def _c2c(inverse):
    def fn(input_tensor, fft_length=None, axes=None, norm=None, name=None):
        x = _complex(input_tensor)
        axes, lengths = _args(x, fft_length, axes)
        one = _s.ifft if inverse else _s.fft
        for a, n in zip(axes, lengths):
            x = _along(x, a, lambda t, n=n: one(_fit(t, n)))
        return _scale(x, lengths, norm, False) if not inverse else \
            _scale(x, lengths, norm, True)
    return fn


def _rfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    x = convert_to_tensor(input_tensor)
    if x.dtype not in (_dt.float32, _dt.float64):
        raise ValueError(f"RFFT requires tf.float32 or tf.float64 inputs, got: {x.dtype.name}")
    axes, lengths = _args(x, fft_length, axes)
    if not axes:
        return _m.cast(x, _dt.complex64 if x.dtype == _dt.float32 else _dt.complex128)
    x = _along(x, axes[-1], lambda t: _s.rfft(_fit(t, lengths[-1]), [lengths[-1]]))
    for a, n in zip(axes[:-1], lengths[:-1]):
        x = _along(x, a, lambda t, n=n: _s.fft(_fit(t, n)))
    return _scale(x, lengths, norm, False)


def _irfftnd(input_tensor, fft_length=None, axes=None, norm=None, name=None):
    x = convert_to_tensor(input_tensor)
    if not x.dtype.is_complex:
        raise ValueError(f"IRFFT requires tf.complex64 or tf.complex128 inputs, got: "
                         f"{x.dtype.name}")
    axes, lengths = _args(x, fft_length, axes, inverse_real=True)
    for a, n in zip(axes[:-1], lengths[:-1]):
        x = _along(x, a, lambda t, n=n: _s.ifft(_fit(t, n)))
    if axes:
        n = lengths[-1]
        x = _along(x, axes[-1], lambda t: _s.irfft(_fit(t, n // 2 + 1), [n]))
    return _scale(x, lengths, norm, True)


fftnd, ifftnd = _c2c(False), _c2c(True)
rfftnd, irfftnd = _rfftnd, _irfftnd
for _f, _n, _d in ((fftnd, "fftnd", "N-d FFT of ``input_tensor`` over ``axes`` (all by "
                    "default), each cropped/padded to ``fft_length``."),
                   (ifftnd, "ifftnd", "N-d inverse FFT (see ``fftnd``)."),
                   (rfftnd, "rfftnd", "N-d FFT of a real tensor: the last axis keeps "
                    "fft_length//2+1 bins."),
                   (irfftnd, "irfftnd", "Inverse of ``rfftnd``; the last axis defaults to "
                    "2*(n-1) samples.")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = _d


def raw_fftnd(input, fft_length, axes, name=None):  # noqa: A002 - TF's raw-op names
    """``tf.fftnd``: the raw op (fft_length and axes required)."""
    return fftnd(input, fft_length, axes)


def raw_ifftnd(input, fft_length, axes, name=None):  # noqa: A002
    """``tf.ifftnd``: the raw op."""
    return ifftnd(input, fft_length, axes)


def raw_rfftnd(input, fft_length, axes, Tcomplex=_dt.complex64, name=None):  # noqa: A002,N803
    """``tf.rfftnd``: the raw op (``Tcomplex`` picks complex64/complex128)."""
    want = _dt.float32 if _dt.as_dtype(Tcomplex) == _dt.complex64 else _dt.float64
    return rfftnd(_m.cast(input, want), fft_length, axes)


def raw_irfftnd(input, fft_length, axes, Treal=_dt.float32, name=None):  # noqa: A002,N803
    """``tf.irfftnd``: the raw op (``Treal`` picks float32/float64)."""
    want = _dt.complex64 if _dt.as_dtype(Treal) == _dt.float32 else _dt.complex128
    return irfftnd(_m.cast(input, want), fft_length, axes)


# --- modified DCT -----------------------------------------------------------------------------
def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None,
         name=None):
    """MDCT of ``signals`` in frames of ``frame_length`` (a multiple of 4) with hop
    frame_length/2: [..., frames, frame_length/2] (``tf.signal.mdct``; ``window_fn=None``
    scales by 1/sqrt(2) instead of windowing)."""
    from .manip_ops import reverse
    from .signal_frames import dct, frame
    x = convert_to_tensor(signals)
    n = int(static_value(frame_length))
    if n % 4:
        raise ValueError("The frame length must be a multiple of 4.")
    frames = frame(x, n, n // 2, pad_end=pad_end)
    if window_fn is None:
        frames = frames * (1.0 / np.sqrt(2))
    else:
        frames = frames * window_fn(n, dtype=frames.dtype)
    q = n // 4
    s0, s1, s2, s3 = (frames[..., i * q:(i + 1) * q] for i in range(4))
    rearranged = _a.concat([-reverse(s2, [-1]) - s3, s0 - reverse(s1, [-1])], -1)
    return dct(rearranged, type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None):
    """Inverse of ``mdct`` by windowed overlap-add (``tf.signal.inverse_mdct``)."""
    from .manip_ops import reverse
    from .signal_frames import dct, overlap_and_add
    x = convert_to_tensor(mdcts)
    if len(x.shape) < 2:
        raise ValueError(f"mdcts must have rank >= 2, got shape {x.shape}")
    half = x.shape[-1]
    if norm is None:
        y = (0.5 / half) * dct(x, type=4)
    elif norm == "ortho":
        y = dct(x, type=4, norm="ortho")
    else:
        raise ValueError(f"norm must be None or 'ortho', got {norm!r}")
    h = half // 2
    a, b = y[..., :h], y[..., h:]
    frames = _a.concat([b, -reverse(b, [-1]), -reverse(a, [-1]), -a], -1)
    if window_fn is None:
        frames = frames * (1.0 / np.sqrt(2))
    else:
        frames = frames * window_fn(2 * half, dtype=x.dtype)
    return overlap_and_add(frames, half)

