"""Stacking rows of different lengths into a RaggedTensor with a new outer ragged
dimension: what ``batch`` of ragged elements, ``Dataset.ragged_batch`` and ``map_fn``
with a RaggedTensorSpec signature share.

>>> import cuflow as cf
>>> from cuflow.ragged.ragged_stack import stack_ragged
>>> stack_ragged([cf.range(2), cf.range(3)], 0).to_list()
[[0, 1], [0, 1, 2]]
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from .. import placement as _pl
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from ..tensor_shape import TensorShape

_CPU = _pl.CPU0


def stack_ragged(items, ragged_rank, splits_dtype=_dt.int64, shape=None):
    """Stacks dense tensors (rows of any lengths) or RaggedTensors of ``ragged_rank``
    into one RaggedTensor with a new outer ragged dimension (dense items become ragged
    with uniform rows first). ``shape``: the items' spec shape, whose known dims are
    uniform row lengths (without it, the dims all items share)."""
    from . import stack as ragged_stack
    from .ragged_tensor import RaggedTensor
    rows = [_as_ragged(x, ragged_rank) for x in items]
    if ragged_rank:
        out = ragged_stack(rows)
        if shape is None or TensorShape(shape).rank is None:
            shape = TensorShape(rows[0].shape)
            for r in rows[1:]:
                shape = TensorShape([a if a == b else None for a, b in zip(shape, r.shape)])
        shape = TensorShape(shape)
        # dims every row shares (the row count too) are uniform row lengths, as TF's
        out = RaggedTensor._from_parts(out.flat_values, list(out.nested_row_splits),
                                       [None] + shape.as_list())
    else:
        arrays = [np.asarray(r.numpy()) for r in rows]
        inner = {a.shape[1:] for a in arrays}
        if len(inner) > 1:
            raise InvalidArgumentError(None, "batch", "batch: cannot batch ragged rows whose "
                                       f"inner dimensions differ: {sorted(inner)[:4]}")
        out = RaggedTensor.from_row_lengths(Tensor(np.concatenate(arrays), _CPU),
                                            [len(a) for a in arrays])
    if splits_dtype != _dt.int64:
        out = out.with_row_splits_dtype(splits_dtype)
    return out


def _as_ragged(x, ragged_rank):
    """A dense item as a RaggedTensor of ``ragged_rank`` uniform levels."""
    from .ragged_tensor import RaggedTensor
    if isinstance(x, RaggedTensor) or not ragged_rank:
        return x
    dims = x.shape.as_list()
    arr = np.asarray(x.numpy())
    out = Tensor(arr.reshape((-1,) + arr.shape[ragged_rank + 1:]), _CPU)
    for d in reversed(dims[1:ragged_rank + 1]):
        out = RaggedTensor.from_uniform_row_length(out, d)
    return out
