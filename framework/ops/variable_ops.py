"""Variable updates beyond assign: sliced assignment (``v[0, 1:].assign(x)``) and the
``scatter_*`` family, each ending in one ``assign`` of the whole new value."""
from __future__ import annotations

from ..errors import InvalidArgumentError
from ..tensor import Tensor
from .constant import convert_to_tensor


def sliced_assign(var, key, value, how="assign"):
    """Writes ``value`` into ``var[key]`` (``how``: assign, assign_add, assign_sub)."""
    from .array_ops import _decode_key, _encode_key
    if isinstance(key, list):
        key = tuple(key)
    index = _decode_key(_encode_key(key))
    value = convert_to_tensor(value, dtype_hint=var.dtype)
    if value.dtype != var.dtype:
        raise InvalidArgumentError(None, "assign", f"assign: value of dtype "
                                   f"{value.dtype.name} into a variable of dtype "
                                   f"{var.dtype.name}")
    current = var._tensor
    arr = current._value.copy()
    region = arr[index]
    from .dispatch import _to_device
    update = _to_device(value._value, current._device)
    if how == "assign_add":
        update = region + update
    elif how == "assign_sub":
        update = region - update
    try:
        arr[index] = update
    except ValueError as e:
        raise InvalidArgumentError(None, "assign", f"sliced assign: {e} (slice shape "
                                   f"{tuple(region.shape)}, value shape "
                                   f"{tuple(value.shape)})") from None
    var.assign(Tensor(arr, current._device))
    return var


class SlicedVariable(Tensor):
    """``var[key]`` read eagerly: a Tensor that can also be assigned (TF's slice helper)."""

    __slots__ = ("_key", "_var")

    def __init__(self, value, var, key):
        super().__init__(value._value, value._device)
        self._var = var
        self._key = key

    def __cuflow_tensor__(self):
        return Tensor(self._value, self._device)

    def assign(self, value, use_locking=None, name=None, read_value=True):
        return sliced_assign(self._var, self._key, value)

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        return sliced_assign(self._var, self._key, delta, "assign_add")

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        return sliced_assign(self._var, self._key, delta, "assign_sub")


def _rows(sparse_delta):
    from .array_ops import expand_dims
    if not hasattr(sparse_delta, "indices") or not hasattr(sparse_delta, "values"):
        raise TypeError(f"sparse_delta must be an IndexedSlices, got {type(sparse_delta)}")
    return expand_dims(sparse_delta.indices, -1), sparse_delta.values


def scatter(var, sparse_delta, how):
    """var.scatter_<how>(IndexedSlices): one tensor_scatter_nd_* then assign."""
    from . import index_ops, math_ops
    idx, values = _rows(sparse_delta)
    if how in ("update", "add", "sub", "max", "min"):
        new = getattr(index_ops, f"tensor_scatter_nd_{how}")(var, idx, values)
    else:  # mul / div: scale the selected rows by gathering, combining, scattering back
        rows = index_ops.gather_nd(var, idx)
        combined = math_ops.multiply(rows, values) if how == "mul" else \
            math_ops.truediv(rows, values) if var.dtype.is_floating else \
            math_ops.floordiv(rows, values)
        new = index_ops.tensor_scatter_nd_update(var, idx, math_ops.cast(combined, var.dtype))
    return var.assign(new)


def scatter_nd(var, indices, updates, how):
    from . import index_ops
    return var.assign(getattr(index_ops, f"tensor_scatter_nd_{how}")(var, indices, updates))


__all__ = ["SlicedVariable", "scatter", "scatter_nd", "sliced_assign"]
