"""``cf.train``: checkpoints (and, from cf.data, the tf.train.Example protos)."""
from .checkpoint import Checkpoint, CheckpointManager, latest_checkpoint  # noqa: F401
