"""``keras.utils.bounding_boxes``: box format conversion, clipping, affine/crop/pad moves,
anchor delta encoding and IoU / CIoU, as Keras 3's bounding-box utilities.

Formats: ``xyxy``, ``yxyx``, ``xywh``, ``center_xywh``, ``center_yxhw`` and the relative
``rel_xyxy``, ``rel_yxyx``, ``rel_xywh``, ``rel_center_xywh`` (fractions of the image's
``height``/``width``). Conversions go through ``xyxy``.

    >>> import cuflow as cf
    >>> bb = cf.keras.utils.bounding_boxes
    >>> bb.convert_format([[10.0, 20.0, 30.0, 60.0]], "xyxy", "center_xywh").numpy().tolist()
    [[20.0, 40.0, 20.0, 40.0]]
"""
from __future__ import annotations

import math

__all__ = ["affine_transform", "clip_to_image_size", "compute_ciou", "compute_iou",
           "convert_format", "crop", "decode_deltas_to_boxes", "encode_box_to_deltas", "pad"]

SUPPORTED_FORMATS = ("xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy",
                     "rel_yxyx", "rel_xywh", "rel_center_xywh")


def _cf():
    import cuflow
    return cuflow


def _split(boxes):
    return _cf().split(boxes, 4, axis=-1)


def _cat(parts):
    return _cf().concat(parts, axis=-1)


def _to_xyxy(fmt, b, h, w):
    a, c, e, f = _split(b)
    if fmt == "xyxy":
        return b
    if fmt == "yxyx":
        return _cat([c, a, f, e])
    if fmt == "xywh":
        return _cat([a, c, a + e, c + f])
    if fmt == "center_xywh":
        return _cat([a - e / 2.0, c - f / 2.0, a + e / 2.0, c + f / 2.0])
    if fmt == "center_yxhw":  # cy, cx, h, w
        return _cat([c - f / 2.0, a - e / 2.0, c + f / 2.0, a + e / 2.0])
    if fmt == "rel_xyxy":
        return _cat([a * w, c * h, e * w, f * h])
    if fmt == "rel_yxyx":
        return _cat([c * w, a * h, f * w, e * h])
    if fmt == "rel_xywh":
        return _cat([a * w, c * h, (a + e) * w, (c + f) * h])
    return _cat([(a - e / 2.0) * w, (c - f / 2.0) * h, (a + e / 2.0) * w, (c + f / 2.0) * h])


def _from_xyxy(fmt, b, h, w):
    x1, y1, x2, y2 = _split(b)
    if fmt == "xyxy":
        return b
    if fmt == "yxyx":
        return _cat([y1, x1, y2, x2])
    if fmt == "xywh":
        return _cat([x1, y1, x2 - x1, y2 - y1])
    cx, cy = x1 + (x2 - x1) / 2.0, y1 + (y2 - y1) / 2.0
    if fmt == "center_xywh":
        return _cat([cx, cy, x2 - x1, y2 - y1])
    if fmt == "center_yxhw":
        return _cat([cy, cx, y2 - y1, x2 - x1])
    cf = _cf()
    if fmt == "rel_xyxy":
        return _cat([cf.divide(x1, w), cf.divide(y1, h), cf.divide(x2, w), cf.divide(y2, h)])
    if fmt == "rel_yxyx":
        return _cat([cf.divide(y1, h), cf.divide(x1, w), cf.divide(y2, h), cf.divide(x2, w)])
    if fmt == "rel_xywh":
        return _cat([x1 / w, y1 / h, (x2 - x1) / w, (y2 - y1) / h])
    return _cat([cx / w, cy / h, (x2 - x1) / w, (y2 - y1) / h])


def convert_format(boxes, source, target, height=None, width=None, dtype="float32"):
    """Boxes (``[..., 4]``, or a dict with ``"boxes"``) from format ``source`` to
    ``target``; relative formats need ``height`` and ``width``."""
    cf = _cf()
    if isinstance(boxes, dict):
        boxes["boxes"] = convert_format(boxes["boxes"], source, target, height, width, dtype)
        return boxes
    boxes = cf.convert_to_tensor(boxes)
    if boxes.shape[-1] != 4:
        raise ValueError("`boxes` must be a tensor with the last dimension of 4. Received: "
                         f"boxes.shape={tuple(boxes.shape)}")
    source, target = source.lower(), target.lower()
    if source not in SUPPORTED_FORMATS or target not in SUPPORTED_FORMATS:
        raise ValueError(f"Invalid source or target format. Supported formats: "
                         f"{SUPPORTED_FORMATS}")
    if (source.startswith("rel_") or target.startswith("rel_")) and (width is None or
                                                                      height is None):
        raise ValueError("convert_format() must receive `height` and `width` transforming "
                         "between relative and absolute formats.convert_format() received "
                         f"source=`{source}`, target=`{target}, but height={height} and "
                         f"width={width}.")
    boxes = cf.cast(boxes, dtype)
    if source == target:
        return boxes
    width = None if width is None else cf.cast(width, dtype)
    height = None if height is None else cf.cast(height, dtype)
    if source.startswith("rel_") and target.startswith("rel_"):
        source, target = source[4:], target[4:]
    return _from_xyxy(target, _to_xyxy(source, boxes, height, width), height, width)


def _area(boxes):
    x1, y1, x2, y2 = _split(boxes)
    return (x2 - x1) * (y2 - y1)


def clip_to_image_size(bounding_boxes, height=None, width=None, bounding_box_format="xyxy"):
    """Clips ``bounding_boxes["boxes"]`` (xyxy or rel_xyxy) to the image; boxes left with
    no area get label -1."""
    cf = _cf()
    if bounding_box_format not in ("xyxy", "rel_xyxy"):
        raise NotImplementedError(f"clip_to_image_size supports 'xyxy' and 'rel_xyxy', not "
                                  f"{bounding_box_format!r} (as Keras)")
    if bounding_box_format == "xyxy" and (height is None or width is None):
        raise ValueError("`height` and `width` must be set if `format='xyxy'`.")
    boxes = cf.convert_to_tensor(bounding_boxes["boxes"])
    labels = bounding_boxes.get("labels", None)
    if bounding_box_format == "xyxy":
        w, h = cf.cast(width, boxes.dtype), cf.cast(height, boxes.dtype)
    else:
        w = h = cf.constant(1.0, boxes.dtype)
    x1, y1, x2, y2 = _split(boxes)
    zero = cf.constant(0.0, boxes.dtype)
    boxes = _cat([cf.clip_by_value(x1, zero, w), cf.clip_by_value(y1, zero, h),
                  cf.clip_by_value(x2, zero, w), cf.clip_by_value(y2, zero, h)])
    result = dict(bounding_boxes)
    result["boxes"] = boxes
    if labels is not None:
        areas = cf.squeeze(_area(boxes), axis=-1)
        labels = cf.convert_to_tensor(labels)
        result["labels"] = cf.where(areas > 0, labels, cf.cast(-1, labels.dtype))
    return result


def _inverse_affine_matrix(cx, cy, angle, tx, ty, scale, shear_x, shear_y, height, width):
    """TF's ``_get_inverse_affine_matrix`` per batch item: [batch, 3, 3]."""
    cf = _cf()
    n = angle.shape[0]
    angle, shear_x, shear_y = -angle, -shear_x, -shear_y
    cx, cy = cx * (width - 1), cy * (height - 1)
    rot = angle * (math.pi / 180.0)
    tx, ty = -tx * (width - 1), -ty * (height - 1)
    sx, sy = shear_x * (math.pi / 180.0), shear_y * (math.pi / 180.0)
    cos_sy, tan_sx = cf.cos(sy), cf.tan(sx)
    rot_sy = rot - sy
    a = cf.cos(rot_sy) / cos_sy
    b = a * tan_sx + cf.sin(rot)
    c = -cf.sin(rot_sy) / cos_sy
    d = cf.cos(rot) - c * tan_sx
    a0, a1, b0, b1 = d * scale, -b * scale, -c * scale, a * scale
    a2 = cx - a0 * (cx + tx) - a1 * (cy + ty)
    b2 = cy - b0 * (cx + tx) - b1 * (cy + ty)
    zeros, ones = cf.zeros([n], angle.dtype), cf.ones([n], angle.dtype)
    return cf.reshape(cf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros, ones], axis=-1),
                      [n, 3, 3])


def affine_transform(boxes, angle, translate_x, translate_y, scale, shear_x, shear_y, height,
                     width, center_x=None, center_y=None, bounding_box_format="xyxy"):
    """Moves xyxy boxes ``[batch, n, 4]`` by the per-image affine transform Keras's
    RandomAffine-style layers apply (angles in degrees, translations as fractions); the
    result is the bounding box of the 4 moved corners."""
    cf = _cf()
    if bounding_box_format != "xyxy":
        raise NotImplementedError("affine_transform supports bounding_box_format='xyxy' only "
                                  "(as Keras)")
    angle = cf.convert_to_tensor(angle)
    matrix = _inverse_affine_matrix(0.5 if center_x is None else center_x,
                                    0.5 if center_y is None else center_y, angle,
                                    translate_x, translate_y, scale, shear_x, shear_y,
                                    height, width)
    boxes = cf.cast(boxes, matrix.dtype)
    batch, n = int(boxes.shape[0]), int(boxes.shape[1])
    pts = cf.stack([boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 1],
                    boxes[..., 2], boxes[..., 3], boxes[..., 0], boxes[..., 3]], axis=-1)
    pts = cf.concat([cf.reshape(pts, [batch, n, 4, 2]),
                     cf.ones([batch, n, 4, 1], pts.dtype)], axis=-1)
    moved = cf.einsum("bnxy,byz->bnxz", pts, cf.transpose(matrix[:, :2, :], [0, 2, 1]))
    return cf.concat([cf.reduce_min(moved, axis=2), cf.reduce_max(moved, axis=2)], axis=-1)


def crop(boxes, top, left, height, width, bounding_box_format="xyxy"):
    """xyxy boxes in the frame of the crop at (top, left) of size (height, width)."""
    cf = _cf()
    if bounding_box_format != "xyxy":
        raise NotImplementedError("crop supports bounding_box_format='xyxy' only (as Keras)")
    x1, y1, x2, y2 = _split(cf.convert_to_tensor(boxes))
    zero = cf.constant(0, x1.dtype)
    w, h = cf.cast(width, x1.dtype), cf.cast(height, x1.dtype)
    return _cat([cf.clip_by_value(x1 - left, zero, w), cf.clip_by_value(y1 - top, zero, h),
                 cf.clip_by_value(x2 - left, zero, w), cf.clip_by_value(y2 - top, zero, h)])


def pad(boxes, top, left, height=None, width=None, bounding_box_format="xyxy"):
    """xyxy boxes shifted by the (top, left) padding."""
    cf = _cf()
    if bounding_box_format != "xyxy":
        raise NotImplementedError("pad supports bounding_box_format='xyxy' only (as Keras)")
    x1, y1, x2, y2 = _split(cf.convert_to_tensor(boxes))
    return _cat([x1 + left, y1 + top, x2 + left, y2 + top])


def _check_variance(variance):
    cf = _cf()
    if variance is None:
        return None
    variance = cf.convert_to_tensor(variance, "float32")
    if variance.shape[-1] != 4:
        raise ValueError(f"`variance` must be length 4, got {variance}")
    return variance


def encode_box_to_deltas(anchors, boxes, anchor_format, box_format,
                         encoding_format="center_yxhw", variance=None, image_shape=None):
    """Regression targets of ``boxes`` relative to ``anchors``: centre offsets over the
    anchor size, then log size ratios (divided by ``variance``)."""
    from .. import backend
    cf = _cf()
    variance = _check_variance(variance)
    if encoding_format not in ["center_xywh", "center_yxhw"]:
        raise ValueError("`encoding_format` should be one of 'center_xywh' or 'center_yxhw', "
                         f"got {encoding_format}")
    h, w = (None, None) if image_shape is None else image_shape[:2]
    a = convert_format(anchors, anchor_format, encoding_format, height=h, width=w)
    b = convert_format(boxes, box_format, encoding_format, height=h, width=w)
    a_dim = cf.maximum(a[..., 2:], backend.epsilon())
    b_dim = cf.maximum(b[..., 2:], backend.epsilon())
    delta = cf.concat([(b[..., :2] - a[..., :2]) / a_dim, cf.math.log(b_dim / a_dim)], axis=-1)
    return delta / variance if variance is not None else delta


def decode_deltas_to_boxes(anchors, boxes_delta, anchor_format, box_format,
                           encoded_format="center_yxhw", variance=None, image_shape=None):
    """Inverse of ``encode_box_to_deltas`` (per pyramid level when given dicts)."""
    cf = _cf()
    variance = _check_variance(variance)
    if encoded_format not in ["center_xywh", "center_yxhw"]:
        raise ValueError("`encoded_format` should be 'center_xywh' or 'center_yxhw', but got "
                         f"'{encoded_format}'.")
    h, w = (None, None) if image_shape is None else image_shape[:2]

    def decode(anchor, delta):
        a = convert_format(anchor, anchor_format, encoded_format, height=h, width=w)
        delta = cf.convert_to_tensor(delta)
        if variance is not None:
            delta = delta * variance
        box = cf.concat([delta[..., :2] * a[..., 2:] + a[..., :2],
                         cf.exp(delta[..., 2:]) * a[..., 2:]], axis=-1)
        return convert_format(box, encoded_format, box_format, height=h, width=w)

    if isinstance(anchors, dict) and isinstance(boxes_delta, dict):
        return {lvl: decode(anchor, boxes_delta[lvl]) for lvl, anchor in anchors.items()}
    return decode(anchors, boxes_delta)


def compute_iou(boxes1, boxes2, bounding_box_format, use_masking=False, mask_val=-1,
                image_shape=None):
    """Pairwise IoU ``[..., n1, n2]`` of two box sets (unbatched ``[n, 4]`` or batched);
    with ``use_masking`` pairs involving an all-negative (padding) box get ``mask_val``."""
    from .. import backend
    cf = _cf()
    r1, r2 = len(cf.convert_to_tensor(boxes1).shape), len(cf.convert_to_tensor(boxes2).shape)
    for which, r in (("boxes1", r1), ("boxes2", r2)):
        if r not in (2, 3):
            raise ValueError(f"compute_iou() expects {which} to be batched, or to be unbatched. "
                             f"Received len(boxes1.shape)={r1}, len(boxes2.shape)={r2}. "
                             f"Expected either len({which}.shape)=2 AND or "
                             f"len({which}.shape)=3.")
    if "rel" in bounding_box_format and image_shape is None:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the "
                         "`image_shape` argument must be provided.Received `image_shape`: "
                         f"{image_shape}")
    h, w = (None, None) if image_shape is None else image_shape[:2]
    b1 = convert_format(boxes1, bounding_box_format, "yxyx", height=h, width=w)
    b2 = convert_format(boxes2, bounding_box_format, "yxyx", height=h, width=w)
    perm2 = [1, 0] if r2 == 2 else [0, 2, 1]
    y1a, x1a, y2a, x2a = _split(b1)
    y1b, x1b, y2b, x2b = _split(b2)
    zero = cf.constant(0.0, b1.dtype)
    ih = cf.maximum(zero, cf.minimum(y2a, cf.transpose(y2b, perm2)) -
                    cf.maximum(y1a, cf.transpose(y1b, perm2)))
    iw = cf.maximum(zero, cf.minimum(x2a, cf.transpose(x2b, perm2)) -
                    cf.maximum(x1a, cf.transpose(x1b, perm2)))
    inter = ih * iw
    area1 = cf.squeeze((y2a - y1a) * (x2a - x1a), axis=-1)
    area2 = cf.squeeze((y2b - y1b) * (x2b - x1b), axis=-1)
    union = cf.expand_dims(area1, -1) + cf.expand_dims(area2, 1 if len(area2.shape) == 2
                                                       else 0) - inter
    res = cf.divide(inter, union + backend.epsilon())
    if not use_masking:
        return res
    perm1 = [1, 0] if r1 == 2 else [0, 2, 1]
    m1 = cf.reduce_max(b1, axis=-1, keepdims=True) < 0.0
    m2 = cf.reduce_max(b2, axis=-1, keepdims=True) < 0.0
    background = cf.logical_or(m1, cf.transpose(m2, perm1))
    return cf.where(background, cf.cast(mask_val, res.dtype) * cf.ones_like(res), res)


def compute_ciou(boxes1, boxes2, bounding_box_format, image_shape=None):
    """Complete IoU of matching boxes: IoU minus the normalized centre distance and an
    aspect-ratio consistency term."""
    from .. import backend
    cf = _cf()
    eps = backend.epsilon()
    if "rel" in bounding_box_format:
        raise ValueError("When using relative bounding box formats (e.g. `rel_yxyx`) the "
                         "`image_shape` argument must be provided.Received `image_shape`: "
                         f"{image_shape}")
    h, w = (None, None) if image_shape is None else image_shape[:2]
    x1a, y1a, x2a, y2a = _split(convert_format(boxes1, bounding_box_format, "xyxy", h, w))
    x1b, y1b, x2b, y2b = _split(convert_format(boxes2, bounding_box_format, "xyxy", h, w))
    w1, h1 = x2a - x1a, y2a - y1a + eps
    w2, h2 = x2b - x1b, y2b - y1b + eps
    inter = cf.maximum(cf.minimum(x2a, x2b) - cf.maximum(x1a, x1b), 0.0) * \
        cf.maximum(cf.minimum(y2a, y2b) - cf.maximum(y1a, y1b), 0.0)
    union = w1 * h1 + w2 * h2 - inter + eps
    iou = cf.squeeze(inter / (union + eps), axis=-1)
    cw = cf.maximum(x2a, x2b) - cf.minimum(x1a, x1b)
    ch = cf.maximum(y2a, y2b) - cf.minimum(y1a, y1b)
    diag = cf.squeeze(cw ** 2 + ch ** 2 + eps, axis=-1)
    dist = cf.squeeze(((x1a + x2a) / 2 - (x1b + x2b) / 2) ** 2 +
                      ((y1a + y2a) / 2 - (y1b + y2b) / 2) ** 2, axis=-1)
    v = cf.squeeze(4 / math.pi ** 2 * cf.pow(cf.atan(w2 / h2) - cf.atan(w1 / h1), 2), axis=-1)
    alpha = v / (v - iou + (1 + eps))
    return iou - (dist / diag + v * alpha)
