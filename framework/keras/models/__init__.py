"""cf.keras.models: Model, Sequential, load_model, clone_model, model_from_json."""
from .model import Model
from .sequential import Sequential


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from ..saving import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile,
                 safe_mode=safe_mode)


def model_from_json(json_string, custom_objects=None):
    from ..saving import model_from_json as _m
    return _m(json_string, custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    from ..saving import deserialize_model, serialize_model
    return deserialize_model(serialize_model(model), None)


__all__ = ["Model", "Sequential", "load_model", "model_from_json", "clone_model"]
