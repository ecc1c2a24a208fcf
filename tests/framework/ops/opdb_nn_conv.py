"""Op database entries for cuflow.ops.conv_ops and pool_ops (see opdb.py).

References are direct loops over output positions (slow, obviously right), so they
check the im2col/col2im layout rather than repeat it.
"""
from __future__ import annotations

import cuflow as cf
import numpy as np
from cuflow.errors import InvalidArgumentError

from .opdb import FH, F, OpInfo, Sample, _arr


def _same(size, k, s, d):
    o = -(-size // s)
    total = max((o - 1) * s + (k - 1) * d + 1 - size, 0)
    return total // 2, total - total // 2


def _norm(v, n):
    if isinstance(v, int):
        return (v,) * n
    v = list(v)
    return tuple(v[1:-1]) if len(v) == n + 2 else tuple(v) * (n if len(v) == 1 else 1)


def _ref_pads(x_hw, k_hw, s, d, padding):
    if padding == "VALID":
        return [(0, 0), (0, 0)]
    if padding == "SAME":
        return [_same(x_hw[i], k_hw[i], s[i], d[i]) for i in range(2)]
    return [tuple(p) for p in padding[1:3]]


def conv2d_ref(x, w, strides, padding, dilations=None):
    s, d = _norm(strides, 2), _norm(dilations or 1, 2)
    kh, kw, cg, o = w.shape
    groups = x.shape[3] // cg
    pads = _ref_pads(x.shape[1:3], (kh, kw), s, d, padding)
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    ho = (xp.shape[1] - (kh - 1) * d[0] - 1) // s[0] + 1
    wo = (xp.shape[2] - (kw - 1) * d[1] - 1) // s[1] + 1
    out = np.zeros((x.shape[0], ho, wo, o))
    og = o // groups
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * s[0]:i * s[0] + (kh - 1) * d[0] + 1:d[0],
                       j * s[1]:j * s[1] + (kw - 1) * d[1] + 1:d[1], :]
            for g in range(groups):
                out[:, i, j, g * og:(g + 1) * og] = np.tensordot(
                    patch[..., g * cg:(g + 1) * cg], w[..., g * og:(g + 1) * og],
                    axes=([1, 2, 3], [0, 1, 2]))
    return out


def _conv_samples(rng, d):
    return [
        Sample((_arr(rng, (2, 5, 5, 3), d), _arr(rng, (3, 3, 3, 4), d), 1, "VALID")),
        Sample((_arr(rng, (1, 6, 5, 2), d), _arr(rng, (3, 2, 2, 3), d), 2, "SAME")),
        Sample((_arr(rng, (1, 7, 7, 2), d), _arr(rng, (3, 3, 2, 2), d), [1, 1, 1, 1], "SAME"),
               {"dilations": 2}),
        Sample((_arr(rng, (1, 4, 5, 1), d), _arr(rng, (2, 2, 1, 2), d), [1, 2],
                [[0, 0], [1, 0], [2, 1], [0, 0]])),
        Sample((_arr(rng, (1, 5, 5, 4), d), _arr(rng, (3, 3, 2, 4), d), 1, "SAME")),  # groups=2
        Sample((_arr(rng, (0, 4, 4, 2), d), _arr(rng, (3, 3, 2, 2), d), 1, "SAME"), grad=False),
    ]


def _transpose_ref(x, w, output_shape, strides, padding="SAME"):
    """The adjoint of conv2d_ref, by building conv2d's matrix column by column."""
    n = int(np.prod(output_shape))
    cols = []
    for k in range(n):
        e = np.zeros(n)
        e[k] = 1
        cols.append(conv2d_ref(e.reshape(output_shape), w, strides, padding).ravel())
    mat = np.stack(cols, 1)
    return (mat.T @ x.ravel()).reshape(output_shape)


def _transpose_samples(rng, d):
    return [Sample((_arr(rng, (1, 2, 2, 2), d), _arr(rng, (3, 3, 1, 2), d), [1, 4, 4, 1], 2)),
            Sample((_arr(rng, (1, 2, 3, 1), d), _arr(rng, (2, 2, 2, 1), d), [1, 3, 4, 2], 1,
                    "VALID"))]


def _depthwise_ref(x, w, strides, padding, dilations=None):
    kh, kw, c, m = w.shape
    return conv2d_ref(x, w.reshape(kh, kw, 1, c * m), strides, padding, dilations)


def _depthwise_samples(rng, d):
    return [Sample((_arr(rng, (1, 5, 5, 3), d), _arr(rng, (3, 3, 3, 2), d), [1, 1, 1, 1],
                    "SAME")),
            Sample((_arr(rng, (2, 6, 4, 2), d), _arr(rng, (2, 2, 2, 1), d), [1, 2, 2, 1],
                    "VALID"))]


def conv3d_ref(x, w, strides, padding):
    """Direct loops for a stride/padding 3-D convolution (SAME or VALID)."""
    s = _norm(strides, 3)
    kd, kh, kw, _, o = w.shape
    if padding == "SAME":
        pads = [_same(x.shape[1 + i], w.shape[i], s[i], 1) for i in range(3)]
    else:
        pads = [(0, 0)] * 3
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    out_sz = [(xp.shape[1 + i] - w.shape[i]) // s[i] + 1 for i in range(3)]
    out = np.zeros((x.shape[0], *out_sz, o))
    for a in range(out_sz[0]):
        for b in range(out_sz[1]):
            for c in range(out_sz[2]):
                patch = xp[:, a * s[0]:a * s[0] + kd, b * s[1]:b * s[1] + kh,
                           c * s[2]:c * s[2] + kw, :]
                out[:, a, b, c] = np.tensordot(patch, w, axes=([1, 2, 3, 4], [0, 1, 2, 3]))
    return out


def _pool3d_ref(kind):
    def ref(x, ksize, strides, padding):
        k, s = _norm(ksize, 3), _norm(strides, 3)
        pads = ([_same(x.shape[1 + i], k[i], s[i], 1) for i in range(3)]
                if padding == "SAME" else [(0, 0)] * 3)
        xp = np.pad(x.astype(np.float64), ((0, 0), *pads, (0, 0)), constant_values=np.nan)
        out_sz = [(xp.shape[1 + i] - k[i]) // s[i] + 1 for i in range(3)]
        out = np.zeros((x.shape[0], *out_sz, x.shape[-1]))
        f = np.nanmax if kind == "max" else np.nanmean
        for a in range(out_sz[0]):
            for b in range(out_sz[1]):
                for c in range(out_sz[2]):
                    out[:, a, b, c] = f(xp[:, a * s[0]:a * s[0] + k[0], b * s[1]:b * s[1] +
                                           k[1], c * s[2]:c * s[2] + k[2]], (1, 2, 3))
        return out
    return ref


def _pool3d_samples(rng, d):
    def distinct(shape):
        n = int(np.prod(shape))
        return (rng.permutation(n).reshape(shape) * 0.1 - n * 0.05).astype(d)
    return [Sample((distinct((1, 3, 4, 3, 2)), 2, 2, "SAME")),
            Sample((distinct((2, 3, 3, 4, 1)), [2, 2, 3], 1, "VALID"))]


def _conv1d_ref(x, w, stride, padding):
    return conv2d_ref(x[:, None], w[None], (1, stride), padding)[:, 0]


def _pool_ref(kind):
    def ref(x, ksize, strides, padding):
        k, s = _norm(ksize, 2), _norm(strides, 2)
        pads = _ref_pads(x.shape[1:3], k, s, (1, 1), padding)
        xp = np.pad(x.astype(np.float64), ((0, 0), pads[0], pads[1], (0, 0)),
                    constant_values=np.nan)
        ho = (xp.shape[1] - k[0]) // s[0] + 1
        wo = (xp.shape[2] - k[1]) // s[1] + 1
        out = np.zeros((x.shape[0], ho, wo, x.shape[3]))
        for i in range(ho):
            for j in range(wo):
                win = xp[:, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1], :]
                out[:, i, j, :] = (np.nanmax if kind == "max" else np.nanmean)(win, (1, 2))
        return out.astype(x.dtype)
    return ref


def _pool_samples(rng, d):
    def distinct(shape):  # distinct values: the max is unique, finite differences exact
        n = int(np.prod(shape))
        return (rng.permutation(n).reshape(shape) * 0.1 - n * 0.05).astype(d)
    return [Sample((distinct((2, 4, 4, 3)), 2, 2, "VALID")),
            Sample((distinct((1, 5, 5, 2)), 3, 2, "SAME")),
            Sample((distinct((1, 5, 4, 1)), [2, 3], [1, 2], "SAME")),
            Sample((distinct((0, 4, 4, 1)), 2, 2, "VALID"), grad=False)]


def _transpose_pool(dy, in_shape, ksize, strides, dilations, pads):
    """avg_pool's matrix (SAME-like pads, valid counts), transposed, applied to dy."""
    n = int(np.prod(in_shape))
    cols = []
    for k in range(n):
        e = np.zeros(n)
        e[k] = 1
        cols.append(_pool_ref("avg")(e.reshape(in_shape), ksize, strides, "SAME").ravel())
    return (np.stack(cols, 1).T @ dy.ravel()).reshape(in_shape)


def _adjoint(fn, g, in_shape):
    """The transpose of the linear map ``fn`` applied to ``g``, column by column."""
    n = int(np.prod(in_shape))
    cols = []
    for k in range(n):
        e = np.zeros(n)
        e[k] = 1
        cols.append(fn(e.reshape(in_shape)).ravel())
    return (np.stack(cols, 1).T @ g.ravel()).reshape(in_shape)


def _grad_of(op_name, fn_inputs):
    return lambda *a, **k: cf.ops.apply(cf.ops.get(op_name), a, k)


def _second_order_samples(rng, d):
    x = rng.permutation(32).reshape(1, 4, 4, 2).astype(d)
    at = {"ksize": (2, 2), "strides": (2, 2), "dilations": (1, 1), "pads": ((0, 0), (0, 0))}
    return [Sample((x, _arr(rng, (1, 2, 2, 2), d)), at)]


def _mpg_ref(x, dy, **at):
    out = np.zeros_like(x)
    for i in range(2):
        for j in range(2):
            for c in range(2):
                win = x[0, 2 * i:2 * i + 2, 2 * j:2 * j + 2, c]
                a, b = np.unravel_index(np.argmax(win), win.shape)
                out[0, 2 * i + a, 2 * j + b, c] += dy[0, i, j, c]
    return out


def _mpgg_ref(x, g, **at):
    out = np.zeros((1, 2, 2, 2))
    for i in range(2):
        for j in range(2):
            for c in range(2):
                win = x[0, 2 * i:2 * i + 2, 2 * j:2 * j + 2, c]
                a, b = np.unravel_index(np.argmax(win), win.shape)
                out[0, i, j, c] = g[0, 2 * i + a, 2 * j + b, c]
    return out


def _mpgg_samples(rng, d):
    s = _second_order_samples(rng, d)[0]
    return [Sample((s.args[0], _arr(rng, (1, 4, 4, 2), d)), s.kwargs)]


_AT = {"strides": (2, 1), "dilations": (1, 1), "pads": ((1, 1), (0, 1))}
_AT_G = {"strides": (1, 1), "dilations": (1, 1), "pads": ((1, 1), (1, 1))}


def _bp_filter_ref(x, dy, filter_shape, strides, dilations, pads):
    n = int(np.prod(filter_shape))
    out = np.zeros(n)
    padding = [[0, 0], list(pads[0]), list(pads[1]), [0, 0]]
    for k in range(n):
        e = np.zeros(n)
        e[k] = 1
        out[k] = np.sum(conv2d_ref(x, e.reshape(filter_shape), strides, padding) * dy)
    return out.reshape(filter_shape)


def _bp_input_ref(dy, w, in_shape, strides, dilations, pads):
    padding = [[0, 0], list(pads[0]), list(pads[1]), [0, 0]]
    return _transpose_ref(dy, w, in_shape, strides, padding)


def _bp_samples(rng, d):
    return [Sample((_arr(rng, (1, 2, 4, 2), d), _arr(rng, (3, 2, 1, 2), d)),
                   dict(in_shape=(1, 3, 4, 1), **_AT)),
            Sample((_arr(rng, (1, 3, 3, 4), d), _arr(rng, (3, 3, 1, 4), d)),
                   dict(in_shape=(1, 3, 3, 2), **_AT_G))]  # two groups


def _bpf_samples(rng, d):
    return [Sample((_arr(rng, (1, 3, 4, 1), d), _arr(rng, (1, 2, 4, 2), d)),
                   dict(filter_shape=(3, 2, 1, 2), **_AT)),
            Sample((_arr(rng, (1, 3, 3, 2), d), _arr(rng, (1, 3, 3, 4), d)),
                   dict(filter_shape=(3, 3, 1, 4), **_AT_G))]


def _patches_ref(x, sizes, strides, rates, padding):
    k, s, r = _norm(sizes, 2), _norm(strides, 2), _norm(rates, 2)
    pads = _ref_pads(x.shape[1:3], k, s, r, padding)
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    ho = (xp.shape[1] - (k[0] - 1) * r[0] - 1) // s[0] + 1
    wo = (xp.shape[2] - (k[1] - 1) * r[1] - 1) // s[1] + 1
    out = np.zeros((x.shape[0], ho, wo, k[0] * k[1] * x.shape[3]), x.dtype)
    for i in range(ho):
        for j in range(wo):
            patch = xp[:, i * s[0]:i * s[0] + (k[0] - 1) * r[0] + 1:r[0],
                       j * s[1]:j * s[1] + (k[1] - 1) * r[1] + 1:r[1], :]
            out[:, i, j] = patch.reshape(x.shape[0], -1)
    return out


def _patches_samples(rng, d):
    return [Sample((_arr(rng, (2, 5, 4, 2), d), [1, 2, 2, 1], [1, 2, 1, 1], [1, 1, 1, 1],
                    "VALID")),
            Sample((_arr(rng, (1, 5, 5, 1), d), [1, 3, 2, 1], [1, 2, 2, 1], [1, 2, 1, 1],
                    "SAME"))]


def _argmax_ref(x, ksize, strides, padding, include_batch_in_index=False):
    k, s = _norm(ksize, 2), _norm(strides, 2)
    pads = _ref_pads(x.shape[1:3], k, s, (1, 1), padding)
    n, h, w, c = x.shape
    ho = (h + sum(pads[0]) - k[0]) // s[0] + 1
    wo = (w + sum(pads[1]) - k[1]) // s[1] + 1
    out = np.zeros((n, ho, wo, c), np.int64)
    for b in range(n):
        for i in range(ho):
            for j in range(wo):
                for ch in range(c):
                    best, arg = -np.inf, 0
                    for a in range(k[0]):
                        for e in range(k[1]):
                            y, xx = i * s[0] + a - pads[0][0], j * s[1] + e - pads[1][0]
                            if 0 <= y < h and 0 <= xx < w and x[b, y, xx, ch] > best:
                                best, arg = x[b, y, xx, ch], (y * w + xx) * c + ch
                    out[b, i, j, ch] = arg + (b * h * w * c if include_batch_in_index else 0)
    return out


_MP = "max_pool"
OPS = [
    OpInfo("conv3d", cf.nn.conv3d, conv3d_ref, lambda r, d: [
        Sample((_arr(r, (1, 3, 4, 3, 2), d), _arr(r, (2, 2, 2, 2, 3), d), 1, "SAME")),
        Sample((_arr(r, (2, 4, 3, 3, 1), d), _arr(r, (3, 2, 1, 1, 2), d), [1, 2, 1, 2, 1],
                "VALID"))], F,
        covers=("conv3d_backprop_input", "conv3d_backprop_filter"),
        errors=((lambda: cf.nn.conv3d(cf.zeros([1, 3, 3, 3]), cf.zeros([1, 1, 1, 3, 1]), 1,
                                      "SAME"), InvalidArgumentError, "5-dimensional"),)),
    OpInfo("max_pool3d", cf.nn.max_pool3d, _pool3d_ref("max"), _pool3d_samples, F,
           covers=("max_pool3d_grad", "max_pool3d_grad_grad")),
    OpInfo("avg_pool3d", cf.nn.avg_pool3d, _pool3d_ref("avg"), _pool3d_samples, F,
           covers=("avg_pool3d_grad",)),
    OpInfo("extract_patches", cf.image.extract_patches, _patches_ref, _patches_samples,
           F + ("int32",)),
    OpInfo("extract_patches_grad", _grad_of("extract_patches_grad", None),
           lambda g, in_shape, **at: _adjoint(lambda a: _patches_ref(
               a, at["ksize"], at["strides"], at["dilations"], "SAME"), g, in_shape),
           lambda r, d: [Sample((_arr(r, (1, 3, 2, 8), d),), dict(
               in_shape=(1, 5, 4, 2), ksize=(2, 2), strides=(2, 2), dilations=(1, 1),
               pads=((0, 1), (0, 0))))], F),
    OpInfo("max_pool_argmax", lambda *a, **k: cf.nn.max_pool_with_argmax(*a, **k)[1],
           _argmax_ref, lambda r, d: [
               Sample((_arr(r, (2, 5, 4, 2), d), 2, 2, "SAME")),
               Sample((_arr(r, (1, 5, 5, 1), d), 3, [1, 2], "VALID"),
                      {"include_batch_in_index": True})], F, grad=False,
           out_dtype=lambda d: "int64"),
    OpInfo("conv2d_backprop_input", _grad_of("conv2d_backprop_input", None), _bp_input_ref,
           _bp_samples, F),
    OpInfo("conv2d_backprop_filter", _grad_of("conv2d_backprop_filter", None),
           _bp_filter_ref, _bpf_samples, F),
    OpInfo("avg_pool_grad", _grad_of("avg_pool_grad", None),
           lambda dy, **at: _transpose_pool(dy, **at),
           lambda r, d: [Sample((_arr(r, (1, 2, 2, 2), d),), {
               "in_shape": (1, 3, 3, 2), "ksize": (2, 2), "strides": (2, 2), "dilations": (1, 1),
               "pads": ((0, 1), (0, 1))})], F),
    OpInfo("conv2d", lambda x, w, s, p, **kw: cf.nn.conv2d(x, w, s, p, **kw), conv2d_ref,
           _conv_samples, FH,
           errors=((lambda: cf.nn.conv2d(cf.zeros([1, 4, 4, 3]), cf.zeros([3, 3, 2, 4]), 1,
                                         "SAME"), InvalidArgumentError,
                    "evenly divisible by filter depth: 3 vs 2"),
                   (lambda: cf.nn.conv2d(cf.zeros([1, 4, 4]), cf.zeros([3, 3, 1, 1]), 1,
                                         "SAME"), InvalidArgumentError, "4-dimensional"),
                   (lambda: cf.nn.conv2d(cf.zeros([1, 4, 4, 1]), cf.zeros([3, 3, 1, 1]), 1,
                                         "FULL"), InvalidArgumentError, "padding"),
                   (lambda: cf.nn.conv2d(cf.zeros([1, 4, 4, 1]), cf.zeros([3, 3, 1, 1]),
                                         [2, 1, 1, 1], "SAME"), InvalidArgumentError,
                    "batch and depth"),
                   (lambda: cf.nn.conv2d(cf.zeros([1, 2, 2, 1]), cf.zeros([3, 3, 1, 1]), 1,
                                         "VALID"), InvalidArgumentError, "larger than"))),
    OpInfo("conv2d_nchw", lambda x, w, s, p: cf.transpose(cf.nn.conv2d(
        cf.transpose(x, [0, 3, 1, 2]), w, s, p, data_format="NCHW"), [0, 2, 3, 1]),
        conv2d_ref, lambda r, d: _conv_samples(r, d)[:2], F),
    OpInfo("conv1d", lambda x, w, s, p: cf.nn.conv1d(x, w, s, p), _conv1d_ref,
           lambda r, d: [Sample((_arr(r, (2, 7, 3), d), _arr(r, (3, 3, 2), d), 2, "SAME")),
                         Sample((_arr(r, (1, 5, 1), d), _arr(r, (2, 1, 2), d), 1, "VALID"))],
           F),
    OpInfo("conv2d_transpose", cf.nn.conv2d_transpose, _transpose_ref, _transpose_samples, F,
           errors=((lambda: cf.nn.conv2d_transpose(cf.zeros([1, 2, 2, 2]),
                                                   cf.zeros([3, 3, 1, 2]), [1, 5, 5, 1], 2),
                    InvalidArgumentError, "does not match output_shape"),)),
    OpInfo("depthwise_conv2d", cf.nn.depthwise_conv2d, _depthwise_ref, _depthwise_samples, F),
    OpInfo("separable_conv2d", lambda x, dw, pw: cf.nn.separable_conv2d(
        x, dw, pw, [1, 1, 1, 1], "SAME"),
        lambda x, dw, pw: conv2d_ref(_depthwise_ref(x, dw, 1, "SAME"), pw, 1, "VALID"),
        lambda r, d: [Sample((_arr(r, (1, 4, 4, 2), d), _arr(r, (3, 3, 2, 2), d),
                              _arr(r, (1, 1, 4, 3), d)))], F),
    OpInfo("max_pool", cf.nn.max_pool2d, _pool_ref("max"), _pool_samples, FH,
           covers=("max_pool_grad", "max_pool_grad_grad"),
           errors=((lambda: cf.nn.max_pool2d(cf.zeros([1, 2, 2, 1]), 3, 1, "VALID"),
                    InvalidArgumentError, "larger than"),
                   (lambda: cf.nn.max_pool2d(cf.zeros([2, 2, 1]), 2, 1, "VALID"),
                    InvalidArgumentError, "4-dimensional"))),
    OpInfo("max_pool_int", cf.nn.max_pool2d, _pool_ref("max"),
           lambda r, d: [Sample((r.integers(-50, 50, (1, 4, 4, 2)).astype(d), 2, 2, "SAME"))],
           ("int32", "uint8"), grad=False),
    OpInfo("avg_pool", cf.nn.avg_pool2d, _pool_ref("avg"), _pool_samples, FH,
           ),
    OpInfo("max_pool1d", lambda x, k, s, p: cf.nn.max_pool1d(x, k, s, p),
           lambda x, k, s, p: _pool_ref("max")(x[:, None], (1, k), (1, s), p)[:, 0],
           lambda r, d: [Sample((r.permutation(30).reshape(2, 5, 3).astype(d), 2, 2, "SAME"))],
           F),
    OpInfo("avg_pool1d", lambda x, k, s, p: cf.nn.avg_pool1d(x, k, s, p),
           lambda x, k, s, p: _pool_ref("avg")(x[:, None], (1, k), (1, s), p)[:, 0],
           lambda r, d: [Sample((_arr(r, (2, 5, 3), d), 3, 2, "SAME"))], F),
    OpInfo("pool_max", lambda x: cf.nn.pool(x, [2, 2], "MAX", strides=[2, 2]),
           lambda x: _pool_ref("max")(x, 2, 2, "VALID"),
           lambda r, d: [Sample((r.permutation(32).reshape(2, 4, 4, 1).astype(d),))], F),
    OpInfo("pool_avg_dilated", lambda x: cf.nn.pool(x, [2, 2], "AVG", dilations=[2, 2]),
           lambda x: np.stack([np.stack([x[:, i:i + 3:2, j:j + 3:2].mean((1, 2))
                                         for j in range(2)], 1) for i in range(2)], 1),
           lambda r, d: [Sample((_arr(r, (2, 4, 4, 2), d),))], F),
    OpInfo("max_pool_grad_grad_values", _grad_of("max_pool_grad_grad", None), _mpgg_ref,
           _mpgg_samples, F),
    OpInfo("max_pool_grad_values", _grad_of("max_pool_grad", None), _mpg_ref,
           _second_order_samples, F),
]
