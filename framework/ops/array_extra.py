"""More of TF's array ops: ``bitcast`` (a primitive), ``space_to_batch_nd`` /
``batch_to_space`` and ``histogram_fixed_width_bins`` (composites)."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import manip_ops as _manip
from . import math_ops as _m
from ._util import int_tuple, shape_of, static_value
from .constant import convert_to_tensor
from .dispatch import apply as _apply
from .registry import MOVEMENT, defop


def _bitcast_impl(xp, x, dtype):
    dtype = np.dtype(dtype)
    src = x.dtype.itemsize
    if dtype.itemsize < src:  # one element becomes a new last axis of pieces
        return xp.ascontiguousarray(x).view(dtype).reshape(x.shape + (src // dtype.itemsize,))
    return xp.ascontiguousarray(x).view(dtype).reshape(x.shape[:-1] if dtype.itemsize > src
                                                       else x.shape)


_BITCAST = defop("bitcast", MOVEMENT, dtypes=_dt.NUMERIC, differentiable=False)(_bitcast_impl)


def bitcast(input, type, name=None):
    """Reinterprets the bytes of ``input`` as ``type`` (a smaller type adds a last axis,
    a larger one consumes it).

    >>> import cuflow as cf
    >>> cf.bitcast(cf.constant([1, 2, 3, 4], cf.uint8), cf.int32).numpy().tolist()
    67305985
    """
    x = convert_to_tensor(input)
    dtype = _dt.as_dtype(type)
    src, dst = x.dtype.size, dtype.size
    shape = tuple(shape_of(x))
    if dst > src and (not shape or shape[-1] != dst // src):
        raise InvalidArgumentError(
            None, "bitcast", f"bitcast: cannot bitcast from {x.dtype.name} to {dtype.name}: "
            f"the last dimension of shape {list(shape)} must be {dst // src}")
    if dtype.is_bool or x.dtype.is_bool:
        raise InvalidArgumentError(None, "bitcast", f"bitcast: unsupported dtype "
                                   f"{dtype.name}")
    return _apply(_BITCAST, (x,), {"dtype": dtype.np})


def space_to_batch_nd(input, block_shape, paddings, name=None):
    """Zero-pads the M spatial dims, then moves ``block_shape`` blocks into the batch."""
    x = convert_to_tensor(input)
    block = int_tuple("space_to_batch_nd", block_shape, "block_shape")
    pads = np.asarray(static_value(paddings), np.int64).reshape(len(block), 2)
    shape = [int(d) for d in shape_of(x)]
    m = len(block)
    full = [[0, 0]] + pads.tolist() + [[0, 0]] * (len(shape) - m - 1)
    x = _manip.pad(x, full)
    padded = [int(d) for d in shape_of(x)]
    for i, b in enumerate(block):
        if padded[1 + i] % b:
            raise InvalidArgumentError(
                None, "space_to_batch_nd", f"space_to_batch_nd: padded spatial dim {i} "
                f"({padded[1 + i]}) is not divisible by block size {b}")
    split = [padded[0]]
    for i, b in enumerate(block):
        split += [padded[1 + i] // b, b]
    x = _a.reshape(x, split + padded[1 + m:])
    perm = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)]
    perm += list(range(1 + 2 * m, len(split) + len(padded) - 1 - m))
    x = _a.transpose(x, perm)
    return _a.reshape(x, [padded[0] * int(np.prod(block))] +
                      [padded[1 + i] // b for i, b in enumerate(block)] + padded[1 + m:])


def space_to_batch(input, block_shape, paddings, name=None):
    """TF 2's ``tf.space_to_batch`` (the N-d op)."""
    return space_to_batch_nd(input, block_shape, paddings)


def batch_to_space(input, block_shape, crops, name=None):
    """Inverse of :func:`space_to_batch_nd`: moves batch blocks back, then crops."""
    x = convert_to_tensor(input)
    block = int_tuple("batch_to_space", block_shape, "block_shape")
    crops = np.asarray(static_value(crops), np.int64).reshape(len(block), 2)
    shape = [int(d) for d in shape_of(x)]
    m, prod = len(block), int(np.prod(block))
    if shape[0] % prod:
        raise InvalidArgumentError(None, "batch_to_space", f"batch_to_space: batch "
                                   f"{shape[0]} is not divisible by prod(block_shape)={prod}")
    batch = shape[0] // prod
    x = _a.reshape(x, list(block) + [batch] + shape[1:])
    perm = [m]
    for i in range(m):
        perm += [m + 1 + i, i]
    perm += list(range(2 * m + 1, m + len(shape)))
    x = _a.transpose(x, perm)
    spatial = [shape[1 + i] * b for i, b in enumerate(block)]
    x = _a.reshape(x, [batch] + spatial + shape[1 + m:])
    begin = [0] + [int(c[0]) for c in crops] + [0] * (len(shape) - m - 1)
    size = [batch] + [spatial[i] - int(crops[i].sum()) for i in range(m)] + shape[1 + m:]
    return _manip.slice(x, begin, size)


def histogram_fixed_width_bins(values, value_range, nbins=100, dtype=_dt.int32, name=None):
    """The bin index of each value in ``nbins`` equal bins over ``value_range`` (values
    outside go to the first or last bin)."""
    values = convert_to_tensor(values)
    value_range = _m.cast(value_range, values.dtype)
    lo, hi = value_range[0], value_range[1]
    scaled = (values - lo) / (hi - lo)
    idx = _m.floor(scaled * nbins) if values.dtype.is_floating else _m.cast(
        _m.floor(_m.cast(scaled, _dt.float64) * nbins), _dt.int64)
    idx = _m.minimum(_m.maximum(_m.cast(idx, _dt.int64), 0), int(nbins) - 1)
    return _m.cast(idx, dtype)
