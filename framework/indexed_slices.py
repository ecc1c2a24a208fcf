"""``tf.IndexedSlices``: rows ``values`` of a dense tensor at ``indices`` (what sparse
gradients look like in TF); converts to a dense Tensor wherever one is needed."""
from __future__ import annotations

from .tensor_shape import TensorShape


class IndexedSlices:
    """``values[i]`` is row ``indices[i]`` of a tensor of shape ``dense_shape``;
    repeated indices add up when densified.

    >>> import cuflow as cf
    >>> s = cf.IndexedSlices(cf.ones((2, 3)), cf.constant([0, 2]), cf.constant([4, 3]))
    >>> cf.convert_to_tensor(s).numpy().sum(axis=1).tolist()
    [3.0, 0.0, 3.0, 0.0]
    """

    def __init__(self, values, indices, dense_shape=None):
        from .ops.constant import convert_to_tensor
        self.values = convert_to_tensor(values)
        self.indices = convert_to_tensor(indices)
        self.dense_shape = None if dense_shape is None else convert_to_tensor(dense_shape)

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def device(self):
        return self.values.device

    @property
    def shape(self):
        if self.dense_shape is None:
            return TensorShape([None] + list(self.values.shape)[1:])
        return TensorShape([int(d) for d in self.dense_shape.numpy()])

    def __cuflow_tensor__(self):
        from .ops.segment_ops import unsorted_segment_sum
        if self.dense_shape is None:
            raise ValueError("IndexedSlices without dense_shape cannot be densified")
        rows = int(self.dense_shape.numpy()[0])
        return unsorted_segment_sum(self.values, self.indices, rows)

    def __neg__(self):
        from .ops.math_ops import negative
        return IndexedSlices(negative(self.values), self.indices, self.dense_shape)

    def __repr__(self):
        return (f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")
