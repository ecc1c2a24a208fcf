"""im2col / col2im for NHWC conv2d with strides, dilation and SAME/VALID/explicit padding.

``cols`` has shape (N*OH*OW, KH*KW*C) with columns ordered (kh, kw, c), so a TF HWIO
filter reshaped to (KH*KW*C, O) turns conv2d into one matmul. ``col2im_nhwc`` is its
adjoint (overlapping patches add), which is what conv2d's input gradient needs.
"""
import numpy as np

from .._checks import check_ndim, pair


def conv_output_size(size, k, stride, dilation, padding):
    """(output size, padding before, padding after) along one spatial axis, TF's rule.

    ``padding`` is "SAME", "VALID" or an explicit (before, after) pair.
    """
    k_eff = (k - 1) * dilation + 1
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            out = max((size - k_eff) // stride + 1, 0)
            return out, 0, 0
        if mode == "SAME":
            out = -(-size // stride)
            total = max((out - 1) * stride + k_eff - size, 0)
            return out, total // 2, total - total // 2
        raise ValueError(f"padding must be 'SAME', 'VALID' or explicit pairs, got {padding!r}")
    before, after = (int(p) for p in padding)
    if before < 0 or after < 0:
        raise ValueError(f"explicit padding must be non-negative, got {padding!r}")
    out = max((size + before + after - k_eff) // stride + 1, 0)
    return out, before, after


def conv_geometry(op, x_shape, ksize, strides=1, padding="VALID", dilations=1):
    """Resolve the geometry of an NHWC window op; returns a dict of ints."""
    if len(x_shape) != 4:
        raise ValueError(f"{op}: x must be NHWC (4-D), got shape {tuple(x_shape)}")
    kh, kw = pair(ksize, "ksize", op)
    sh, sw = pair(strides, "strides", op)
    dh, dw = pair(dilations, "dilations", op)
    if isinstance(padding, str):
        pad_h = pad_w = padding
    else:
        pad_h, pad_w = padding
    n, h, w, c = (int(s) for s in x_shape)
    oh, pt, pb = conv_output_size(h, kh, sh, dh, pad_h)
    ow, pl, pr = conv_output_size(w, kw, sw, dw, pad_w)
    return dict(n=n, h=h, w=w, c=c, kh=kh, kw=kw, sh=sh, sw=sw, dh=dh, dw=dw,
                oh=oh, ow=ow, pt=pt, pb=pb, pl=pl, pr=pr)


def _window_slices(g, i, j):
    """Slices of the padded input read by kernel tap (i, j) for every output position."""
    r0, c0 = i * g["dh"], j * g["dw"]
    return (slice(None), slice(r0, r0 + (g["oh"] - 1) * g["sh"] + 1, g["sh"]),
            slice(c0, c0 + (g["ow"] - 1) * g["sw"] + 1, g["sw"]), slice(None))


def _padded_shape(g):
    return (g["n"], g["h"] + g["pt"] + g["pb"], g["w"] + g["pl"] + g["pr"], g["c"])


def im2col_nhwc(x, ksize, strides=1, padding="VALID", dilations=1):
    """Patches of NHWC ``x`` as rows: shape (N*OH*OW, KH*KW*C), zeros where padded."""
    check_ndim("im2col_nhwc", x, 4)
    g = conv_geometry("im2col_nhwc", x.shape, ksize, strides, padding, dilations)
    xp = np.zeros(_padded_shape(g), dtype=x.dtype)
    xp[:, g["pt"]:g["pt"] + g["h"], g["pl"]:g["pl"] + g["w"], :] = x
    cols = np.empty((g["n"], g["oh"], g["ow"], g["kh"], g["kw"], g["c"]), dtype=x.dtype)
    for i in range(g["kh"]):
        for j in range(g["kw"]):
            cols[:, :, :, i, j, :] = xp[_window_slices(g, i, j)]
    return cols.reshape(g["n"] * g["oh"] * g["ow"], g["kh"] * g["kw"] * g["c"])


def col2im_nhwc(cols, x_shape, ksize, strides=1, padding="VALID", dilations=1):
    """Adjoint of im2col: add each patch row back into an NHWC array of ``x_shape``."""
    g = conv_geometry("col2im_nhwc", x_shape, ksize, strides, padding, dilations)
    want = (g["n"] * g["oh"] * g["ow"], g["kh"] * g["kw"] * g["c"])
    if tuple(cols.shape) != want:
        raise ValueError(f"col2im_nhwc: cols must have shape {want} for x_shape "
                         f"{tuple(x_shape)}, got {tuple(cols.shape)}")
    acc = np.float64 if cols.dtype == np.float64 else np.float32
    c6 = cols.reshape(g["n"], g["oh"], g["ow"], g["kh"], g["kw"], g["c"]).astype(acc)
    xp = np.zeros(_padded_shape(g), dtype=acc)
    for i in range(g["kh"]):
        for j in range(g["kw"]):
            xp[_window_slices(g, i, j)] += c6[:, :, :, i, j, :]
    return xp[:, g["pt"]:g["pt"] + g["h"], g["pl"]:g["pl"] + g["w"], :].astype(cols.dtype)


def conv2d_nhwc(x, w, strides=1, padding="VALID", dilations=1):
    """conv2d (cross-correlation, TF semantics) with an HWIO filter via im2col + matmul."""
    check_ndim("conv2d_nhwc", w, 4, name="w")
    if w.shape[2] != x.shape[-1]:
        raise ValueError(f"conv2d_nhwc: filter {tuple(w.shape)} (HWIO) in-channels must "
                         f"match x {tuple(x.shape)}")
    g = conv_geometry("conv2d_nhwc", x.shape, w.shape[:2], strides, padding, dilations)
    cols = im2col_nhwc(x, w.shape[:2], strides, padding, dilations)
    out = cols @ w.reshape(-1, w.shape[3])
    return out.reshape(g["n"], g["oh"], g["ow"], w.shape[3])
