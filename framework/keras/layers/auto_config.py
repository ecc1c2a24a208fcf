"""Keras 3's automatic ``get_config`` for user layers and models that define none.

Keras records a layer's constructor arguments in ``__new__`` when they are all plain
values (str, int, float, bool, None, nested in lists/dicts); the default ``get_config``
then returns ``{"name": ..., **arguments, "trainable": ..., "dtype": ...}`` and raises
NotImplementedError when the arguments were not plain. A subclassed Model is created
through ``Model.__new__(cls)`` without its arguments, so it gets its defaults (or the
error when an argument has none): the same quirk as Keras.
"""
from __future__ import annotations

import inspect
import textwrap

from ... import nest

_PLAIN = (str, int, float, bool, type(None))

_EXAMPLE = """
class CustomLayer(keras.layers.Layer):
    def __init__(self, arg1, arg2, **kwargs):
        super().__init__(**kwargs)
        self.arg1 = arg1
        self.arg2 = arg2

    def get_config(self):
        config = super().get_config()
        config.update({
            "arg1": self.arg1,
            "arg2": self.arg2,
        })
        return config"""


def record(instance, cls, args, kwargs):
    """Stores the constructor arguments on ``instance`` (Keras's Operation.__new__)."""
    state = {"_auto_config": None, "_auto_config_error_args": False}
    try:
        signature = inspect.signature(cls.__init__)
        spec = inspect.getfullargspec(cls.__init__)
        bound = signature.bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        instance.__dict__.update(state)
        return
    if any(p.kind == inspect.Parameter.POSITIONAL_ONLY
           for n, p in signature.parameters.items() if n != spec.args[0]):
        state["_auto_config_error_args"] = True
        instance.__dict__.update(state)
        return
    bound.apply_defaults()
    values = dict(bound.arguments)
    values |= values.pop(spec.varkw, {}) if spec.varkw else {}
    values.pop(spec.args[0])
    values.pop("name", None)
    if spec.varargs is not None and len(values.pop(spec.varargs)) > 0:
        state["_auto_config_error_args"] = True
        instance.__dict__.update(state)
        return
    try:
        plain = all(isinstance(v, _PLAIN) for v in nest.flatten(values))
    except TypeError:
        plain = False
    if plain:
        state["_auto_config"] = values
    instance.__dict__.update(state)


def uses_auto_config(layer, base_get_config):
    """True for a user class whose get_config is the base one (Keras's @default)."""
    cls = type(layer)
    return (getattr(cls.get_config, "__func__", cls.get_config) is base_get_config
            and not cls.__module__.startswith("cuflow."))


def auto_config(layer, is_model):
    """``{"name": ..., **recorded arguments}`` or Keras's NotImplementedError."""
    config = {"name": layer.name}
    recorded = layer.__dict__.get("_auto_config")
    if recorded is None:
        name = type(layer).__name__
        if layer.__dict__.get("_auto_config_error_args"):
            why = ("positional only or variadic positional arguments (e.g.,\n`*args`) to "
                   "`__init__()`, which is not supported by the\nautomatic config "
                   "generation. Please remove all positional\nonly and variadic arguments "
                   "from `__init__()`\nor override `get_config()` and `from_config()` to "
                   "make\nthe object serializatble.")
        else:
            why = ("non-serializable argument values in `__init__()`,\nand therefore the "
                   "layer must override `get_config()` in\norder to be serializable. "
                   "Please implement `get_config()`.")
        raise NotImplementedError(f"\nObject {name} was created by passing\n{why}\n\n"
                                  f"Example:\n{textwrap.indent(_EXAMPLE, '')}")
    config.update(recorded)
    params = inspect.signature(type(layer).__init__).parameters
    if is_model:
        has_kwargs = "kwargs" in params and \
            params["kwargs"].kind == inspect.Parameter.VAR_KEYWORD
        if "name" not in params and not has_kwargs:
            config.pop("name", None)
    else:
        spec = inspect.getfullargspec(type(layer).__init__)
        if spec.varkw != "kwargs" and "name" not in spec.args[1:]:
            config.pop("name", None)
    return config
