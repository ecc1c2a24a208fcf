"""Linear algebra primitives: matmul with batching and transposes (``tf.linalg``)."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ._util import shape_of
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

_MM_DTYPES = _dt.INEXACT | frozenset([np.dtype(np.int32), np.dtype(np.int64),
                                      np.dtype(np.int16), np.dtype(np.int8)])


def _mm_impl(xp, a, b, ta, tb, adj_a, adj_b):
    if ta or adj_a:
        a = xp.swapaxes(a, -1, -2)
        if adj_a:
            a = xp.conj(a)
    if tb or adj_b:
        b = xp.swapaxes(b, -1, -2)
        if adj_b:
            b = xp.conj(b)
    if a.dtype in _HALF:  # accumulate half types in float32
        return xp.matmul(a.astype(np.float32), b.astype(np.float32)).astype(a.dtype)
    return xp.matmul(a, b)


_HALF = frozenset([np.dtype(np.float16), _dt.bfloat16.np])


def _mm_vjp(g, c, a, b, ta, tb, adj_a, adj_b):
    """C = A'B' with A' = op(a), B' = op(b): dA' = g B'^H, dB' = A'^H g, then undo op."""
    ap = _apply_op(a, ta, adj_a)
    bp = _apply_op(b, tb, adj_b)
    cplx = c.dtype.is_complex
    dap = matmul(g, bp, adjoint_b=cplx, transpose_b=not cplx)
    dbp = matmul(ap, g, adjoint_a=cplx, transpose_a=not cplx)
    return _undo_op(dap, ta, adj_a), _undo_op(dbp, tb, adj_b)


def _apply_op(x, t, adj):
    from .math_ops import conj
    if adj:
        return conj(_t(x))
    return _t(x) if t else x


def _undo_op(d, t, adj):
    from .math_ops import conj
    if adj:
        return conj(_t(d))
    return _t(d) if t else d


def _t(x):
    from .array_ops import transpose
    nd = x.shape.rank
    perm = list(range(nd - 2)) + [nd - 1, nd - 2]
    return transpose(x, perm)


_MATMUL = defop("matmul", OPAQUE, dtypes=_MM_DTYPES, promote=True, vjp=_mm_vjp)(_mm_impl)


def matmul(a, b, transpose_a=False, transpose_b=False, adjoint_a=False, adjoint_b=False,
           a_is_sparse=False, b_is_sparse=False, output_type=None, name=None):
    """Matrix product of the last two dimensions, batched over the leading ones.

    >>> import cuflow as cf
    >>> cf.matmul([[1.0, 2.0]], [[3.0], [4.0]]).numpy().tolist()
    [[11.0]]
    """
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) < 2 or len(sb) < 2:
        raise InvalidArgumentError(
            None, "matmul", f"matmul: In[0] and In[1] must have rank >= 2, got shapes "
            f"{tuple(sa)} and {tuple(sb)}")
    ka = sa[-2] if (transpose_a or adjoint_a) else sa[-1]
    kb = sb[-1] if (transpose_b or adjoint_b) else sb[-2]
    if ka is not None and kb is not None and ka != kb:
        raise InvalidArgumentError(
            None, "matmul", f"matmul: Matrix size-incompatible: In[0]: {list(sa)}, In[1]: "
            f"{list(sb)} (transpose_a={transpose_a}, transpose_b={transpose_b}): inner "
            f"dimensions {ka} and {kb} differ")
    out = _apply(_MATMUL, (a, b), {"ta": bool(transpose_a), "tb": bool(transpose_b),
                                   "adj_a": bool(adjoint_a), "adj_b": bool(adjoint_b)})
    if output_type is not None:
        from .math_ops import cast
        out = cast(out, output_type)
    return out
