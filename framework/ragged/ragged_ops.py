"""The ragged kernels as registry ops, so RaggedTensor methods work eagerly and inside
``cf.function`` (where row splits are symbolic): TF's ``RaggedTensorToTensor`` and the
row ids behind ``value_rowids``.

>>> import cuflow as cf
>>> rt = cf.ragged.constant([[1.0, 2.0], [], [3.0]])
>>> cf.function(lambda r: r.to_tensor(-1.0))(rt).numpy().tolist()
[[1.0, 2.0], [-1.0, -1.0], [3.0, -1.0]]
"""
from __future__ import annotations

import numpy as np

from ..ops.dispatch import apply as _apply
from ..ops.registry import OPAQUE, defop


def _row_ids(xp, splits):
    total = int(splits[-1]) if splits.shape[0] else 0
    return xp.searchsorted(splits[1:], xp.arange(total, dtype=splits.dtype),
                           side="right").astype(splits.dtype)


_ROW_IDS = defop("ragged_row_ids", OPAQUE, differentiable=False)(_row_ids)
_ROW_IDS.def_infer(lambda s: ([None], s.dtype.np))


def row_ids(splits):
    """The row of each value, from row splits (``RaggedTensor.value_rowids``)."""
    return _apply(_ROW_IDS, (splits,), {})


def _to_dense(xp, values, splits, default, width=None):
    nrows = splits.shape[0] - 1
    lengths = splits[1:] - splits[:-1]
    if width is None:
        width = int(lengths.max()) if nrows > 0 else 0
    out = xp.empty((nrows, width) + values.shape[1:], values.dtype)
    out[...] = default
    ids = _row_ids(xp, splits).astype(np.intp)
    pos = xp.arange(ids.shape[0]) - splits[ids]
    keep = pos < width
    if ids.shape[0]:
        out[ids[keep], pos[keep]] = values[keep]
    return out


_TO_DENSE = defop("ragged_to_dense", OPAQUE)(_to_dense)


@_TO_DENSE.def_infer
def _to_dense_infer(values, splits, default, width=None):
    n = splits.shape.as_list()[0] if splits.shape.rank else None
    inner = values.shape.as_list()[1:] if values.shape.rank else []
    return [None if n is None else n - 1, width] + inner, values.dtype.np


@_TO_DENSE.def_vjp
def _to_dense_vjp(g, out, values, splits, default, width=None):
    from ..ops.array_ops import ones_like, reshape, stack, zeros_like
    from ..ops.index_ops import gather_nd
    from ..ops.math_ops import cast, less, minimum, multiply, subtract
    ids = row_ids(splits)
    pos = positions(splits, ids)
    if width == 0:
        gv = zeros_like(values)
    elif width is None:
        gv = gather_nd(g, stack([ids, pos], 1))
    else:       # values cut off by ``shape`` get no gradient
        keep = cast(less(pos, width), g.dtype)
        gv = gather_nd(g, stack([ids, minimum(pos, width - 1)], 1))
        gv = multiply(gv, reshape(keep, [-1] + [1] * (len(values.shape) - 1)))
    if getattr(gv, "_sym", None) is not None:     # traced: as many rows as ``values``
        gv.set_shape(values.shape)
    filled = to_dense(ones_like(values), splits, cast(0, values.dtype), width)
    return gv, None, multiply(g, subtract(ones_like(g), filled))


def positions(splits, ids=None):
    """Each value's position within its row."""
    from ..ops.array_ops import range as _range, shape
    from ..ops.index_ops import gather
    from ..ops.math_ops import subtract
    ids = row_ids(splits) if ids is None else ids
    return subtract(_range(shape(ids, out_type=ids.dtype)[0], dtype=ids.dtype),
                    gather(splits, ids))


def to_dense(values, splits, default, width=None):
    """[nrows, width or the longest row, ...] from one ragged level (``width`` cuts or
    pads the rows)."""
    return _apply(_TO_DENSE, (values, splits, default),
                  {} if width is None else {"width": int(width)})
