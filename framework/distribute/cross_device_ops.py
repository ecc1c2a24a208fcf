"""tf.distribute's cross-device reductions: CrossDeviceOps and its three algorithms.

``reduce`` sums (or averages) the per-replica components of a value and places the
result on ``destinations``; ``batch_reduce`` does that for several values; ``broadcast``
copies a tensor to the destinations. The algorithms differ in TF only in how the bytes
travel (NCCL rings, a copy tree, one device); cuflow has no multi-device collective engine
yet, so all three add the components on the first component's device and copy the result
to each destination: the same numbers, one code path.

>>> import cuflow as cf
>>> ops = cf.distribute.NcclAllReduce()
>>> v = cf.distribute.DistributedValues((cf.constant([1., 2.]), cf.constant([3., 4.])))
>>> ops.reduce(cf.distribute.ReduceOp.MEAN, v, "/cpu:0").numpy().tolist()
[2.0, 3.0]
"""
from __future__ import annotations

from .. import placement
from .values import DistributedValues


def _components(value):
    return value.values if isinstance(value, DistributedValues) else (value,)


def _device_of(destinations):
    """The devices a result goes to: a device string, a DistributedValues' or variable's
    devices, or a list of those."""
    if destinations is None:
        return [None]
    if isinstance(destinations, (list, tuple)):
        return [d for x in destinations for d in _device_of(x)]
    if isinstance(destinations, DistributedValues):
        return [getattr(v, "device", None) for v in destinations.values]
    if isinstance(destinations, str):
        return [destinations]
    return [getattr(destinations, "device", None)]


def _place(t, device):
    if device is None:
        return t
    dev = placement.parse(device)
    if dev is None or getattr(t, "_device", None) is dev:
        return t
    from ..ops.array_ops import identity
    with placement.device(dev.name):
        return identity(t)


class CrossDeviceOps:
    """Base class: reductions and broadcasts of per-replica values across devices."""

    def __init__(self):
        pass

    def _sum(self, reduce_op, value):
        from ..ops import math_ops
        from ..ops.constant import convert_to_tensor
        from .strategy import ReduceOp, _op
        parts = [convert_to_tensor(v) for v in _components(value)]
        total = parts[0]
        for p in parts[1:]:
            total = total + _place(p, total.device)
        if _op(reduce_op) is ReduceOp.MEAN and len(parts) > 1:
            total = math_ops.divide(total, math_ops.cast(len(parts), total.dtype))
        return total

    def _spread(self, result, destinations):
        devices = _device_of(destinations)
        placed = [_place(result, d) for d in devices]
        return placed[0] if len(placed) == 1 else DistributedValues(placed)

    def reduce(self, reduce_op, per_replica_value, destinations, options=None):
        """``per_replica_value``'s components summed (``ReduceOp.SUM``) or averaged
        (``MEAN``), on ``destinations`` (one tensor, or a DistributedValues for several)."""
        return self._spread(self._sum(reduce_op, per_replica_value), destinations)

    def batch_reduce(self, reduce_op, value_destination_pairs, options=None):
        """``reduce`` over a list of ``(value, destinations)`` pairs."""
        return [self.reduce(reduce_op, v, d, options) for v, d in value_destination_pairs]

    def broadcast(self, tensor, destinations):
        """``tensor`` copied to each destination device."""
        return self._spread(tensor, destinations)


class ReductionToOneDevice(CrossDeviceOps):
    """Reduces on one device (``reduce_to_device``, default: the first component's) with
    ``accumulation_fn`` (default: add_n), then copies the result out."""

    def __init__(self, reduce_to_device=None, accumulation_fn=None):
        super().__init__()
        self.reduce_to_device = reduce_to_device
        self.accumulation_fn = accumulation_fn

    def _sum(self, reduce_op, value):
        if self.reduce_to_device is None and self.accumulation_fn is None:
            return super()._sum(reduce_op, value)
        from ..ops import math_ops
        from ..ops.constant import convert_to_tensor
        from ..ops.math_extra import add_n
        from .strategy import ReduceOp, _op
        parts = [_place(convert_to_tensor(v), self.reduce_to_device)
                 for v in _components(value)]
        total = (self.accumulation_fn or add_n)(parts)
        if _op(reduce_op) is ReduceOp.MEAN and len(parts) > 1:
            total = math_ops.divide(total, math_ops.cast(len(parts), total.dtype))
        return total


class _AllReduce(CrossDeviceOps):
    def __init__(self, num_packs=1):
        if num_packs < 0:
            raise ValueError(f"NCCL all-reduce requires num_packs >= 0, but {num_packs} is "
                             "specified.")
        super().__init__()
        self.num_packs = num_packs


class NcclAllReduce(_AllReduce):
    """All-reduce that TF runs with NCCL; ``num_packs`` packs gradients into fewer
    transfers. cuflow computes the same sums (see the module docstring)."""


class HierarchicalCopyAllReduce(_AllReduce):
    """All-reduce by a tree of copies (TF's choice for DGX-1-like topologies); the same
    sums here."""
