"""``cf.keras.layers``."""
from .base import InputSpec, Layer  # noqa: F401
from .core import (Activation, Dense, Dropout, Flatten, Identity, Input,  # noqa: F401
                   InputLayer, Lambda, Permute, Rescaling, RepeatVector, Reshape)
from .merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,  # noqa: F401
                    Subtract, add, average, concatenate, dot, maximum, minimum, multiply,
                    subtract)
