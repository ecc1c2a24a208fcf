"""``keras.legacy``: Keras 2's serialization under ``keras.legacy.saving``."""
from . import saving  # noqa: F401
