"""``cf.train``: checkpoints (and, from cf.data, the tf.train.Example protos)."""
from .checkpoint import (Checkpoint, CheckpointManager, CheckpointReader,  # noqa: F401
                         CheckpointState, get_checkpoint_state, latest_checkpoint,
                         list_variables, load_checkpoint, load_variable)
from .io.example import (BytesList, Example, Feature, Features, FloatList,  # noqa: F401
                         Int64List)
