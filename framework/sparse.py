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
    _is_composite = True
    _static_shape = None        # a TensorShape when built from (symbolic) components

    def __init__(self, indices, values, dense_shape):
        if any(getattr(x, "_sym", None) is not None for x in (indices, values, dense_shape)):
            self._init_traced(indices, values, dense_shape)     # inside cf.function
            return
        self.indices = convert_to_tensor(np.asarray(
            indices.numpy() if isinstance(indices, Tensor) else indices, np.int64).reshape(
            -1, len(dense_shape.numpy() if isinstance(dense_shape, Tensor) else dense_shape)))
        self.values = values if isinstance(values, Tensor) else convert_to_tensor(values)
        self.dense_shape = convert_to_tensor(np.asarray(
            dense_shape.numpy() if isinstance(dense_shape, Tensor) else dense_shape, np.int64))

    @property
    def dtype(self):
        return self.values.dtype

    def _init_traced(self, indices, values, dense_shape):
        from .ops.math_ops import cast
        from .ops.misc_ops import get_static_value
        self.indices = cast(convert_to_tensor(indices), "int64")
        self.values = convert_to_tensor(values)
        self.dense_shape = cast(convert_to_tensor(dense_shape), "int64")
        known = get_static_value(self.dense_shape)
        if known is not None:
            self._static_shape = TensorShape([int(d) for d in np.asarray(known).ravel()])

    @classmethod
    def _from_parts(cls, indices, values, dense_shape, static_shape=None):
        """A SparseTensor of ready-made components, unchecked (they may be symbolic)."""
        out = cls.__new__(cls)
        out.indices, out.values, out.dense_shape = indices, values, dense_shape
        if static_shape is not None:
            out._static_shape = TensorShape(static_shape)
        return out

    @property
    def shape(self):
        if self._static_shape is not None:
            return self._static_shape
        if getattr(self.dense_shape, "_sym", None) is not None:
            return TensorShape([None] * (self.dense_shape.shape[0] or 0)) \
                if self.dense_shape.shape.rank == 1 and self.dense_shape.shape[0] is not None \
                else TensorShape(None)
        return TensorShape([int(d) for d in self.dense_shape.numpy()])

    @property
    def _type_spec(self):
        from .type_spec import SparseTensorSpec
        return SparseTensorSpec(self.shape, self.dtype)

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


def _register_composite():
    from .type_spec import COMPOSITE_TYPES
    COMPOSITE_TYPES.add(SparseTensor)


_register_composite()


def to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    if getattr(sp_input.values, "_sym", None) is not None or \
            getattr(sp_input.indices, "_sym", None) is not None:
        return _to_dense_traced(sp_input, default_value)
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


def _to_dense_traced(sp_input, default_value):
    """to_dense inside cf.function: the values scattered into a filled dense tensor."""
    from .ops.array_ops import fill
    from .ops.index_ops import tensor_scatter_nd_update
    dtype = sp_input.values.dtype
    fill_value = default_value if default_value is not None else \
        (b"" if dtype.name == "string" else 0)
    base = fill(sp_input.dense_shape, convert_to_tensor(fill_value, dtype=dtype))
    out = tensor_scatter_nd_update(base, sp_input.indices, sp_input.values)
    static = sp_input.shape
    if static.rank is not None:
        out.set_shape(static)
    return out


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
    if getattr(tensor, "_sym", None) is not None:    # traced: the non-zero spots, with ops
        from .ops.array_ops import shape, zeros_like
        from .ops.index_ops import gather_nd, where
        from .ops.math_ops import not_equal
        idx = where(not_equal(tensor, zeros_like(tensor)))
        return SparseTensor._from_parts(idx, gather_nd(tensor, idx),
                                        shape(tensor, out_type="int64"), tensor.shape)
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
__all__ += ["cross", "cross_hashed"]


def __getattr__(name):
    """cross / cross_hashed load their module (and the hash functions) on first use."""
    if name in ("cross", "cross_hashed"):
        from .ops import sparse_cross
        value = getattr(sparse_cross, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cuflow.sparse' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
