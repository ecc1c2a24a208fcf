"""``keras.ops.linalg`` and ``keras.ops.math``: decompositions, solves and norms; segment
reductions, top-k, FFTs and framing (Keras 3.15 semantics on cuflow's linalg/signal ops).

    >>> import cuflow as cf
    >>> float(cf.keras.ops.norm(cf.constant([3.0, 4.0])))
    5.0
"""
from __future__ import annotations

import numpy as np

import cuflow as _cf

from ... import cast
from ... import linalg as _la
from ... import math as _m
from ._base import convert_to_tensor, to_float

__all__ = ["cholesky", "cholesky_inverse", "det", "eig", "eigh", "inv", "lstsq",
           "lu_factor", "matrix_rank", "norm", "pinv", "qr", "solve", "solve_triangular",
           "svd", "slogdet", "logdet", "jvp", "segment_sum", "segment_max", "segment_min",
           "segment_prod", "top_k", "in_top_k", "extract_sequences", "fft", "fft2", "ifft2",
           "rfft", "irfft", "stft", "istft", "view_as_complex", "view_as_real"]


def cholesky(x, upper=False):
    """Lower (or upper) Cholesky factor."""
    c = _la.cholesky(to_float(x))
    return _la.adjoint(c) if upper else c


def cholesky_inverse(x, upper=False):
    """The inverse of ``A`` from its Cholesky factor ``x``."""
    x = to_float(x)
    lower = _la.adjoint(x) if upper else x
    eye = _cf.eye(x.shape[-1], batch_shape=x.shape[:-2].as_list(), dtype=x.dtype)
    return _la.cholesky_solve(lower, eye)


def det(x):
    """Determinant."""
    return _la.det(to_float(x))


def eig(x):
    """(eigenvalues, eigenvectors) of a general matrix (complex)."""
    return _la.eig(to_float(x))


def eigh(x):
    """(eigenvalues, eigenvectors) of a Hermitian matrix, ascending."""
    return _la.eigh(to_float(x))


def inv(x):
    """Matrix inverse."""
    return _la.inv(to_float(x))


def lstsq(a, b, rcond=None):
    """Least-squares solution of ``a @ x = b``."""
    a, b = to_float(a), to_float(b)
    vec = b.shape.rank == 1
    if vec:
        b = _cf.expand_dims(b, -1)
    sol = _cf.numpy_function(lambda u, v: np.linalg.lstsq(u, v, rcond=rcond)[0]
                             .astype(u.dtype), [a, b], a.dtype)
    return _cf.squeeze(sol, -1) if vec else sol


def lu_factor(x):
    """(packed LU, pivots) as SciPy's ``lu_factor``."""
    lu, perm = _la.lu(to_float(x))
    return lu, perm


def matrix_rank(x, tol=None):
    """Numerical rank (singular values above ``tol``), int32."""
    x = to_float(x)
    s = _la.svd(x, compute_uv=False)
    if tol is None:
        eps = np.finfo(x.dtype.as_numpy_dtype).eps
        tol = _m.reduce_max(s, axis=-1, keepdims=True) * max(x.shape[-2:]) * eps
    return _m.reduce_sum(cast(_m.greater(s, tol), "int32"), axis=-1)


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (NumPy's ``ord`` values)."""
    x = to_float(x)
    rank = x.shape.rank
    if axis is None:
        axis = tuple(range(rank))
    elif isinstance(axis, int):
        axis = (axis,)
    axis = tuple(a % rank for a in axis)
    a = _m.abs(x)
    if len(axis) == 1:
        ax = axis[0]
        if ord is None or ord == 2:
            return _m.sqrt(_m.reduce_sum(_m.square(a), ax, keepdims=keepdims))
        if ord == np.inf:
            return _m.reduce_max(a, ax, keepdims=keepdims)
        if ord == -np.inf:
            return _m.reduce_min(a, ax, keepdims=keepdims)
        if ord == 0:
            return cast(_m.reduce_sum(cast(_m.not_equal(x, 0), x.dtype), ax,
                                      keepdims=keepdims), x.dtype)
        if isinstance(ord, str):
            raise ValueError(f"Invalid `ord` argument for vector norm. Received: ord={ord}")
        p = _cf.constant(ord, x.dtype)
        return _m.pow(_m.reduce_sum(_m.pow(a, p), ax, keepdims=keepdims), 1.0 / p)
    if len(axis) != 2:
        raise ValueError(f"Invalid axis for norm: {axis}")
    r, c = axis
    if ord is None or ord == "fro":
        return _m.sqrt(_m.reduce_sum(_m.square(a), axis, keepdims=keepdims))
    if ord == "nuc" or ord in (2, -2):
        perm = [i for i in range(rank) if i not in axis] + [r, c]
        s = _la.svd(_cf.transpose(x, perm), compute_uv=False)
        red = {"nuc": _m.reduce_sum, 2: _m.reduce_max, -2: _m.reduce_min}[ord]
        out = red(s, axis=-1)
        if keepdims:
            for ax in sorted(axis):
                out = _cf.expand_dims(out, ax)
        return out
    if ord in (1, -1):
        red = _m.reduce_max if ord == 1 else _m.reduce_min
        s = _m.reduce_sum(a, r, keepdims=True)
        out = red(s, c, keepdims=True)
    elif ord in (np.inf, -np.inf):
        red = _m.reduce_max if ord == np.inf else _m.reduce_min
        s = _m.reduce_sum(a, c, keepdims=True)
        out = red(s, r, keepdims=True)
    else:
        raise ValueError(f"Invalid `ord` argument for matrix norm. Received: ord={ord}")
    return out if keepdims else _cf.squeeze(out, list(axis))


def pinv(x, rcond=None):
    """Moore-Penrose pseudo-inverse."""
    x = to_float(x)
    return _la.pinv(x) if rcond is None else _la.pinv(x, rcond=rcond)


def qr(x, mode="reduced"):
    """(q, r) of ``x`` (``mode`` 'reduced' or 'complete')."""
    if mode not in ("reduced", "complete"):
        raise ValueError(f"`mode` must be 'reduced' or 'complete'. Received: mode={mode}")
    return _la.qr(to_float(x), full_matrices=mode == "complete")


def solve(a, b):
    """Solves ``a @ x = b``."""
    a, b = to_float(a), to_float(b)
    vec = b.shape.rank == a.shape.rank - 1
    if vec:
        b = _cf.expand_dims(b, -1)
    out = _la.solve(a, cast(b, a.dtype))
    return _cf.squeeze(out, -1) if vec else out


def solve_triangular(a, b, lower=False):
    """Solves ``a @ x = b`` for triangular ``a``."""
    a, b = to_float(a), to_float(b)
    vec = b.shape.rank == a.shape.rank - 1
    if vec:
        b = _cf.expand_dims(b, -1)
    out = _la.triangular_solve(a, cast(b, a.dtype), lower=lower)
    return _cf.squeeze(out, -1) if vec else out


def svd(x, full_matrices=True, compute_uv=True):
    """(u, s, vh) — or ``s`` alone when ``compute_uv`` is False."""
    x = to_float(x)
    if not compute_uv:
        return _la.svd(x, compute_uv=False)
    s, u, v = _la.svd(x, full_matrices=full_matrices)
    return u, s, _la.adjoint(v)


def slogdet(x):
    """(sign, log|det|)."""
    return tuple(_la.slogdet(to_float(x)))


def logdet(x):
    """``log(det(x))`` of a Hermitian positive-definite matrix."""
    return _la.logdet(to_float(x))


def jvp(fun, primals, tangents, has_aux=False):
    """(fun(primals), J @ tangents) by forward-over-reverse (two tape passes)."""
    prim = [convert_to_tensor(p) for p in primals]
    tang = [convert_to_tensor(t) for t in tangents]
    with _cf.GradientTape() as outer:
        u = None
        with _cf.GradientTape() as inner:
            inner.watch(prim)
            res = fun(*prim)
            out, aux = res if has_aux else (res, None)
            u = _cf.ones_like(out)
            outer.watch(u)
        g = inner.gradient(out, prim, output_gradients=u, _slices=False)
        dot = _cf.add_n([_m.reduce_sum(gi * ti) for gi, ti in zip(g, tang) if gi is not None])
    jv = outer.gradient(dot, u, _slices=False)
    return (out, jv, aux) if has_aux else (out, jv)


# --- keras.ops.math -----------------------------------------------------------------------
def _segment(unsorted_fn):
    def f(data, segment_ids, num_segments=None, sorted=False):
        d = convert_to_tensor(data)
        ids = cast(convert_to_tensor(segment_ids), "int32")
        n = num_segments
        if n is None:
            n = int(np.max(ids.numpy())) + 1 if ids.shape.num_elements() else 0
        return unsorted_fn(d, ids, n)
    return f


segment_sum = _segment(_m.unsorted_segment_sum)
segment_max = _segment(_m.unsorted_segment_max)
segment_min = _segment(_m.unsorted_segment_min)
segment_prod = _segment(_m.unsorted_segment_prod)
for _f, _n in ((segment_sum, "segment_sum"), (segment_max, "segment_max"),
               (segment_min, "segment_min"), (segment_prod, "segment_prod")):
    _f.__name__ = _f.__qualname__ = _n
    _f.__doc__ = f"``{_n}`` over segments given by ``segment_ids`` (ids may be unsorted)."


def top_k(x, k, sorted=True):
    """(values, int32 indices) of the ``k`` largest entries along the last axis."""
    return tuple(_m.top_k(convert_to_tensor(x), k=k, sorted=sorted))


def in_top_k(targets, predictions, k):
    """Whether each target is among the ``k`` largest predictions."""
    return _m.in_top_k(cast(convert_to_tensor(targets), "int32"),
                       cast(convert_to_tensor(predictions), "float32"), k)


def extract_sequences(x, sequence_length, sequence_stride):
    """Frames of ``sequence_length`` every ``sequence_stride`` along the last axis."""
    return _cf.signal.frame(convert_to_tensor(x), sequence_length, sequence_stride)


def _complex_in(x):
    real, imag = (to_float(t) for t in x)
    return _cf.complex(real, cast(imag, real.dtype))


def _split_complex(z):
    return _m.real(z), _m.imag(z)


def fft(x):
    """FFT of a (real, imag) pair along the last axis; returns (real, imag)."""
    return _split_complex(_cf.signal.fft(_complex_in(x)))


def fft2(x):
    """2-D FFT of a (real, imag) pair over the last two axes."""
    return _split_complex(_cf.signal.fft2d(_complex_in(x)))


def ifft2(x):
    """2-D inverse FFT of a (real, imag) pair over the last two axes."""
    return _split_complex(_cf.signal.ifft2d(_complex_in(x)))


def rfft(x, fft_length=None):
    """Real FFT along the last axis; returns (real, imag)."""
    x = to_float(x)
    n = [fft_length] if fft_length is not None else None
    return _split_complex(_cf.signal.rfft(x, fft_length=n))


def irfft(x, fft_length=None):
    """Inverse real FFT of a (real, imag) pair."""
    n = [fft_length] if fft_length is not None else None
    return _cf.signal.irfft(_complex_in(x), fft_length=n)


def _window_fn(window, length):
    if window is None:
        return None
    if isinstance(window, str):
        fns = {"hann": _cf.signal.hann_window, "hamming": _cf.signal.hamming_window}
        if window not in fns:
            raise ValueError(f"Invalid window: {window}")
        return lambda n, dtype: fns[window](n, periodic=True, dtype=dtype)
    w = to_float(window)
    return lambda n, dtype: cast(w, dtype)


def stft(x, sequence_length, sequence_stride, fft_length, window="hann", center=True):
    """Short-time Fourier transform; returns (real, imag) of ``(..., frames, bins)``."""
    x = to_float(x)
    if center:
        pad = [[0, 0]] * (x.shape.rank - 1) + [[fft_length // 2, fft_length // 2]]
        x = _cf.pad(x, pad, mode="REFLECT")
    win = _window_fn(window, sequence_length)
    if win is not None and sequence_length < fft_length:
        lo = (fft_length - sequence_length) // 2
        base = win
        win = lambda n, dtype: _cf.pad(base(sequence_length, dtype),  # noqa: E731
                                       [[lo, fft_length - sequence_length - lo]])
        sequence_length = fft_length
    z = _cf.signal.stft(x, sequence_length, sequence_stride, fft_length=fft_length,
                        window_fn=win or (lambda n, dtype: _cf.ones([n], dtype)))
    return _split_complex(z)


def istft(x, sequence_length, sequence_stride, fft_length, length=None, window="hann",
          center=True):
    """Inverse of :func:`stft` (overlap-add with the window's normalization)."""
    z = _complex_in(x)
    win = _window_fn(window, sequence_length) or (lambda n, dtype: _cf.ones([n], dtype))
    frames = _cf.signal.irfft(z, fft_length=[fft_length])[..., :sequence_length]
    w = win(sequence_length, frames.dtype)
    frames = frames * w
    out = _cf.signal.overlap_and_add(frames, sequence_stride)
    nf = z.shape[-2]
    wsq = _cf.signal.overlap_and_add(_cf.tile(_cf.reshape(w * w, [1, -1]), [nf, 1]),
                                     sequence_stride)
    out = out / _m.maximum(wsq, 1e-12)
    if center:
        out = out[..., fft_length // 2:]
        end = (length if length is not None else out.shape[-1] - fft_length // 2)
        out = out[..., :end]
    elif length is not None:
        out = out[..., :length]
    return out


def view_as_complex(x):
    """A complex tensor from a trailing (real, imag) axis of size 2."""
    x = convert_to_tensor(x)
    return _cf.complex(x[..., 0], x[..., 1])


def view_as_real(x):
    """A trailing (real, imag) axis from a complex tensor."""
    x = convert_to_tensor(x)
    return _cf.stack([_m.real(x), _m.imag(x)], axis=-1)
