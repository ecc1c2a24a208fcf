"""cf.keras: the Keras API (tf.keras names, Keras 3 semantics where they differ).

>>> import cuflow as cf
>>> model = cf.keras.Sequential([cf.keras.layers.Dense(2, input_shape=(3,))])
>>> model.compile(optimizer="adam", loss="mse")
"""
from . import (activations, backend, callbacks, initializers, layers, losses, metrics,
               mixed_precision, models, optimizers, regularizers, utils)
from .layers import Input, Layer
from .models import Model, Sequential

__all__ = ["activations", "backend", "callbacks", "initializers", "layers", "losses",
           "metrics", "mixed_precision", "models", "optimizers", "regularizers", "utils",
           "Input", "Layer", "Model", "Sequential", "datasets", "saving"]


def __getattr__(name):
    import importlib
    if name in ("datasets", "saving", "constraints"):
        mod = importlib.import_module(f".{name}", __name__)
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'cuflow.keras' has no attribute {name!r}")
