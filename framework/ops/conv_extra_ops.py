"""More of ``tf.nn``'s convolution family: n-d and 3-d transposed convolutions, atrous
transposed convolution, depthwise backprops, and greyscale morphology
(``dilation2d`` / ``erosion2d``).

Transposes and depthwise backprops reuse conv_ops' primitives (the backprop of a
convolution is its transpose; a depthwise filter is a grouped one). Morphology is one
primitive, ``dilation2d``, whose gradient routes to the first maximising tap (TF's
kernel), through the helper op ``dilation2d_grad``.

>>> import cuflow as cf
>>> x = cf.reshape(cf.range(16.0), [1, 4, 4, 1])
>>> cf.nn.dilation2d(x, cf.zeros([2, 2, 1]), [1, 1, 1, 1], "VALID", "NHWC",
...                  [1, 1, 1, 1])[0, :, :, 0].numpy().tolist()[0]
[5.0, 6.0, 7.0]
"""
from __future__ import annotations

import math

import numpy as np

from .. import dtypes as _dt
from . import array_ops as _a
from . import conv_ops as _c
from ._nn_infer import dims
from ._util import shape_of, static_value
from .constant import convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

_err = _c._err


# --- transposed convolutions ------------------------------------------------------------------
def _transpose_nd(op, x, w, output_shape, strides, padding, data_format, dilations, nd):
    """Transposed convolution of spatial rank ``nd`` (the input-gradient of conv_nd)."""
    x, w = convert_to_tensor(x), convert_to_tensor(w)
    _c._check_rank(op, x, nd + 2, "input")
    _c._check_rank(op, w, nd + 2, "filter")
    nc = _c._is_nc(data_format)
    out = [int(v) for v in np.asarray(static_value(output_shape)).ravel().tolist()]
    if len(out) != nd + 2:
        raise _err(op, f"output_shape must have {nd + 2} elements, got {out}")
    s = _c._spatial(op, strides, nd, "strides", nc)
    d = _c._spatial(op, dilations, nd, "dilations", nc)
    if nc:
        x = _c._to_nhwc(x)
        out = [out[0], *out[2:], out[1]]
    ws, xs = tuple(shape_of(w)), tuple(shape_of(x))
    if ws[-1] != xs[-1] or ws[-2] != out[-1]:
        raise _err(op, f"filter shape {list(ws)} must be [spatial..., output channels "
                   f"{out[-1]}, input channels {xs[-1]}]")
    pads = _c._pads(op, padding, out[1:-1], ws[:nd], s, d, nc)
    expect = [_c._out_size(out[1 + i], ws[i], s[i], d[i], pads[i]) for i in range(nd)]
    if expect != list(xs[1:-1]) or out[0] != xs[0]:
        raise _err(op, f"input shape {list(xs)} does not match output_shape {out}: a "
                   f"convolution of output_shape would give spatial size {expect}")
    if nd == 1:   # through conv2d's primitive, as TF's conv1d_transpose
        y = _apply(_c._BP_INPUT, (_a.expand_dims(x, 1), _a.expand_dims(w, 0)),
                   {"in_shape": (out[0], 1, *out[1:]), "strides": (1, *s),
                    "dilations": (1, *d), "pads": ((0, 0), *pads)})
        y = _a.squeeze(y, [1])
    else:
        prim = _c._BP_INPUT if nd == 2 else _c._BP_INPUT3D
        y = _apply(prim, (x, w), {"in_shape": tuple(out), "strides": s, "dilations": d,
                                  "pads": pads})
    return _c._to_nchw(y) if nc else y


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NDHWC", dilations=None, name=None):
    """The gradient of conv3d w.r.t. its input; ``filters`` is [D, H, W, out_ch, in_ch].

    >>> import cuflow as cf
    >>> cf.nn.conv3d_transpose(cf.ones([1, 2, 2, 2, 3]), cf.ones([2, 2, 2, 4, 3]),
    ...                        [1, 4, 4, 4, 4], 2).shape
    TensorShape([1, 4, 4, 4, 4])
    """
    return _transpose_nd("conv3d_transpose", input, filters, output_shape, strides, padding,
                         data_format, dilations, 3)


def conv_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                   data_format=None, dilations=None, name=None):
    """Transposed convolution of rank given by ``output_shape`` (3: 1-d, 4: 2-d, 5: 3-d),
    as ``tf.nn.conv_transpose``."""
    n = len(np.asarray(static_value(output_shape)).ravel())
    if n not in (3, 4, 5):
        raise ValueError(f"`output_shape` must be of length 3, 4 or 5. Received: "
                         f"output_shape of length {n}.")
    default = {3: "NWC", 4: "NHWC", 5: "NDHWC"}[n]
    return _transpose_nd(f"conv{n - 2}d_transpose", input, filters, output_shape, strides,
                         padding, data_format or default, dilations, n - 2)


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """The transpose of ``atrous_conv2d``: a transposed conv2d with dilation ``rate``."""
    if int(rate) < 1:
        raise ValueError(f"rate {rate} cannot be less than one")
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"padding must be either VALID or SAME: {padding}")
    return _transpose_nd("atrous_conv2d_transpose", value, filters, output_shape, 1,
                         padding, "NHWC", int(rate), 2)


# --- depthwise backprops ---------------------------------------------------------------------
def _depthwise_args(op, filter_shape, strides, padding, data_format, dilations, in_sizes):
    nc = _c._is_nc(data_format)
    kh, kw, c, m = filter_shape
    s = _c._spatial(op, strides, 2, "strides", nc)
    d = _c._spatial(op, dilations, 2, "dilations", nc)
    pads = _c._pads(op, padding, in_sizes, (kh, kw), s, d, nc)
    return nc, {"strides": s, "dilations": d, "pads": pads}


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                    padding, data_format="NHWC", dilations=None, name=None):
    """The gradient of ``depthwise_conv2d`` w.r.t. its input (of shape ``input_sizes``)."""
    op = "depthwise_conv2d_backprop_input"
    w, dy = convert_to_tensor(filter), convert_to_tensor(out_backprop)
    sizes = [int(v) for v in np.asarray(static_value(input_sizes)).ravel().tolist()]
    nc = _c._is_nc(data_format)
    if nc:
        dy, sizes = _c._to_nhwc(dy), [sizes[0], sizes[2], sizes[3], sizes[1]]
    fs = tuple(shape_of(w))
    if len(fs) != 4 or fs[2] != sizes[3]:
        raise _err(op, f"filter shape {list(fs)} must be [h, w, in_channels {sizes[3]}, "
                   "multiplier]")
    _, at = _depthwise_args(op, fs, strides, padding, data_format, dilations, sizes[1:3])
    dx = _apply(_c._BP_INPUT, (dy, _a.reshape(w, [fs[0], fs[1], 1, fs[2] * fs[3]])),
                dict(in_shape=tuple(sizes), **at))
    return _c._to_nchw(dx) if nc else dx


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                     padding, data_format="NHWC", dilations=None,
                                     name=None):
    """The gradient of ``depthwise_conv2d`` w.r.t. its filter (of shape ``filter_sizes``)."""
    op = "depthwise_conv2d_backprop_filter"
    x, dy = convert_to_tensor(input), convert_to_tensor(out_backprop)
    fs = tuple(int(v) for v in np.asarray(static_value(filter_sizes)).ravel().tolist())
    nc = _c._is_nc(data_format)
    if nc:
        x, dy = _c._to_nhwc(x), _c._to_nhwc(dy)
    if len(fs) != 4 or fs[2] != shape_of(x)[3]:
        raise _err(op, f"filter_sizes {list(fs)} must be [h, w, in_channels "
                   f"{shape_of(x)[3]}, multiplier]")
    _, at = _depthwise_args(op, fs, strides, padding, data_format, dilations,
                            tuple(shape_of(x))[1:3])
    dw = _apply(_c._BP_FILTER, (x, dy), dict(filter_shape=(fs[0], fs[1], 1, fs[2] * fs[3]),
                                             **at))
    return _a.reshape(dw, list(fs))


# --- morphology --------------------------------------------------------------------------------
def _sums(xp, x, w, strides, rates, pads):
    """(N, OH, OW, K, C): every window of the input plus the filter taps; taps in the
    padding hold the dtype's lowest value (TF's kernel skips them)."""
    lo = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    ks, none = w.shape[:2], ((0, 0), (0, 0))
    cols = _c.im2col(xp, _c._pad(xp, x, pads), ks, strides, rates, none)
    inside = _c.im2col(xp, _c._pad(xp, xp.ones((1, *x.shape[1:3], 1), bool), pads), ks,
                       strides, rates, none)
    return xp.where(inside, cols + w.reshape(math.prod(ks), w.shape[-1]),
                    xp.asarray(lo, x.dtype))


def _dilation_impl(xp, x, w, strides, rates, pads):
    return _sums(xp, x, w, strides, rates, pads).max(axis=-2)


def _dilation_grad_impl(xp, x, w, g, strides, rates, pads):
    s = _sums(xp, x, w, strides, rates, pads)
    k = s.shape[-2]
    hit = (xp.arange(k).reshape(k, 1) == s.argmax(axis=-2)[..., None, :])   # first max
    routed = hit * g[..., None, :]
    dw = routed.reshape(-1, k, w.shape[-1]).sum(axis=0).reshape(w.shape).astype(w.dtype)
    padded = (x.shape[0], *(n + sum(p) for n, p in zip(x.shape[1:3], pads)), x.shape[3])
    dx = _c.col2im(xp, routed.astype(x.dtype), padded, w.shape[:2], strides, rates,
                   ((0, 0), (0, 0)))
    (t, b), (left, r) = pads
    return dx[:, t:t + x.shape[1], left:left + x.shape[2]], dw


def _dilation_vjp(g, y, x, w, **at):
    return tuple(_apply(_DILATION_GRAD, (x, w, g), at))


_DILATION = defop("dilation2d", OPAQUE, dtypes=_dt.REAL, promote=True, vjp=_dilation_vjp)(
    _dilation_impl)
_DILATION.def_infer(lambda x, w, strides, rates, pads: (
    [dims(x)[0], *(_c._out_size(n, k, s, r, p) for n, k, s, r, p in
                   zip(dims(x)[1:3], dims(w)[:2], strides, rates, pads)), dims(x)[3]],
    x.dtype))
_DILATION_GRAD = defop("dilation2d_grad", OPAQUE, dtypes=_dt.REAL, promote=True, n_out=2,
                       differentiable=False)(_dilation_grad_impl)
_DILATION_GRAD.def_infer(lambda x, w, g, **at: ((dims(x), x.dtype), (dims(w), w.dtype)))


def _four(op, value, what):
    vals = [int(v) for v in np.asarray(static_value(value)).ravel().tolist()]
    if len(vals) != 4 or vals[0] != 1 or vals[3] != 1:
        raise _err(op, f"{what} must be a list of 4 ints [1, h, w, 1], got {vals}")
    return tuple(vals[1:3])


def dilation2d(input, filters, strides, padding, data_format="NHWC",  # noqa: A002
               dilations=None, name=None):
    """Greyscale morphological dilation: the max over each window of input + filter
    (``tf.nn.dilation2d``; input NHWC, filters [h, w, C])."""
    op = "dilation2d"
    if data_format != "NHWC":
        raise ValueError("Data formats other than NHWC are not yet supported")
    x, w = convert_to_tensor(input), convert_to_tensor(filters)
    _c._check_rank(op, x, 4, "input")
    _c._check_rank(op, w, 3, "filters")
    if shape_of(w)[2] != shape_of(x)[3]:
        raise _err(op, f"input depth {shape_of(x)[3]} must equal the filters' depth "
                   f"{shape_of(w)[2]} (input {list(shape_of(x))}, filters "
                   f"{list(shape_of(w))})")
    s = _four(op, strides, "strides")
    r = _four(op, dilations if dilations is not None else [1, 1, 1, 1], "dilations")
    pads = _c._pads(op, padding, tuple(shape_of(x))[1:3], tuple(shape_of(w))[:2], s, r,
                    False)
    for n, k, rate, p in zip(shape_of(x)[1:3], shape_of(w)[:2], r, pads):
        if n + sum(p) < (k - 1) * rate + 1:
            raise _err(op, f"the filter (shape {list(shape_of(w))}) is larger than the "
                       f"input (shape {list(shape_of(x))})")
    return _apply(_DILATION, (x, w), {"strides": s, "rates": r, "pads": pads})


def erosion2d(value, filters, strides, padding, data_format="NHWC", dilations=None,
              name=None):
    """Greyscale morphological erosion: the min over each window of value - reflected
    filter (``tf.nn.erosion2d``)."""
    from .manip_ops import reverse
    w = reverse(convert_to_tensor(filters), [0, 1])
    return -dilation2d(-convert_to_tensor(value), w, strides, padding, data_format,
                       dilations)


# --- volume patches ------------------------------------------------------------------------------
def extract_volume_patches(input, ksizes, strides, padding, name=None):  # noqa: A002
    """3-D patches of ``input`` [b, planes, rows, cols, depth] flattened into the last
    dimension in (kp, kr, kc, depth) order (``tf.extract_volume_patches``): per plane
    offset, the 2-D patches of the matching strided planes, so gradients come free."""
    from .conv_ops import extract_patches
    op = "extract_volume_patches"
    x = convert_to_tensor(input)
    _c._check_rank(op, x, 5, "input")
    k = _c._spatial(op, ksizes, 3, "ksizes", False)
    s = _c._spatial(op, strides, 3, "strides", False)
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise _err(op, f"padding must be 'SAME' or 'VALID', got {padding!r}")
    b, p, r, cols, d = shape_of(x)
    (pt, pb), = _c._pads(op, padding, (p,), (k[0],), (s[0],), (1,), False)
    if pt or pb:
        from .manip_ops import pad
        x = pad(x, [[0, 0], [pt, pb], [0, 0], [0, 0], [0, 0]])
    out_p = _c._out_size(p, k[0], s[0], 1, (pt, pb))
    if out_p <= 0:
        raise _err(op, f"ksizes {list(k)} are larger than the input (shape {list(shape_of(x))})")
    per_offset = []
    for dp in range(k[0]):
        planes = x[:, dp:dp + s[0] * (out_p - 1) + 1:s[0]]
        flat = _a.reshape(planes, [b * out_p, r, cols, d])
        pt2 = extract_patches(flat, [1, k[1], k[2], 1], [1, s[1], s[2], 1], [1, 1, 1, 1],
                              padding)
        per_offset.append(_a.reshape(pt2, [b, out_p, *shape_of(pt2)[1:3], k[1] * k[2] * d]))
    y = _a.stack(per_offset, -2)
    return _a.reshape(y, [*shape_of(y)[:4], k[0] * k[1] * k[2] * d])
