"""Sequential: a plain stack of layers, one input and one output."""
from __future__ import annotations

from ..layers.base import Layer
from ..layers.core import InputLayer
from .model import Model


class Sequential(Model):
    """A linear stack of layers.

    >>> import cuflow as cf
    >>> model = cf.keras.Sequential([cf.keras.layers.Dense(4, input_shape=(3,)),
    ...                              cf.keras.layers.Dense(1)])
    >>> model.count_params()
    21
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._seq_layers = []
        self._input_shape = None
        self._input_dtype = "float32"
        for layer in layers or []:
            self.add(layer, rebuild=False)
        if self._input_shape is not None and self._seq_layers:
            self.build(self._input_shape)   # once, as Keras's _maybe_rebuild

    def add(self, layer, rebuild=True):
        """Appends a layer (an InputLayer/Input sets the input shape)."""
        from ..keras_tensor import KerasTensor
        if isinstance(layer, KerasTensor):
            layer = getattr(layer, "_origin", None)
        if isinstance(layer, InputLayer):
            if getattr(self, "_input_layer", None) is not None or (
                    self._seq_layers and self._seq_layers[0]._batch_input_shape is not None):
                raise ValueError(f"Sequential model '{self.name}' has already been "
                                 f"configured to use input shape {self._input_shape}. You "
                                 "cannot add a different Input layer to it.")
            self._input_shape = layer.batch_shape
            self._input_dtype = str(layer._input_dtype)
            self._input_layer = layer
            return
        if not isinstance(layer, Layer):
            raise ValueError(f"Only instances of `keras.Layer` can be added to a Sequential "
                             f"model. Received: {layer!r} (of type {type(layer)})")
        if any(existing.name == layer.name for existing in self._seq_layers):
            raise ValueError(f'All layers added to a Sequential model should have unique '
                             f'names. Name "{layer.name}" is already the name of a layer in '
                             f"this model. Update the `name` argument to pass a unique name.")
        if not self._seq_layers and layer._batch_input_shape is not None:
            self._input_shape = layer._batch_input_shape
        self._seq_layers.append(layer)
        self._layers = list(self._seq_layers)
        self.built = False
        self._sym_graph = None
        if self._input_shape is not None and rebuild:
            self.build(self._input_shape)

    def pop(self, rebuild=True):
        if not self._seq_layers:
            raise TypeError("There are no layers in the model.")
        layer = self._seq_layers.pop()
        self._layers = list(self._seq_layers)
        self.built = False
        self._sym_graph = None
        if self._input_shape is not None and self._seq_layers and rebuild:
            self.build(self._input_shape)
        return layer

    @property
    def layers(self):
        return list(self._seq_layers)

    def build(self, input_shape=None):
        if input_shape is None:
            input_shape = self._input_shape
        if input_shape is None:
            raise ValueError("You must provide an `input_shape` argument.")
        self._input_shape = tuple(input_shape)
        Model.build(self, self._input_shape)
        self.built = True
        self._build_graph()

    def _restate_input_shape(self, shape):
        if self._input_shape is not None and tuple(self._input_shape) != shape:
            self._input_shape = shape
            self._build_graph(count_name=False)

    def _build_graph(self, count_name=True):
        """The symbolic graph Keras's Sequential builds once its input shape is known:
        ``model.inputs/outputs`` and each layer's ``input``/``output`` (feature
        extraction: ``Model(model.inputs, [l.output for l in model.layers])``)."""
        from ..layers.core import InputLayer
        for layer, node in getattr(self, "_sym_nodes", ()):   # the previous build's graph
            if node in layer._inbound_nodes:
                layer._inbound_nodes.remove(node)
        self._sym_graph, self._sym_nodes = None, []
        source = getattr(self, "_input_layer", None)
        if source is None or tuple(source.batch_shape) != tuple(self._input_shape):
            # built from a call: Keras keeps the first batch's size in the Input (the
            # summary shows (1, 2) after model(ones((1, 4)))); input_spec frees it
            reuse = None if count_name or source is None else source.name
            source = self._input_layer = InputLayer(
                batch_shape=tuple(self._input_shape), dtype=self._input_dtype, name=reuse)
        from .. import backend
        if count_name:   # Keras builds a Functional here: its name
            self._functional_name = backend.unique_name("functional")
        inp = x = source.output
        try:
            for layer in self._seq_layers:
                x = layer(x)
                self._sym_nodes.append((layer, layer._inbound_nodes[-1]))
        except ValueError as e:     # Keras's build raises these (a nested built Sequential)
            if getattr(e, "_input_shape_error", False):
                raise
            return
        except Exception:  # noqa: BLE001 - a layer that cannot run symbolically: no graph
            return
        self._sym_graph = (inp, x)

    def _graph(self, what):
        graph = getattr(self, "_sym_graph", None)
        if graph is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} "
                                 "yet.")
        return graph

    @property
    def inputs(self):
        return [self._graph("inputs")[0]]

    @property
    def outputs(self):
        return [self._graph("outputs")[1]]

    @property
    def input(self):
        """Keras 3: the input of this model's first call as a layer of another graph (its
        own graph's before any; Keras raises there)."""
        if any(n.outputs is not None for n in self._inbound_nodes):
            return Layer.input.fget(self)
        return self._graph("input")[0]

    @property
    def output(self):
        """Keras 3: the output of this model's first call as a layer of another graph
        (feature extraction from a nested Sequential), else its own graph's."""
        if any(n.outputs is not None for n in self._inbound_nodes):
            return Layer.output.fget(self)
        return self._graph("output")[1]

    def _symbolic_call(self, inputs, args, kwargs):
        """Symbolic inputs are checked against the built Functional's input shape (a
        built Sequential nested in another model's build raises as in Keras 3)."""
        from ..keras_tensor import KerasTensor
        if getattr(self, "_sym_graph", None) is not None and isinstance(inputs, KerasTensor):
            from .functional import _check_shape
            inp = self._sym_graph[0]
            try:
                _check_shape(_Named(self._functional_name), 0, inputs, inp.name,
                             tuple(inp.shape))
            except ValueError as e:
                e._input_shape_error = True
                raise
        return super()._symbolic_call(inputs, args, kwargs)

    def call(self, inputs, training=None, mask=None, **kwargs):
        """Runs the layers in order, passing Keras masks along (Embedding(mask_zero=True)
        -> LSTM skips padded steps)."""
        x = inputs
        if getattr(self, "_sym_graph", None) is not None and hasattr(x, "shape"):
            # Keras 3 runs a built Sequential as its Functional: the input's rank is
            # adjusted (or refused); other sizes of the same rank run eagerly
            x = _adjust_rank(self._input_shape, x)
        for layer in self._seq_layers:
            kwargs = {}
            if training is not None and layer._call_has_training:
                kwargs["training"] = training
            if mask is not None and layer._call_has_mask:
                kwargs["mask"] = mask
            y = layer(x, **kwargs)
            mask = layer.compute_mask(x, mask)
            x = y
        return x

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def output_shape(self):
        from .functional import probe_output_shapes
        shape = self._input_shape
        for layer in self._seq_layers:
            shape = probe_output_shapes(layer, shape)
        return shape

    def get_config(self):
        """Keras 3's schema: name, trainable, dtype (a DTypePolicy dict), the layers
        (led by an InputLayer when the input shape is known) and build_input_shape."""
        from ..serialization import dtype_policy, serialize_layer
        layers = [serialize_layer(layer) for layer in self._seq_layers]
        if self._input_shape is not None:
            layers.insert(0, {"module": "keras.layers", "class_name": "InputLayer",
                              "config": {"batch_shape": tuple(self._input_shape),
                                         "dtype": self._input_dtype, "sparse": False,
                                         "ragged": False, "name": getattr(
                                             getattr(self, "_input_layer", None), "name",
                                             "input_layer"),
                                         "optional": False},
                              "registered_name": None})
        config = {"name": self.name, "trainable": self.trainable,
                  "dtype": dtype_policy(self.dtype_policy.name), "layers": layers}
        if self._input_shape is not None:
            config["build_input_shape"] = tuple(self._input_shape)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None, safe_mode=True):
        from ..saving import deserialize_keras_object
        model = cls(name=config.get("name"))
        for layer_config in config["layers"]:
            layer = deserialize_keras_object(layer_config, custom_objects, safe_mode)
            model.add(layer, rebuild=False)   # an InputLayer keeps its saved name
        if config.get("build_input_shape") is not None:
            model.build(tuple(config["build_input_shape"]))
        return model


def _adjust_rank(ref, x):
    """With a known input shape Keras 3 runs a Sequential as a Functional, whose
    ``_adjust_input_rank`` adds or drops a trailing size-1 axis ((batch,) data for an
    ``input_shape=[1]`` model, as in the "Basic regression" tutorial)."""
    shape = getattr(x, "shape", None)
    if ref is None or shape is None or getattr(shape, "rank", None) is None or not ref:
        return x
    if len(shape) == len(ref):
        return x
    from ...ops import array_ops as _a
    if len(shape) == len(ref) + 1 and shape[-1] == 1:
        return _a.squeeze(x, axis=[-1])
    if len(shape) == len(ref) - 1 and ref[-1] == 1:
        return _a.expand_dims(x, -1)
    raise ValueError(f"Invalid input shape for input {x}. Expected shape {tuple(ref)}, but "
                     f"input has incompatible shape {tuple(shape)}")


class _Named:
    """Stands for Keras's inner Functional in its input-shape error message."""

    def __init__(self, name):
        self.name = name
