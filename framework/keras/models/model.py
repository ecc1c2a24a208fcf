"""Model: functional graph or subclass, with compile / fit / evaluate / predict."""
from __future__ import annotations

import copy

import numpy as np

import cuflow as cf

from .. import callbacks as cbks
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as opt_mod
from ..layers.base import Layer
from ..layers.symbolic import KerasTensor
from . import data_adapter as da
from .functional import call_layer, run_graph, topo_nodes
from .training import TrainingMixin


class Model(TrainingMixin, Layer):
    """``Model(inputs, outputs)`` (functional) or a subclass defining ``call``.

    >>> import cuflow as cf
    >>> x = cf.keras.Input((4,))
    >>> m = cf.keras.Model(x, cf.keras.layers.Dense(2)(x))
    >>> m.predict(cf.ones((3, 4)), verbose=0).shape
    (3, 2)
    """

    def __init__(self, *args, **kwargs):
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        super().__init__(**{k: v for k, v in kwargs.items()
                            if k in ("name", "trainable", "dtype")})
        self._init_training()
        self._functional = False
        if inputs is not None:
            self._init_graph(inputs, outputs)

    def _init_graph(self, inputs, outputs):
        self._nested_inputs, self._nested_outputs = inputs, outputs
        if isinstance(inputs, dict):
            self._input_names = list(inputs)
        self.inputs = list(inputs.values()) if isinstance(inputs, dict) else cf.nest.flatten(
            inputs)
        self.outputs = cf.nest.flatten(outputs)
        for t in self.inputs + self.outputs:
            if not isinstance(t, KerasTensor):
                raise ValueError(f"Model inputs and outputs must be KerasTensors (from "
                                 f"keras.Input and layer calls), got {type(t).__name__}")
        self._nodes = topo_nodes(self.inputs, self.outputs)
        layers = []
        for t in self.inputs:
            if getattr(t, "_input_layer", None) is not None:
                layers.append(t._input_layer)
        for node in self._nodes:
            if not any(node.layer is x for x in layers):
                layers.append(node.layer)
        self._graph_layers = layers
        self._functional = True
        self.built = True

    # --- structure ------------------------------------------------------------------------
    @property
    def layers(self):
        if self._functional:
            return list(self._graph_layers)
        return self._sublayers()

    def _sublayers(self):
        if getattr(self, "_functional", False):
            return [lay for lay in self._graph_layers]
        return [x for x in Layer._sublayers(self) if x is not self]

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[la.name for la in self.layers]}.")

    @property
    def input_shape(self):
        s = [tuple(t.shape.as_list()) for t in self.inputs]
        return s[0] if len(s) == 1 else s

    @property
    def output_shape(self):
        s = [tuple(t.shape.as_list()) for t in self.outputs]
        return s[0] if len(s) == 1 else s

    # --- calling --------------------------------------------------------------------------
    def call(self, inputs, training=None, mask=None):
        if not self._functional:
            raise NotImplementedError(
                f"Model {self.name!r} has no graph: subclasses of Model must define call()")
        if isinstance(inputs, dict) and hasattr(self, "_input_names"):
            flat = [inputs[k] for k in self._input_names]
        else:
            flat = cf.nest.flatten(inputs)
        if len(flat) != len(self.inputs):
            raise ValueError(f"Model {self.name!r} expects {len(self.inputs)} input(s), "
                             f"got {len(flat)}")
        flat = [x if isinstance(x, (cf.Tensor, cf.Variable)) else cf.constant(
            np.asarray(x, dtype=kt.dtype.as_numpy_dtype if np.asarray(x).dtype.kind == "f"
                       else None)) for x, kt in zip(flat, self.inputs)]
        outs = run_graph(self.inputs, self.outputs, self._nodes, flat, training)
        return cf.nest.pack_sequence_as(self._nested_outputs, outs)

    def __call__(self, inputs, *args, **kwargs):
        if self._functional and not any(isinstance(x, KerasTensor)
                                        for x in cf.nest.flatten(inputs)):
            training = kwargs.pop("training", args[0] if args else None)
            return self.call(inputs, training=training)
        return Layer.__call__(self, inputs, *args, **kwargs)

    def _build_from(self, inputs):
        shapes = cf.nest.map_structure(lambda x: tuple(x.shape), inputs)
        if type(self).build is not Model.build:
            self.build(shapes)
        self.built = True

    def build(self, input_shape=None):
        if input_shape is not None and not self.built and not self._functional:
            x = cf.nest.map_structure(lambda s: cf.zeros(
                tuple(1 if d is None else d for d in s)), input_shape,)
            self.call(x)
        self.built = True

    # --- summary --------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, **kwargs):
        from .summary import print_summary
        print_summary(self, print_fn=print_fn or print)

    def count_params(self):
        if not self.built:
            raise ValueError(f"You tried to call `count_params` on layer '{self.name}', but "
                             "the layer isn't built. You can build it manually via: "
                             f"`{self.name}.build(batch_input_shape)`.")
        return Layer.count_params(self)

    # --- config ---------------------------------------------------------------------------
    def get_config(self):
        from ..saving import functional_config
        if self._functional:
            return functional_config(self)
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving import functional_from_config
        if "layers" in config and "input_layers" in config:
            return functional_from_config(cls, config, custom_objects)
        return cls(**config)

    def to_json(self, **kwargs):
        import json

        from ..saving import serialize_model
        return json.dumps(serialize_model(self), **kwargs)

    def save(self, filepath, overwrite=True, **kwargs):
        from ..saving import save_model
        save_model(self, filepath, overwrite=overwrite)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        from ..saving import save_weights
        save_weights(self, filepath)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        from ..saving import load_weights
        load_weights(self, filepath)


__all__ = ["Model", "cbks", "losses_mod", "metrics_mod", "opt_mod", "copy", "call_layer",
           "da"]
