"""Convolutions (``tf.nn.conv2d`` and friends), NHWC inputs and HWIO filters.

Three primitives share one im2col layout, so every gradient is itself differentiable:

    conv2d(x, w)                      y = im2col(x) @ w      (grouped: one matmul per group)
    conv2d_backprop_input(dy, w)      dx = col2im(dy @ w^T)
    conv2d_backprop_filter(x, dy)     dw = im2col(x)^T @ dy

im2col copies the kernel's KH*KW shifted views of the padded input into one matrix,
so the work is a single BLAS matmul (cuBLAS under CuPy). Grouped convolution (input
channels = groups * filter in-channels) gives ``depthwise_conv2d`` for free.
Attributes are normalized by the public functions: ``strides``/``dilations`` (h, w),
``pads`` ((top, bottom), (left, right)).
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from ._util import shape_of, static_value
from .constant import convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

_F = _dt.FLOATS
_CONV_DTYPES = _F | frozenset([np.dtype(np.int32)])  # TF's CPU Conv2D takes int32 too
_HALF = frozenset([np.dtype(np.float16), _dt.bfloat16.np])


def _err(op, msg):
    return InvalidArgumentError(None, op, f"{op}: {msg}")


# --- im2col / col2im (array namespace) -------------------------------------------------------
def _out_size(n, k, s, d, pad):
    return (n + pad[0] + pad[1] - (k - 1) * d - 1) // s + 1


def _taps(kh, kw, strides, dilations, ho, wo):
    sh, sw = strides
    dh, dw = dilations
    for i in range(kh):
        for j in range(kw):
            yield (slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
                   slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def _pad(xp, x, pads, value=0):
    if not any(p for pair in pads for p in pair):
        return x
    return xp.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=value)


def im2col(xp, x, kh, kw, strides, dilations, pads):
    """(N, H, W, C) -> (N, Ho, Wo, KH*KW, C): the KH*KW shifted views, stacked."""
    xpad = _pad(xp, x, pads)
    ho = _out_size(x.shape[1], kh, strides[0], dilations[0], pads[0])
    wo = _out_size(x.shape[2], kw, strides[1], dilations[1], pads[1])
    cols = xp.empty((x.shape[0], ho, wo, kh * kw, x.shape[3]), dtype=x.dtype)
    for t, (si, sj) in enumerate(_taps(kh, kw, strides, dilations, ho, wo)):
        cols[:, :, :, t, :] = xpad[:, si, sj, :]
    return cols


def col2im(xp, cols, in_shape, kh, kw, strides, dilations, pads):
    """Adjoint of im2col: scatter-adds (N, Ho, Wo, KH*KW, C) back into (N, H, W, C)."""
    n, h, w, c = in_shape
    ho, wo = cols.shape[1], cols.shape[2]
    out = xp.zeros((n, h + sum(pads[0]), w + sum(pads[1]), c), dtype=cols.dtype)
    for t, (si, sj) in enumerate(_taps(kh, kw, strides, dilations, ho, wo)):
        out[:, si, sj, :] += cols[:, :, :, t, :]
    return out[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w, :]


def _grouped_cols(cols, groups):
    """(N, Ho, Wo, K, C) -> (G, N*Ho*Wo, K*Cg)."""
    n, ho, wo, k, c = cols.shape
    cg = c // groups
    return cols.reshape(n * ho * wo, k, groups, cg).transpose(2, 0, 1, 3).reshape(
        groups, n * ho * wo, k * cg)


def _grouped_filter(w, groups):
    """(KH, KW, Cg, O) -> (G, KH*KW*Cg, O/G)."""
    kh, kw, cg, o = w.shape
    return w.reshape(kh * kw, cg, groups, o // groups).transpose(2, 0, 1, 3).reshape(
        groups, kh * kw * cg, o // groups)


def _acc(x):
    return x.astype(np.float32) if x.dtype in _HALF else x


def _conv_impl(xp, x, w, strides, dilations, pads):
    dt = x.dtype
    x, w = _acc(x), _acc(w)
    kh, kw, cg, o = w.shape
    groups = x.shape[3] // cg
    cols = im2col(xp, x, kh, kw, strides, dilations, pads)
    n, ho, wo = cols.shape[:3]
    if groups == 1:
        out = cols.reshape(n * ho * wo, kh * kw * cg) @ w.reshape(kh * kw * cg, o)
    else:
        y = xp.matmul(_grouped_cols(cols, groups), _grouped_filter(w, groups))
        out = y.transpose(1, 0, 2)
    return out.reshape(n, ho, wo, o).astype(dt, copy=False)


def _backprop_input_impl(xp, dy, w, in_shape, strides, dilations, pads):
    dt = dy.dtype
    dy, w = _acc(dy), _acc(w)
    kh, kw, cg, o = w.shape
    groups = in_shape[3] // cg
    n, ho, wo, _ = dy.shape
    if groups == 1:
        dcols = dy.reshape(n * ho * wo, o) @ w.reshape(kh * kw * cg, o).T
        dcols = dcols.reshape(n, ho, wo, kh * kw, cg)
    else:
        g = dy.reshape(n * ho * wo, groups, o // groups).transpose(1, 0, 2)
        d = xp.matmul(g, _grouped_filter(w, groups).transpose(0, 2, 1))  # (G, NHW, K*Cg)
        dcols = d.reshape(groups, n * ho * wo, kh * kw, cg).transpose(1, 2, 0, 3).reshape(
            n, ho, wo, kh * kw, groups * cg)
    return col2im(xp, dcols, in_shape, kh, kw, strides, dilations, pads).astype(dt)


def _backprop_filter_impl(xp, x, dy, filter_shape, strides, dilations, pads):
    dt = x.dtype
    x, dy = _acc(x), _acc(dy)
    kh, kw, cg, o = filter_shape
    groups = x.shape[3] // cg
    cols = im2col(xp, x, kh, kw, strides, dilations, pads)
    if groups == 1:
        m = cols.shape[0] * cols.shape[1] * cols.shape[2]
        dw = cols.reshape(m, kh * kw * cg).T @ dy.reshape(m, o)
        return dw.reshape(filter_shape).astype(dt, copy=False)
    m = cols.shape[0] * cols.shape[1] * cols.shape[2]
    g = dy.reshape(m, groups, o // groups).transpose(1, 0, 2)           # (G, NHW, Og)
    dw = xp.matmul(_grouped_cols(cols, groups).transpose(0, 2, 1), g)   # (G, K*Cg, Og)
    dw = dw.reshape(groups, kh * kw, cg, o // groups).transpose(1, 2, 0, 3)
    return dw.reshape(filter_shape).astype(dt, copy=False)


def _conv_vjp(g, y, x, w, strides, dilations, pads):
    at = {"strides": strides, "dilations": dilations, "pads": pads}
    return (_apply(_BP_INPUT, (g, w), dict(in_shape=tuple(shape_of(x)), **at)),
            _apply(_BP_FILTER, (x, g), dict(filter_shape=tuple(shape_of(w)), **at)))


def _bp_input_vjp(gg, dx, dy, w, in_shape, strides, dilations, pads):
    at = {"strides": strides, "dilations": dilations, "pads": pads}
    return (_apply(_CONV, (gg, w), at),
            _apply(_BP_FILTER, (gg, dy), dict(filter_shape=tuple(shape_of(w)), **at)))


def _bp_filter_vjp(gg, dw, x, dy, filter_shape, strides, dilations, pads):
    at = {"strides": strides, "dilations": dilations, "pads": pads}
    return (_apply(_BP_INPUT, (dy, gg), dict(in_shape=tuple(shape_of(x)), **at)),
            _apply(_CONV, (x, gg), at))


_CONV = defop("conv2d", OPAQUE, dtypes=_CONV_DTYPES, promote=True, vjp=_conv_vjp)(_conv_impl)
_BP_INPUT = defop("conv2d_backprop_input", OPAQUE, dtypes=_F, promote=True,
                  vjp=_bp_input_vjp)(_backprop_input_impl)
_BP_FILTER = defop("conv2d_backprop_filter", OPAQUE, dtypes=_F, promote=True,
                   vjp=_bp_filter_vjp)(_backprop_filter_impl)


# --- argument normalization ---------------------------------------------------------------------
def _spatial(op, value, n, what, fmt_nc):
    """strides/dilations as an (h, w)-like tuple of n ints from an int or a 1/n/n+2 list."""
    value = static_value(value)
    if value is None:
        return (1,) * n
    if isinstance(value, (int, np.integer)):
        return (int(value),) * n
    vals = [int(v) for v in np.asarray(value).ravel().tolist()]
    if len(vals) == 1:
        return (vals[0],) * n
    if len(vals) == n:
        return tuple(vals)
    if len(vals) == n + 2:
        outer = (vals[0], vals[1]) if fmt_nc else (vals[0], vals[-1])
        if outer != (1, 1):
            raise _err(op, f"{what} in the batch and depth dimensions must be 1, got {vals}")
        return tuple(vals[2:]) if fmt_nc else tuple(vals[1:-1])
    raise _err(op, f"{what} must be an int or a list of 1, {n} or {n + 2} ints, got {vals}")


def _pads(op, padding, in_sizes, ksizes, strides, dilations, fmt_nc):
    """Explicit ((before, after), ...) per spatial dim for 'SAME'/'VALID'/explicit lists."""
    n = len(in_sizes)
    if isinstance(padding, str):
        p = padding.upper()
        if p == "VALID":
            return ((0, 0),) * n
        if p == "SAME":
            out = []
            for size, k, s, d in zip(in_sizes, ksizes, strides, dilations):
                o = -(-size // s)
                total = max((o - 1) * s + (k - 1) * d + 1 - size, 0)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        raise _err(op, f"padding must be 'SAME', 'VALID' or an explicit list, got {padding!r}")
    pairs = [tuple(int(v) for v in pair) for pair in padding]
    if len(pairs) != n + 2 or any(len(p) != 2 for p in pairs):
        raise _err(op, f"explicit padding must be {n + 2} [before, after] pairs, got "
                   f"{padding}")
    outer = (pairs[0], pairs[1]) if fmt_nc else (pairs[0], pairs[-1])
    if outer != ((0, 0), (0, 0)):
        raise _err(op, "explicit padding in the batch and depth dimensions must be 0")
    inner = pairs[2:] if fmt_nc else pairs[1:-1]
    if any(v < 0 for p in inner for v in p):
        raise _err(op, f"explicit padding must be non-negative, got {padding}")
    return tuple(inner)


def _is_nc(data_format):
    return data_format is not None and data_format.upper().startswith("NC")


def _to_nhwc(x):
    return _a.transpose(x, [0, 2, 3, 1])


def _to_nchw(x):
    return _a.transpose(x, [0, 3, 1, 2])


def _check_rank(op, x, rank, what):
    if len(shape_of(x)) != rank:
        raise _err(op, f"{what} must be {rank}-dimensional, got shape {list(shape_of(x))}")


def _conv2d_nhwc(op, x, w, strides, padding, dilations, nc):
    xs, ws = tuple(shape_of(x)), tuple(shape_of(w))
    if ws[2] == 0 or xs[3] % ws[2]:
        raise _err(op, f"input depth must be evenly divisible by filter depth: {xs[3]} vs "
                   f"{ws[2]} (input shape {list(xs)}, filter shape {list(ws)})")
    if ws[3] % (xs[3] // ws[2]):
        raise _err(op, f"the number of output channels {ws[3]} must be divisible by the "
                   f"number of groups {xs[3] // ws[2]}")
    if any(s < 1 for s in strides) or any(d < 1 for d in dilations):
        raise _err(op, f"strides {strides} and dilations {dilations} must be >= 1")
    pads = _pads(op, padding, xs[1:3], ws[:2], strides, dilations, nc)
    for i in range(2):
        if xs[1 + i] + sum(pads[i]) < (ws[i] - 1) * dilations[i] + 1:
            raise _err(op, f"the filter (shape {list(ws)}, dilations {list(dilations)}) is "
                       f"larger than the padded input (shape {list(xs)})")
    return _apply(_CONV, (x, w), {"strides": strides, "dilations": dilations, "pads": pads})


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None,
           name=None):
    """2-D convolution of NHWC ``input`` with HWIO ``filters`` (TF's cross-correlation).

    ``strides``/``dilations``: an int or a list of 1, 2 or 4 ints; ``padding``: 'SAME',
    'VALID' or explicit [[0, 0], [top, bottom], [left, right], [0, 0]].

    >>> import cuflow as cf
    >>> x = cf.ones([1, 4, 4, 1]); w = cf.ones([3, 3, 1, 2])
    >>> cf.nn.conv2d(x, w, 1, "VALID").shape, cf.nn.conv2d(x, w, 2, "SAME").shape
    (TensorShape([1, 2, 2, 2]), TensorShape([1, 2, 2, 2]))
    """
    x, w = convert_to_tensor(input), convert_to_tensor(filters)
    _check_rank("conv2d", x, 4, "input")
    _check_rank("conv2d", w, 4, "filter")
    nc = _is_nc(data_format)
    s = _spatial("conv2d", strides, 2, "strides", nc)
    d = _spatial("conv2d", dilations, 2, "dilations", nc)
    if nc:
        return _to_nchw(_conv2d_nhwc("conv2d", _to_nhwc(x), w, s, padding, d, nc))
    return _conv2d_nhwc("conv2d", x, w, s, padding, d, nc)


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,
           name=None):
    """1-D convolution of NWC ``input`` with WIO ``filters`` (via conv2d, as TF)."""
    x, w = convert_to_tensor(input), convert_to_tensor(filters)
    _check_rank("conv1d", x, 3, "input")
    _check_rank("conv1d", w, 3, "filter")
    nc = _is_nc(data_format)
    s = _spatial("conv1d", stride, 1, "stride", nc)
    d = _spatial("conv1d", dilations, 1, "dilations", nc)
    if not isinstance(padding, str):
        padding = [list(p) for p in padding]
        padding.insert(2 if nc else 1, [0, 0])
    x4 = _a.expand_dims(x, 2 if nc else 1)
    y = conv2d(x4, _a.expand_dims(w, 0), (1,) + s, padding, "NCHW" if nc else "NHWC",
               (1,) + d)
    return _a.squeeze(y, [2 if nc else 1])


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",
                     data_format="NHWC", dilations=None, name=None):
    """The gradient of conv2d w.r.t. its input; ``filters`` is [H, W, out_ch, in_ch]."""
    op = "conv2d_transpose"
    x, w = convert_to_tensor(input), convert_to_tensor(filters)
    _check_rank(op, x, 4, "input")
    _check_rank(op, w, 4, "filter")
    nc = _is_nc(data_format)
    out = [int(v) for v in np.asarray(static_value(output_shape)).ravel().tolist()]
    if len(out) != 4:
        raise _err(op, f"output_shape must have 4 elements, got {out}")
    s = _spatial(op, strides, 2, "strides", nc)
    d = _spatial(op, dilations, 2, "dilations", nc)
    if nc:
        x = _to_nhwc(x)
        out = [out[0], out[2], out[3], out[1]]
    ws, xs = tuple(shape_of(w)), tuple(shape_of(x))
    if ws[3] != xs[3] or ws[2] != out[3]:
        raise _err(op, f"filter shape {list(ws)} must be [h, w, output channels "
                   f"{out[3]}, input channels {xs[3]}]")
    pads = _pads(op, padding, out[1:3], ws[:2], s, d, nc)
    expect = [_out_size(out[1 + i], ws[i], s[i], d[i], pads[i]) for i in range(2)]
    if expect != list(xs[1:3]) or out[0] != xs[0]:
        raise _err(op, f"input shape {list(xs)} does not match output_shape {out}: a "
                   f"convolution of output_shape would give spatial size {expect}")
    y = _apply(_BP_INPUT, (x, w), {"in_shape": tuple(out), "strides": s, "dilations": d,
                                   "pads": pads})
    return _to_nchw(y) if nc else y


def depthwise_conv2d(input, filter, strides, padding, data_format=None,
                     dilations=None, name=None):
    """Per-channel convolution: ``filter`` [H, W, C, M] gives C*M output channels."""
    op = "depthwise_conv2d"
    x, w = convert_to_tensor(input), convert_to_tensor(filter)
    _check_rank(op, x, 4, "input")
    _check_rank(op, w, 4, "filter")
    nc = _is_nc(data_format)
    if nc:
        x = _to_nhwc(x)
    kh, kw, c, m = shape_of(w)
    if shape_of(x)[3] != c:
        raise _err(op, f"input depth {shape_of(x)[3]} must equal the filter's in_channels "
                   f"{c} (input {list(shape_of(x))}, filter {list(shape_of(w))})")
    s = _spatial(op, strides, 2, "strides", nc)
    d = _spatial(op, dilations, 2, "dilations", nc)
    y = _conv2d_nhwc(op, x, _a.reshape(w, [kh, kw, 1, c * m]), s, padding, d, nc)
    return _to_nchw(y) if nc else y


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,
                     data_format=None, dilations=None, name=None):
    """depthwise_conv2d followed by a 1x1 conv2d with ``pointwise_filter``."""
    y = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    return conv2d(y, pointwise_filter, 1, "VALID", data_format or "NHWC")


def convolution(input, filters, strides=None, padding="VALID", data_format=None,
                dilations=None, name=None):
    """N-D convolution dispatching on the input's rank (3: conv1d, 4: conv2d)."""
    nd = len(shape_of(input))
    if nd == 3:
        return conv1d(input, filters, strides if strides is not None else 1, padding,
                      data_format or "NWC", dilations)
    if nd == 4:
        return conv2d(input, filters, strides if strides is not None else 1, padding,
                      data_format or "NHWC", dilations)
    raise _err("convolution", f"input must be rank 3 or 4 (conv1d/conv2d), got shape "
               f"{list(shape_of(input))}")


def conv2d_backprop_input(input_sizes, filters, out_backprop, strides, padding,
                          data_format="NHWC", dilations=None, name=None):
    """The gradient of conv2d w.r.t. its input (``tf.nn.conv2d_backprop_input``)."""
    return conv2d_transpose(out_backprop, filters, input_sizes, strides, padding,
                            data_format, dilations)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                           data_format="NHWC", dilations=None, name=None):
    """The gradient of conv2d w.r.t. its filter."""
    op = "conv2d_backprop_filter"
    x, dy = convert_to_tensor(input), convert_to_tensor(out_backprop)
    nc = _is_nc(data_format)
    if nc:
        x, dy = _to_nhwc(x), _to_nhwc(dy)
    fs = tuple(int(v) for v in np.asarray(static_value(filter_sizes)).ravel().tolist())
    s = _spatial(op, strides, 2, "strides", nc)
    d = _spatial(op, dilations, 2, "dilations", nc)
    pads = _pads(op, padding, tuple(shape_of(x))[1:3], fs[:2], s, d, nc)
    return _apply(_BP_FILTER, (x, dy), {"filter_shape": fs, "strides": s, "dilations": d,
                                        "pads": pads})
