"""Pooling (``tf.nn.max_pool2d``, ``avg_pool2d``, ``pool``...), NHWC.

Primitives work on the same shifted-view layout as conv2d's im2col (one strided slice
per window tap, reduced with a vectorized max / sum), and their gradients are
primitives too, so second derivatives work:

    max_pool(x)               -> y
    max_pool_grad(x, dy)      routes dy to each window's first maximum (TF's rule)
    max_pool_grad_grad(x, g)  picks g at each window's maximum (the adjoint of the above)
    avg_pool(x)               SAME padding divides by the number of valid elements, as TF
    avg_pool_grad(dy)         its adjoint (avg_pool is linear)
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import array_ops as _a
from ._util import shape_of
from .constant import convert_to_tensor
from .conv_ops import _is_nc, _out_size, _pads, _spatial, _taps, _to_nchw, _to_nhwc
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

_F = _dt.FLOATS
_POOL_DTYPES = _dt.FLOATS | frozenset(np.dtype(t) for t in (np.int8, np.uint8, np.int16,
                                                            np.int32, np.int64))


def _err(op, msg):
    return InvalidArgumentError(None, op, f"{op}: {msg}")


def _lowest(dt):
    return -np.inf if dt.kind == "f" or dt == _dt.bfloat16.np else np.iinfo(dt).min


def _geometry(x, ksize, strides, dilations, pads):
    ho = _out_size(x.shape[1], ksize[0], strides[0], dilations[0], pads[0])
    wo = _out_size(x.shape[2], ksize[1], strides[1], dilations[1], pads[1])
    return ho, wo, list(_taps(ksize[0], ksize[1], strides, dilations, ho, wo))


def _padded(xp, x, pads, value):
    if not any(p for pair in pads for p in pair):
        return x
    return xp.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=value)


def _argmax_taps(xp, x, ksize, strides, dilations, pads):
    """Index (0..KH*KW-1) of each window's first maximum, and the padded input."""
    _ho, _wo, taps = _geometry(x, ksize, strides, dilations, pads)
    xpad = _padded(xp, x, pads, _lowest(x.dtype))
    best = xpad[:, taps[0][0], taps[0][1], :]
    arg = xp.zeros(best.shape, dtype=np.int32)
    for t, (si, sj) in enumerate(taps[1:], 1):
        v = xpad[:, si, sj, :]
        better = v > best
        best = xp.where(better, v, best)
        arg = xp.where(better, np.int32(t), arg)
    return arg, taps


def _max_pool_impl(xp, x, ksize, strides, dilations, pads):
    _ho, _wo, taps = _geometry(x, ksize, strides, dilations, pads)
    xpad = _padded(xp, x, pads, _lowest(x.dtype))
    out = xpad[:, taps[0][0], taps[0][1], :].copy()
    for si, sj in taps[1:]:
        xp.maximum(out, xpad[:, si, sj, :], out=out)
    return out


def _max_pool_grad_impl(xp, x, dy, ksize, strides, dilations, pads):
    arg, taps = _argmax_taps(xp, x, ksize, strides, dilations, pads)
    n, h, w, c = x.shape
    out = xp.zeros((n, h + sum(pads[0]), w + sum(pads[1]), c), dtype=dy.dtype)
    zero = dy.dtype.type(0)
    for t, (si, sj) in enumerate(taps):
        out[:, si, sj, :] += xp.where(arg == t, dy, zero)
    return out[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w, :]


def _max_pool_grad_grad_impl(xp, x, g, ksize, strides, dilations, pads):
    arg, taps = _argmax_taps(xp, x, ksize, strides, dilations, pads)
    gpad = _padded(xp, g, pads, 0)
    out = xp.zeros(arg.shape, dtype=g.dtype)
    for t, (si, sj) in enumerate(taps):
        out = xp.where(arg == t, gpad[:, si, sj, :], out)
    return out


def _counts(xp, shape, ksize, strides, dilations, pads):
    """How many real (unpadded) elements each window covers, shape (1, Ho, Wo, 1)."""
    ones = xp.ones((1, shape[1], shape[2], 1), dtype=np.float64)
    ho, wo, taps = _geometry(ones, ksize, strides, dilations, pads)
    opad = _padded(xp, ones, pads, 0)
    cnt = xp.zeros((1, ho, wo, 1), dtype=np.float64)
    for si, sj in taps:
        cnt += opad[:, si, sj, :]
    return cnt


def _avg_pool_impl(xp, x, ksize, strides, dilations, pads):
    acc = np.float32 if x.dtype.itemsize < 4 else x.dtype
    ho, wo, taps = _geometry(x, ksize, strides, dilations, pads)
    xpad = _padded(xp, x.astype(acc, copy=False), pads, 0)
    out = xp.zeros((x.shape[0], ho, wo, x.shape[3]), dtype=acc)
    for si, sj in taps:
        out += xpad[:, si, sj, :]
    return (out / _counts(xp, x.shape, ksize, strides, dilations, pads).astype(acc)).astype(
        x.dtype)


def _avg_pool_grad_impl(xp, dy, in_shape, ksize, strides, dilations, pads):
    acc = np.float32 if dy.dtype.itemsize < 4 else dy.dtype
    n, h, w, c = in_shape
    ho, wo = dy.shape[1], dy.shape[2]
    taps = list(_taps(ksize[0], ksize[1], strides, dilations, ho, wo))
    scaled = dy.astype(acc) / _counts(xp, in_shape, ksize, strides, dilations, pads).astype(acc)
    out = xp.zeros((n, h + sum(pads[0]), w + sum(pads[1]), c), dtype=acc)
    for si, sj in taps:
        out[:, si, sj, :] += scaled
    return out[:, pads[0][0]:pads[0][0] + h, pads[1][0]:pads[1][0] + w, :].astype(dy.dtype)


def _at(ksize, strides, dilations, pads):
    return {"ksize": ksize, "strides": strides, "dilations": dilations, "pads": pads}


_MAX = defop("max_pool", OPAQUE, dtypes=_POOL_DTYPES, vjp=lambda g, y, x, **at: _apply(
    _MAX_GRAD, (x, g), at))(_max_pool_impl)
_MAX_GRAD = defop("max_pool_grad", OPAQUE, dtypes=_F, promote=True,
                  vjp=lambda gg, dx, x, dy, **at: (None, _apply(_MAX_GRAD_GRAD, (x, gg), at)))(
    _max_pool_grad_impl)
_MAX_GRAD_GRAD = defop("max_pool_grad_grad", OPAQUE, dtypes=_F, promote=True,
                       vjp=lambda gg, y, x, g, **at: (None, _apply(_MAX_GRAD, (x, gg), at)))(
    _max_pool_grad_grad_impl)
_AVG = defop("avg_pool", OPAQUE, dtypes=_F, vjp=lambda g, y, x, **at: _apply(
    _AVG_GRAD, (g,), dict(in_shape=tuple(shape_of(x)), **at)))(_avg_pool_impl)
_AVG_GRAD = defop("avg_pool_grad", OPAQUE, dtypes=_F,
                  vjp=lambda gg, y, dy, in_shape, **at: _apply(_AVG, (gg,), at))(
    _avg_pool_grad_impl)


# --- public functions ------------------------------------------------------------------------
def _pool2d(op_def, opname, x, ksize, strides, padding, data_format, dilations=None):
    x = convert_to_tensor(x)
    if len(shape_of(x)) != 4:
        raise _err(opname, f"input must be 4-dimensional, got shape {list(shape_of(x))}")
    nc = _is_nc(data_format)
    k = _spatial(opname, ksize, 2, "ksize", nc)
    s = _spatial(opname, strides, 2, "strides", nc)
    d = _spatial(opname, dilations, 2, "dilations", nc)
    if any(v < 1 for v in k + s + d):
        raise _err(opname, f"ksize {k}, strides {s} and dilations {d} must be >= 1")
    if nc:
        x = _to_nhwc(x)
    xs = tuple(shape_of(x))
    pads = _pads(opname, padding, xs[1:3], k, s, d, nc)
    if not isinstance(padding, str) and op_def is _AVG:
        raise _err(opname, "explicit padding is not supported by avg_pool (as TF)")
    for i in range(2):
        if xs[1 + i] + sum(pads[i]) < (k[i] - 1) * d[i] + 1:
            raise _err(opname, f"the window {list(k)} is larger than the padded input "
                       f"(shape {list(xs)}, padding {padding!r})")
        if pads[i][0] >= (k[i] - 1) * d[i] + 1 or pads[i][1] >= (k[i] - 1) * d[i] + 1:
            raise _err(opname, f"padding {list(pads[i])} must be smaller than the window "
                       f"{k[i]}")
    y = _apply(op_def, (x,), _at(k, s, d, pads))
    return _to_nchw(y) if nc else y


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Max over ``ksize`` windows of NHWC ``input``.

    >>> import cuflow as cf
    >>> x = cf.reshape(cf.range(16.0), [1, 4, 4, 1])
    >>> cf.nn.max_pool2d(x, 2, 2, "VALID").numpy().ravel().tolist()
    [5.0, 7.0, 13.0, 15.0]
    """
    return _pool2d(_MAX, "max_pool", input, ksize, strides, padding, data_format)


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Mean over ``ksize`` windows; with 'SAME' only real elements are counted."""
    return _pool2d(_AVG, "avg_pool", input, ksize, strides, padding, data_format)


def _pool1d(fn, input, ksize, strides, padding, data_format):
    nc = _is_nc(data_format)
    x = _a.expand_dims(convert_to_tensor(input), 2 if nc else 1)
    k = _spatial("pool1d", ksize, 1, "ksize", nc)
    s = _spatial("pool1d", strides, 1, "strides", nc)
    if not isinstance(padding, str):
        padding = [list(p) for p in padding]
        padding.insert(2 if nc else 1, [0, 0])
    y = fn(x, (1,) + k, (1,) + s, padding, "NCHW" if nc else "NHWC")
    return _a.squeeze(y, [2 if nc else 1])


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """Max pooling over the W dimension of NWC ``input``."""
    return _pool1d(max_pool2d, input, ksize, strides, padding, data_format)


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):
    """Average pooling over the W dimension of NWC ``input``."""
    return _pool1d(avg_pool2d, input, ksize, strides, padding, data_format)


def _by_rank(fn1, fn2, opname, input, ksize, strides, padding, data_format):
    nd = len(shape_of(input))
    if nd == 3:
        return fn1(input, ksize, strides, padding, data_format or "NWC")
    if nd == 4:
        return fn2(input, ksize, strides, padding, data_format or "NHWC")
    raise _err(opname, f"input must be rank 3 or 4, got shape {list(shape_of(input))}")


def max_pool(input, ksize, strides, padding, data_format=None, name=None):
    """Max pooling of a rank 3 (NWC) or rank 4 (NHWC) input."""
    return _by_rank(max_pool1d, max_pool2d, "max_pool", input, ksize, strides, padding,
                    data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):
    """Average pooling of a rank 3 (NWC) or rank 4 (NHWC) input."""
    return _by_rank(avg_pool1d, avg_pool2d, "avg_pool", input, ksize, strides, padding,
                    data_format)


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",
         data_format=None, dilations=None, name=None):
    """'MAX' or 'AVG' pooling with optional dilations (``tf.nn.pool``), 1-D or 2-D."""
    ptype = pooling_type.upper()
    if ptype not in ("MAX", "AVG"):
        raise ValueError(f"pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    x = convert_to_tensor(input)
    nd = len(shape_of(x)) - 2
    if nd not in (1, 2):
        raise _err("pool", f"input must be rank 3 or 4, got shape {list(shape_of(x))}")
    window = list(_spatial("pool", window_shape, nd, "window_shape", False))
    strides = list(_spatial("pool", strides, nd, "strides", False))
    dil = list(_spatial("pool", dilations, nd, "dilations", False))
    if any(s != 1 for s in strides) and any(r != 1 for r in dil):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    if isinstance(padding, str) and padding.upper() == "SAME" and any(r != 1 for r in dil):
        raise ValueError("pooling with 'SAME' padding is not implemented for `dilation_rate` "
                         f"> 1. Received: padding={padding} and dilation_rate={dil}")
    op_def = _MAX if ptype == "MAX" else _AVG
    nc = _is_nc(data_format)
    if nd == 1:
        x = _a.expand_dims(x, 2 if nc else 1)
        window, strides, dil = [1] + window, [1] + strides, [1] + dil
    y = _pool2d(op_def, "max_pool" if ptype == "MAX" else "avg_pool", x, window, strides,
                padding, "NCHW" if nc else "NHWC", dil)
    return _a.squeeze(y, [2 if nc else 1]) if nd == 1 else y
