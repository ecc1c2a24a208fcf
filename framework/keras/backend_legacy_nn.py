"""``tf.keras.backend``'s legacy neural-net functions: activations, losses, convolution,
pooling, padding, resizing, CTC and the ``rnn`` loop (Keras 2's ``K.*`` on TF ops).

    >>> import cuflow as cf
    >>> K = cf.keras.backend
    >>> K.relu(cf.constant([-1.0, 3.0, 8.0]), max_value=6.0).numpy().tolist()
    [0.0, 3.0, 6.0]
"""
from __future__ import annotations

import builtins
import itertools

import numpy as np

from . import backend as _config
from .backend_legacy import concatenate, expand_dims, flatten, ndim, permute_dimensions, \
    repeat_elements, reverse, zeros_like

__all__ = [
    "batch_normalization", "bias_add", "binary_crossentropy", "binary_focal_crossentropy",
    "categorical_crossentropy", "categorical_focal_crossentropy", "conv1d", "conv2d",
    "conv2d_transpose", "conv3d", "ctc_batch_cost", "ctc_decode", "ctc_label_dense_to_sparse",
    "depthwise_conv2d", "dropout", "elu", "hard_sigmoid", "in_top_k", "pool2d", "pool3d",
    "relu", "resize_images", "resize_volumes", "rnn", "separable_conv2d", "sigmoid", "softmax",
    "softplus", "softsign", "sparse_categorical_crossentropy", "spatial_2d_padding",
    "spatial_3d_padding", "tanh", "temporal_padding",
]


def _cf():
    import cuflow
    return cuflow


# --- activations ----------------------------------------------------------------------------

def sigmoid(x):
    return _cf().sigmoid(x)


def tanh(x):
    return _cf().tanh(x)


def softplus(x):
    return _cf().math.softplus(x)


def softsign(x):
    return _cf().math.softsign(x)


def hard_sigmoid(x):
    """``clip(0.2 * x + 0.5, 0, 1)`` (Keras 2's slope, not Keras 3's 1/6)."""
    cf = _cf()
    x = cf.convert_to_tensor(x)
    x = x * cf.convert_to_tensor(0.2, x.dtype) + cf.convert_to_tensor(0.5, x.dtype)
    return cf.clip_by_value(x, 0.0, 1.0)


def elu(x, alpha=1.0):
    cf = _cf()
    res = cf.nn.elu(x)
    return res if alpha == 1 else cf.where(x > 0, res, alpha * res)


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """Keras 2's relu: ``x`` above ``threshold`` (clipped at ``max_value``), else
    ``alpha * (x - threshold)``."""
    cf = _cf()
    x = cf.convert_to_tensor(x)
    dtype = x.dtype
    if alpha != 0.0:
        if max_value is None and threshold == 0:
            return cf.nn.leaky_relu(x, alpha=alpha)
        negative_part = cf.nn.relu(-x + threshold) if threshold != 0 else cf.nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        x = x * cf.cast(cf.greater(x, threshold), dtype=dtype)
    elif max_value == 6:
        x = cf.nn.relu6(x)
        clip_max = False
    else:
        x = cf.nn.relu(x)
    if clip_max:
        x = cf.clip_by_value(x, cf.convert_to_tensor(0, dtype=x.dtype),
                             cf.convert_to_tensor(max_value, dtype=x.dtype))
    if alpha != 0.0:
        x -= cf.convert_to_tensor(alpha, dtype=x.dtype) * negative_part
    return x


def softmax(x, axis=-1):
    cf = _cf()
    x = cf.convert_to_tensor(x)
    if x.shape.rank <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    if isinstance(axis, int):
        return cf.nn.softmax(x, axis=axis)
    numerator = cf.exp(x - cf.reduce_max(x, axis=axis, keepdims=True))
    return numerator / cf.reduce_sum(numerator, axis=axis, keepdims=True)


def dropout(x, level, noise_shape=None, seed=None):
    seed = np.random.randint(10e6) if seed is None else seed
    return _cf().nn.dropout(x, rate=level, noise_shape=noise_shape, seed=seed)


def in_top_k(predictions, targets, k):
    return _cf().nn.in_top_k(targets=targets, predictions=predictions, k=k)


def batch_normalization(x, mean, var, beta, gamma, axis=-1, epsilon=1e-3):
    return _cf().nn.batch_normalization(x, mean, var, beta, gamma, epsilon)


def bias_add(x, bias, data_format=None):
    cf = _cf()
    data_format = _data_format(data_format)
    bias_shape = tuple(bias.shape)
    if len(bias_shape) != 1 and len(bias_shape) != ndim(x) - 1:
        raise ValueError(f"Unexpected bias dimensions {len(bias_shape)}. "
                         f"Expected it to be 1 or {ndim(x) - 1} dimensions")
    if len(bias_shape) == 1:
        return cf.nn.bias_add(x, bias, data_format="NCHW" if data_format == "channels_first"
                              else "NHWC")
    if ndim(x) in (3, 4, 5):
        if data_format == "channels_first":
            return x + cf.reshape(bias, (1, bias_shape[-1]) + bias_shape[:-1])
        return x + cf.reshape(bias, (1,) + bias_shape)
    return cf.nn.bias_add(x, bias)


# --- losses ---------------------------------------------------------------------------------

def _eps(dtype):
    return _cf().convert_to_tensor(_config.epsilon(), dtype)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise; probabilities are clipped to [eps, 1-eps] and eps is added in the logs."""
    cf = _cf()
    target, output = cf.convert_to_tensor(target), cf.convert_to_tensor(output)
    if from_logits:
        return cf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    eps = _eps(output.dtype)
    output = cf.clip_by_value(output, eps, 1.0 - eps)
    bce = target * cf.math.log(output + _config.epsilon())
    bce += (1 - target) * cf.math.log(1 - output + _config.epsilon())
    return -bce


def binary_focal_crossentropy(target, output, apply_class_balancing=False, alpha=0.25,
                              gamma=2.0, from_logits=False):
    cf = _cf()
    target, output = cf.convert_to_tensor(target), cf.convert_to_tensor(output)
    sigmoidal = cf.sigmoid(output) if from_logits else output
    p_t = target * sigmoidal + (1 - target) * (1 - sigmoidal)
    focal_bce = cf.pow(1.0 - p_t, gamma) * binary_crossentropy(target, output, from_logits)
    if apply_class_balancing:
        focal_bce = (target * alpha + (1 - target) * (1 - alpha)) * focal_bce
    return focal_bce


def _check_compatible(target, output):
    if not target.shape.is_compatible_with(output.shape):
        raise ValueError(f"Shapes {target.shape} and {output.shape} are incompatible")


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    cf = _cf()
    target, output = cf.convert_to_tensor(target), cf.convert_to_tensor(output)
    _check_compatible(target, output)
    if from_logits:
        return cf.nn.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / cf.reduce_sum(output, axis, True)
    eps = _eps(output.dtype)
    output = cf.clip_by_value(output, eps, 1.0 - eps)
    return -cf.reduce_sum(target * cf.math.log(output), axis)


def categorical_focal_crossentropy(target, output, alpha=0.25, gamma=2.0, from_logits=False,
                                   axis=-1):
    cf = _cf()
    target, output = cf.convert_to_tensor(target), cf.convert_to_tensor(output)
    _check_compatible(target, output)
    if from_logits:
        output = cf.nn.softmax(output, axis=axis)
    output = output / cf.reduce_sum(output, axis=axis, keepdims=True)
    eps = _eps(output.dtype)
    output = cf.clip_by_value(output, eps, 1.0 - eps)
    cce = -target * cf.math.log(output)
    focal = cf.pow(1.0 - output, gamma) * alpha * cce
    return cf.reduce_sum(focal, axis=axis)


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1,
                                    ignore_class=None):
    cf = _cf()
    target, output = cf.convert_to_tensor(target), cf.convert_to_tensor(output)
    target = cf.cast(target, "int64")
    if not from_logits:
        eps = _eps(output.dtype)
        output = cf.math.log(cf.clip_by_value(output, eps, 1 - eps))
    output_rank = output.shape.rank
    axis %= output_rank
    if axis != output_rank - 1:
        perm = list(itertools.chain(range(axis), range(axis + 1, output_rank), [axis]))
        output = cf.transpose(output, perm=perm)
    output_shape = tuple(output.shape)
    update_shape = target.shape.rank != output_rank - 1
    if update_shape:
        target = flatten(target)
        output = cf.reshape(output, [-1, output_shape[-1]])
    if ignore_class is not None:
        valid_mask = cf.not_equal(target, cf.cast(ignore_class, target.dtype))
        target = cf.boolean_mask(target, valid_mask)
        output = cf.boolean_mask(output, valid_mask)
    res = cf.nn.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)
    if ignore_class is not None:
        res_shape = output_shape[:-1]
        valid_mask = cf.reshape(valid_mask, res_shape)
        res = cf.scatter_nd(cf.where(valid_mask), res, cf.constant(res_shape, cf.int64))
        try:
            res._keras_mask = valid_mask
        except AttributeError:  # cuflow tensors take no new attributes
            pass
        return res
    if update_shape and output_rank >= 3:
        res = cf.reshape(res, output_shape[:-1])
    return res


# --- convolution and pooling ------------------------------------------------------------------

def _data_format(data_format):
    data_format = data_format or _config.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Unknown data_format: {data_format}")
    return data_format


def _padding(padding):
    if padding not in ("same", "valid"):
        raise ValueError(f"Invalid padding: {padding}")
    return padding.upper()


_TF_FORMAT = {(1, False): "NWC", (1, True): "NCW", (2, False): "NHWC", (2, True): "NCHW",
              (3, False): "NDHWC", (3, True): "NCDHW"}


def _convolution(x, kernel, rank, strides, padding, data_format, dilation_rate):
    data_format = _data_format(data_format)
    return _cf().nn.convolution(x, kernel, strides=strides, padding=_padding(padding),
                                data_format=_TF_FORMAT[rank, data_format == "channels_first"],
                                dilations=dilation_rate)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1-D convolution; ``padding="causal"`` left-pads ``dilation * (k - 1)`` steps."""
    if padding == "causal":
        x = temporal_padding(x, (dilation_rate * (int(kernel.shape[0]) - 1), 0))
        padding = "valid"
    return _convolution(x, kernel, 1, strides, padding, data_format, dilation_rate)


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    return _convolution(x, kernel, 2, strides, padding, data_format, dilation_rate)


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    return _convolution(x, kernel, 3, strides, padding, data_format, dilation_rate)


def conv2d_transpose(x, kernel, output_shape, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    cf = _cf()
    data_format = _data_format(data_format)
    if tuple(dilation_rate) != (1, 1) and dilation_rate[0] != dilation_rate[1]:
        raise ValueError("Expected the 2 dimensions of the `dilation_rate` argument to be "
                         f"equal to each other. Received: dilation_rate={dilation_rate}")
    first = data_format == "channels_first"
    output_shape = tuple(output_shape)
    if output_shape[0] is None:
        output_shape = (cf.shape(x)[0],) + output_shape[1:]
    strides = (1, 1) + tuple(strides) if first else (1,) + tuple(strides) + (1,)
    return cf.nn.conv2d_transpose(x, kernel, cf.stack(list(output_shape)), strides,
                                  padding=_padding(padding),
                                  data_format="NCHW" if first else "NHWC",
                                  dilations=None if tuple(dilation_rate) == (1, 1)
                                  else list(dilation_rate))


def _strides4(strides, first):
    return (1, 1) + tuple(strides) if first else (1,) + tuple(strides) + (1,)


def depthwise_conv2d(x, depthwise_kernel, strides=(1, 1), padding="valid", data_format=None,
                     dilation_rate=(1, 1)):
    first = _data_format(data_format) == "channels_first"
    return _cf().nn.depthwise_conv2d(x, depthwise_kernel, strides=_strides4(strides, first),
                                     padding=_padding(padding), dilations=dilation_rate,
                                     data_format="NCHW" if first else "NHWC")


def separable_conv2d(x, depthwise_kernel, pointwise_kernel, strides=(1, 1), padding="valid",
                     data_format=None, dilation_rate=(1, 1)):
    first = _data_format(data_format) == "channels_first"
    if len(strides) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    return _cf().nn.separable_conv2d(x, depthwise_kernel, pointwise_kernel,
                                     strides=_strides4(strides, first),
                                     padding=_padding(padding), dilations=dilation_rate,
                                     data_format="NCHW" if first else "NHWC")


def _pool(x, rank, pool_size, strides, padding, data_format, pool_mode):
    cf = _cf()
    first = _data_format(data_format) == "channels_first"
    padding = _padding(padding)
    if first:
        strides, pool_size = (1, 1) + tuple(strides), (1, 1) + tuple(pool_size)
    else:
        strides, pool_size = (1,) + tuple(strides) + (1,), (1,) + tuple(pool_size) + (1,)
    if pool_mode not in ("max", "avg"):
        raise ValueError(f"Invalid pooling mode: {str(pool_mode)}")
    fn = cf.nn.max_pool if pool_mode == "max" else cf.nn.avg_pool
    return fn(x, pool_size, strides, padding=padding,
              data_format=_TF_FORMAT[rank, first])


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    _data_format(data_format)
    if len(pool_size) != 2:
        raise ValueError("`pool_size` must be a tuple of 2 integers.")
    if len(strides) != 2:
        raise ValueError("`strides` must be a tuple of 2 integers.")
    return _pool(x, 2, pool_size, strides, padding, data_format, pool_mode)


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None,
           pool_mode="max"):
    return _pool(x, 3, pool_size, strides, padding, data_format, pool_mode)


# --- padding and resizing ---------------------------------------------------------------------

def temporal_padding(x, padding=(1, 1)):
    if len(padding) != 2:
        raise ValueError("Expected `padding` to be a tuple of 2 integers. "
                         f"Received: padding={padding}")
    return _cf().pad(x, [[0, 0], [padding[0], padding[1]], [0, 0]])


def spatial_2d_padding(x, padding=((1, 1), (1, 1)), data_format=None):
    if len(padding) != 2 or len(padding[0]) != 2 or len(padding[1]) != 2:
        raise ValueError("Expected `padding` to be a tuple of 2 tuples of 2 integers. "
                         f"Received: padding={padding}")
    pads = [list(p) for p in padding]
    if _data_format(data_format) == "channels_first":
        return _cf().pad(x, [[0, 0], [0, 0]] + pads)
    return _cf().pad(x, [[0, 0]] + pads + [[0, 0]])


def spatial_3d_padding(x, padding=((1, 1), (1, 1), (1, 1)), data_format=None):
    if len(padding) != 3 or any(len(p) != 2 for p in padding):
        raise ValueError("Expected `padding` to be a tuple of 3 tuples of 2 integers. "
                         f"Received: padding={padding}")
    pads = [list(p) for p in padding]
    if _data_format(data_format) == "channels_first":
        return _cf().pad(x, [[0, 0], [0, 0]] + pads)
    return _cf().pad(x, [[0, 0]] + pads + [[0, 0]])


_RESIZE = ("area", "bicubic", "bilinear", "gaussian", "lanczos3", "lanczos5", "mitchellcubic",
           "nearest")


def resize_images(x, height_factor, width_factor, data_format, interpolation="nearest"):
    """Scales the spatial axes by integer factors with ``tf.image.resize``."""
    cf = _cf()
    if data_format == "channels_first":
        rows, cols = 2, 3
    elif data_format == "channels_last":
        rows, cols = 1, 2
    else:
        raise ValueError(f"Invalid `data_format` argument: {data_format}")
    new_shape = [int(x.shape[rows]) * int(height_factor), int(x.shape[cols]) * int(width_factor)]
    if data_format == "channels_first":
        x = permute_dimensions(x, [0, 2, 3, 1])
    if interpolation not in _RESIZE:
        names = '"' + '", "'.join(_RESIZE) + '"'
        raise ValueError(f"`interpolation` argument should be one of: {names}. "
                         f'Received: "{interpolation}".')
    x = cf.image.resize(x, new_shape, method="nearest" if interpolation == "nearest"
                        else interpolation)
    if data_format == "channels_first":
        x = permute_dimensions(x, [0, 3, 1, 2])
    return x


def resize_volumes(x, depth_factor, height_factor, width_factor, data_format):
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Invalid data_format: {data_format}")
    a = 2 if data_format == "channels_first" else 1
    out = repeat_elements(x, depth_factor, axis=a)
    out = repeat_elements(out, height_factor, axis=a + 1)
    return repeat_elements(out, width_factor, axis=a + 2)


# --- CTC --------------------------------------------------------------------------------------

def ctc_label_dense_to_sparse(labels, label_lengths):
    """The first ``label_lengths[i]`` labels of each row as a SparseTensor (int64 indices)."""
    cf = _cf()
    labels = cf.convert_to_tensor(labels)
    n, max_len = (int(d) for d in labels.shape)
    mask = cf.range(max_len)[None, :] < cf.cast(cf.reshape(label_lengths, [-1, 1]), cf.int32)
    indices = cf.where(mask)
    return cf.SparseTensor(indices, cf.gather_nd(labels, indices),
                           cf.constant([n, max_len], cf.int64))


def ctc_batch_cost(y_true, y_pred, input_length, label_length):
    """Per-sample CTC loss, shape (batch, 1); ``y_pred`` holds softmax outputs (batch, time,
    classes) whose last class is the blank."""
    cf = _cf()
    label_length = cf.cast(cf.squeeze(label_length, axis=-1), cf.int32)
    input_length = cf.cast(cf.squeeze(input_length, axis=-1), cf.int32)
    y_pred = cf.convert_to_tensor(y_pred)
    logits = cf.math.log(cf.transpose(y_pred, perm=[1, 0, 2]) + _config.epsilon())
    loss = cf.nn.ctc_loss(labels=cf.cast(y_true, cf.int32), logits=logits,
                          label_length=label_length, logit_length=input_length,
                          logits_time_major=True, blank_index=-1)
    return cf.expand_dims(loss, 1)


def ctc_decode(y_pred, input_length, greedy=True, beam_width=100, top_paths=1):
    """Decodes softmax outputs (batch, time, classes): a list of dense (batch, time) label
    tensors padded with -1, and the log probabilities."""
    cf = _cf()
    y_pred = cf.convert_to_tensor(y_pred)
    num_samples, num_steps = int(y_pred.shape[0]), int(y_pred.shape[1])
    logits = cf.math.log(cf.transpose(y_pred, perm=[1, 0, 2]) + _config.epsilon())
    input_length = cf.cast(input_length, cf.int32)
    if greedy:
        decoded, log_prob = cf.nn.ctc_greedy_decoder(inputs=logits, sequence_length=input_length)
    else:
        decoded, log_prob = _beam_search_v1(logits, input_length, beam_width, top_paths)
    dense = []
    for st in decoded:
        st = cf.SparseTensor(st.indices, st.values, [num_samples, num_steps])
        dense.append(cf.sparse.to_dense(st, default_value=-1))
    return dense, log_prob


def _beam_search_v1(logits, lengths, beam_width, top_paths):
    """TF1's ``ctc_beam_search_decoder`` (``merge_repeated=True``), which Keras calls; TF 2's
    ``tf.nn`` one keeps repeats (ops/ctc_extra)."""
    from ..ops.ctc_extra import _beam_search
    return _beam_search(logits, lengths, beam_width, top_paths, True)


# --- rnn ------------------------------------------------------------------------------------

def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Runs ``step_function(input_t, states + constants) -> (output, new_states)`` over the
    time axis; returns ``(last_output, outputs, new_states)``. Masked steps keep the
    previous output and states (or zero outputs with ``zero_output_for_mask``). cuflow runs
    the loop in Python both for ``unroll=True`` and ``False`` (same results)."""
    cf = _cf()
    nest = cf.nest

    def swap(t):
        axes = list(range(len(t.shape)))
        axes[0], axes[1] = 1, 0
        return cf.transpose(t, axes)

    inputs = nest.map_structure(cf.convert_to_tensor, inputs)
    if not time_major:
        inputs = nest.map_structure(swap, inputs)
    flat_inputs = nest.flatten(inputs)
    time_steps = int(flat_inputs[0].shape[0])
    if mask is not None:
        mask = cf.cast(mask, cf.bool)
        if len(mask.shape) == 2:
            mask = expand_dims(mask)
        if not time_major:
            mask = swap(mask)
        if go_backwards:
            mask = reverse(mask, 0)
        mask_at = lambda t: mask[t]  # noqa: E731
    elif input_length is not None and cf.is_tensor(input_length) and not unroll:
        if go_backwards:
            rev = cf.reduce_max(input_length, axis=0) - 1 - input_length
            mask_at = lambda t: cf.less(rev, t)  # noqa: E731
        else:
            mask_at = lambda t: cf.greater(input_length, t)  # noqa: E731
    else:
        mask_at = None
    constants = list(constants or [])

    def expand(mask_t, value):
        mask_t = cf.reshape(mask_t, tuple(mask_t.shape[:1]) + (1,) * (len(value.shape) - 1))
        return mask_t & cf.ones_like(value, dtype=cf.bool)

    states = tuple(initial_states)
    n_iter = time_steps
    if input_length is not None and not unroll:  # TF's while_loop stops at max(input_length)
        n_iter = builtins.min(time_steps, int(cf.reduce_max(input_length)))
    order = range(time_steps - 1, -1, -1) if go_backwards else range(time_steps)
    outputs, prev, raw_states = [], None, states
    for t, step in itertools.islice(enumerate(order), n_iter):
        inp = nest.pack_sequence_as(inputs, [x[step] for x in flat_inputs])
        output, new_states = step_function(inp, tuple(states) + tuple(constants))
        if mask_at is not None:
            m = mask_at(t)
            flat_out = nest.flatten(output)
            if prev is None:
                prev = [cf.zeros_like(o) for o in flat_out]
            masked = [cf.where(expand(m, o), o, cf.zeros_like(o) if zero_output_for_mask
                               else p) for o, p in zip(flat_out, prev)]
            prev = masked
            output = nest.pack_sequence_as(output, masked)
            flat_new = [cf.where(expand(m, s), s, ps) for s, ps in
                        zip(nest.flatten(new_states), nest.flatten(states))]
            new_states = nest.pack_sequence_as(states, flat_new)
        raw_states = new_states
        states = tuple(new_states) if isinstance(new_states, (list, tuple)) else (new_states,)
        outputs = outputs + [output] if return_all_outputs else [output]
    if return_all_outputs and n_iter < time_steps:  # steps never run stay zero, as in TF
        outputs += [nest.map_structure(cf.zeros_like, outputs[-1])] * (time_steps - n_iter)
    last_output = outputs[-1]
    stacked = nest.map_structure(lambda *o: cf.stack(o), *outputs)
    if not time_major:
        stacked = nest.map_structure(swap, stacked)
    if unroll:  # the step function's own structure; the while loop gives a tuple
        return last_output, stacked, raw_states
    return last_output, stacked, states
