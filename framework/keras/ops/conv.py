"""``keras.ops.nn`` convolutions, pooling, attention and CTC: Keras's layouts (kernels
``spatial + (in, out)``, ``data_format`` channels_last/first) on cuflow's ``cf.nn`` ops.

    >>> import cuflow as cf
    >>> cf.keras.ops.conv(cf.ones((1, 5, 5, 1)), cf.ones((3, 3, 1, 2))).shape
    TensorShape([1, 3, 3, 2])
"""
from __future__ import annotations

import numpy as np

import cuflow as _cf

from ... import cast
from ... import math as _m
from ... import nn as _nn
from ._base import convert_to_tensor

__all__ = ["conv", "conv_transpose", "depthwise_conv", "separable_conv", "max_pool",
           "average_pool", "adaptive_average_pool", "adaptive_max_pool", "depth_to_space",
           "space_to_depth", "dot_product_attention", "ctc_loss", "ctc_decode"]


def _fmt(data_format):
    from .. import backend
    fmt = data_format or backend.image_data_format()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"Invalid data_format: {fmt}")
    return fmt


def _tf_format(fmt, nd):
    spatial = {1: "W", 2: "HW", 3: "DHW"}[nd]
    return f"N{spatial}C" if fmt == "channels_last" else f"NC{spatial}"


def _tup(v, nd):
    return (v,) * nd if isinstance(v, int) else tuple(v)


def _to_last(x, fmt):
    if fmt == "channels_last":
        return x
    r = x.shape.rank
    return _cf.transpose(x, [0] + list(range(2, r)) + [1])


def _from_last(x, fmt):
    if fmt == "channels_last":
        return x
    r = x.shape.rank
    return _cf.transpose(x, [0, r - 1] + list(range(1, r - 1)))


def conv(inputs, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """N-D convolution; ``kernel`` is ``spatial + (in_channels / groups, out)``."""
    fmt = _fmt(data_format)
    x, k = convert_to_tensor(inputs), convert_to_tensor(kernel)
    nd = x.shape.rank - 2
    x = _to_last(x, fmt)
    cin, kin = x.shape[-1], k.shape[-2]
    groups = cin // kin
    st, dl = _tup(strides, nd), _tup(dilation_rate, nd)
    pad = padding.upper()
    if groups == 1:
        out = _nn.convolution(x, cast(k, x.dtype), strides=list(st), padding=pad,
                              dilations=list(dl))
    else:
        xs = _cf.split(x, groups, axis=-1)
        ks = _cf.split(cast(k, x.dtype), groups, axis=-1)
        out = _cf.concat([_nn.convolution(a, b, strides=list(st), padding=pad,
                                          dilations=list(dl)) for a, b in zip(xs, ks)], -1)
    return _from_last(out, fmt)


def depthwise_conv(inputs, kernel, strides=1, padding="valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution; ``kernel`` is ``spatial + (in_channels, multiplier)``."""
    fmt = _fmt(data_format)
    x, k = convert_to_tensor(inputs), convert_to_tensor(kernel)
    nd = x.shape.rank - 2
    x = _to_last(x, fmt)
    st, dl = _tup(strides, nd), _tup(dilation_rate, nd)
    if nd == 1:
        x4, k4 = _cf.expand_dims(x, 1), _cf.expand_dims(k, 0)
        out = _nn.depthwise_conv2d(x4, cast(k4, x.dtype), [1, 1, st[0], 1], padding.upper(),
                                   dilations=[1, dl[0]])
        out = _cf.squeeze(out, 1)
    else:
        out = _nn.depthwise_conv2d(x, cast(k, x.dtype), [1, *st, 1], padding.upper(),
                                   dilations=list(dl))
    return _from_last(out, fmt)


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1, padding="valid",
                   data_format=None, dilation_rate=1):
    """A depthwise convolution followed by a 1x1 pointwise one."""
    fmt = _fmt(data_format)
    y = depthwise_conv(inputs, depthwise_kernel, strides, padding, fmt, dilation_rate)
    return conv(y, pointwise_kernel, 1, "valid", fmt, 1)


def _deconv_len(n, k, s, pad, out_pad, d):
    k = (k - 1) * d + 1
    if out_pad is None:
        return n * s if pad == "same" else n * s + max(k - s, 0)
    lo = k // 2 if pad == "same" else 0
    return (n - 1) * s + k - 2 * lo + out_pad


def conv_transpose(inputs, kernel, strides=1, padding="valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; ``kernel`` is ``spatial + (out_channels, in_channels)``."""
    fmt = _fmt(data_format)
    x, k = convert_to_tensor(inputs), convert_to_tensor(kernel)
    nd = x.shape.rank - 2
    x = _to_last(x, fmt)
    st, dl = _tup(strides, nd), _tup(dilation_rate, nd)
    op = (None,) * nd if output_padding is None else _tup(output_padding, nd)
    sizes = [_deconv_len(x.shape[1 + i], k.shape[i], st[i], padding.lower(), op[i], dl[i])
             for i in range(nd)]
    out_shape = [x.shape[0], *sizes, k.shape[-2]]
    fn = {1: _nn.conv1d_transpose, 2: _nn.conv2d_transpose}.get(nd)
    if fn is None:
        raise ValueError("cuflow's conv_transpose supports 1-D and 2-D inputs")
    out = fn(x, cast(k, x.dtype), out_shape, list(st) if nd > 1 else st[0], padding.upper(),
             dilations=list(dl) if nd > 1 else dl[0])
    return _from_last(out, fmt)


def _pool(kind, inputs, pool_size, strides, padding, data_format):
    fmt = _fmt(data_format)
    x = convert_to_tensor(inputs)
    nd = x.shape.rank - 2
    ps = _tup(pool_size, nd)
    st = ps if strides is None else _tup(strides, nd)
    x = _to_last(x, fmt)
    out = _nn.pool(x, list(ps), kind, strides=list(st), padding=padding.upper())
    return _from_last(out, fmt)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Max pooling over ``pool_size`` windows (``strides`` default: the window)."""
    return _pool("MAX", inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Average pooling (``same`` padding averages over the valid elements only)."""
    return _pool("AVG", inputs, pool_size, strides, padding, data_format)


def _adaptive(reduce, inputs, output_size, data_format):
    fmt = _fmt(data_format)
    x = _to_last(convert_to_tensor(inputs), fmt)
    nd = x.shape.rank - 2
    size = _tup(output_size, nd)
    for i in range(nd):
        ax, n, m = 1 + i, x.shape[1 + i], size[i]
        parts = []
        for j in range(m):
            lo, hi = (j * n) // m, -(-((j + 1) * n) // m)
            parts.append(reduce(_cf.gather(x, list(range(lo, hi)), axis=ax), axis=ax,
                                keepdims=True))
        x = _cf.concat(parts, axis=ax)
    return _from_last(x, fmt)


def adaptive_average_pool(inputs, output_size, data_format=None):
    """Average pooling to a fixed ``output_size`` (PyTorch's bins)."""
    return _adaptive(_m.reduce_mean, inputs, output_size, data_format)


def adaptive_max_pool(inputs, output_size, data_format=None):
    """Max pooling to a fixed ``output_size`` (PyTorch's bins)."""
    return _adaptive(_m.reduce_max, inputs, output_size, data_format)


def depth_to_space(x, block_size, data_format="channels_last"):
    """Moves channel blocks into spatial blocks."""
    return _nn.depth_to_space(convert_to_tensor(x), block_size,
                              data_format="NHWC" if data_format == "channels_last" else "NCHW")


def space_to_depth(x, block_size, data_format="channels_last"):
    """Moves spatial blocks into channels."""
    return _nn.space_to_depth(convert_to_tensor(x), block_size,
                              data_format="NHWC" if data_format == "channels_last" else "NCHW")


def dot_product_attention(query, key, value, bias=None, mask=None, scale=None,
                          is_causal=False, flash_attention=None, attn_logits_soft_cap=None):
    """Scaled dot-product attention on ``(batch, seq, heads, dim)`` inputs (GQA allowed)."""
    q, k, v = (convert_to_tensor(t) for t in (query, key, value))
    if flash_attention:
        raise ValueError("Flash attention is not supported in the cuflow backend.")
    h, hk = q.shape[2], k.shape[2]
    if h != hk:
        k = _cf.repeat(k, h // hk, axis=2)
        v = _cf.repeat(v, h // hk, axis=2)
    d = q.shape[-1]
    s = _cf.constant(1.0 / np.sqrt(d) if scale is None else scale, dtype=q.dtype)
    logits = _cf.einsum("bqhd,bkhd->bhqk", q, cast(k, q.dtype)) * s
    if bias is not None:
        logits = logits + cast(convert_to_tensor(bias), logits.dtype)
    if attn_logits_soft_cap is not None:
        cap = _cf.constant(attn_logits_soft_cap, logits.dtype)
        logits = _m.tanh(logits / cap) * cap
    keep = None
    if mask is not None:
        keep = cast(convert_to_tensor(mask), "bool")
    if is_causal:
        tq, tk = logits.shape[-2], logits.shape[-1]
        causal = _cf.constant(np.tril(np.ones((tq, tk), bool)))
        keep = causal if keep is None else _m.logical_and(keep, causal)
    if keep is not None:
        big = _cf.constant(np.finfo(logits.dtype.as_numpy_dtype).min * 0.7
                           if logits.dtype.name != "bfloat16" else -1e30, logits.dtype)
        logits = _cf.where(keep, logits, big)
    probs = cast(_nn.softmax(cast(logits, "float32")), q.dtype)
    return _cf.einsum("bhqk,bkhd->bqhd", probs, cast(v, q.dtype))


def ctc_loss(target, output, target_length, output_length, mask_index=0):
    """CTC loss per batch entry; ``output`` is ``(batch, time, classes)`` logits."""
    t = cast(convert_to_tensor(target), "int32")
    o = convert_to_tensor(output)
    if o.dtype.name in ("float16", "bfloat16"):
        o = cast(o, "float32")
    return _nn.ctc_loss(t, o, cast(convert_to_tensor(target_length), "int32"),
                        cast(convert_to_tensor(output_length), "int32"),
                        logits_time_major=False, blank_index=mask_index)


def ctc_decode(inputs, sequence_lengths, strategy="greedy", beam_width=100, top_paths=1,
               merge_repeated=True, mask_index=0):
    """Greedy CTC decoding: (decoded ``(1, batch, time)`` padded with -1, scores)."""
    if strategy != "greedy":
        raise ValueError("cuflow's ctc_decode supports strategy='greedy' only")
    x = convert_to_tensor(inputs)
    lengths = np.asarray(convert_to_tensor(sequence_lengths).numpy()).astype(int)
    logp = cast(x, "float32").numpy()  # TF's greedy decoder scores the raw inputs
    b, t, _ = logp.shape
    blank = mask_index if mask_index is not None else logp.shape[-1] - 1
    decoded = np.full((1, b, t), -1, np.int32)
    scores = np.zeros((b, 1), np.float32)
    for i in range(b):
        best = logp[i, :lengths[i]].argmax(-1)
        scores[i, 0] = -logp[i, np.arange(lengths[i]), best].sum()
        prev, out = None, []
        for c in best:
            if c != blank and not (merge_repeated and c == prev):
                out.append(c)
            prev = c
        decoded[0, i, :len(out)] = out
    return _cf.constant(decoded), _cf.constant(scores)
