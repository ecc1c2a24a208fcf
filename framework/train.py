"""``cf.train``: checkpoints (and, from cf.data, the tf.train.Example protos)."""
from .checkpoint import (Checkpoint, CheckpointManager, latest_checkpoint,  # noqa: F401
                         list_variables, load_variable)
from .io.example import (BytesList, Example, Feature, Features, FloatList,  # noqa: F401
                         Int64List)
