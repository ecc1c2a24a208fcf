"""``cf.train``: checkpoints (and, from cf.data, the tf.train.Example protos)."""
from .checkpoint import Checkpoint, CheckpointManager, latest_checkpoint  # noqa: F401
from .io.example import (BytesList, Example, Feature, Features, FloatList,  # noqa: F401
                         Int64List)
