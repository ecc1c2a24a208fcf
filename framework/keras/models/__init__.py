"""``cf.keras.models``: Model, Sequential, Functional; saving and cloning helpers."""
from .functional import Functional  # noqa: F401
from .model import Model  # noqa: F401
from .sequential import Sequential  # noqa: F401


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    from ..saving import load_model as _load
    return _load(filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    from ..saving import save_model as _save
    return _save(model, filepath, overwrite=overwrite, zipped=zipped, **kwargs)


def model_from_json(json_string, custom_objects=None):
    from ..saving import model_from_json as _mfj
    return _mfj(json_string, custom_objects)


def clone_model(model, input_tensors=None, clone_function=None, call_function=None,
                recursive=False, **kwargs):
    """A new model of the same architecture with freshly initialized weights (Keras 3).

    Sequential and Functional models are rebuilt layer by layer: ``clone_function(layer)``
    makes each new layer (default: ``layer.__class__.from_config(layer.get_config())``;
    a shared layer is cloned once), ``call_function(layer, *args, **kwargs)`` calls it
    (Functional), ``recursive`` clones nested models the same way. Other models are
    rebuilt from their config.
    """
    from ..layers.core import Input, InputLayer
    from ..saving import deserialize_keras_object, serialize_keras_object
    if kwargs:
        raise ValueError(f"Unexpected keyword argument(s): {sorted(kwargs)}")
    cache = {}

    def clone(layer):
        if id(layer) in cache:
            return cache[id(layer)]
        if recursive and isinstance(layer, (Sequential, Functional)):
            new = clone_model(layer, clone_function=clone_function,
                              call_function=call_function, recursive=True)
        elif clone_function is not None:
            new = clone_function(layer)
        else:
            new = layer.__class__.from_config(layer.get_config())
        cache[id(layer)] = new
        return new

    if isinstance(model, Sequential):
        layers = [clone(layer) for layer in model.layers]
        source = getattr(model, "_input_layer", None)
        if input_tensors is not None:
            first = input_tensors[0] if isinstance(input_tensors, (list, tuple)) \
                else input_tensors
            layers = [first] + layers
        elif getattr(model, "_input_shape", None) is not None:
            name = source.name if isinstance(source, InputLayer) else None
            layers = [Input(batch_shape=tuple(model._input_shape),
                            dtype=getattr(model, "_input_dtype", None), name=name)] + layers
        return _compiled_like(Sequential(layers, name=model.name, trainable=model.trainable),
                              model)
    if isinstance(model, Functional):
        return _compiled_like(_clone_functional(model, input_tensors, clone, call_function),
                              model)
    if clone_function is not None or input_tensors is not None:
        raise ValueError("Arguments `clone_function` and `input_tensors` are only supported "
                         "for Sequential models or Functional models. Received model of "
                         f"type '{model.__class__.__name__}', with clone_function="
                         f"{clone_function} and input_tensors={input_tensors}")
    return deserialize_keras_object(serialize_keras_object(model),
                                    custom_objects={type(model).__name__: type(model)})


def _compiled_like(new, model):
    """Keras: a clone of a compiled model is compiled from its compile config."""
    if getattr(model, "compiled", False):
        new.compile_from_config(model.get_compile_config())
    return new


def _clone_functional(model, input_tensors, clone, call_function):
    """Runs ``model``'s graph on new Inputs with cloned layers (Keras names each new
    Input after the old symbolic input)."""
    from ... import nest
    from ..keras_tensor import KerasTensor
    from ..layers.core import Input
    if input_tensors is None:
        new_inputs = [Input(batch_shape=tuple(x.shape), dtype=x.dtype, name=x.name)
                      for x in model._flat_inputs]
    else:
        new_inputs = nest.flatten(input_tensors)
        if len(new_inputs) != len(model._flat_inputs):
            raise ValueError(f"Expected {len(model._flat_inputs)} input tensors, received "
                             f"{len(new_inputs)}.")
    values = {id(kt): v for kt, v in zip(model._flat_inputs, new_inputs)}

    def fetch(x):
        return values[id(x)] if isinstance(x, KerasTensor) else x
    for node in model._nodes:
        args = nest.map_structure(fetch, list(node.args))
        kwargs = nest.map_structure(fetch, dict(node.kwargs))
        layer = clone(node.layer)
        out = call_function(layer, *args, **kwargs) if call_function is not None \
            else layer(*args, **kwargs)
        for kt, v in zip(node.outputs, nest.flatten(out)):
            values[id(kt)] = v
    inputs = nest.pack_sequence_as(model._nested_inputs, new_inputs) \
        if isinstance(model._nested_inputs, (dict, list, tuple)) else new_inputs[0]
    outputs = nest.map_structure(fetch, model._nested_outputs)
    return Functional(inputs, outputs, name=model.name)
