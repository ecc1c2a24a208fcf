"""``cf.keras.models``: Model, Sequential, Functional; saving and cloning helpers."""
from .functional import Functional  # noqa: F401
from .model import Model  # noqa: F401
from .sequential import Sequential  # noqa: F401


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from ..saving import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, **kwargs):
    from ..saving import save_model as _save
    return _save(model, filepath, overwrite=overwrite)


def model_from_json(json_string, custom_objects=None):
    from ..saving import model_from_json as _mfj
    return _mfj(json_string, custom_objects)


def clone_model(model, input_tensors=None, clone_function=None):
    """A new model with the same architecture and freshly initialized weights."""
    from ..saving import deserialize_keras_object, serialize_keras_object
    return deserialize_keras_object(serialize_keras_object(model))
