"""Matrix functions (``tf.linalg.expm``, ``sqrtm``) and ``normalize``.

``expm`` is a primitive whose VJP is again an ``expm`` (of a block matrix); ``sqrtm`` and
``normalize`` are composites of inv/norm, differentiable to any order without VJPs.
"""
from __future__ import annotations

import numpy as np

from .dispatch import apply as _apply
from .linalg_decomp import _LA, _eye_like, _square, _tensor, inv, norm
from .registry import OPAQUE, defop


# --- matrix exponential -------------------------------------------------------------------
def _expm_impl(xp, a):
    if a.size == 0:
        return a.copy()
    if xp is np:
        from scipy.linalg import expm as _scipy_expm  # Pade 13 with scaling and squaring
        return np.asarray(_scipy_expm(a), dtype=a.dtype)
    from cupyx.scipy.linalg import expm as _cupy_expm
    flat = a.reshape((-1,) + a.shape[-2:])
    return xp.stack([_cupy_expm(m) for m in flat]).reshape(a.shape).astype(a.dtype)


def _expm_vjp(g, y, a):
    """<G, d expm(A)> = expm of the block matrix [[A^H, G], [0, A^H]], upper-right block
    (the Frechet derivative at A^H applied to G; Al-Mohy & Higham 2009)."""
    from .array_ops import concat, zeros_like
    n = a.shape[-1]
    ah = _adjoint(a)
    big = concat([concat([ah, g], -1), concat([zeros_like(ah), ah], -1)], -2)
    return expm(big)[..., :n, n:]


def _adjoint(x):
    from .array_ops import transpose
    from .math_ops import conj
    nd = x.shape.rank
    return conj(transpose(x, list(range(nd - 2)) + [nd - 1, nd - 2]))


_EXPM = defop("expm", OPAQUE, dtypes=_LA, vjp=_expm_vjp)(_expm_impl)


def expm(input, name=None):  # noqa: A002
    """Matrix exponential (scaling and squaring with a degree-13 Pade approximant), batched
    over leading dimensions; its gradient is itself a matrix exponential, so it is
    differentiable to any order and traceable (no data-dependent Python control flow).

    >>> import cuflow as cf
    >>> cf.linalg.expm([[0.0, 1.0], [0.0, 0.0]]).numpy().round(6).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    a = _tensor(input)
    _square("expm", a)
    return _apply(_EXPM, (a,))


_DB_TRACED_STEPS = 30   # Denman-Beavers steps when traced (no data-dependent stopping)


def sqrtm(input, name=None):  # noqa: A002
    """Principal square root of matrices with no eigenvalues on the closed negative real
    axis, by the Denman-Beavers iteration (``tf.linalg.sqrtm``).

    >>> import cuflow as cf
    >>> cf.linalg.sqrtm([[4.0, 0.0], [0.0, 9.0]]).numpy().round(5).tolist()
    [[2.0, 0.0], [0.0, 3.0]]
    """
    from .math_ops import abs as _abs
    from .reduce_ops import reduce_max
    a = _tensor(input)
    _square("matrix_square_root", a)
    if a.shape.num_elements() == 0:
        return a
    y, z = a, _eye_like(a) + 0.0 * a
    tol = 10 * float(np.finfo(a.dtype.np).eps)
    traced = a._sym is not None
    for _ in range(_DB_TRACED_STEPS if traced else 60):
        y_next = 0.5 * (y + inv(z))
        z = 0.5 * (z + inv(y))
        if not traced:    # eager: stop once converged (traced: a fixed count)
            step = float(reduce_max(_abs(y_next - y))) / \
                max(float(reduce_max(_abs(y_next))), 1e-30)
        y = y_next
        if not traced and step < tol:
            break
    return y


def normalize(tensor, ord="euclidean", axis=None, name=None):  # noqa: A002
    """``(tensor / norm, norm)`` with the norm kept broadcastable (``tf.linalg.normalize``).

    >>> import cuflow as cf
    >>> x, n = cf.linalg.normalize([3.0, 4.0])
    >>> [round(float(v), 6) for v in x.numpy()], n.numpy().tolist()
    ([0.6, 0.8], [5.0])
    """
    x = _tensor(tensor)
    n = norm(x, ord=ord, axis=axis, keepdims=True)
    return x / n, n


def matrix_rank(a, tol=None, validate_args=False, name=None):
    """Number of singular values above ``tol`` (default eps * max(m, n) * max(s)), as int32
    (``tf.linalg.matrix_rank``).

    >>> import cuflow as cf
    >>> int(cf.linalg.matrix_rank([[1.0, 2.0], [2.0, 4.0]]))
    1
    """
    from .. import dtypes as _dt
    from .array_ops import expand_dims
    from .linalg_decomp import _realpart, svd
    from .math_ops import cast, greater
    from .reduce_ops import reduce_max, reduce_sum
    a = _tensor(a)
    s = _realpart(svd(a, compute_uv=False))
    if tol is None:
        m, n = a.shape[-2], a.shape[-1]
        tol = float(np.finfo(s.dtype.np).eps) * max(m, n) * reduce_max(s, axis=-1)
        tol = expand_dims(tol, -1)
    return reduce_sum(cast(greater(s, tol), _dt.int32), axis=-1)


def global_norm(t_list, name=None):
    """sqrt of the sum of squares of every entry of every tensor in ``t_list`` (None
    entries are skipped; ``tf.linalg.global_norm``).

    >>> import cuflow as cf
    >>> float(cf.linalg.global_norm([cf.constant([3.0]), None, cf.constant([[4.0]])]))
    5.0
    """
    from .reduce_ops import reduce_sum
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, (list, tuple)):
        raise TypeError(f"global_norm: t_list must be a sequence of tensors, got "
                        f"{type(t_list).__name__}")
    from .clip_ops import _values
    parts = [reduce_sum(_tensor(_values(t)) * _tensor(_values(t))) for t in t_list
             if t is not None]
    if not parts:
        from .constant import constant
        return constant(0.0)
    total = parts[0]
    for p in parts[1:]:
        total = total + p
    return _sqrt0(total)


def _sqrt0(x):
    """sqrt with a zero (not NaN) gradient at 0."""
    from .math_ops import greater, sqrt, where_v
    nz = greater(x, 0)
    return where_v(nz, sqrt(where_v(nz, x, 1.0)), 0.0)
