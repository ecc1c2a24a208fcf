"""Recurrent layers: SimpleRNN, LSTM, GRU (Keras 3 weights and equations), their cells,
the generic RNN wrapper, Bidirectional and TimeDistributed.

The time loop runs in Python over cuflow ops; the input projection ``x @ kernel`` is one
matmul for all time steps, so each step costs one recurrent matmul plus elementwise ops.
"""
from __future__ import annotations

from ...ops import array_ops as _a
from ...ops import linalg_ops as _la
from ...ops import math_ops as _m
from ...ops.manip_ops import reverse as _reverse
from .. import activations, initializers, regularizers
from .base import Layer


class _Cell(Layer):
    n_gates = 1

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, dropout=0.0,
                 recurrent_dropout=0.0, **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units}.")
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)

    @property
    def state_size(self):
        return [self.units]

    def build(self, input_shape):
        dim = input_shape[-1]
        g = self.n_gates * self.units
        self.kernel = self.add_weight("kernel", (dim, g), initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", (self.units, g), initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer)
        self.bias = self.add_weight("bias", self._bias_shape(), initializer=self._bias_init(),
                                    regularizer=self.bias_regularizer) if self.use_bias \
            else None
        self.built = True

    def _bias_shape(self):
        return (self.n_gates * self.units,)

    def _bias_init(self):
        return self.bias_initializer

    def project(self, x):
        """x @ kernel (+ input bias) for every time step at once: (B, T, gates*units)."""
        b, t, d = (int(s) for s in x.shape)
        flat = _la.matmul(_a.reshape(x, (b * t, d)), self._cw(self.kernel))
        if self.bias is not None and self._input_bias() is not None:
            flat = flat + self._cw(self._input_bias())
        return _a.reshape(flat, (b, t, -1))

    def _input_bias(self):
        return self.bias

    def get_config(self):
        config = super().get_config()
        config.update(units=self.units, activation=activations.serialize(self.activation),
                      use_bias=self.use_bias, dropout=self.dropout,
                      recurrent_dropout=self.recurrent_dropout,
                      kernel_initializer=initializers.serialize(self.kernel_initializer),
                      recurrent_initializer=initializers.serialize(self.recurrent_initializer),
                      bias_initializer=initializers.serialize(self.bias_initializer))
        return config


class SimpleRNNCell(_Cell):
    """h' = activation(x W + h U + b)."""

    def step(self, xw, states):
        h = self.activation(xw + _la.matmul(states[0], self._cw(self.recurrent_kernel)))
        return h, [h]


class LSTMCell(_Cell):
    """Gates i, f, c, o (Keras order); c' = f c + i tanh(.), h' = o tanh(c')."""

    n_gates = 4

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias=True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_init(self):
        if not self.unit_forget_bias:
            return self.bias_initializer
        base, u = self.bias_initializer, self.units

        def init(shape, dtype=None):
            parts = [base((u,), dtype), initializers.Ones()((u,), dtype),
                     base((2 * u,), dtype)]
            return _a.concat(parts, axis=0)
        return init

    def step(self, xw, states):
        h, c = states
        z = xw + _la.matmul(h, self._cw(self.recurrent_kernel))
        i, f, g, o = _a.split(z, 4, axis=-1)
        ra = self.recurrent_activation
        c = ra(f) * c + ra(i) * self.activation(g)
        h = ra(o) * self.activation(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      unit_forget_bias=self.unit_forget_bias)
        return config


class GRUCell(_Cell):
    """Gates z, r, h; reset_after=True (Keras default): bias has shape (2, 3 units)."""

    n_gates = 3

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid",
                 reset_after=True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.reset_after = reset_after

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _input_bias(self):
        return self.bias[0] if self.reset_after else self.bias

    def step(self, xw, states):
        h = states[0]
        xz, xr, xh = _a.split(xw, 3, axis=-1)
        ra = self.recurrent_activation
        if self.reset_after:
            rec = _la.matmul(h, self._cw(self.recurrent_kernel))
            if self.bias is not None:
                rec = rec + self._cw(self.bias[1])
            rz, rr, rh = _a.split(rec, 3, axis=-1)
            z = ra(xz + rz)
            r = ra(xr + rr)
            hh = self.activation(xh + r * rh)
        else:
            uz, ur, uh = _a.split(self._cw(self.recurrent_kernel), 3, axis=-1)
            z = ra(xz + _la.matmul(h, uz))
            r = ra(xr + _la.matmul(h, ur))
            hh = self.activation(xh + _la.matmul(r * h, uh))
        h = z * h + (1.0 - z) * hh
        return h, [h]

    def get_config(self):
        config = super().get_config()
        config.update(recurrent_activation=activations.serialize(self.recurrent_activation),
                      reset_after=self.reset_after)
        return config


class RNN(Layer):
    """Runs a cell over the time axis (batch, time, features)."""

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        super().__init__(**kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = return_sequences, return_state
        self.go_backwards, self.stateful = go_backwards, stateful
        self._states = None
        self.supports_masking = True

    def build(self, input_shape):
        if not self.cell.built:
            self.cell.build(input_shape)
            self.cell.built = True
        self.built = True

    @property
    def states(self):
        return self._states

    def reset_states(self, states=None):
        self._states = None if states is None else list(states)

    reset_state = reset_states

    def _initial(self, batch, dtype, initial_state):
        if initial_state is not None:
            return list(initial_state) if isinstance(initial_state, (list, tuple)) \
                else [initial_state]
        if self.stateful and self._states is not None:
            return self._states
        return [_a.zeros((batch, n), dtype) for n in self.cell.state_size]

    def call(self, inputs, mask=None, training=None, initial_state=None):
        x = inputs
        batch, steps = int(x.shape[0]), int(x.shape[1])
        states = self._initial(batch, x.dtype, initial_state)
        xw = self.cell.project(x)
        if self.cell.dropout and training:
            from ... import nn
            xw = nn.dropout(xw, rate=self.cell.dropout)
        order = range(steps - 1, -1, -1) if self.go_backwards else range(steps)
        outputs = []
        mask_steps = None if mask is None else _a.unstack(_m.cast(mask, x.dtype), axis=1)
        prev = _a.zeros((batch, self.cell.units), x.dtype)
        for t in order:
            out, new_states = self.cell.step(xw[:, t], states)
            if mask_steps is not None:
                keep = _a.expand_dims(mask_steps[t], -1)
                out = out * keep + prev * (1.0 - keep)
                new_states = [n * keep + s * (1.0 - keep) for n, s in zip(new_states, states)]
            prev, states = out, new_states
            outputs.append(out)
        if self.stateful:
            self._states = [_m.stop_gradient(s) for s in states]
        result = _a.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if self.return_state:
            return [result] + list(states)
        return result

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def get_config(self):
        config = super().get_config()
        config.update(return_sequences=self.return_sequences, return_state=self.return_state,
                      go_backwards=self.go_backwards, stateful=self.stateful)
        return config


def _make_rnn(cell_cls, name):
    class _R(RNN):
        def __init__(self, units, return_sequences=False, return_state=False,
                     go_backwards=False, stateful=False, unroll=False, **kwargs):
            base_keys = {"name", "trainable", "dtype", "input_shape", "batch_input_shape",
                         "batch_size", "input_dim", "activity_regularizer", "weights"}
            base = {k: kwargs.pop(k) for k in list(kwargs) if k in base_keys}
            cell = cell_cls(units, dtype=base.get("dtype"), **kwargs)
            super().__init__(cell, return_sequences, return_state, go_backwards, stateful,
                             unroll, **base)
            self.units = int(units)

        def get_config(self):
            config = RNN.get_config(self)
            cell_config = self.cell.get_config()
            for k in ("name", "trainable", "dtype"):
                cell_config.pop(k, None)
            config.update(cell_config)
            return config

        @property
        def kernel(self):
            return self.cell.kernel

        @property
        def recurrent_kernel(self):
            return self.cell.recurrent_kernel

        @property
        def bias(self):
            return self.cell.bias
    _R.__name__ = _R.__qualname__ = name
    return _R


SimpleRNN = _make_rnn(SimpleRNNCell, "SimpleRNN")
LSTM = _make_rnn(LSTMCell, "LSTM")
GRU = _make_rnn(GRUCell, "GRU")


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy backwards; merges their outputs."""

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None,
                 **kwargs):
        super().__init__(**kwargs)
        if merge_mode not in ("concat", "sum", "mul", "ave", None):
            raise ValueError(f"Invalid merge mode. Received: {merge_mode}. Merge mode should "
                             "be one of {'sum', 'mul', 'ave', 'concat', None}")
        self.forward_layer = layer
        if backward_layer is None:
            config = layer.get_config()
            config["go_backwards"] = not config.get("go_backwards", False)
            config["name"] = "backward_" + layer.name
            backward_layer = type(layer).from_config(config)
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def call(self, inputs, mask=None, training=None):
        fw = self.forward_layer(inputs, mask=mask, training=training)
        bw = self.backward_layer(inputs, mask=mask, training=training)
        fw_states = bw_states = []
        if self.return_state:
            fw, fw_states = fw[0], fw[1:]
            bw, bw_states = bw[0], bw[1:]
        if self.return_sequences:
            bw = _reverse(bw, [1])
        if self.merge_mode == "concat":
            out = _a.concat([fw, bw], axis=-1)
        elif self.merge_mode == "sum":
            out = fw + bw
        elif self.merge_mode == "mul":
            out = fw * bw
        elif self.merge_mode == "ave":
            out = (fw + bw) / 2.0
        else:
            out = [fw, bw]
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + list(fw_states) + \
                list(bw_states)
        return out

    def get_config(self):
        from ..saving import serialize_keras_object
        config = super().get_config()
        config.update(layer=serialize_keras_object(self.forward_layer),
                      merge_mode=self.merge_mode)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving import deserialize_keras_object
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects)
        return cls(**config)


class TimeDistributed(Layer):
    """Applies ``layer`` to every time step: (B, T, ...) -> (B*T, ...) -> (B, T, ...)."""

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        self.layer = layer

    def call(self, inputs, training=None):
        shape = tuple(int(s) for s in inputs.shape)
        flat = _a.reshape(inputs, (shape[0] * shape[1],) + shape[2:])
        out = self.layer(flat, training=training) if self.layer._call_has_training else \
            self.layer(flat)
        rest = tuple(int(s) for s in out.shape[1:])
        return _a.reshape(out, (shape[0], shape[1]) + rest)

    def get_config(self):
        from ..saving import serialize_keras_object
        config = super().get_config()
        config["layer"] = serialize_keras_object(self.layer)
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from ..saving import deserialize_keras_object
        config = dict(config)
        config["layer"] = deserialize_keras_object(config["layer"], custom_objects)
        return cls(**config)

