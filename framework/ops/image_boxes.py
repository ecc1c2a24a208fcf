"""Box ops of ``tf.image``: ``crop_and_resize`` (TF's sampling, differentiable in the
image) and greedy ``non_max_suppression`` (host-side, as TF's CPU kernel)."""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from . import math_ops as _m
from ._util import shape_of, static_value
from .constant import constant, convert_to_tensor


def _host(v, dtype):
    return np.asarray(static_value(v), dtype=dtype)


def _sample_points(lo, hi, n_out, n_in):
    """TF's float32 source coordinates of ``n_out`` samples between lo and hi."""
    lo, hi = np.float32(lo), np.float32(hi)
    last = np.float32(n_in - 1)
    if n_out > 1:
        scale = (hi - lo) * last / np.float32(n_out - 1)
        return lo * last + np.arange(n_out, dtype=np.float32) * scale
    return np.full(1, np.float32(0.5) * (lo + hi) * last, np.float32)


def crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear",
                    extrapolation_value=0.0, name=None):
    """Crops normalized ``boxes`` [N, 4] (y1, x1, y2, x2) out of ``image`` [B, H, W, C]
    and resizes each to ``crop_size``; float32 output [N, ch, cw, C]."""
    from .index_ops import gather_nd
    image = convert_to_tensor(image)
    if len(shape_of(image)) != 4:
        raise InvalidArgumentError(None, "crop_and_resize", "crop_and_resize: image must be "
                                   f"4-D, got shape {list(shape_of(image))}")
    if method not in ("bilinear", "nearest"):
        raise ValueError(f"method must be 'bilinear' or 'nearest', got {method!r}")
    b, h, w, _ = (int(d) for d in shape_of(image))
    bx = _host(boxes, np.float32).reshape(-1, 4)
    idx = _host(box_indices, np.int64).reshape(-1)
    ch, cw = (int(v) for v in np.asarray(static_value(crop_size)).ravel())
    if len(idx) != len(bx) or ((idx < 0) | (idx >= b)).any():
        raise InvalidArgumentError(None, "crop_and_resize", "crop_and_resize: box_indices "
                                   f"must be {len(bx)} values in [0, {b})")
    ys = np.stack([_sample_points(y1, y2, ch, h) for y1, _, y2, _ in bx])   # [N, ch]
    xs = np.stack([_sample_points(x1, x2, cw, w) for _, x1, _, x2 in bx])   # [N, cw]
    valid = ((ys >= 0) & (ys <= h - 1))[:, :, None] & ((xs >= 0) & (xs <= w - 1))[:, None, :]
    img = _m.cast(image, _dt.float32)
    n = len(bx)
    bi = np.broadcast_to(idx[:, None, None], (n, ch, cw))

    def gather(yi, xi):
        yi = np.clip(yi, 0, h - 1).astype(np.int64)
        xi = np.clip(xi, 0, w - 1).astype(np.int64)
        grid = np.stack([bi, np.broadcast_to(yi[:, :, None], (n, ch, cw)),
                         np.broadcast_to(xi[:, None, :], (n, ch, cw))], -1)
        return gather_nd(img, constant(grid))
    if method == "nearest":
        out = gather(np.sign(ys) * np.floor(np.abs(ys) + 0.5),
                     np.sign(xs) * np.floor(np.abs(xs) + 0.5))
    else:
        top, left = np.floor(ys), np.floor(xs)
        yl = constant((ys - top)[:, :, None, None].astype(np.float32))
        xl = constant((xs - left)[:, None, :, None].astype(np.float32))
        tl, tr = gather(top, left), gather(top, np.ceil(xs))
        bl, br = gather(np.ceil(ys), left), gather(np.ceil(ys), np.ceil(xs))
        t = tl + (tr - tl) * xl
        bot = bl + (br - bl) * xl
        out = t + (bot - t) * yl
    fill = constant(np.float32(extrapolation_value))
    return _m.where_v(constant(valid[..., None]), out, fill)


def _iou(box, others):
    y1, x1, y2, x2 = np.minimum(box[0], box[2]), np.minimum(box[1], box[3]), \
        np.maximum(box[0], box[2]), np.maximum(box[1], box[3])
    oy1, ox1 = np.minimum(others[:, 0], others[:, 2]), np.minimum(others[:, 1], others[:, 3])
    oy2, ox2 = np.maximum(others[:, 0], others[:, 2]), np.maximum(others[:, 1], others[:, 3])
    area, oarea = (y2 - y1) * (x2 - x1), (oy2 - oy1) * (ox2 - ox1)
    ih = np.maximum(np.minimum(y2, oy2) - np.maximum(y1, oy1), 0)
    iw = np.maximum(np.minimum(x2, ox2) - np.maximum(x1, ox1), 0)
    inter = ih * iw
    union = area + oarea - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((area <= 0) | (oarea <= 0), 0.0, inter / union)


def non_max_suppression(boxes, scores, max_output_size, iou_threshold=0.5,
                        score_threshold=float("-inf"), name=None):
    """Indices (int32) of up to ``max_output_size`` boxes, by decreasing score, dropping
    each box whose IoU with an already selected one exceeds ``iou_threshold``.

    >>> import cuflow as cf
    >>> boxes = [[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3]]
    >>> cf.image.non_max_suppression(boxes, [0.9, 0.8, 0.7], 3).numpy().tolist()
    [0, 2]
    """
    bx = _host(boxes, np.float32).reshape(-1, 4)
    sc = _host(scores, np.float32).reshape(-1)
    if len(bx) != len(sc):
        raise InvalidArgumentError(None, "non_max_suppression", "non_max_suppression: boxes "
                                   f"({len(bx)}) and scores ({len(sc)}) differ in length")
    iou_t = float(np.asarray(static_value(iou_threshold)))
    if not 0 <= iou_t <= 1:
        raise InvalidArgumentError(None, "non_max_suppression", "iou_threshold must be in "
                                   f"[0, 1], got {iou_t}")
    limit = int(np.asarray(static_value(max_output_size)))
    order = [i for i in np.argsort(-sc, kind="stable")
             if sc[i] > float(np.asarray(static_value(score_threshold)))]
    keep: list[int] = []
    for i in order:
        if len(keep) >= limit:
            break
        if not keep or (_iou(bx[i], bx[keep]) <= iou_t).all():
            keep.append(int(i))
    return constant(np.asarray(keep, np.int32))


_DEFAULT_COLORS = [[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1], [0.5, 0, 0.5, 1],
                   [0.5, 0.5, 0, 1], [0.5, 0, 0, 1], [0, 0, 0.5, 1], [0, 1, 1, 1],
                   [1, 0, 1, 1]]


def draw_bounding_boxes(images, boxes, colors=None, name=None):
    """1-pixel box outlines over ``images`` [batch, h, w, depth] (TF's kernel: normalized
    (ymin, xmin, ymax, xmax) scaled by size - 1, truncated, clamped; colour ``k % n``)."""
    x = convert_to_tensor(images)
    img = np.array(x.numpy())
    if img.ndim != 4 or img.shape[-1] not in (1, 3, 4):
        raise InvalidArgumentError(None, "draw_bounding_boxes", "draw_bounding_boxes: images "
                                   f"must be [batch, h, w, 1|3|4], got {list(img.shape)}")
    b, h, w, depth = img.shape
    bx = _host(boxes, np.float32).reshape(b, -1, 4)
    table = np.asarray(_DEFAULT_COLORS if colors is None else _host(colors, np.float32),
                       np.float32).reshape(-1, 4)
    if colors is None and depth == 1:
        table[:, 0] = 1
    for n in range(b):
        for k, (y0, x0, y1, x1) in enumerate(bx[n]):
            color = table[k % len(table)][:depth]
            r0, r1 = int(np.float32(y0) * (h - 1)), int(np.float32(y1) * (h - 1))
            c0, c1 = int(np.float32(x0) * (w - 1)), int(np.float32(x1) * (w - 1))
            if r0 > r1 or c0 > c1 or r0 >= h or r1 < 0 or c0 >= w or c1 < 0:
                continue
            rr0, rr1, cc0, cc1 = max(r0, 0), min(r1, h - 1), max(c0, 0), min(c1, w - 1)
            if r0 >= 0:
                img[n, r0, cc0:cc1 + 1] = color
            if r1 < h:
                img[n, r1, cc0:cc1 + 1] = color
            if c0 >= 0:
                img[n, rr0:rr1 + 1, c0] = color
            if c1 < w:
                img[n, rr0:rr1 + 1, c1] = color
    return constant(img)
