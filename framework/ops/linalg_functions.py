"""Matrix functions (``tf.linalg.expm``, ``sqrtm``) and ``normalize``: composites of
matmul, solve and inv, so they are differentiable to any order without VJPs of their own.
"""
from __future__ import annotations

import numpy as np

from .linalg_decomp import _eye_like, _square, _tensor, inv, norm, solve
from .linalg_ops import matmul


# --- matrix exponential ---------------------------------------------------------------
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
           129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
           40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152
_MAX_SQUARINGS = 24
_DB_TRACED_STEPS = 30


def expm(input, name=None):  # noqa: A002
    """Matrix exponential by scaling and squaring with a degree-13 Padé approximant
    (Higham 2005); a composite of matmul and solve, so it is differentiable.

    >>> import cuflow as cf
    >>> cf.linalg.expm([[0.0, 1.0], [0.0, 0.0]]).numpy().round(6).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """
    from .math_ops import abs as _abs
    from .math_ops import ceil, less, log, maximum, where_v
    from .math_ops import pow as _pow
    from .reduce_ops import reduce_max, reduce_sum
    a = _tensor(input)
    _square("expm", a)
    if a.shape.num_elements() == 0:
        return a
    norm1 = reduce_max(reduce_sum(_abs(a), axis=-2))   # max column sum
    if a._sym is None:                                   # eager: the exact squaring count
        n1 = float(norm1)
        s = max(0, int(np.ceil(np.log2(n1 / _THETA13)))) if n1 > 0 else 0
        a = a * (0.5 ** s)
    else:                                                # traced: a masked, fixed count
        s = maximum(ceil(log(norm1 / _THETA13) / np.log(2.0)), 0.0)
        a = a * _pow(0.5, s)
    b = _PADE13
    eye = _eye_like(a)
    a2 = matmul(a, a)
    a4 = matmul(a2, a2)
    a6 = matmul(a4, a2)
    u = matmul(a, matmul(a6, b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 +
               b[3] * a2 + b[1] * eye)
    v = matmul(a6, b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + \
        b[2] * a2 + b[0] * eye
    r = solve(v - u, v + u)
    if isinstance(s, int):
        for _ in range(s):
            r = matmul(r, r)
        return r
    for k in range(_MAX_SQUARINGS):   # enough for norms up to 5.4 * 2**24
        r = where_v(less(float(k), s), matmul(r, r), r)
    return r


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
