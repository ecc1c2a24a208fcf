"""``cf.keras.layers``."""
from .base import InputSpec, Layer  # noqa: F401
from .core import (  # noqa: F401
                   Activation,
                   Dense,
                   Dropout,
                   Flatten,
                   Identity,
                   Input,
                   InputLayer,
                   Lambda,
                   Permute,
                   RepeatVector,
                   Rescaling,
                   Reshape,
)
from .merge import (  # noqa: F401
                   Add,
                   Average,
                   Concatenate,
                   Dot,
                   Maximum,
                   Minimum,
                   Multiply,
                   Subtract,
                   add,
                   average,
                   concatenate,
                   dot,
                   maximum,
                   minimum,
                   multiply,
                   subtract,
)
