"""tf.distribute's value and input types: DistributedValues, DistributedDataset /
DistributedIterator (what ``experimental_distribute_dataset`` returns), InputOptions,
InputReplicationMode and RunOptions.

With one replica (cuflow's strategies so far) a per-replica value is the tensor itself, as
in TF; DistributedValues holds one component per replica when there are several.
"""
from __future__ import annotations

import collections
import enum


class DistributedValues:
    """Values of one logical tensor, one per replica (base of per-replica and mirrored
    values); ``strategy.experimental_local_results`` unpacks it.

    >>> import cuflow as cf
    >>> v = cf.distribute.DistributedValues((cf.constant(1.), cf.constant(2.)))
    >>> [float(t) for t in cf.distribute.get_strategy().experimental_local_results(v)]
    [1.0, 2.0]
    """

    def __init__(self, values):
        self._values = tuple(values)

    @property
    def values(self):
        return self._values

    def _get_on_device_or_primary(self):
        return self._values[0]

    def __repr__(self):
        body = ",\n".join(f"  {i}: {v!r}" for i, v in enumerate(self._values))
        return f"{type(self).__name__}:{{\n{body}\n}}"


class InputReplicationMode(enum.Enum):
    """How input pipelines are replicated: one per worker (default) or per replica."""
    PER_WORKER = "PER_WORKER"
    PER_REPLICA = "PER_REPLICA"


class InputOptions(collections.namedtuple("InputOptions", [
        "experimental_fetch_to_device", "experimental_replication_mode",
        "experimental_place_dataset_on_device", "experimental_per_replica_buffer_size"])):
    """Options of ``experimental_distribute_dataset`` / ``distribute_datasets_from_function``.
    ``experimental_fetch_to_device`` defaults to True (batches prefetched to the replica's
    device); cuflow's single-replica input keeps batches where the dataset makes them."""

    def __new__(cls, experimental_fetch_to_device=None,
                experimental_replication_mode=InputReplicationMode.PER_WORKER,
                experimental_place_dataset_on_device=False,
                experimental_per_replica_buffer_size=1):
        if experimental_fetch_to_device is None:
            experimental_fetch_to_device = True
        return super().__new__(cls, experimental_fetch_to_device,
                               experimental_replication_mode,
                               experimental_place_dataset_on_device,
                               experimental_per_replica_buffer_size)


class RunOptions(collections.namedtuple("RunOptions", [
        "experimental_enable_dynamic_batch_size", "experimental_bucketizing_dynamic_shape",
        "experimental_xla_options"])):
    """Options of ``strategy.run`` (TPU settings in TF; accepted and kept here)."""

    def __new__(cls, experimental_enable_dynamic_batch_size=True,
                experimental_bucketizing_dynamic_shape=False, experimental_xla_options=None):
        return super().__new__(cls, experimental_enable_dynamic_batch_size,
                               experimental_bucketizing_dynamic_shape,
                               experimental_xla_options)


class DistributedIterator:
    """Iterates a DistributedDataset: each element is the per-replica batch (the batch
    itself with one replica)."""

    _cuflow_dataset_like = True     # autograph's Python ``for`` reads it eagerly

    def __init__(self, dataset):
        self._dataset = dataset
        self._it = iter(dataset)

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def get_next(self):
        return next(self._it)

    def get_next_as_optional(self):
        from ..data.optional import Optional
        try:
            return Optional.from_value(next(self._it))
        except StopIteration:
            return Optional.empty(self.element_spec)

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._it)


class DistributedDataset:
    """What ``strategy.experimental_distribute_dataset`` returns: iterate it (or
    ``iter`` it for a DistributedIterator); ``reduce`` folds its elements."""

    _cuflow_dataset_like = True

    def __init__(self, dataset, options=None):
        self._dataset = dataset
        self._options = options

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def __iter__(self):
        return DistributedIterator(self._dataset)

    def reduce(self, initial_state, reduce_func):
        state = initial_state
        for x in self:
            state = reduce_func(state, x)
        return state

    def cardinality(self):
        return self._dataset.cardinality()

    def __repr__(self):
        return f"<{type(self).__name__} of {self._dataset!r}>"
