"""``tf.signal`` composites: windows, ``frame`` / ``overlap_and_add``, STFT and its
inverse, DCT types 1-4 (through the real FFT, as TF) and mel filterbanks."""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import math_ops as _m
from ._util import shape_of, static_value
from .constant import constant, convert_to_tensor
from .signal_ops import irfft, rfft


def _int(op, v, what):
    out = static_value(v)
    if out is None:
        raise InvalidArgumentError(None, op, f"{op}: {what} must be known when tracing")
    return int(np.asarray(out))


def _raised_cosine(op, window_length, periodic, dtype, a, b):
    n = _int(op, window_length, "window_length")
    dtype = _dt.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"{op}: dtype must be a floating point type, got {dtype.name}")
    if n == 1:
        return _a.ones([1], dtype)
    even = 1 - n % 2
    denom = constant(float(n + int(bool(periodic)) * even - 1), dtype=dtype)
    count = _m.cast(_a.range(n), dtype)
    return _m.cast(a - b * _m.cos(constant(2 * np.pi, dtype=dtype) * count / denom), dtype)


def hann_window(window_length, periodic=True, dtype=_dt.float32, name=None):
    """0.5 - 0.5 cos(2 pi n / N) (periodic: N = length for even lengths)."""
    return _raised_cosine("hann_window", window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=_dt.float32, name=None):
    """0.54 - 0.46 cos(2 pi n / N)."""
    return _raised_cosine("hamming_window", window_length, periodic, dtype, 0.54, 0.46)


def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """Overlapping frames of ``signal`` along ``axis``: [..., frames, frame_length, ...].

    >>> import cuflow as cf
    >>> cf.signal.frame(cf.range(6), 3, 2).numpy().tolist()
    [[0, 1, 2], [2, 3, 4]]
    """
    from .index_ops import gather
    from .manip_ops import pad
    x = convert_to_tensor(signal)
    nd = len(shape_of(x))
    axis = axis % nd
    length = _int("frame", frame_length, "frame_length")
    step = _int("frame", frame_step, "frame_step")
    n = int(shape_of(x)[axis])
    if pad_end:
        frames = -(-n // step)
        extra = max(0, (frames - 1) * step + length - n)
        if extra:
            pads = [[0, 0]] * nd
            pads[axis] = [0, extra]
            x = pad(x, pads, constant_values=pad_value)
    else:
        frames = max(0, 1 + (n - length) // step) if n >= length else 0
    idx = (np.arange(frames)[:, None] * step + np.arange(length)[None, :]).astype(np.int32)
    return gather(x, constant(idx.reshape(frames, length)), axis=axis)


def overlap_and_add(signal, frame_step, name=None):
    """Sums frames [..., frames, frame_length] hopped by ``frame_step`` into a signal."""
    from .segment_ops import unsorted_segment_sum
    x = convert_to_tensor(signal)
    shape = [int(d) for d in shape_of(x)]
    if len(shape) < 2:
        raise ValueError(f"overlap_and_add: signal must have rank >= 2, got {shape}")
    step = _int("overlap_and_add", frame_step, "frame_step")
    frames, length = shape[-2], shape[-1]
    out_len = step * (frames - 1) + length if frames else 0
    ids = (np.arange(frames)[:, None] * step + np.arange(length)[None, :]).ravel()
    lead = shape[:-2]
    flat = _a.reshape(x, [-1, frames * length])
    summed = unsorted_segment_sum(_a.transpose(flat), constant(ids.astype(np.int32)), out_len)
    return _a.reshape(_a.transpose(summed), lead + [out_len])


def _next_pow2(n):
    return 1 << max(0, int(n - 1).bit_length())


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """Short-time Fourier transform: rfft of windowed frames, [..., frames, fft_length//2+1]."""
    x = convert_to_tensor(signals)
    length = _int("stft", frame_length, "frame_length")
    n_fft = _next_pow2(length) if fft_length is None else _int("stft", fft_length, "fft_length")
    framed = frame(x, length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        framed = framed * window_fn(length, dtype=framed.dtype)
    return rfft(framed, [n_fft])


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """Overlap-adds the windowed inverse rffts of ``stfts`` (see inverse_stft_window_fn)."""
    from .manip_ops import pad
    stfts = convert_to_tensor(stfts)
    length = _int("inverse_stft", frame_length, "frame_length")
    n_fft = _next_pow2(length) if fft_length is None else _int("inverse_stft", fft_length,
                                                                "fft_length")
    frames = irfft(stfts, [n_fft])
    have = int(shape_of(frames)[-1])
    if have > length:
        frames = frames[..., :length]
    elif have < length:
        frames = pad(frames, [[0, 0]] * (len(shape_of(frames)) - 1) + [[0, length - have]])
    if window_fn is not None:
        frames = frames * window_fn(length, dtype=frames.dtype)
    return overlap_and_add(frames, frame_step)


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """The window that makes ``inverse_stft`` invert ``stft`` with ``forward_window_fn``."""
    step = int(frame_step)

    def window_fn(frame_length, dtype):
        from .manip_ops import pad, tile
        from .reduce_ops import reduce_sum
        w = forward_window_fn(frame_length, dtype=dtype)
        sq = w * w
        n = int(frame_length)
        reps = -(-n // step)
        sq = pad(sq, [[0, reps * step - n]])
        denom = reduce_sum(_a.reshape(sq, [reps, step]), 0, keepdims=True)
        denom = _a.reshape(tile(denom, [reps, 1]), [reps * step])[:n]
        return w / denom
    return window_fn


def _dct_weights(n, first, rest, dtype):
    return constant(np.asarray([first] + [rest] * (n - 1)), dtype=dtype)


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """Discrete cosine transform of types 1-4 over the last axis (SciPy's definitions).

    >>> import cuflow as cf
    >>> [round(v, 4) for v in cf.signal.dct([1.0, 2.0, 3.0]).numpy().tolist()]
    [12.0, -3.4641, 0.0]
    """
    from .manip_ops import pad, reverse
    x = convert_to_tensor(input)
    if axis != -1:
        raise ValueError("dct: only axis=-1 is supported (as in TF)")
    if type not in (1, 2, 3, 4):
        raise ValueError(f"dct: type must be 1, 2, 3 or 4, got {type}")
    if norm not in (None, "ortho") or (norm == "ortho" and type == 1):
        raise ValueError(f"dct: norm must be None or 'ortho' ('ortho' not for type 1), "
                         f"got {norm!r}")
    if n is not None:
        have = int(shape_of(x)[-1])
        x = x[..., :n] if have >= n else pad(x, [[0, 0]] * (len(shape_of(x)) - 1) +
                                                [[0, n - have]])
    dim = int(shape_of(x)[-1])
    dt = x.dtype
    if type == 1:
        ext = _a.concat([x, reverse(x[..., 1:dim - 1], [-1])], -1)
        return _m.real(rfft(ext))
    if type == 2:
        ang = -np.arange(dim) * np.pi * 0.5 / dim
        scale = constant((2.0 * np.exp(1j * ang)).astype(np.complex128 if dt == _dt.float64
                                                          else np.complex64))
        out = _m.real(rfft(x, [2 * dim])[..., :dim] * scale)
        if norm == "ortho":
            n1 = 0.5 / math.sqrt(dim)
            out = out * _dct_weights(dim, n1, n1 * math.sqrt(2.0), dt)
        return out
    if type == 3:
        if norm == "ortho":
            n1 = math.sqrt(dim)
            x = x * _dct_weights(dim, n1, n1 * math.sqrt(0.5), dt)
        else:
            x = x * float(dim)
        ang = np.arange(dim) * np.pi * 0.5 / dim
        cdt = np.complex128 if dt == _dt.float64 else np.complex64
        scale = constant((2.0 * np.exp(1j * ang)).astype(cdt))
        return irfft(scale * _m.cast(x, _dt.as_dtype(cdt)), [2 * dim])[..., :dim]
    out = dct(x, type=2, n=2 * dim)[..., 1::2]
    return out * math.sqrt(0.5 / dim) if norm == "ortho" else out


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):
    """The DCT of the inverse type (unscaled: idct(dct(x)) = 2N x without norm, as TF)."""
    return dct(input, {1: 1, 2: 3, 3: 2, 4: 4}[type], n, axis, norm)


def _hertz_to_mel(f):
    return 1127.0 * _m.log(1.0 + f / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=_dt.float32, name=None):
    """[num_spectrogram_bins, num_mel_bins] triangular HTK mel filters (DC bin zeroed)."""
    dtype = _dt.as_dtype(dtype)
    if num_mel_bins <= 0 or lower_edge_hertz < 0 or lower_edge_hertz >= upper_edge_hertz or \
            upper_edge_hertz > sample_rate / 2:
        raise ValueError("linear_to_mel_weight_matrix: need num_mel_bins > 0 and "
                         "0 <= lower_edge_hertz < upper_edge_hertz <= sample_rate / 2")
    from .manip_ops import linspace, pad
    zero = constant(0.0, dtype=dtype)
    nyquist = _m.cast(sample_rate, dtype) / 2.0
    freqs = linspace(zero, nyquist, num_spectrogram_bins)[1:]
    bins_mel = _a.expand_dims(_hertz_to_mel(freqs), 1)
    edges = linspace(_hertz_to_mel(constant(lower_edge_hertz, dtype=dtype)),
                     _hertz_to_mel(constant(upper_edge_hertz, dtype=dtype)), num_mel_bins + 2)
    edges = frame(edges, 3, 1)
    lower, center, upper = (_a.reshape(edges[:, i], [1, num_mel_bins]) for i in range(3))
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    weights = _m.maximum(zero, _m.minimum(lower_slopes, upper_slopes))
    return pad(weights, [[1, 0], [0, 0]])


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """MFCCs: the orthonormal-scaled DCT-II of log-mel spectrograms."""
    x = convert_to_tensor(log_mel_spectrograms)
    bins = int(shape_of(x)[-1])
    return dct(x, type=2) * float(1 / math.sqrt(bins * 2.0))


def kaiser_window(window_length, beta=12.0, dtype=_dt.float32, name=None):
    """Kaiser window: I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta), via i0e (TF's form)."""
    from .special_ops import bessel_i0e
    n = _int("kaiser_window", window_length, "window_length")
    dtype = _dt.as_dtype(dtype)
    if n == 1:
        return _a.ones([1], dtype)
    half = np.float32((np.float32(n) - 1) / 2)
    arg = constant(np.arange(-half, half + np.float32(0.1), dtype=np.float32), dtype=dtype)
    half_t, beta_t = constant(half, dtype=dtype), constant(beta, dtype=dtype)
    num = beta_t * _m.sqrt(_m.maximum(1 - _m.pow(arg, 2.0) / _m.pow(half_t, 2.0), 0.0))
    return _m.exp(num - beta_t) * (bessel_i0e(num) / bessel_i0e(beta_t))


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=_dt.float32, name=None):
    """Kaiser-Bessel-derived window (for MDCT)."""
    from .segment_ops import cumsum
    n = _int("kaiser_bessel_derived_window", window_length, "window_length")
    k = kaiser_window(n // 2 + 1, beta, dtype)
    csum = cumsum(k)
    half = _m.sqrt(csum[:-1] / csum[-1])
    return _a.concat([half, half[::-1]], 0)


def vorbis_window(window_length, dtype=_dt.float32, name=None):
    """sin(pi/2 sin^2(pi (n + 0.5) / N))."""
    n = _int("vorbis_window", window_length, "window_length")
    arg = _m.cast(_a.range(n), dtype)
    inner = _m.sin(np.pi / constant(float(n), dtype=_dt.as_dtype(dtype)) * (arg + 0.5))
    return _m.sin(np.pi / 2.0 * _m.pow(inner, 2.0))
