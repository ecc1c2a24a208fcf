"""``cf.train``: checkpoints, Example / SequenceExample protos, moving averages, cluster
specs and thread coordination."""
from .checkpoint import (Checkpoint, CheckpointManager, CheckpointReader,  # noqa: F401
                         CheckpointState, get_checkpoint_state, latest_checkpoint,
                         list_variables, load_checkpoint, load_variable)
from .io.example import (BytesList, Example, Feature, Features, FloatList,  # noqa: F401
                         Int64List)
# --- apis2 ---
from .io.sequence_example import FeatureList, FeatureLists, SequenceExample  # noqa: F401
from .train_extra import (CheckpointOptions, ClusterSpec, Coordinator,  # noqa: F401
                          ExponentialMovingAverage, checkpoints_iterator)
