"""``keras.preprocessing.sequence``."""
from ..utils.sequence_utils import pad_sequences  # noqa: F401
