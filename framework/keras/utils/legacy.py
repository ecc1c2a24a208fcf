"""``keras.utils.legacy``: Keras 2's (de)serialization, ``{"class_name", "config"}`` dicts
without Keras 3's ``module``/``registered_name``; nested objects are marked
``__passive_serialization__`` and rebuilt on the way back.

    >>> import cuflow as cf
    >>> cf.keras.utils.legacy.serialize_keras_object(cf.keras.initializers.Ones())
    {'class_name': 'Ones', 'config': {}}
"""
from __future__ import annotations

import inspect

from .. import saving

__all__ = ["deserialize_keras_object", "serialize_keras_object"]


def serialize_keras_object(instance):
    """An object with ``get_config`` as ``{"class_name", "config"}`` (its config items
    serialized recursively where they can be), a function or class as its registered name."""
    instance = inspect.unwrap(instance)
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        config = {}
        for key, item in instance.get_config().items():
            if isinstance(item, str):
                config[key] = item
                continue
            try:
                serialized = serialize_keras_object(item)
                if isinstance(serialized, dict) and not isinstance(item, dict):
                    serialized["__passive_serialization__"] = True
                config[key] = serialized
            except ValueError:
                config[key] = item
        return {"class_name": saving.get_registered_name(instance.__class__), "config": config}
    if hasattr(instance, "__name__"):
        return saving.get_registered_name(instance)
    raise ValueError(f"Cannot serialize {instance} because it doesn't implement "
                     "`get_config()`.")


def _unknown(what, name):
    return ValueError(f"Unknown {what}: '{name}'. Please ensure you are using a "
                      "`keras.utils.custom_object_scope` and that this object is included in "
                      "the scope. See https://www.tensorflow.org/guide/keras/"
                      "save_and_serialize#registering_the_custom_object for details.")


def _class_and_config(config, module_objects, custom_objects, what):
    if not isinstance(config, dict) or "class_name" not in config or "config" not in config:
        raise ValueError(f"Improper config format for {config}. Expecting python dict contains "
                         "`class_name` and `config` as keys")
    cls = saving.get_registered_object(config["class_name"], custom_objects, module_objects)
    if cls is None:
        raise _unknown(what, config["class_name"])
    cls_config = config["config"]
    if isinstance(cls_config, list):
        return cls, cls_config
    rebuilt = {}
    for key, item in cls_config.items():
        if key == "name":
            rebuilt[key] = item
        elif isinstance(item, dict) and "__passive_serialization__" in item:
            rebuilt[key] = deserialize_keras_object(item, module_objects=module_objects,
                                                    custom_objects=custom_objects,
                                                    printable_module_name="config_item")
        elif isinstance(item, str) and inspect.isfunction(
                saving.get_registered_object(item, custom_objects, module_objects)):
            rebuilt[key] = saving.get_registered_object(item, custom_objects, module_objects)
    cls_config.update(rebuilt)
    return cls, cls_config


def deserialize_keras_object(identifier, module_objects=None, custom_objects=None,
                             printable_module_name="object"):
    """The object a ``serialize_keras_object`` result (or a name) stands for, looked up in
    ``custom_objects``, the custom-object scope, registered objects, then
    ``module_objects``."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        cls, cls_config = _class_and_config(identifier, module_objects, custom_objects,
                                            printable_module_name)
        custom_objects = custom_objects or {}
        if hasattr(cls, "from_config"):
            if "custom_objects" in inspect.getfullargspec(cls.from_config).args:
                return cls.from_config(cls_config, custom_objects={
                    **saving.get_custom_objects(), **custom_objects})
            with saving.custom_object_scope(custom_objects):
                return cls.from_config(cls_config)
        with saving.custom_object_scope(custom_objects):
            return cls(**cls_config)
    if isinstance(identifier, str):
        obj = saving.get_registered_object(identifier, custom_objects, module_objects)
        if obj is None:
            raise _unknown(printable_module_name, identifier)
        return obj() if inspect.isclass(obj) else obj
    if inspect.isfunction(identifier):
        return identifier
    raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")
