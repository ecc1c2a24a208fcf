"""Single-replica tf.distribute strategies (see the package docstring)."""
from __future__ import annotations

import contextlib
import enum
import json
import os
import threading

from .. import placement
from ..errors import UnimplementedError

_state = threading.local()


class ReduceOp(enum.Enum):
    """How per-replica values combine (tf.distribute.ReduceOp)."""
    SUM = "SUM"
    MEAN = "MEAN"


def _op(reduce_op):
    if isinstance(reduce_op, str):
        reduce_op = ReduceOp[reduce_op.upper()]
    if not isinstance(reduce_op, ReduceOp):
        raise ValueError(f"reduce_op must be a tf.distribute.ReduceOp, got {reduce_op!r}")
    return reduce_op


class InputContext:
    """What an input function learns about its pipeline (tf.distribute.InputContext)."""

    def __init__(self, num_input_pipelines=1, input_pipeline_id=0, num_replicas_in_sync=1):
        self.num_input_pipelines = num_input_pipelines
        self.input_pipeline_id = input_pipeline_id
        self.num_replicas_in_sync = num_replicas_in_sync

    def get_per_replica_batch_size(self, global_batch_size):
        if global_batch_size % self.num_replicas_in_sync:
            raise ValueError(f"The `global_batch_size` {global_batch_size} is not divisible "
                             f"by `num_replicas_in_sync` {self.num_replicas_in_sync} ")
        return global_batch_size // self.num_replicas_in_sync


class ReplicaContext:
    """The context inside ``strategy.run`` (tf.distribute.ReplicaContext)."""

    def __init__(self, strategy, replica_id_in_sync_group=0):
        self._strategy = strategy
        self.replica_id_in_sync_group = replica_id_in_sync_group

    @property
    def strategy(self):
        return self._strategy

    @property
    def num_replicas_in_sync(self):
        return self._strategy.num_replicas_in_sync

    def all_reduce(self, reduce_op, value, options=None):
        """Across replicas: with one replica, SUM and MEAN both return ``value``."""
        _op(reduce_op)
        return value

    def all_gather(self, value, axis, options=None):
        return value

    def merge_call(self, merge_fn, args=(), kwargs=None):
        return merge_fn(self._strategy, *args, **(kwargs or {}))


class Strategy:
    """Runs computations on its devices (one here); the base of every strategy."""

    def __init__(self, devices):
        self._devices = tuple(devices)
        if len(self._devices) != 1:
            raise UnimplementedError(
                None, None, f"{type(self).__name__} over {len(self._devices)} devices "
                f"{list(self._devices)} needs cuflow's collective engine (NCCL/MPI "
                "all-reduce), which is not built yet; use one device or OneDeviceStrategy")
        self._device = placement.parse(self._devices[0]) or placement.default_device()

    # --- properties -------------------------------------------------------------------------
    @property
    def num_replicas_in_sync(self):
        return len(self._devices)

    @property
    def extended(self):
        ext = self.__dict__.get("_extended")
        if ext is None:
            ext = self._extended = StrategyExtended(self)
        return ext

    @property
    def cluster_resolver(self):
        return None

    @property
    def worker_devices(self):
        return self._devices

    @property
    def parameter_devices(self):
        return self._devices

    # --- scope --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def scope(self):
        """Variables and models created here belong to this strategy (Keras fit uses it)."""
        stack = _stack()
        current = stack[-1] if stack else None
        if current is not None and current is not self and not isinstance(
                current, _DefaultDistributionStrategy):
            raise ValueError(f"Mixing different tf.distribute.Strategy objects: {current} is "
                             f"not {self}")
        stack.append(self)
        try:
            with placement.device(self._device.name):
                yield self
        finally:
            stack.pop()

    # --- running ------------------------------------------------------------------------------
    def run(self, fn, args=(), kwargs=None, options=None):
        """``fn(*args, **kwargs)`` on each replica (one): its per-replica result."""
        stack = _stack()
        stack.append(self)
        _state.replica = ReplicaContext(self, 0)
        try:
            with placement.device(self._device.name):
                return fn(*args, **(kwargs or {}))
        finally:
            _state.replica = None
            stack.pop()

    def reduce(self, reduce_op, value, axis):
        """Combines per-replica values (and, with ``axis``, that axis of each)."""
        op = _op(reduce_op)
        if axis is None:
            return value
        from ..ops import reduce_ops
        fn = reduce_ops.reduce_sum if op is ReduceOp.SUM else reduce_ops.reduce_mean
        return fn(value, axis=axis)

    def gather(self, value, axis):
        return value

    def experimental_local_results(self, value):
        from .values import DistributedValues
        return value.values if isinstance(value, DistributedValues) else (value,)

    def experimental_distribute_dataset(self, dataset, options=None):
        """A DistributedDataset over ``dataset``: its batches are the per-replica values
        (of one replica: the batches themselves)."""
        from .values import DistributedDataset
        return DistributedDataset(dataset, options)

    def distribute_datasets_from_function(self, dataset_fn, options=None):
        from .values import DistributedDataset
        return DistributedDataset(dataset_fn(InputContext(1, 0, self.num_replicas_in_sync)),
                                  options)

    def experimental_distribute_values_from_function(self, value_fn):
        from .experimental import ValueContext
        return value_fn(ValueContext(0, self.num_replicas_in_sync))

    def __repr__(self):
        return f"<{type(self).__name__} devices={list(self._devices)}>"


class OneDeviceStrategy(Strategy):
    """Everything on one device (tf.distribute.OneDeviceStrategy)."""

    def __init__(self, device):
        super().__init__([device])


class MirroredStrategy(Strategy):
    """Synchronous data parallelism over local devices; default: every GPU, else the CPU.
    Only one device is supported so far (see the package docstring)."""

    def __init__(self, devices=None, cross_device_ops=None):
        from .cross_device_ops import CrossDeviceOps
        if cross_device_ops is not None and not isinstance(cross_device_ops, CrossDeviceOps):
            raise ValueError(f"cross_device_ops must be a tf.distribute.CrossDeviceOps, got "
                             f"{cross_device_ops!r}")
        if devices is None:
            gpus = placement.list_devices("GPU")
            devices = [d.name for d in gpus] or [placement.default_device().name]
        super().__init__(devices)
        self._cross_device_ops = cross_device_ops


class MultiWorkerMirroredStrategy(MirroredStrategy):
    """Mirrored across workers (TF_CONFIG); a single worker is the local strategy."""

    def __init__(self, cluster_resolver=None, communication_options=None):
        cluster = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}").get("cluster", {})
        workers = sum(len(v) for k, v in cluster.items() if k in ("worker", "chief"))
        if workers > 1:
            raise UnimplementedError(None, None, f"MultiWorkerMirroredStrategy over {workers} "
                                     "workers needs cuflow's collective engine (MPI/NCCL), "
                                     "which is not built yet")
        super().__init__()


class StrategyExtended:
    """``strategy.extended``: the lower-level API (reduce_to, batch_reduce_to, update,
    devices). Attributes it lacks are the strategy's."""

    def __init__(self, container_strategy):
        self._container_strategy = container_strategy

    def _cross_ops(self):
        from .cross_device_ops import ReductionToOneDevice
        return getattr(self._container_strategy, "_cross_device_ops", None) or \
            ReductionToOneDevice()

    @property
    def experimental_require_static_shapes(self):
        return False

    @property
    def worker_devices(self):
        return self._container_strategy.worker_devices

    @property
    def parameter_devices(self):
        return self._container_strategy.parameter_devices

    def reduce_to(self, reduce_op, value, destinations, options=None):
        """``value``'s per-replica components combined onto ``destinations``."""
        return self._cross_ops().reduce(reduce_op, value, destinations, options)

    def batch_reduce_to(self, reduce_op, value_destination_pairs, options=None):
        return self._cross_ops().batch_reduce(reduce_op, value_destination_pairs, options)

    def broadcast_to(self, tensor, destinations):
        return self._cross_ops().broadcast(tensor, destinations)

    def update(self, var, fn, args=(), kwargs=None, group=True):
        """``fn(var, *args, **kwargs)`` on ``var``'s device (once per replica copy)."""
        dev = getattr(var, "device", None)
        with placement.device(dev) if dev else contextlib.nullcontext():
            return fn(var, *args, **(kwargs or {}))

    def value_container(self, value):
        return value

    @contextlib.contextmanager
    def colocate_vars_with(self, colocate_with_variable):
        dev = getattr(colocate_with_variable, "device", None)
        with placement.device(dev) if dev else contextlib.nullcontext():
            yield

    def call_for_each_replica(self, fn, args=(), kwargs=None):
        return self._container_strategy.run(fn, args, kwargs)

    def __getattr__(self, name):
        return getattr(self._container_strategy, name)


class _DefaultDistributionStrategy(Strategy):
    """The strategy in effect when none is: one replica on the current device."""

    def __init__(self):
        super().__init__([placement.default_device().name])

    @contextlib.contextmanager
    def scope(self):
        yield self


def _stack():
    stack = getattr(_state, "stack", None)
    if stack is None:
        stack = _state.stack = []
    return stack


_default = None


def experimental_set_strategy(strategy):
    """Makes ``strategy`` current in this thread without ``with strategy.scope()``
    (``None`` restores the default strategy)."""
    if strategy is not None and not isinstance(strategy, Strategy):
        raise TypeError(f"experimental_set_strategy expects a tf.distribute.Strategy or None, "
                        f"got {strategy!r}")
    _state.global_strategy = strategy


def get_strategy():
    """The strategy of the enclosing ``scope()`` (or ``run``), else the one set by
    ``experimental_set_strategy``, else the default one."""
    global _default
    stack = _stack()
    if stack:
        return stack[-1]
    chosen = getattr(_state, "global_strategy", None)
    if chosen is not None:
        return chosen
    if _default is None:
        _default = _DefaultDistributionStrategy()
    return _default


def has_strategy():
    return any(not isinstance(s, _DefaultDistributionStrategy) for s in _stack()) or \
        getattr(_state, "global_strategy", None) is not None


def get_replica_context():
    """Inside ``strategy.run``: its ReplicaContext; in a strategy's scope (cross-replica
    context): None; outside any strategy: the default replica context."""
    replica = getattr(_state, "replica", None)
    if replica is not None:
        return replica
    if has_strategy():
        return None
    return ReplicaContext(get_strategy(), 0)


def in_cross_replica_context():
    return get_replica_context() is None
