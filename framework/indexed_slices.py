"""``tf.IndexedSlices``: rows ``values`` of a dense tensor at ``indices`` (what sparse
gradients look like in TF); converts to a dense Tensor wherever one is needed.

``tape.gradient`` returns one for a tensor or variable read only through row gathers
(``tf.gather`` on axis 0, ``tf.nn.embedding_lookup``, Keras's ``Embedding``), as TF does.
Like TF's, it has no arithmetic operators (``slices * 2`` is a TypeError); ops convert
it to a dense tensor, and the clipping functions and optimizers treat its rows as TF does.
"""
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
        self._static_shape = None   # the dense shape when known while tracing
        self._dense = None          # the dense value when already computed (gradients)

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def device(self):
        return self.values.device

    @property
    def shape(self):
        if self._static_shape is not None:
            return TensorShape(self._static_shape)
        if self.dense_shape is None:
            return TensorShape([None] + list(self.values.shape)[1:])
        if self.dense_shape._sym is not None:    # traced: only its length is known
            n = self.dense_shape.shape[0] if self.dense_shape.shape.rank else None
            return TensorShape(None if n is None else [None] * n)
        return TensorShape([int(d) for d in self.dense_shape.numpy()])

    def __cuflow_tensor__(self):
        if self._dense is not None:
            return self._dense
        from .ops.segment_ops import unsorted_segment_sum
        if self.dense_shape is None:
            raise ValueError("IndexedSlices without dense_shape cannot be densified")
        rows = self.shape[0] if self.shape.rank else None
        if rows is None:
            rows = self.dense_shape[0]
        return unsorted_segment_sum(self.values, self.indices, rows)

    def __neg__(self):
        from .ops.math_ops import negative
        return self._with_values(negative(self.values))

    def _with_values(self, values):
        """The same rows with new ``values`` (the dense cache does not carry over)."""
        out = IndexedSlices(values, self.indices, self.dense_shape)
        out._static_shape = self._static_shape
        return out

    def __repr__(self):
        return (f"IndexedSlices(indices={self.indices!r}, values={self.values!r}, "
                f"dense_shape={self.dense_shape!r})")


def from_row_gathers(dense, parts, source):
    """The IndexedSlices gradient of ``source`` whose row gathers received the cotangents
    ``parts`` [(cotangent, ids)], in the order backprop met them (TF concatenates them
    so); ``dense`` is the same gradient already summed into a tensor."""
    from . import dtypes as _dt
    from .ops.array_ops import concat, reshape, shape
    from .ops.constant import constant
    from .ops.math_ops import cast
    dims = tuple(source.shape.as_list()) if source.shape.rank is not None else None
    if dims is not None and None not in dims[1:]:
        row_shape = [-1] + list(dims[1:])
    else:
        row_shape = concat([[-1], shape(source)[1:]], 0)
    values = [reshape(g, row_shape) for g, _ in parts]
    indices = [reshape(ids, [-1]) for _, ids in parts]
    values = values[0] if len(values) == 1 else concat(values, 0)
    indices = indices[0] if len(indices) == 1 else concat(indices, 0)
    if values.dtype != source.dtype:
        values = cast(values, source.dtype)
    if dims is not None and None not in dims:
        dense_shape = constant(list(dims), _dt.int32)
    else:
        dense_shape = shape(source, out_type=_dt.int32)
    out = IndexedSlices(values, indices, dense_shape)
    out._static_shape = dims
    out._dense = dense
    return out


def dense_with_rows(g):
    """An optimizer's view of a gradient: an IndexedSlices becomes its dense tensor with
    its rows remembered (Keras's optimizers on TF apply ``square``/clipping per slice
    before duplicate rows add up); a Tensor is returned as is."""
    if not isinstance(g, IndexedSlices):
        return g
    from .autodiff.backprop import remember_rows, sparse_rows
    from .ops.constant import convert_to_tensor
    dense = convert_to_tensor(g)
    if g._dense is not None and sparse_rows(dense) is not None:
        return dense
    if g._dense is not None:
        from .ops.math_ops import identity    # a fresh tensor: the cache may be shared
        dense = identity(dense)
    remember_rows(dense, [(g.values, g.indices)])
    return dense
