"""2-D max and average pooling over NHWC, forward and backward (NumPy truth).

TF semantics: SAME padding never pads into a max (padded taps are -inf) and average
pooling divides by the number of real (unpadded) taps. Max-pool gradients go to the
first maximum of each window in (kh, kw) scan order.
"""
import numpy as np

from .._checks import acc_dtype, check_float, check_ndim
from .im2col import _padded_shape, _window_slices, conv_geometry


def _geometry(op, x, ksize, strides, padding):
    check_ndim(op, x, 4)
    check_float(op, x=x)
    return conv_geometry(op, x.shape, ksize, strides, padding, 1)


def _pad(g, x, fill):
    xp = np.full(_padded_shape(g), fill, dtype=x.dtype)
    xp[:, g["pt"]:g["pt"] + g["h"], g["pl"]:g["pl"] + g["w"], :] = x
    return xp


def _taps(g):
    return [(i, j) for i in range(g["kh"]) for j in range(g["kw"])]


def max_pool2d_nhwc(x, ksize, strides=None, padding="VALID"):
    """Max over each window; shape (N, OH, OW, C)."""
    strides = ksize if strides is None else strides
    g = _geometry("max_pool2d_nhwc", x, ksize, strides, padding)
    xp = _pad(g, x.astype(acc_dtype(x.dtype)), -np.inf)
    out = np.full((g["n"], g["oh"], g["ow"], g["c"]), -np.inf, dtype=xp.dtype)
    for i, j in _taps(g):
        np.maximum(out, xp[_window_slices(g, i, j)], out=out)
    return out.astype(x.dtype)


def max_pool2d_nhwc_backward(x, dy, ksize, strides=None, padding="VALID"):
    """dx: each dy goes to the first argmax of its window."""
    strides = ksize if strides is None else strides
    g = _geometry("max_pool2d_nhwc_backward", x, ksize, strides, padding)
    if tuple(dy.shape) != (g["n"], g["oh"], g["ow"], g["c"]):
        raise ValueError(f"max_pool2d_nhwc_backward: dy {tuple(dy.shape)} does not match "
                         f"output {(g['n'], g['oh'], g['ow'], g['c'])} of x {tuple(x.shape)}")
    acc = acc_dtype(x.dtype)
    xp = _pad(g, x.astype(acc), -np.inf)
    best = np.full((g["n"], g["oh"], g["ow"], g["c"]), -np.inf, dtype=acc)
    arg = np.zeros(best.shape, dtype=np.int64)
    for t, (i, j) in enumerate(_taps(g)):
        win = xp[_window_slices(g, i, j)]
        better = win > best  # strict: ties keep the earlier tap
        best = np.where(better, win, best)
        arg = np.where(better, t, arg)
    d = dy.astype(acc)
    dxp = np.zeros(xp.shape, dtype=acc)
    for t, (i, j) in enumerate(_taps(g)):
        dxp[_window_slices(g, i, j)] += np.where(arg == t, d, 0)
    return dxp[:, g["pt"]:g["pt"] + g["h"], g["pl"]:g["pl"] + g["w"], :].astype(x.dtype)


def _counts(g):
    ones = np.zeros(_padded_shape(g)[1:3], dtype=np.float64)
    ones[g["pt"]:g["pt"] + g["h"], g["pl"]:g["pl"] + g["w"]] = 1
    cnt = np.zeros((g["oh"], g["ow"]), dtype=np.float64)
    for i, j in _taps(g):
        cnt += ones[_window_slices(g, i, j)[1:3]]
    return np.maximum(cnt, 1)[None, :, :, None]


def avg_pool2d_nhwc(x, ksize, strides=None, padding="VALID"):
    """Mean over the real (unpadded) taps of each window."""
    strides = ksize if strides is None else strides
    g = _geometry("avg_pool2d_nhwc", x, ksize, strides, padding)
    acc = acc_dtype(x.dtype)
    xp = _pad(g, x.astype(acc), 0)
    out = np.zeros((g["n"], g["oh"], g["ow"], g["c"]), dtype=acc)
    for i, j in _taps(g):
        out += xp[_window_slices(g, i, j)]
    return (out / _counts(g).astype(acc)).astype(x.dtype)


def avg_pool2d_nhwc_backward(x_shape, dy, ksize, strides=None, padding="VALID"):
    """dx: each dy / count spread over its window's real taps."""
    strides = ksize if strides is None else strides
    check_float("avg_pool2d_nhwc_backward", dy=dy)
    g = conv_geometry("avg_pool2d_nhwc_backward", x_shape, ksize, strides, padding, 1)
    if tuple(dy.shape) != (g["n"], g["oh"], g["ow"], g["c"]):
        raise ValueError(f"avg_pool2d_nhwc_backward: dy {tuple(dy.shape)} does not match "
                         f"output {(g['n'], g['oh'], g['ow'], g['c'])} of x {tuple(x_shape)}")
    acc = acc_dtype(dy.dtype)
    d = dy.astype(acc) / _counts(g).astype(acc)
    dxp = np.zeros(_padded_shape(g), dtype=acc)
    for i, j in _taps(g):
        dxp[_window_slices(g, i, j)] += d
    return dxp[:, g["pt"]:g["pt"] + g["h"], g["pl"]:g["pl"] + g["w"], :].astype(dy.dtype)
