"""Sequential: a linear stack of layers; add/pop, input_shape on the first layer."""
from __future__ import annotations

import cuflow as cf

from ..layers.core import InputLayer
from ..layers.symbolic import Input, KerasTensor
from .functional import call_layer
from .model import Model


class Sequential(Model):
    """A stack of layers, each called on the previous one's output.

    >>> import cuflow as cf
    >>> m = cf.keras.Sequential([cf.keras.layers.Dense(2, input_shape=(3,))])
    >>> m.count_params()
    8
    """

    def __init__(self, layers=None, name=None, trainable=True):
        super().__init__(name=name, trainable=trainable)
        self._seq_layers = []
        self._input_kt = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return [la for la in self._seq_layers if not isinstance(la, InputLayer)]

    def _sublayers(self):
        return self.layers

    def add(self, layer):
        if isinstance(layer, KerasTensor) and getattr(layer, "_input_layer", None):
            layer = layer._input_layer
        from ..layers.base import Layer
        if not isinstance(layer, Layer):
            raise TypeError(f"The added layer must be an instance of class Layer. "
                            f"Received: layer={layer} of type {type(layer)}.")
        names = {la.name for la in self._seq_layers}
        if layer.name in names:
            raise ValueError(f"All layers added to a Sequential model should have unique "
                             f"names. Name {layer.name!r} is already the name of a layer "
                             f"in this model.")
        self._seq_layers.append(layer)
        if isinstance(layer, InputLayer):
            self._input_kt = layer.output
        elif self._input_kt is None and len(self._seq_layers) == 1 and getattr(
                layer, "_batch_input_shape", None) is not None:
            self._input_kt = Input(batch_shape=layer._batch_input_shape)
        self._rebuild_graph()

    def pop(self):
        if not self.layers:
            raise TypeError("There are no layers in the model.")
        layer = self._seq_layers.pop()
        self._rebuild_graph()
        return layer

    def _rebuild_graph(self):
        self._functional = False
        if self._input_kt is None or not self.layers:
            return
        x = self._input_kt
        for layer in self.layers:
            x = layer(x)
        self._init_graph(self._input_kt, x)

    def build(self, input_shape=None):
        if self._functional:
            return
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        self._input_kt = Input(batch_shape=tuple(input_shape))
        self._rebuild_graph()
        self.built = True

    def call(self, inputs, training=None, mask=None):
        if self._functional:
            return Model.call(self, inputs, training=training)
        x = inputs
        for layer in self.layers:
            x = call_layer(layer, x, training)
        return x

    def __call__(self, inputs, *args, **kwargs):
        if not self._functional and not any(isinstance(x, KerasTensor)
                                            for x in cf.nest.flatten(inputs)):
            shape = tuple(inputs.shape) if hasattr(inputs, "shape") else None
            if shape is not None and not self.built:
                self.build((None,) + shape[1:])
            training = kwargs.pop("training", args[0] if args else None)
            return self.call(inputs, training=training)
        return Model.__call__(self, inputs, *args, **kwargs)

    def get_config(self):
        from ..saving import serialize_layer
        layers = []
        if self._input_kt is not None:
            layers.append({"class_name": "InputLayer", "config": {
                "batch_shape": list(self._input_kt.shape.as_list()),
                "dtype": self._input_kt.dtype.name}})
        layers += [serialize_layer(la) for la in self.layers]
        return {"name": self.name, "trainable": self.trainable, "layers": layers}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving import deserialize_layer
        model = cls(name=config.get("name"))
        for lc in config["layers"]:
            model.add(deserialize_layer(lc, custom_objects))
        return model
