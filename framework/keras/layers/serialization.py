"""``keras.layers.serialize`` / ``keras.layers.deserialize``: a layer to and from its
Keras 3 serialized dict (``{"module", "class_name", "config", "registered_name"}``).

>>> import cuflow as cf
>>> d = cf.keras.layers.serialize(cf.keras.layers.Dense(3))
>>> d["class_name"], cf.keras.layers.deserialize(d).units
('Dense', 3)
"""
from __future__ import annotations

from .base import Layer


def serialize(layer):
    """The layer's configuration as a Keras 3 serialized dict."""
    from ..saving import serialize_keras_object
    return serialize_keras_object(layer)


def deserialize(config, custom_objects=None):
    """A layer from ``serialize``'s dict (or Keras's); ValueError for non-layers."""
    from ..saving import deserialize_keras_object
    obj = deserialize_keras_object(config, custom_objects=custom_objects)
    if not isinstance(obj, Layer):
        raise ValueError("`keras.layers.deserialize` was passed a `config` object that is "
                         f"not a `keras.layers.Layer`. Received: {config}")
    return obj
