"""ConvLSTM1D/2D/3D: an LSTM whose input and recurrent transforms are convolutions
(Keras 3 weights: kernel (k..., in, 4*filters), recurrent_kernel (k..., filters,
4*filters), bias (4*filters,), gate order i, f, c, o).

Each step convolves the input with the kernel (the layer's strides, padding and
dilation) and the hidden state with the recurrent kernel (stride 1, 'same'), as Keras.
channels_first inputs are moved to channels_last once for the whole sequence.

>>> import cuflow as cf, numpy as np
>>> cf.keras.layers.ConvLSTM2D(2, 3)(np.zeros((1, 4, 6, 6, 1), "float32")).shape
TensorShape([1, 4, 4, 2])
"""
from __future__ import annotations

from ... import nn as _nn
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from .. import activations, constraints, initializers, regularizers
from ..backend import standardize_data_format as _standardize_data_format
from .base import InputSpec, Layer
from .convolutional import _tuple
from .rnn import RNN, _split_kwargs


def _conv(x, w, strides, padding, dilation):
    """Channels-last convolution of spatial rank 1, 2 or 3."""
    rank = len(strides)
    padding = padding.upper()
    if rank == 1:
        return _nn.conv1d(x, w, stride=strides[0], padding=padding, dilations=dilation[0])
    if rank == 2:
        return _nn.conv2d(x, w, strides=strides, padding=padding, dilations=dilation)
    return _nn.conv3d(x, w, strides=(1,) + tuple(strides) + (1,), padding=padding,
                      dilations=(1,) + tuple(dilation) + (1,))


def _conv_len(n, k, s, padding, d):
    if padding == "same":
        return -(-n // s)
    return (n - (k - 1) * d - 1) // s + 1


class ConvLSTMCell(Layer):
    """One ConvLSTM step: ``(x_t, [h, c]) -> (h', [h', c'])`` on channels_last tensors."""

    def __init__(self, rank, filters, kernel_size, strides=1, padding="valid",
                 data_format=None, dilation_rate=1, activation="tanh",
                 recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        if rank > 3:
            raise ValueError(f"Rank {rank} convolutions are not currently implemented. "
                             f"Received: rank={rank}")
        self.rank, self.filters, self.seed = rank, int(filters), seed
        self.kernel_size = _tuple(kernel_size, rank, "kernel_size")
        self.strides = _tuple(strides, rank, "strides")
        self.padding = padding.lower()
        if self.padding not in ("valid", "same"):
            raise ValueError(f"The `padding` argument must be a string among 'valid' and "
                             f"'same'. Received: padding={padding}")
        self.data_format = _standardize_data_format(data_format)
        self.dilation_rate = _tuple(dilation_rate, rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError("Specifying `strides > 1` is not compatible with `dilation_rate "
                             "> 1`. Please provide `strides=1` or `dilation_rate=1`. "
                             f"Received: strides={self.strides} and dilation_rate="
                             f"{self.dilation_rate}")
        self.activation = activations.get(activation)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = use_bias, unit_forget_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))

    def build(self, input_shape):
        """``input_shape``: one step, in the cell's data_format."""
        shape = tuple(input_shape)
        if self.data_format == "channels_first":
            self.spatial_dims, channels = shape[2:], shape[1]
        else:
            self.spatial_dims, channels = shape[1:-1], shape[-1]
        if None in self.spatial_dims:
            raise ValueError("ConvLSTM layers only support static input shapes for the "
                             f"spatial dimension. Received invalid input shape: "
                             f"input_shape={shape}")
        if channels is None:
            raise ValueError("The channel dimension of the inputs (last axis) should be "
                             f"defined. Found None. Full input shape received: "
                             f"input_shape={shape}")
        self.input_dim = int(channels)
        n = 4 * self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (self.input_dim, n),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        self.recurrent_kernel = self.add_weight(
            "recurrent_kernel", self.kernel_size + (self.filters, n),
            initializer=self.recurrent_initializer, regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint)
        if self.use_bias:
            init = self.bias_initializer
            if self.unit_forget_bias:
                f = self.filters

                def init(shape, dtype=None, base=self.bias_initializer):
                    return _a.concat([base((f,), dtype=dtype), _a.ones((f,), dtype),
                                      base((2 * f,), dtype=dtype)], axis=0)
            self.bias = self.add_weight("bias", (n,), initializer=init,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        else:
            self.bias = None
        self.built = True

    def state_shape(self, batch_size):
        """(batch, *spatial_out, filters): the channels_last state shape."""
        spatial = tuple(_conv_len(int(n), k, s, self.padding, d) for n, k, s, d in
                        zip(self.spatial_dims, self.kernel_size, self.strides,
                            self.dilation_rate))
        return (batch_size,) + spatial + (self.filters,)

    def get_initial_state(self, batch_size=None, dtype="float32"):
        shape = self.state_shape(batch_size)
        return [_a.zeros(shape, dtype), _a.zeros(shape, dtype)]

    def dropout_masks(self, x, h, training):
        """Four input and four recurrent masks, fixed over the steps of one call."""
        dp = rdp = None
        if training and 0 < self.dropout < 1:
            dp = [_nn.dropout(_a.ones_like(x), rate=self.dropout) for _ in range(4)]
        if training and 0 < self.recurrent_dropout < 1:
            rdp = [_nn.dropout(_a.ones_like(h), rate=self.recurrent_dropout)
                   for _ in range(4)]
        return dp, rdp

    def step(self, x, states, dp=None, rdp=None):
        """One channels_last step."""
        h, c = states[0], states[1]
        k, rk = self._cw(self.kernel), self._cw(self.recurrent_kernel)
        f = self.filters
        if dp is None and rdp is None:  # the four gates as one convolution each way
            z = _conv(x, k, self.strides, self.padding, self.dilation_rate)
            z = z + _conv(h, rk, (1,) * self.rank, "same", (1,) * self.rank)
            if self.bias is not None:
                z = z + self._cw(self.bias)
            zs = [z[..., i * f:(i + 1) * f] for i in range(4)]
        else:
            zs = []
            for g in range(4):
                xg = x * dp[g] if dp is not None else x
                hg = h * rdp[g] if rdp is not None else h
                z = _conv(xg, k[..., g * f:(g + 1) * f], self.strides, self.padding,
                          self.dilation_rate)
                z = z + _conv(hg, rk[..., g * f:(g + 1) * f], (1,) * self.rank, "same",
                              (1,) * self.rank)
                if self.bias is not None:
                    z = z + self._cw(self.bias)[g * f:(g + 1) * f]
                zs.append(z)
        i = self.recurrent_activation(zs[0])
        fg = self.recurrent_activation(zs[1])
        c = fg * c + i * self.activation(zs[2])
        o = self.recurrent_activation(zs[3])
        h = o * self.activation(c)
        return h, [h, c]

    def call(self, inputs, states, training=False):
        x = inputs
        cf_ = self.data_format == "channels_first"
        if cf_:
            x = _to_last(x)
            states = [_to_last(s) for s in states]
        dp, rdp = self.dropout_masks(x, states[0], training)
        h, (h, c) = self.step(x, states, dp, rdp)
        if cf_:
            h, c = _to_first(h), _to_first(c)
        return h, [h, c]

    def get_config(self):
        config = super().get_config()
        config.update(_cell_config(self))
        config["rank"] = self.rank
        return config


def _to_last(x):
    r = len(x.shape)
    return _a.transpose(x, [0] + list(range(2, r)) + [1])


def _to_first(x):
    r = len(x.shape)
    return _a.transpose(x, [0, r - 1] + list(range(1, r - 1)))


def _cell_config(cell):
    return {
        "filters": cell.filters, "kernel_size": cell.kernel_size, "strides": cell.strides,
        "padding": cell.padding, "data_format": cell.data_format,
        "dilation_rate": cell.dilation_rate,
        "activation": activations.serialize(cell.activation),
        "recurrent_activation": activations.serialize(cell.recurrent_activation),
        "use_bias": cell.use_bias,
        "kernel_initializer": initializers.serialize(cell.kernel_initializer),
        "recurrent_initializer": initializers.serialize(cell.recurrent_initializer),
        "bias_initializer": initializers.serialize(cell.bias_initializer),
        "unit_forget_bias": cell.unit_forget_bias,
        "kernel_regularizer": regularizers.serialize(cell.kernel_regularizer),
        "recurrent_regularizer": regularizers.serialize(cell.recurrent_regularizer),
        "bias_regularizer": regularizers.serialize(cell.bias_regularizer),
        "kernel_constraint": constraints.serialize(cell.kernel_constraint),
        "recurrent_constraint": constraints.serialize(cell.recurrent_constraint),
        "bias_constraint": constraints.serialize(cell.bias_constraint),
        "dropout": cell.dropout, "recurrent_dropout": cell.recurrent_dropout,
        "seed": cell.seed}


class ConvLSTM(RNN):
    """The ConvLSTM time loop; ConvLSTM1D/2D/3D fix ``rank``."""

    rank = 2

    def __init__(self, filters, kernel_size, **kwargs):
        layer_kw, cell_kw = _split_kwargs(kwargs)
        cell = ConvLSTMCell(self.rank, filters, kernel_size, name="conv_lstm_cell",
                            dtype=layer_kw.get("dtype"), **cell_kw)
        super().__init__(cell, **layer_kw)
        self.input_spec = InputSpec(ndim=self.rank + 3)

    def __getattr__(self, name):
        cell = self.__dict__.get("cell")
        if cell is not None and not name.startswith("_"):
            return getattr(cell, name)
        raise AttributeError(name)

    def _initial(self, inputs, initial_state):
        states = super()._initial(inputs, initial_state)
        if initial_state is not None and self.cell.data_format == "channels_first":
            states = [_to_last(s) for s in states]
        return states

    def call(self, inputs, mask=None, training=False, initial_state=None):
        cell = self.cell
        first = cell.data_format == "channels_first"
        x = inputs
        if first:  # (b, t, c, *s) -> (b, t, *s, c)
            r = len(x.shape)
            x = _a.transpose(x, [0, 1] + list(range(3, r)) + [2])
        states = self._initial(x, initial_state)
        steps = _a.unstack(x, axis=1)
        dp, rdp = cell.dropout_masks(steps[0], states[0], training)
        masks = None
        if mask is not None:
            m = _a.reshape(mask, [int(d) for d in mask.shape] + [1] * (self.rank + 1))
            masks = _a.unstack(m, axis=1)
        order = range(len(steps) - 1, -1, -1) if self.go_backwards else range(len(steps))
        outputs, prev = [], None
        for t in order:
            out, new = cell.step(steps[t], states, dp, rdp)
            if masks is not None:
                mt = masks[t]
                new = [_m.where_v(mt, n, s) for n, s in zip(new, states)]
                prev = _a.zeros_like(out) if prev is None else prev
                out = _m.where_v(mt, out, _a.zeros_like(out) if self.zero_output_for_mask
                                 else prev)
            prev, states = out, new
            outputs.append(out)
        if self.stateful:
            for v, s in zip(self._state_vars, states):
                v.assign(s)
        output = _a.stack(outputs, axis=1) if self.return_sequences else outputs[-1]
        if first:
            output = _a.transpose(output, [0, 1, len(output.shape) - 1] +
                                  list(range(2, len(output.shape) - 1))) \
                if self.return_sequences else _to_first(output)
            states = [_to_first(s) for s in states]
        return (output, *states) if self.return_state else output

    def compute_mask(self, inputs, mask=None):
        out = mask if self.return_sequences else None
        return [out, None, None] if self.return_state else out

    def get_config(self):
        config = super().get_config()
        config.update(_cell_config(self.cell))
        config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        return config


class ConvLSTM1D(ConvLSTM):
    """ConvLSTM over (batch, time, steps, channels) inputs."""

    rank = 1


class ConvLSTM2D(ConvLSTM):
    """ConvLSTM over (batch, time, rows, cols, channels) inputs."""

    rank = 2


class ConvLSTM3D(ConvLSTM):
    """ConvLSTM over (batch, time, d1, d2, d3, channels) inputs."""

    rank = 3
