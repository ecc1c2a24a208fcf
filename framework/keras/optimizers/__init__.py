"""``cf.keras.optimizers``."""
from . import legacy, schedules  # noqa: F401
from .base import Optimizer
from .multi_optimizer import MultiOptimizer, OptimizerMap
from .muon import Muon, ScheduleFreeAdamW
from .optimizers import (SGD, Adadelta, Adafactor, Adagrad, Adam, Adamax, AdamW, Ftrl, Lamb,
                         Lion, Nadam, RMSprop)

_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad,
            "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam, "lion": Lion,
            "adafactor": Adafactor, "ftrl": Ftrl,  # Keras 3.15: Lamb has no string name
            "muon": Muon, "schedulefreeadamw": ScheduleFreeAdamW,
            "multioptimizer": MultiOptimizer}


def get(identifier):
    """An optimizer from a name ('adam'), a config dict or an instance."""
    if identifier is None:
        return None
    if isinstance(identifier, Optimizer) or hasattr(identifier, "apply_gradients"):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str) and identifier.lower() in _BY_NAME:
        return _BY_NAME[identifier.lower()]()
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")


def deserialize(config, custom_objects=None):
    """An optimizer from its config; built-in class names match case-insensitively (and,
    as in Keras, ``config['class_name']`` is lowercased in place for them)."""
    if config["class_name"].lower() in _BY_NAME:
        config["class_name"] = config["class_name"].lower()
        return _BY_NAME[config["class_name"]].from_config(config.get("config", {}))
    from ..serialization import deserialize as keras_deserialize
    obj = keras_deserialize(config, custom_objects)
    if not isinstance(obj, Optimizer):
        raise ValueError(f"Could not interpret optimizer identifier: {config}")
    return obj


def serialize(optimizer):
    from ..serialization import serialize as keras_serialize
    return keras_serialize(optimizer)  # Keras 3's form, with module and registered_name



def __getattr__(name):
    if name == "LossScaleOptimizer":  # also keras.optimizers' (lazily: no import cycle)
        from ..loss_scale import LossScaleOptimizer
        return LossScaleOptimizer
    raise AttributeError(f"module 'cuflow.keras.optimizers' has no attribute {name!r}")


def __dir__():  # dir() lists the lazy LossScaleOptimizer too, as Keras's namespace
    return sorted(set(globals()) | {"LossScaleOptimizer"})
