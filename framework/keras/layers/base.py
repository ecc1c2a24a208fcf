"""Layer: builds on first call, owns weights (Keras 3 paths 'dense/kernel')."""
from __future__ import annotations

import re

import numpy as np

import cuflow as cf

from .. import initializers, regularizers

_name_counts: dict = {}


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()


def unique_name(base):
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def reset_uids():
    _name_counts.clear()


class KerasVariable(cf.Variable):
    """A cf.Variable with Keras 3 naming: ``name`` 'kernel', ``path`` 'dense/kernel'."""

    def __init__(self, value, name, path, trainable=True, regularizer=None, constraint=None):
        super().__init__(value, trainable=trainable, name=name, constraint=constraint)
        self.path = path
        self.regularizer = regularizer

    @property
    def name(self):
        return self._name[:-2]


class Layer:
    """Base class of all layers.

    >>> import cuflow as cf
    >>> d = cf.keras.layers.Dense(3)
    >>> d(cf.ones((2, 4))).shape
    TensorShape([2, 3])
    """

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None,
                 batch_input_shape=None, input_dim=None, **kwargs):
        self.name = name or unique_name(_snake(type(self).__name__))
        self._trainable = trainable
        self.built = False
        self._weights: list = []
        self._layers_cache = None
        self._losses: list = []
        self.supports_masking = False
        from ..mixed_precision import Policy, global_policy
        self._dtype_policy = Policy(dtype) if isinstance(dtype, str) else (
            dtype if dtype is not None else global_policy())
        if input_dim is not None and input_shape is None:
            input_shape = (input_dim,)
        if batch_input_shape is not None:
            self._batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self._batch_input_shape = (None,) + tuple(input_shape)
        else:
            self._batch_input_shape = None
        self._inbound_nodes = []

    # --- dtypes -----------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self):
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self):
        return self._dtype_policy.variable_dtype

    @property
    def dtype_policy(self):
        return self._dtype_policy

    # --- weights ----------------------------------------------------------------------
    def add_weight(self, name=None, shape=None, dtype=None, initializer=None,
                   regularizer=None, trainable=True, constraint=None, **kwargs):
        dtype = cf.as_dtype(dtype or self.variable_dtype).as_numpy_dtype
        if initializer is None:
            initializer = "glorot_uniform" if np.issubdtype(dtype, np.floating) else "zeros"
        init = initializers.get(initializer)
        shape = tuple(int(s) for s in (shape or ()))
        value = np.asarray(init(shape, dtype=dtype), dtype=dtype)
        name = name or f"variable_{len(self._weights)}"
        v = KerasVariable(value, name, f"{self.name}/{name}", trainable=trainable,
                          regularizer=regularizers.get(regularizer), constraint=constraint)
        self._weights.append(v)
        return v

    def _sublayers(self):
        out = []
        for v in self.__dict__.values():
            if isinstance(v, Layer):
                out.append(v)
            elif isinstance(v, (list, tuple)):
                out.extend(x for x in v if isinstance(x, Layer))
        return out

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        self._trainable = bool(value)
        for layer in self._sublayers():
            layer.trainable = value

    @property
    def weights(self):
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        out = [w for w in self._weights if w.trainable]
        for layer in self._sublayers():
            out += [w for w in layer.trainable_weights if not any(w is o for o in out)]
        return out

    @property
    def non_trainable_weights(self):
        own = self._weights if not self._trainable else [
            w for w in self._weights if not w.trainable]
        out = list(own)
        for layer in self._sublayers():
            src = layer.weights if not self._trainable else layer.non_trainable_weights
            out += [w for w in src if not any(w is o for o in out)]
        return out

    trainable_variables = property(lambda self: self.trainable_weights)
    non_trainable_variables = property(lambda self: self.non_trainable_weights)
    variables = property(lambda self: self.weights)

    def get_weights(self):
        return [np.array(w.numpy()) for w in self.weights]

    def set_weights(self, weights):
        ws = self.weights
        if len(weights) != len(ws):
            raise ValueError(f"Layer {self.name!r} expects {len(ws)} weights, but the "
                             f"given list has {len(weights)}")
        for w, v in zip(ws, weights):
            v = np.asarray(v)
            if tuple(w.shape) != v.shape:
                raise ValueError(f"Layer {self.name!r} weight {w.path} has shape "
                                 f"{tuple(w.shape)}, got {v.shape}")
            w.assign(v.astype(w.dtype.as_numpy_dtype))

    def count_params(self):
        return int(sum(int(np.prod(w.shape)) for w in self.weights))

    # --- losses -----------------------------------------------------------------------
    def add_loss(self, loss):
        self._losses.append(loss)

    @property
    def losses(self):
        out = list(self._losses)
        for w in self._weights:
            if w.regularizer is not None:
                out.append(w.regularizer(w))
        for layer in self._sublayers():
            out += layer.losses
        return out

    def _clear_losses(self):
        self._losses = []
        for layer in self._sublayers():
            layer._clear_losses()

    # --- calling ----------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def compute_output_shape(self, input_shape):
        from .symbolic import infer_output_shape
        return infer_output_shape(self, input_shape)

    def __call__(self, inputs, *args, **kwargs):
        from .symbolic import KerasTensor, call_symbolic
        if any(isinstance(x, KerasTensor) for x in cf.nest.flatten(inputs)):
            return call_symbolic(self, inputs, args, kwargs)
        if not self.built:
            self._build_from(inputs)
        if self.compute_dtype != "float32" or not _all_f32(inputs):
            inputs = self._cast_inputs(inputs)
        out = self.call(inputs, *args, **kwargs)
        return out

    def _build_from(self, inputs):
        shapes = cf.nest.map_structure(lambda x: tuple(x.shape), inputs)
        self.build(shapes if not isinstance(shapes, list) or len(shapes) != 1 else shapes)
        self.built = True

    def _cast_inputs(self, inputs):
        dt = cf.as_dtype(self.compute_dtype)

        def cast(x):
            if isinstance(x, (cf.Tensor, cf.Variable)):
                return cf.cast(x, dt) if x.dtype.is_floating and x.dtype != dt else x
            if isinstance(x, np.ndarray) or isinstance(x, (float, int, list)):
                a = np.asarray(x)
                if a.dtype.kind == "f" or a.dtype == np.float64:
                    return cf.constant(a.astype(dt.as_numpy_dtype))
                return cf.constant(a)
            return x
        return cf.nest.map_structure(cast, inputs)

    # --- config -----------------------------------------------------------------------
    def get_config(self):
        cfg = {"name": self.name, "trainable": self.trainable,
               "dtype": self._dtype_policy.name}
        if self._batch_input_shape is not None:
            cfg["batch_input_shape"] = list(self._batch_input_shape)
        return cfg

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _all_f32(inputs):
    if isinstance(inputs, (cf.Tensor, cf.Variable)):
        return inputs.dtype == cf.float32 or not inputs.dtype.is_floating
    return False
