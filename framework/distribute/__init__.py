"""``cf.distribute``: tf.distribute's strategies, for one replica so far.

The default strategy, ``OneDeviceStrategy`` and ``MirroredStrategy`` /
``MultiWorkerMirroredStrategy`` on a single device are complete: ``scope``, ``run``,
``reduce``, distributed datasets, replica contexts and Keras ``fit`` under them behave as
TensorFlow's with ``num_replicas_in_sync == 1``. Several replicas need the collective
engine (NCCL / MPI all-reduce) that is not built yet: asking for them raises
``UnimplementedError`` rather than silently training on one device.
"""
from .strategy import (InputContext, MirroredStrategy, MultiWorkerMirroredStrategy,  # noqa: F401
                       OneDeviceStrategy, ReduceOp, ReplicaContext, Strategy,
                       get_replica_context, get_strategy, has_strategy,
                       in_cross_replica_context)
# --- apis2 ---
from . import cluster_resolver, experimental  # noqa: F401,E402
from .cross_device_ops import (CrossDeviceOps, HierarchicalCopyAllReduce,  # noqa: F401,E402
                               NcclAllReduce, ReductionToOneDevice)
from .strategy import StrategyExtended, experimental_set_strategy  # noqa: F401,E402
from .values import (DistributedDataset, DistributedIterator,  # noqa: F401,E402
                     DistributedValues, InputOptions, InputReplicationMode, RunOptions)
