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
from ._nn_infer import conv_out, dims
from ._util import shape_of
from .constant import convert_to_tensor
from .conv_ops import _is_nc, _pads, _spatial, _taps, _to_nchw, _to_nhwc, out_sizes
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
    """Output spatial sizes and each tap's index tuple (N, *slices, C) into the padded x."""
    out = out_sizes(x.shape, ksize, strides, dilations, pads)
    taps = [(slice(None), *t, slice(None)) for t in _taps(ksize, strides, dilations, out)]
    return out, taps


def _padded(xp, x, pads, value):
    if not any(p for pair in pads for p in pair):
        return x
    return xp.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value)


def _zeros_padded(xp, shape, pads, dtype):
    return xp.zeros((shape[0], *(n + sum(p) for n, p in zip(shape[1:-1], pads)), shape[-1]),
                    dtype=dtype)


def _crop(a, shape, pads):
    return a[(slice(None), *(slice(p[0], p[0] + n) for p, n in zip(pads, shape[1:-1])),
              slice(None))]


def _argmax_taps(xp, x, ksize, strides, dilations, pads):
    """Index (0..K-1) of each window's first maximum, and the taps."""
    _out, taps = _geometry(x, ksize, strides, dilations, pads)
    xpad = _padded(xp, x, pads, _lowest(x.dtype))
    best = xpad[taps[0]]
    arg = xp.zeros(best.shape, dtype=np.int32)
    for t, tap in enumerate(taps[1:], 1):
        v = xpad[tap]
        better = v > best
        best = xp.where(better, v, best)
        arg = xp.where(better, np.int32(t), arg)
    return arg, taps


def _max_pool_impl(xp, x, ksize, strides, dilations, pads):
    _out, taps = _geometry(x, ksize, strides, dilations, pads)
    xpad = _padded(xp, x, pads, _lowest(x.dtype))
    out = xpad[taps[0]].copy()
    for tap in taps[1:]:
        xp.maximum(out, xpad[tap], out=out)
    return out


def _max_pool_grad_impl(xp, x, dy, ksize, strides, dilations, pads):
    arg, taps = _argmax_taps(xp, x, ksize, strides, dilations, pads)
    out = _zeros_padded(xp, x.shape, pads, dy.dtype)
    zero = dy.dtype.type(0)
    for t, tap in enumerate(taps):
        out[tap] += xp.where(arg == t, dy, zero)
    return _crop(out, x.shape, pads)


def _max_pool_grad_grad_impl(xp, x, g, ksize, strides, dilations, pads):
    arg, taps = _argmax_taps(xp, x, ksize, strides, dilations, pads)
    gpad = _padded(xp, g, pads, 0)
    out = xp.zeros(arg.shape, dtype=g.dtype)
    for t, tap in enumerate(taps):
        out = xp.where(arg == t, gpad[tap], out)
    return out


def _counts(xp, shape, ksize, strides, dilations, pads):
    """How many real (unpadded) elements each window covers, shape (1, *O, 1)."""
    ones = xp.ones((1, *shape[1:-1], 1), dtype=np.float64)
    out, taps = _geometry(ones, ksize, strides, dilations, pads)
    opad = _padded(xp, ones, pads, 0)
    cnt = xp.zeros((1, *out, 1), dtype=np.float64)
    for tap in taps:
        cnt += opad[tap]
    return cnt


def _avg_pool_impl(xp, x, ksize, strides, dilations, pads):
    acc = np.float32 if x.dtype.itemsize < 4 else x.dtype
    out_sp, taps = _geometry(x, ksize, strides, dilations, pads)
    xpad = _padded(xp, x.astype(acc, copy=False), pads, 0)
    out = xp.zeros((x.shape[0], *out_sp, x.shape[-1]), dtype=acc)
    for tap in taps:
        out += xpad[tap]
    return (out / _counts(xp, x.shape, ksize, strides, dilations, pads).astype(acc)).astype(
        x.dtype)


def _avg_pool_grad_impl(xp, dy, in_shape, ksize, strides, dilations, pads):
    acc = np.float32 if dy.dtype.itemsize < 4 else dy.dtype
    taps = [(slice(None), *t, slice(None))
            for t in _taps(ksize, strides, dilations, dy.shape[1:-1])]
    scaled = dy.astype(acc) / _counts(xp, in_shape, ksize, strides, dilations, pads).astype(acc)
    out = _zeros_padded(xp, in_shape, pads, acc)
    for tap in taps:
        out[tap] += scaled
    return _crop(out, in_shape, pads).astype(dy.dtype)


def _at(ksize, strides, dilations, pads):
    return {"ksize": ksize, "strides": strides, "dilations": dilations, "pads": pads}


def _pool_infer(x, ksize, strides, dilations, pads):
    xs = dims(x)
    out = [conv_out(n, k, s, d, p) for n, k, s, d, p in
           zip(xs[1:-1], ksize, strides, dilations, pads)]
    return ([xs[0], *out, xs[-1]], x.dtype)


def _pool_family(suffix):
    """max_pool{suffix} with its two gradient ops, avg_pool{suffix} with its one."""
    o = {}
    o["max"] = defop(f"max_pool{suffix}", OPAQUE, dtypes=_POOL_DTYPES, infer=_pool_infer,
                     vjp=lambda g, y, x, **at: _apply(o["max_grad"], (x, g), at))(
        _max_pool_impl)
    o["max_grad"] = defop(f"max_pool{suffix}_grad", OPAQUE, dtypes=_F, promote=True,
                          infer=lambda x, dy, **at: (dims(x), dy.dtype),
                          vjp=lambda gg, dx, x, dy, **at: (
                              None, _apply(o["max_gg"], (x, gg), at)))(_max_pool_grad_impl)
    o["max_gg"] = defop(f"max_pool{suffix}_grad_grad", OPAQUE, dtypes=_F, promote=True,
                        infer=lambda x, g, **at: (_pool_infer(x, **at)[0], g.dtype),
                        vjp=lambda gg, y, x, g, **at: (None, _apply(o["max_grad"], (x, gg),
                                                                    at)))(
        _max_pool_grad_grad_impl)
    o["avg"] = defop(f"avg_pool{suffix}", OPAQUE, dtypes=_F, infer=_pool_infer,
                     vjp=lambda g, y, x, **at: _apply(o["avg_grad"], (g,), dict(
                         in_shape=tuple(shape_of(x)), **at)))(_avg_pool_impl)
    o["avg_grad"] = defop(f"avg_pool{suffix}_grad", OPAQUE, dtypes=_F,
                          infer=lambda dy, in_shape, **at: (list(in_shape), dy.dtype),
                          vjp=lambda gg, y, dy, in_shape, **at: _apply(o["avg"], (gg,), at))(
        _avg_pool_grad_impl)
    return o


_P2, _P3 = _pool_family(""), _pool_family("3d")
_MAX, _AVG = _P2["max"], _P2["avg"]


# --- public functions ------------------------------------------------------------------------
def _pool2d(op_def, opname, x, ksize, strides, padding, data_format, dilations=None):
    """Checks and runs a pooling op on a rank-4 (or, for the 3d ops, rank-5) input."""
    x = convert_to_tensor(x)
    nd = 3 if op_def in (_P3["max"], _P3["avg"]) else 2
    if len(shape_of(x)) != nd + 2:
        raise _err(opname, f"input must be {nd + 2}-dimensional, got shape "
                   f"{list(shape_of(x))}")
    nc = _is_nc(data_format)
    k = _spatial(opname, ksize, nd, "ksize", nc)
    s = _spatial(opname, strides, nd, "strides", nc)
    d = _spatial(opname, dilations, nd, "dilations", nc)
    if any(v < 1 for v in k + s + d):
        raise _err(opname, f"ksize {k}, strides {s} and dilations {d} must be >= 1")
    if nc:
        x = _to_nhwc(x)
    xs = tuple(shape_of(x))
    pads = _pads(opname, padding, xs[1:-1], k, s, d, nc)
    if not isinstance(padding, str) and op_def in (_AVG, _P3["avg"]):
        raise _err(opname, "explicit padding is not supported by avg_pool (as TF)")
    for i in range(nd):
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


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Max over ``ksize`` windows of NDHWC ``input``."""
    return _pool2d(_P3["max"], "max_pool3d", input, ksize, strides, padding, data_format)


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """Mean over ``ksize`` windows of NDHWC ``input`` (real elements only with 'SAME')."""
    return _pool2d(_P3["avg"], "avg_pool3d", input, ksize, strides, padding, data_format)


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


def _by_rank(fns, opname, input, ksize, strides, padding, data_format):  # noqa: A002
    nd = len(shape_of(input))
    if nd in (3, 4, 5):
        return fns[nd - 3](input, ksize, strides, padding,
                           data_format or ("NWC", "NHWC", "NDHWC")[nd - 3])
    raise _err(opname, f"input must be rank 3, 4 or 5, got shape {list(shape_of(input))}")


def max_pool(input, ksize, strides, padding, data_format=None, name=None):
    """Max pooling of a rank 3 (NWC), 4 (NHWC) or 5 (NDHWC) input."""
    return _by_rank((max_pool1d, max_pool2d, max_pool3d), "max_pool", input, ksize, strides,
                    padding, data_format)


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):
    """Average pooling of a rank 3 (NWC), 4 (NHWC) or 5 (NDHWC) input."""
    return _by_rank((avg_pool1d, avg_pool2d, avg_pool3d), "avg_pool", input, ksize, strides,
                    padding, data_format)


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",
         data_format=None, dilations=None, name=None):
    """'MAX' or 'AVG' pooling with optional dilations (``tf.nn.pool``), 1-D, 2-D or 3-D."""
    ptype = pooling_type.upper()
    if ptype not in ("MAX", "AVG"):
        raise ValueError(f"pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    x = convert_to_tensor(input)
    nd = len(shape_of(x)) - 2
    if nd not in (1, 2, 3):
        raise _err("pool", f"input must be rank 3, 4 or 5, got shape {list(shape_of(x))}")
    window = list(_spatial("pool", window_shape, nd, "window_shape", False))
    strides = list(_spatial("pool", strides, nd, "strides", False))
    dil = list(_spatial("pool", dilations, nd, "dilations", False))
    if any(s != 1 for s in strides) and any(r != 1 for r in dil):
        raise ValueError("strides > 1 not supported in conjunction with dilation_rate > 1")
    if isinstance(padding, str) and padding.upper() == "SAME" and any(r != 1 for r in dil):
        raise ValueError("pooling with 'SAME' padding is not implemented for `dilation_rate` "
                         f"> 1. Received: padding={padding} and dilation_rate={dil}")
    fam = _P3 if nd == 3 else _P2
    op_def = fam["max"] if ptype == "MAX" else fam["avg"]
    nc = _is_nc(data_format)
    if nd == 1:
        x = _a.expand_dims(x, 2 if nc else 1)
        window, strides, dil = [1] + window, [1] + strides, [1] + dil
    y = _pool2d(op_def, op_def.name, x, window, strides, padding,
                "NC" if nc else "NHWC", dil)
    return _a.squeeze(y, [2 if nc else 1]) if nd == 1 else y


# --- max_pool_with_argmax -------------------------------------------------------------------------
def _argmax_impl(xp, x, ksize, strides, dilations, pads, include_batch, dtype):
    arg, _taps = _argmax_taps(xp, x, ksize, strides, dilations, pads)
    n, h, w, c = x.shape
    ho, wo = arg.shape[1], arg.shape[2]
    ki, kj = arg // ksize[1], arg % ksize[1]
    y = xp.arange(ho).reshape(1, ho, 1, 1) * strides[0] + ki * dilations[0] - pads[0][0]
    xx = xp.arange(wo).reshape(1, 1, wo, 1) * strides[1] + kj * dilations[1] - pads[1][0]
    idx = (y * w + xx) * c + xp.arange(c).reshape(1, 1, 1, c)
    if include_batch:
        idx = idx + xp.arange(n).reshape(n, 1, 1, 1) * (h * w * c)
    return idx.astype(dtype)


_ARGMAX = defop("max_pool_argmax", OPAQUE, dtypes=_POOL_DTYPES, differentiable=False)(
    _argmax_impl)
_ARGMAX.def_infer(lambda x, include_batch, dtype, **at: (_pool_infer(x, **at)[0], dtype))


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         output_dtype=_dt.int64, include_batch_in_index=False, name=None):
    """(max_pool2d(input), flat index of each maximum): ((b * H + y) * W + x) * C + c,
    without the batch term unless ``include_batch_in_index``."""
    if data_format != "NHWC":
        raise ValueError(f"max_pool_with_argmax supports only NHWC, got {data_format!r}")
    if not isinstance(padding, str):
        raise _err("max_pool_with_argmax", "padding must be 'SAME' or 'VALID'")
    out = max_pool2d(input, ksize, strides, padding)
    x = convert_to_tensor(input)
    k = _spatial("max_pool_with_argmax", ksize, 2, "ksize", False)
    s = _spatial("max_pool_with_argmax", strides, 2, "strides", False)
    pads = _pads("max_pool_with_argmax", padding, tuple(shape_of(x))[1:3], k, s, (1, 1),
                 False)
    arg = _apply(_ARGMAX, (x,), {"ksize": k, "strides": s, "dilations": (1, 1), "pads": pads,
                                 "include_batch": bool(include_batch_in_index),
                                 "dtype": _dt.as_dtype(output_dtype).np})
    return out, arg
