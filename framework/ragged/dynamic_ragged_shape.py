"""``tf.shape`` of a RaggedTensor: a DynamicRaggedShape (TF's ``tf.experimental``
type), the row count, each ragged dimension's row lengths (or its uniform length) and the
flat values' dimensions.

>>> import cuflow as cf
>>> s = cf.shape(cf.ragged.constant([[1, 2, 3], [], [4, 5]]))
>>> s
<DynamicRaggedShape lengths=[3, (3, 0, 2)] num_row_partitions=1>
>>> int(s[0]), s.rank
(3, 2)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..ops.constant import constant


class DynamicRaggedShape:
    """The shape of a RaggedTensor: ``s[i]`` is a scalar for uniform dims, and a ragged
    dimension raises ValueError (it has no single size)."""

    def __init__(self, rt, dtype=_dt.int32):
        self._rt = rt
        self._dtype = _dt.as_dtype(dtype)

    @property
    def dtype(self):
        return self._dtype

    @property
    def rank(self):
        return len(self._rt.shape)

    @property
    def num_row_partitions(self):
        return self._rt.ragged_rank

    @property
    def inner_shape(self):
        """The flat values' shape (their count first)."""
        from ..ops.array_ops import shape
        return shape(self._rt.flat_values, out_type=self._dtype)

    def _levels(self):
        out, rt = [], self._rt
        for _ in range(self._rt.ragged_rank):
            out.append(rt)
            rt = rt.values
        return out

    def static_lengths(self):
        """[nrows, then per ragged dim its uniform length or the tuple of row lengths
        (None while traced), then the inner dims]."""
        levels = self._levels()
        out = [self._rt.nrows_int()]
        for rt in levels:
            if rt._uniform is not None:
                out.append(rt._uniform)
            elif rt._symbolic():
                out.append(None)
            else:
                out.append(tuple(int(n) for n in np.diff(np.asarray(rt.row_splits.numpy()))))
        out.extend(self._rt.flat_values.shape.as_list()[1:])
        return out

    def __getitem__(self, index):
        rank = self.rank
        if not isinstance(index, (int, np.integer)):
            raise TypeError(f"DynamicRaggedShape indices must be ints, got {index!r}")
        i = int(index) + rank if index < 0 else int(index)
        if not 0 <= i < rank:
            raise IndexError(f"Index {index} is out of range for a shape of rank {rank}")
        if i == 0:
            return self._rt.nrows(out_type=self._dtype)
        levels = self._levels()
        if i <= len(levels):
            uniform = levels[i - 1]._uniform
            if uniform is None:
                raise ValueError(f"Index {index} is not uniform")
            return constant(uniform, dtype=self._dtype)
        return self.inner_shape[i - len(levels)]

    def __len__(self):
        return self.rank

    def __repr__(self):
        lengths = ", ".join("None" if d is None else
                            "(" + ", ".join(map(str, d)) + ("," if len(d) == 1 else "") + ")"
                            if isinstance(d, tuple) else str(d)
                            for d in self.static_lengths())
        return (f"<DynamicRaggedShape lengths=[{lengths}] "
                f"num_row_partitions={self.num_row_partitions}>")

    __str__ = __repr__
