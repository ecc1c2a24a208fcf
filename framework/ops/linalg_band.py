"""``tf.linalg.diag`` / ``diag_part`` over a band of diagonals, ``k=(k_lo, k_hi)``: TF's
packed layout ([..., num_diags, max_diag_len], top row = k_hi) with its four alignments,
built from the single-diagonal ops (so it differentiates)."""
from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ._util import shape_of
from .constant import constant, convert_to_tensor

_ALIGNS = ("RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT")


def band_k(k):
    """(lo, hi) when ``k`` names a band of more than one diagonal, else None."""
    from ._util import static_value
    k = static_value(k)
    if np.ndim(k) == 0:
        return None
    ks = [int(v) for v in np.asarray(k).ravel()]
    if len(ks) == 1 or (len(ks) == 2 and ks[0] == ks[1]):
        return None
    if len(ks) != 2 or ks[0] > ks[1]:
        raise InvalidArgumentError(None, "matrix_diag", f"k must be an int or a pair "
                                   f"(k_lo <= k_hi), got {k!r}")
    return ks[0], ks[1]


def _right_aligned(d, align):
    if align not in _ALIGNS:
        raise ValueError(f"align must be one of {_ALIGNS}, got {align!r}")
    first, second = align.split("_")
    return (first if d >= 0 else second) == "RIGHT"


def _diag_len(d, rows, cols):
    return min(rows + min(0, d), cols - max(0, d))


def band_diag(diagonal, lo, hi, num_rows, num_cols, padding_value, align):
    from .linalg_ops import matrix_diag
    from .math_ops import where_v
    x = convert_to_tensor(diagonal)
    shape = [int(s) for s in shape_of(x)]
    if len(shape) < 2 or shape[-2] != hi - lo + 1:
        raise InvalidArgumentError(None, "matrix_diag", f"matrix_diag: for k=({lo}, {hi}) "
                                   f"the diagonals must have shape [..., {hi - lo + 1}, L], "
                                   f"got {shape}")
    max_len = shape[-1]
    min_rows, min_cols = max_len - min(hi, 0), max_len + max(lo, 0)
    rows = int(num_rows) if num_rows is not None and int(num_rows) >= 0 else -1
    cols = int(num_cols) if num_cols is not None and int(num_cols) >= 0 else -1
    if rows < 0 and cols < 0:
        rows = cols = max(min_rows, min_cols)
    rows, cols = (min_rows if rows < 0 else rows), (min_cols if cols < 0 else cols)
    out = None
    for i, d in enumerate(range(hi, lo - 1, -1)):
        n = _diag_len(d, rows, cols)
        vals = x[..., i, max_len - n:] if _right_aligned(d, align) else x[..., i, :n]
        part = matrix_diag(vals, k=d, num_rows=rows, num_cols=cols)
        out = part if out is None else out + part
    if padding_value != 0:
        r, c = np.arange(rows)[:, None], np.arange(cols)[None, :]
        band = constant((c - r >= lo) & (c - r <= hi))
        out = where_v(band, out, constant(np.asarray(padding_value), dtype=out.dtype))
    return out


def band_diag_part(x, lo, hi, padding_value, align):
    from .array_ops import stack
    from .linalg_ops import matrix_diag_part
    from .manip_ops import pad
    x = convert_to_tensor(x)
    shape = [int(s) for s in shape_of(x)]
    rows, cols = shape[-2], shape[-1]
    max_len = min(rows + min(hi, 0), cols - max(lo, 0))
    parts = []
    for d in range(hi, lo - 1, -1):
        vals = matrix_diag_part(x, k=d)
        gap = max_len - _diag_len(d, rows, cols)
        if gap:
            where = [gap, 0] if _right_aligned(d, align) else [0, gap]
            vals = pad(vals, [[0, 0]] * (len(shape) - 2) + [where],
                       constant_values=padding_value)
        parts.append(vals)
    return stack(parts, -2)
