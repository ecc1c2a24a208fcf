"""The rest of ``keras.ops``: pairwise distances, ``vectorize``, einops-style
``rearrange``, PyTorch-style ``unfold``/``fold`` (im2col / col2im on NCHW), and the
image ops ``sobel_edges``, ``ssim``, ``affine_transform`` and ``map_coordinates``.

    >>> import cuflow as cf
    >>> cf.keras.ops.rearrange(cf.ones((2, 3, 4)), "b h w -> b (h w)").shape
    TensorShape([2, 12])
"""
from __future__ import annotations

import re

import numpy as np

import cuflow as _cf

from ... import cast
from ... import math as _m
from ._base import convert_to_tensor, promote_all, to_float

__all__ = ["cdist", "vectorize", "rearrange", "unfold", "fold"]
IMAGE = ["sobel_edges", "ssim", "affine_transform", "map_coordinates",
         "perspective_transform", "extract_patches_3d", "elastic_transform",
         "scale_and_translate"]


def cdist(x, y):
    """Euclidean distances between the rows of ``x`` (..., m, d) and ``y`` (..., n, d)."""
    (a, b), _ = promote_all(x, y, strong=True)
    a, b = to_float(a), to_float(b)
    d = _cf.expand_dims(a, -2) - _cf.expand_dims(b, -3)
    return _m.sqrt(_m.reduce_sum(_m.square(d), axis=-1))


def vectorize(pyfunc, *, excluded=None, signature=None):
    """``pyfunc`` mapped over the leading axis of its tensor arguments (NumPy's
    ``vectorize`` for elementwise functions: arguments are broadcast first)."""
    excluded = set(excluded or ())

    def wrapped(*args):
        idx = [i for i in range(len(args)) if i not in excluded]
        ts = [convert_to_tensor(args[i]) for i in idx]
        shape = _cf.broadcast_static_shape(*[t.shape for t in ts]) if len(ts) > 1 else \
            ts[0].shape
        flat = [_cf.reshape(_cf.broadcast_to(t, shape.as_list()), [-1]) for t in ts]

        def one(row):
            full = list(args)
            for i, v in zip(idx, row):
                full[i] = v
            return pyfunc(*full)
        out = _cf.stack([one([f[k] for f in flat]) for k in range(flat[0].shape[0])])
        return _cf.reshape(out, shape.as_list() + out.shape.as_list()[1:])
    return wrapped


def _parse_side(side):
    groups, tok = [], re.findall(r"\(|\)|[A-Za-z_][A-Za-z0-9_]*|\.\.\.|\d+", side)
    cur = None
    for t in tok:
        if t == "(":
            cur = []
        elif t == ")":
            groups.append(tuple(cur))
            cur = None
        elif cur is not None:
            cur.append(t)
        else:
            groups.append((t,))
    return groups


def rearrange(tensor, pattern, **axes_lengths):
    """einops' ``rearrange``: regroups and permutes named axes by ``pattern``."""
    x = convert_to_tensor(tensor)
    left, right = (s.strip() for s in pattern.split("->"))
    lg, rg = _parse_side(left), _parse_side(right)
    if len(lg) != x.shape.rank:
        raise ValueError(f"Pattern {left!r} has {len(lg)} axes; the tensor has rank "
                         f"{x.shape.rank}")
    sizes = dict(axes_lengths)
    for group, n in zip(lg, x.shape.as_list()):
        unknown = [a for a in group if a not in sizes and not a.isdigit()]
        known = int(np.prod([int(a) if a.isdigit() else sizes[a] for a in group
                             if a not in unknown])) if group else 1
        if len(unknown) > 1:
            raise ValueError(f"Cannot infer the sizes of {unknown} in {pattern!r}")
        if unknown:
            sizes[unknown[0]] = n // known
    names = [a for g in lg for a in g]
    x = _cf.reshape(x, [int(a) if a.isdigit() else sizes[a] for a in names])
    order = [a for g in rg for a in g if not a.isdigit()]
    x = _cf.transpose(x, [names.index(a) for a in order])
    out = [int(np.prod([sizes[a] if not a.isdigit() else int(a) for a in g])) if g else 1
           for g in rg]
    return _cf.reshape(x, out)


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def unfold(x, kernel_size, dilation=1, padding=0, stride=1):
    """im2col of an NCHW batch: ``(N, C * kh * kw, L)`` sliding blocks."""
    x = convert_to_tensor(x)
    k, d, p, s = _pair(kernel_size), _pair(dilation), _pair(padding), _pair(stride)
    n, c = x.shape[0], x.shape[1]
    if any(v > 0 for v in p):
        x = _cf.pad(x, [[0, 0], [0, 0], [p[0], p[0]], [p[1], p[1]]])
    patches = _cf.image.extract_patches(_cf.transpose(x, [0, 2, 3, 1]), [1, *k, 1],
                                        [1, *s, 1], [1, *d, 1], "VALID")
    nh, nw = patches.shape[1], patches.shape[2]
    patches = _cf.reshape(patches, [n, nh, nw, k[0], k[1], c])
    patches = _cf.transpose(patches, [0, 5, 3, 4, 1, 2])
    return _cf.reshape(patches, [n, c * k[0] * k[1], nh * nw])


def fold(x, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: sums ``(N, C * kh * kw, L)`` blocks back into ``(N, C, oh, ow)``."""
    x = convert_to_tensor(x)
    k, o, d, p, s = (_pair(v) for v in (kernel_size, output_size, dilation, padding, stride))
    n, ckk = x.shape[0], x.shape[1]
    c = ckk // (k[0] * k[1])
    nh = (o[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) // s[0] + 1
    nw = (o[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) // s[1] + 1
    x = _cf.reshape(x, [n, c, k[0], k[1], nh, nw])
    ph, pw = o[0] + 2 * p[0], o[1] + 2 * p[1]
    # target flat position of every (i, j, a, b): ((a*s + i*d) * pw + (b*s + j*d))
    i = np.arange(k[0])[:, None, None, None]
    j = np.arange(k[1])[None, :, None, None]
    a = np.arange(nh)[None, None, :, None]
    b = np.arange(nw)[None, None, None, :]
    pos = ((a * s[0] + i * d[0]) * pw + (b * s[1] + j * d[1])).reshape(-1)
    vals = _cf.transpose(_cf.reshape(x, [n * c, -1]), [1, 0])
    out = _m.unsorted_segment_sum(vals, _cf.constant(pos.astype(np.int32)), ph * pw)
    out = _cf.reshape(_cf.transpose(out, [1, 0]), [n, c, ph, pw])
    return out[:, :, p[0]:p[0] + o[0], p[1]:p[1] + o[1]]


# --- image --------------------------------------------------------------------------------
def sobel_edges(images, data_format=None):
    """Sobel (dy, dx) responses per channel, stacked on a new last axis (as
    ``tf.image.sobel_edges``; channels_first moves channels to axis 1)."""
    x = to_float(images)
    if data_format == "channels_first":
        x = _cf.transpose(x, [0, 2, 3, 1])
    edges = _cf.image.sobel_edges(x)
    if data_format == "channels_first":
        edges = _cf.transpose(edges, [0, 3, 1, 2, 4])
    return edges


def ssim(image1, image2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03,
         data_format=None):
    """Structural similarity per image (mean over pixels and channels)."""
    from .image_ops import _last
    from .conv import _fmt
    fmt = _fmt(data_format)
    a = to_float(_last(image1, fmt))
    b = cast(to_float(_last(image2, fmt)), a.dtype)
    out = _cf.image.ssim(a, b, max_val, filter_size=filter_size, filter_sigma=filter_sigma,
                         k1=k1, k2=k2)
    return out


def _map_coord(v, n, fill_mode):
    """TF's ImageProjectiveTransform coordinate mapping (continuous, before sampling)."""
    v = v.copy()
    if fill_mode == "reflect" and n > 1:
        sz2 = 2 * n
        lo = v < 0
        w = np.where(lo & (v < -sz2), sz2 * np.trunc(-v / sz2) + v, v)
        w = np.where(w < -n, w + sz2, -w - 1)
        v = np.where(lo, w, v)
        hi = v > n - 1
        u = v - sz2 * np.trunc(v / sz2)
        u = np.where(u > n - 1, sz2 - u - 1, u)
        v = np.where(hi, u, v)
    elif fill_mode == "wrap" and n > 1:
        sz = n - 1
        v = np.where(v < 0, v + n * (np.trunc(-v / sz) + 1), v)
        v = np.where(v > n - 1, v - n * np.trunc(v / sz), v)
    elif fill_mode == "constant":
        return v
    elif n <= 1:
        return np.zeros_like(v)
    return np.clip(v, 0, n - 1)


def _sample(img, yy, xx, interpolation, fill_mode, fill_value):
    """Samples (H, W, C) ``img`` at float coordinates as TF's projective-transform kernel:
    coordinates mapped by ``fill_mode``, then nearest (round half away from zero) or
    bilinear, any corner outside the image reading ``fill_value``."""
    h, w = img.shape[0], img.shape[1]
    yy, xx = _map_coord(yy, h, fill_mode), _map_coord(xx, w, fill_mode)

    def read(ys, xs):
        ok = (ys >= 0) & (ys <= h - 1) & (xs >= 0) & (xs <= w - 1)
        v = img[np.clip(ys, 0, h - 1), np.clip(xs, 0, w - 1)]
        return np.where(ok[..., None], v, fill_value)

    if interpolation == "nearest":
        rnd = lambda v: (np.sign(v) * np.floor(np.abs(v) + 0.5)).astype(np.int64)  # noqa
        return read(rnd(yy), rnd(xx))
    y0, x0 = np.floor(yy), np.floor(xx)
    acc = 0
    for dy in (0, 1):
        for dx in (0, 1):
            wy = (yy - y0) if dy else (y0 + 1 - yy)
            wx = (xx - x0) if dx else (x0 + 1 - xx)
            v = read((y0 + dy).astype(np.int64), (x0 + dx).astype(np.int64))
            acc = acc + (wy * wx)[..., None] * v
    return acc


_INTERPOLATIONS = ("nearest", "bilinear")
_AFFINE_FILL = ("constant", "nearest", "wrap", "mirror", "reflect")


def _projective(images, transforms, interpolation, fill_mode, fill_value, data_format):
    """Runs TF's ImageProjectiveTransform semantics on (N, H, W, C) or (H, W, C) images."""
    from .conv import _fmt
    from .image_ops import _back, _last
    if interpolation not in _INTERPOLATIONS:
        raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                         f"{set(_INTERPOLATIONS)}. Received: interpolation={interpolation}")
    if fill_mode not in _AFFINE_FILL:
        raise ValueError("Invalid value for argument `fill_mode`. Expected of one "
                         f"{set(_AFFINE_FILL)}. Received: fill_mode={fill_mode}")
    fmt = _fmt(data_format)
    x = _last(images, fmt)
    if x.shape.rank not in (3, 4):
        raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 "
                         f"(batch of images). Received input with shape: "
                         f"images.shape={x.shape}")
    arr = np.asarray(x.numpy())
    t = np.asarray(transforms, np.float32)
    single = arr.ndim == 3
    if single:
        arr = arr[None]
    t = t.reshape(-1, 8)
    if t.shape[0] == 1:  # one transform serves the whole batch
        t = np.tile(t, (arr.shape[0], 1))
    h, w = arr.shape[1:3]
    yy, xx = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32),
                         indexing="ij")
    outs = []
    for img, (a0, a1, a2, b0, b1, b2, c0, c1) in zip(arr, t):
        k = c0 * xx + c1 * yy + np.float32(1.0)
        sx, sy = (a0 * xx + a1 * yy + a2) / k, (b0 * xx + b1 * yy + b2) / k
        outs.append(_sample(img.astype(np.float64), sy, sx, interpolation, fill_mode,
                            fill_value))
    out = np.stack(outs).astype(arr.dtype)
    return _back(_cf.constant(out[0] if single else out), fmt)


def affine_transform(images, transform, interpolation="bilinear", fill_mode="constant",
                     fill_value=0, data_format=None):
    """Applies projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (output pixel
    (x, y) reads input ((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k))."""
    t = np.asarray(convert_to_tensor(transform).numpy(), np.float32)  # TF's kernel: f32
    if t.ndim not in (1, 2):
        raise ValueError("Invalid transform rank: expected rank 1 (single transform) or "
                         f"rank 2 (batch of transforms). Received input with shape: "
                         f"transform.shape={t.shape}")
    return _projective(images, t, interpolation, fill_mode, fill_value, data_format)


def _homography(start, end):
    """The 8 projective coefficients mapping ``end`` corner points onto ``start``."""
    out = []
    for s, e in zip(start, end):
        rows, rhs = [], []
        for (sx, sy), (ex, ey) in zip(s, e):
            rows.append([ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey])
            rows.append([0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey])
            rhs += [sx, sy]
        out.append(np.linalg.solve(np.asarray(rows, np.float32),
                                   np.asarray(rhs, np.float32)))
    return np.asarray(out, np.float32)


def perspective_transform(images, start_points, end_points, interpolation="bilinear",
                          fill_value=0, data_format=None):
    """Warps images so the four ``start_points`` (x, y) land on ``end_points``."""
    s = np.asarray(convert_to_tensor(start_points, "float32").numpy())
    e = np.asarray(convert_to_tensor(end_points, "float32").numpy())
    for name, p in (("start_points", s), ("end_points", e)):
        if p.ndim not in (2, 3) or p.shape[-2:] != (4, 2):
            raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image or "
                             f"(N,4,2) for a batch. Received shape: {p.shape}")
    if s.shape != e.shape:
        raise ValueError("start_points and end_points must have the same shape. Received "
                         f"start_points.shape={s.shape}, end_points.shape={e.shape}")
    s, e = s.reshape(-1, 4, 2), e.reshape(-1, 4, 2)
    return _projective(images, _homography(s, e), interpolation, "constant", fill_value,
                       data_format)


def extract_patches_3d(volumes, size, strides=None, dilation_rate=1, padding="valid",
                       data_format=None):
    """3-D patches flattened into the channel axis ``(kd * kh * kw * c)``."""
    from .conv import _fmt, conv
    if isinstance(size, int):
        size = (size, size, size)
    if len(size) != 3:
        raise TypeError("Invalid `size` argument. Expected an int or a tuple of length 3. "
                        f"Received: size={size}")
    strides = size if strides is None else strides
    if isinstance(strides, int):
        strides = (strides,) * 3
    fmt = _fmt(data_format)
    x = convert_to_tensor(volumes)
    c = x.shape[-1] if fmt == "channels_last" else x.shape[-4]
    n = int(np.prod(size)) * c
    kernel = _cf.reshape(_cf.eye(n, dtype=x.dtype), [*size, c, n])
    single = x.shape.rank == 4
    if single:
        x = _cf.expand_dims(x, 0)
    out = conv(x, kernel, strides, padding, fmt, dilation_rate)
    return _cf.squeeze(out, 0) if single else out


def elastic_transform(images, alpha=20.0, sigma=5.0, interpolation="bilinear",
                      fill_mode="reflect", fill_value=0.0, seed=None, data_format=None):
    """Displaces pixels by a Gaussian-smoothed random field scaled by ``alpha`` (Keras-TF
    draws the x and y fields from the same seed, so they are equal; so does cuflow)."""
    from ..random import draw_seed
    from .conv import _fmt
    from .image_ops import _back, _last, gaussian_blur
    if interpolation not in _INTERPOLATIONS:
        raise ValueError("Invalid value for argument `interpolation`. Expected of one "
                         f"{set(_INTERPOLATIONS)}. Received: interpolation={interpolation}")
    fmt = _fmt(data_format)
    x = _last(images, fmt)
    single = x.shape.rank == 3
    if single:
        x = _cf.expand_dims(x, 0)
    b, h, w, c = x.shape.as_list()
    k = (6 * int(sigma)) | 1
    noise = _cf.random.stateless_normal([b, h, w, 1], draw_seed(seed), dtype=x.dtype)
    d = gaussian_blur(noise * _cf.constant(sigma, x.dtype), (k, k), (sigma, sigma))[..., 0]
    gy, gx = np.meshgrid(np.arange(h), np.arange(w), indexing="ij")
    dy = _cf.constant(gy, x.dtype) + _cf.constant(alpha, x.dtype) * d
    dx = _cf.constant(gx, x.dtype) + _cf.constant(alpha, x.dtype) * d
    order = _INTERPOLATIONS.index(interpolation)
    out = _cf.stack([_cf.stack([map_coordinates(x[i, :, :, ch], [dy[i], dx[i]], order,
                                                fill_mode, fill_value) for ch in range(c)],
                               axis=-1) for i in range(b)])
    if single:
        out = _cf.squeeze(out, 0)
    return _back(out, fmt)


_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _fix_index(i, size, fill_mode):
    """(index clamped into range, validity) for one axis under ``fill_mode``."""
    true = _cf.ones_like(i, dtype="bool")
    if fill_mode == "constant":
        ok = _m.logical_and(_m.greater_equal(i, 0), _m.less(i, size))
        return _cf.clip_by_value(i, 0, size - 1), ok
    if fill_mode == "nearest":
        return _cf.clip_by_value(i, 0, size - 1), true
    if fill_mode == "wrap":
        return _m.floormod(i, size), true
    i = _m.abs(i)
    mod = _m.floormod(i, 2 * size)
    under = _m.less(mod, size)
    i = _cf.where(under, mod, 2 * size - mod)
    if fill_mode == "reflect":
        i = _cf.where(under, i, i - 1)
    return i, true


def _nodes(coord, order):
    """[(int32 index, weight)] interpolation nodes of one coordinate array."""
    if order == 0:
        c = coord if coord.dtype.is_integer else _m.round(coord)
        return [(cast(c, "int32"), _cf.constant(1, coord.dtype))]
    lower = _m.floor(coord)
    up = coord - lower
    idx = cast(lower, "int32")
    return [(idx, 1 - up), (idx + 1, up)]


def map_coordinates(inputs, coordinates, order, fill_mode="constant", fill_value=0):
    """``inputs`` sampled at ``coordinates`` (leading axis: one array per input axis) by
    nearest (order 0) or linear (order 1) interpolation, Keras's fill modes."""
    import itertools
    x = convert_to_tensor(inputs)
    c = convert_to_tensor(coordinates)
    if c.shape[0] != x.shape.rank:
        raise ValueError("First dim of `coordinates` must be the same as the rank of "
                         f"`inputs`. Received inputs with shape: {x.shape} and coordinate "
                         f"leading dim of {c.shape[0]}")
    if c.shape.rank < 2:
        raise ValueError("Invalid coordinates rank: expected at least rank 2. Received "
                         f"input with shape: {c.shape}")
    if fill_mode not in _FILL_MODES:
        raise ValueError("Invalid value for argument `fill_mode`. Expected one of "
                         f"{set(_FILL_MODES)}. Received: fill_mode={fill_mode}")
    if order not in (0, 1):
        raise NotImplementedError("map_coordinates currently requires order<=1")
    per_axis = []
    for coord, size in zip(_cf.unstack(c, axis=0), x.shape.as_list()):
        per_axis.append([(*_fix_index(i, size, fill_mode), w) for i, w in _nodes(coord, order)])
    total = None
    for corner in itertools.product(*per_axis):
        idx, ok, ws = zip(*corner)
        wdt = ws[0].dtype
        val = cast(_cf.gather_nd(x, _cf.stack(idx, axis=-1)), wdt)
        if fill_mode == "constant":
            all_ok = ok[0]
            for o in ok[1:]:
                all_ok = _m.logical_and(all_ok, o)
            val = _cf.where(all_ok, val, _cf.fill(_cf.shape(val),
                                                   _cf.constant(fill_value, wdt)))
        w = ws[0]
        for v in ws[1:]:
            w = w * v
        term = w * val
        total = term if total is None else total + term
    if x.dtype.is_integer:
        total = _m.round(total)
    return cast(total, x.dtype)


# --- scale_and_translate (JAX's resampling, as Keras's backends define it) --------------
_RESAMPLE = {"linear": "linear", "bilinear": "linear", "trilinear": "linear",
             "triangle": "linear", "cubic": "cubic", "bicubic": "cubic", "tricubic": "cubic",
             "lanczos3": "lanczos3", "lanczos5": "lanczos5"}


def _resample_kernel(method, x):
    zero = _cf.zeros_like(x)
    if method == "linear":
        return _m.maximum(zero, 1 - _m.abs(x))
    if method == "cubic":
        out = ((1.5 * x - 2.5) * x) * x + 1.0
        out = _cf.where(_m.greater_equal(x, 1.0), ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
        return _cf.where(_m.greater_equal(x, 2.0), zero, out)
    radius = 3.0 if method == "lanczos3" else 5.0
    y = radius * _m.sin(np.pi * x) * _m.sin(np.pi * x / radius)
    safe = _cf.where(_m.not_equal(x, 0), np.pi ** 2 * x * x, _cf.ones_like(x))
    out = _cf.where(_m.greater(x, 1e-3), y / safe, _cf.ones_like(x))
    return _cf.where(_m.greater(x, radius), zero, out)


def _weight_matrix(n_in, n_out, scale, shift, method, antialias):
    """(n_in, n_out) resampling weights of one spatial axis."""
    dt = scale.dtype
    inv = 1.0 / scale
    kscale = _m.maximum(inv, _cf.constant(1.0, dt)) if antialias else _cf.constant(1.0, dt)
    sample = (_cf.range(n_out, dtype=dt) + 0.5) * inv - shift * inv - 0.5
    x = _m.abs(sample[None, :] - _cf.range(n_in, dtype=dt)[:, None]) / kscale
    w = _resample_kernel(method, x)
    total = _m.reduce_sum(w, axis=0, keepdims=True)
    keep = _m.greater(_m.abs(total), 1000.0 * float(np.finfo(np.float32).eps))
    w = _cf.where(keep, w / _cf.where(_m.not_equal(total, 0), total, _cf.ones_like(total)),
                  _cf.zeros_like(w))
    inside = _m.logical_and(_m.greater_equal(sample, -0.5),
                            _m.less_equal(sample, float(n_in) - 0.5))
    return _cf.where(inside[None, :], w, _cf.zeros_like(w))


def scale_and_translate(images, output_shape, scale, translation, spatial_dims, method,
                        antialias=True):
    """Resamples ``images`` over ``spatial_dims`` to ``output_shape`` with per-axis
    ``scale`` and ``translation`` (JAX's ``jax.image.scale_and_translate``)."""
    from ._base import result_type
    if method not in _RESAMPLE:
        raise ValueError("Invalid value for argument `method`. Expected of one "
                         f"{set(_RESAMPLE)}. Received: method={method}")
    x = convert_to_tensor(images)
    sc, tr = convert_to_tensor(scale), convert_to_tensor(translation)
    dt = result_type(sc.dtype.name, tr.dtype.name)
    sc, tr = cast(sc, dt), cast(tr, dt)
    if not spatial_dims:
        return x
    integer = not (x.dtype.is_floating or x.dtype.is_complex)
    out = cast(x, "float32") if integer else x
    rank = x.shape.rank
    for i, d in enumerate(spatial_dims):
        d %= rank
        w = cast(_weight_matrix(x.shape[d], output_shape[d], sc[i], tr[i],
                                _RESAMPLE[method], antialias), out.dtype)
        out = _cf.tensordot(out, w, [[d], [0]])
        perm = list(range(rank - 1))
        perm.insert(d, rank - 1)
        out = _cf.transpose(out, perm)
    if integer:
        lo, hi = cast(_m.reduce_min(x), "float32"), cast(_m.reduce_max(x), "float32")
        out = cast(_cf.clip_by_value(_m.round(out), lo, hi), x.dtype)
    return out
