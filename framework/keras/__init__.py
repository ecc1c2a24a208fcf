"""``cf.keras``: tf.keras's API (Keras 3 semantics where the two differ) on cuflow ops."""
from . import (  # noqa: F401
               activations,
               applications,
               backend,
               callbacks,
               constraints,
               datasets,
               initializers,
               layers,
               losses,
               metrics,
               mixed_precision,
               models,
               optimizers,
               preprocessing,
               regularizers,
               saving,
               utils,
)
from .layers import Input  # noqa: F401
from .models import Model, Sequential  # noqa: F401
from .saving import register_keras_serializable  # noqa: F401

Layer = layers.Layer
__version__ = "3.0.0-cuflow"

# --- keras-ops ---
from . import ops  # noqa: E402,F401
