"""``cf.distribute.experimental``: collective-communication options and ValueContext
(records the strategies accept; cuflow's single-replica strategies need no transport).

>>> import cuflow as cf
>>> E = cf.distribute.experimental
>>> E.CommunicationOptions(implementation=E.CommunicationImplementation.NCCL).implementation
<CommunicationImplementation.NCCL: 'NCCL'>
"""
from __future__ import annotations

import enum

from .strategy import MultiWorkerMirroredStrategy  # noqa: F401


class CommunicationImplementation(enum.Enum):
    """Which collective implementation multi-worker strategies use."""
    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


CollectiveCommunication = CommunicationImplementation


class CommunicationOptions:
    """Options of cross-replica collectives: pack size, timeout, implementation."""

    def __init__(self, bytes_per_pack=0, timeout_seconds=None,
                 implementation=CommunicationImplementation.AUTO):
        if bytes_per_pack < 0:
            raise ValueError(f"Argument `bytes_per_pack` must be >=0, Received "
                             f"{bytes_per_pack}.")
        if isinstance(implementation, str):
            implementation = CommunicationImplementation(implementation.upper())
        if not isinstance(implementation, CommunicationImplementation):
            raise ValueError("Argument `implementation` must be instance of "
                             "`tf.distribute.experimental.CommunicationImplementation`.")
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds
        self.implementation = implementation

    def merge(self, options):
        """A copy with ``options``' non-default fields taking precedence."""
        out = CommunicationOptions(self.bytes_per_pack, self.timeout_seconds,
                                   self.implementation)
        if options.bytes_per_pack != 0:
            out.bytes_per_pack = options.bytes_per_pack
        if options.timeout_seconds is not None:
            out.timeout_seconds = options.timeout_seconds
        if options.implementation != CommunicationImplementation.AUTO:
            out.implementation = options.implementation
        return out


class CollectiveHints:
    """Deprecated TF name for the pack size / timeout hints (use CommunicationOptions)."""

    def __init__(self, bytes_per_pack=0, timeout_seconds=None):
        if bytes_per_pack < 0:
            raise ValueError(f"bytes_per_pack must be non-negative, got {bytes_per_pack}")
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds


class ValueContext:
    """What ``experimental_distribute_values_from_function``'s function is told."""

    def __init__(self, replica_id_in_sync_group=0, num_replicas_in_sync=1):
        self._replica_id = replica_id_in_sync_group
        self._num_replicas = num_replicas_in_sync

    @property
    def replica_id_in_sync_group(self):
        return self._replica_id

    @property
    def num_replicas_in_sync(self):
        return self._num_replicas
