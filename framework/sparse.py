"""``cf.sparse``: a minimal ``SparseTensor`` (what ``VarLenFeature`` parsing returns).

Only what input pipelines need: construction, ``to_dense``, ``from_dense`` and batching
inside ``cf.data``; no sparse math.
"""
from __future__ import annotations

import numpy as np

from .ops.constant import convert_to_tensor
from .tensor import Tensor
from .tensor_shape import TensorShape


class SparseTensor:
    """``indices`` [N, rank] int64, ``values`` [N], ``dense_shape`` [rank] int64.

    >>> import cuflow as cf
    >>> st = cf.sparse.SparseTensor([[0, 1], [1, 0]], [5, 6], [2, 2])
    >>> cf.sparse.to_dense(st).numpy().tolist()
    [[0, 5], [6, 0]]
    """

    _is_sparse_tensor = True

    def __init__(self, indices, values, dense_shape):
        self.indices = convert_to_tensor(np.asarray(
            indices.numpy() if isinstance(indices, Tensor) else indices, np.int64).reshape(
            -1, len(dense_shape.numpy() if isinstance(dense_shape, Tensor) else dense_shape)))
        self.values = values if isinstance(values, Tensor) else convert_to_tensor(values)
        self.dense_shape = convert_to_tensor(np.asarray(
            dense_shape.numpy() if isinstance(dense_shape, Tensor) else dense_shape, np.int64))

    @property
    def dtype(self):
        return self.values.dtype

    @property
    def shape(self):
        return TensorShape([int(d) for d in self.dense_shape.numpy()])

    def _spec(self):
        from .tensor_spec import TensorSpec
        return TensorSpec(TensorShape([None] * len(self.shape)), self.dtype)

    @staticmethod
    def _stack(items):
        """Batches sparse tensors: a leading batch index, dense_shape padded to the max."""
        rank = len(items[0].shape)
        shape = [len(items)] + [max(int(s.dense_shape.numpy()[d]) for s in items)
                                for d in range(rank)]
        idx = [np.concatenate([np.full((s.indices.shape[0], 1), b, np.int64),
                               np.asarray(s.indices.numpy())], 1) for b, s in enumerate(items)]
        vals = np.concatenate([np.asarray(s.values.numpy()).reshape(-1) for s in items])
        return SparseTensor(np.concatenate(idx, 0).reshape(-1, rank + 1),
                            Tensor(vals, items[0].values._device), shape)

    def numpy(self):
        return to_dense(self).numpy()

    def get_shape(self):
        return self.shape

    def __repr__(self):
        return (f"SparseTensor(indices={self.indices!s}, values={self.values!s}, "
                f"dense_shape={self.dense_shape!s})")

    # TF's SparseTensor * dense, / dense: the dense side broadcast to dense_shape and read
    # at the indices (the result keeps this tensor's indices)
    def _cwise(self, other, fn):
        from .ops.array_ops import broadcast_to
        from .ops.index_ops import gather_nd
        other = broadcast_to(convert_to_tensor(other), self.dense_shape)
        return SparseTensor(self.indices, fn(self.values, gather_nd(other, self.indices)),
                            self.dense_shape)

    def __mul__(self, other):
        from .ops.math_ops import multiply
        return self._cwise(other, multiply)

    def __truediv__(self, other):
        from .ops.math_ops import truediv
        return self._cwise(other, truediv)


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    values = np.asarray(sp_input.values.numpy())
    shape = tuple(int(d) for d in sp_input.dense_shape.numpy())
    fill = default_value if default_value is not None else (b"" if values.dtype == object
                                                             else 0)
    out = np.full(shape, fill, dtype=values.dtype)
    idx = np.asarray(sp_input.indices.numpy())
    if validate_indices:
        _validate(idx, shape)
    if len(values):
        out[tuple(idx.T)] = values
    return convert_to_tensor(out)


def _validate(idx, shape):
    """TF's SparseToDense checks: indices in bounds, in row-major order, not repeated."""
    from .errors import InvalidArgumentError
    for i, row in enumerate(idx.tolist()):
        if any(not 0 <= v < d for v, d in zip(row, shape)):
            raise InvalidArgumentError(None, "SparseToDense", f"indices[{i}] = "
                                       f"{_coords(row)} is out of bounds: need 0 <= index < "
                                       f"{_coords(shape)}")
        if i and row <= prev:
            what = "is repeated" if row == prev else (
                "is out of order. Many sparse ops require sorted indices.\n    Use "
                "`tf.sparse.reorder` to create a correctly ordered copy.")
            raise InvalidArgumentError(None, "SparseToDense",
                                       f"indices[{i}] = {_coords(row)} {what}")
        prev = row


def _coords(v):
    return "[" + ",".join(str(int(x)) for x in v) + "]"


def from_dense(tensor, name=None):
    arr = np.asarray(convert_to_tensor(tensor).numpy())
    zero = b"" if arr.dtype == object else 0
    idx = np.argwhere(arr != zero)
    return SparseTensor(idx, convert_to_tensor(arr[tuple(idx.T)]), arr.shape)


# --- tf-compat ---
from .ops.sparse_ops import (add, concat, expand_dims, eye, fill_empty_rows,  # noqa: E402
                             maximum, minimum, reduce_max, reduce_sum, reorder, reshape,
                             retain, segment_mean, segment_sqrt_n, segment_sum, slice, softmax,
                             sparse_dense_matmul, transpose)
from .ops.sparse_ops import (bincount, map_values, mask, reset_shape, split,  # noqa: E402
                             to_indicator)

__all__ = ["SparseTensor", "add", "concat", "expand_dims", "eye", "fill_empty_rows",
           "from_dense", "maximum", "minimum", "reduce_max", "reduce_sum", "reorder",
           "reshape", "retain", "segment_mean", "segment_sqrt_n", "segment_sum", "slice",
           "softmax", "sparse_dense_matmul", "to_dense", "transpose", "map_values", "mask", "bincount",
           "reset_shape", "split", "to_indicator"]
# --- apis3 ---
from .ops.sampled_ops import sampled_addmm  # noqa: F401,E402
__all__.append("sampled_addmm")
from .ops.sparse_cross import cross, cross_hashed  # noqa: F401,E402
__all__ += ["cross", "cross_hashed"]
