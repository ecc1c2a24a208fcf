"""More of ``tf.image``: ``extract_glimpse``, ``sample_distorted_bounding_box`` (stateful
and stateless) and ``non_max_suppression_overlaps``.

The distorted-box sampler is TF's algorithm with TF's random stream (Philox words read
through SimplePhilox: RandFloat for the aspect ratio, ExactUniformInt for sizes and
offsets), so seeded calls give TF's boxes; the stateful form advances its stream per
call, as TF's cached kernel does.

>>> import cuflow as cf
>>> boxes = [[[0.1, 0.2, 0.5, 0.9]]]
>>> begin, size, _ = cf.image.stateless_sample_distorted_bounding_box(
...     [40, 60, 3], boxes, seed=[1, 2], min_object_covered=0.3)
>>> begin.numpy().tolist(), size.numpy().tolist()
([0, 3, 0], [39, 48, -1])
"""
from __future__ import annotations

import threading

import numpy as np

from .. import dtypes as _dt
from ..backend import to_numpy
from ..errors import InvalidArgumentError
from . import philox as _ph
from ._util import static_value
from .constant import constant, convert_to_tensor
from .dispatch import apply as _apply
from .pool_extra import _uniform_int
from .registry import OPAQUE, defop

_f32 = np.float32


# --- non_max_suppression_overlaps ---------------------------------------------------------------
def _nms_overlaps_impl(xp, overlaps, scores, max_output_size, overlap_threshold,
                       score_threshold):
    ov = np.asarray(to_numpy(overlaps), _f32)
    s = np.asarray(to_numpy(scores), _f32)
    if ov.ndim != 2 or ov.shape[0] != ov.shape[1] or s.shape != (ov.shape[0],):
        raise ValueError(f"overlaps must be square [num_boxes, num_boxes] and scores "
                         f"[num_boxes], got {list(ov.shape)} and {list(s.shape)}")
    keep = np.nonzero(s > _f32(score_threshold))[0]
    order = keep[np.lexsort((keep, -s[keep].astype(np.float64)))]
    sel = []
    for i in order.tolist():
        if len(sel) >= max_output_size:
            break
        if all(ov[i, j] <= _f32(overlap_threshold) for j in sel):
            sel.append(i)
    return xp.asarray(np.asarray(sel, np.int32))


_NMS_OVERLAPS = defop("non_max_suppression_with_overlaps", OPAQUE, dtypes=_dt.FLOATS,
                      differentiable=False,
                      infer=lambda o, s, **_: ([None], np.dtype(np.int32)))(_nms_overlaps_impl)


def non_max_suppression_overlaps(overlaps, scores, max_output_size, overlap_threshold=0.5,
                                 score_threshold=float("-inf"), name=None):
    """Greedy NMS with a precomputed [n, n] ``overlaps`` matrix: int32 indices of the kept
    boxes, best score first (``tf.image.non_max_suppression_overlaps``)."""
    overlaps = convert_to_tensor(overlaps, _dt.float32)
    scores = convert_to_tensor(scores, _dt.float32)
    m = int(np.asarray(static_value(max_output_size)).item())
    if m < 0:
        raise InvalidArgumentError(None, "NonMaxSuppressionWithOverlaps",
                                   f"max_output_size must be non-negative, got {m}")
    return _apply(_NMS_OVERLAPS, (overlaps, scores), {
        "max_output_size": m,
        "overlap_threshold": float(np.asarray(static_value(overlap_threshold)).item()),
        "score_threshold": float(np.asarray(static_value(score_threshold)).item())})


# --- extract_glimpse -----------------------------------------------------------------------------
def _glimpse_impl(xp, images, offsets, size, centered, normalized, noise):
    x = np.asarray(to_numpy(images))
    off = np.asarray(to_numpy(offsets), np.float64)
    n, in_h, in_w, c = x.shape
    gh, gw = size
    out = np.zeros((n, gh, gw, c), x.dtype)
    rng = np.random.default_rng()
    for i in range(n):
        y, xx = _f32(off[i, 0]), _f32(off[i, 1])
        if normalized:
            xx, y = xx * in_w, y * in_h
            if centered:   # only this case removes half the window (TF's kernel)
                xx, y = xx / 2 + in_w / 2.0 - gw / 2.0, y / 2 + in_h / 2.0 - gh / 2.0
        elif centered:
            xx, y = xx + in_w / 2.0, y + in_h / 2.0
        ox, oy = int(_f32(xx)), int(_f32(y))   # truncation toward zero, as the C++ cast
        img = x[i]
        if ox < 0 or oy < 0 or ox + gw >= in_w or oy + gh >= in_h:
            out[i] = _noise(rng, img, (gh, gw, c), noise)
        ys, ye = max(oy, 0), min(oy + gh, in_h)
        xs, xe = max(ox, 0), min(ox + gw, in_w)
        if ye > ys and xe > xs:
            out[i, ys - oy:ye - oy, xs - ox:xe - ox] = img[ys:ye, xs:xe]
    return xp.asarray(out)


def _noise(rng, img, shape, noise):
    if noise == "zero" or img.size == 0:
        return np.zeros(shape, img.dtype)
    if noise == "uniform":
        lo, hi = img.min(), img.max()
        return (lo + rng.random(shape) * (hi - lo)).astype(img.dtype)
    mean = img.mean((0, 1))
    sigma = np.sqrt(((img - mean) ** 2).mean((0, 1)))
    return (rng.standard_normal(shape) * sigma + mean).astype(img.dtype)


_GLIMPSE = defop("extract_glimpse", OPAQUE, dtypes=frozenset([np.dtype(np.float32)]),
                 differentiable=False)(_glimpse_impl)
_GLIMPSE.def_infer(lambda x, o, size, **_: ([x.shape[0], size[0], size[1], x.shape[3]],
                                            x.dtype))


def extract_glimpse(input, size, offsets, centered=True, normalized=True,  # noqa: A002
                    noise="uniform", name=None):
    """Glimpses of ``size`` [h, w] at ``offsets`` [batch, (y, x)] from NHWC float32
    ``input``; parts outside the image are filled with ``noise`` ("uniform",
    "gaussian" or "zero"), as ``tf.image.extract_glimpse``."""
    x = convert_to_tensor(input, _dt.float32)
    off = convert_to_tensor(offsets, _dt.float32)
    sz = tuple(int(v) for v in np.asarray(static_value(size)).ravel())
    if noise not in ("uniform", "gaussian", "zero"):
        raise InvalidArgumentError(None, "ExtractGlimpse", f"ExtractGlimpse: noise must be "
                                   f"'uniform', 'gaussian' or 'zero', got {noise!r}")
    if len(x.shape) != 4 or len(sz) != 2 or off.shape.as_list() != [x.shape[0], 2]:
        raise InvalidArgumentError(None, "ExtractGlimpse", "ExtractGlimpse: need input "
                                   f"[b, h, w, c], size [2], offsets [b, 2]; got {x.shape}, "
                                   f"{list(sz)}, {off.shape}")
    return _apply(_GLIMPSE, (x, off), {"size": sz, "centered": bool(centered),
                                       "normalized": bool(normalized), "noise": noise})


# --- sample_distorted_bounding_box ----------------------------------------------------------------
class _Words:
    """SimplePhilox over a Philox stream: one 32-bit word at a time."""

    def __init__(self, key, counter):
        self.key, self.counter, self.off, self.buf = key, counter, 0, []

    def __next__(self):
        if not self.buf:
            self.buf = [int(w) for w in _ph.blocks(self.key, self.counter, [self.off])[0]]
            self.off += 1
        return self.buf.pop(0)

    def rand_float(self):
        return _f32(_ph._u32_to_float(np.asarray([next(self)], np.uint64))[0])


def _lrint(v):
    return int(np.rint(_f32(v)))


def _random_crop(w0, h0, min_area_r, max_area_r, ratio, words):
    """TF's GenerateRandomCrop (float32 arithmetic, lrintf rounding)."""
    min_area, max_area = _f32(min_area_r * w0 * h0), _f32(max_area_r * w0 * h0)
    height = _lrint(np.sqrt(min_area / ratio, dtype=_f32))
    max_height = _lrint(np.sqrt(max_area / ratio, dtype=_f32))
    if _lrint(max_height * ratio) > w0:
        max_height = int((w0 + 0.5 - 1e-7) / ratio)
        if _lrint(max_height * ratio) > w0:
            max_height -= 1
    max_height = min(max_height, h0)
    height = min(height, max_height)
    if height < max_height:
        height += _uniform_int(words, max_height - height + 1)
    width = _lrint(height * ratio)
    area = _f32(width * height)
    if area < min_area:
        height += 1
        width = _lrint(height * ratio)
        area = _f32(width * height)
    if area > max_area:
        height -= 1
        width = _lrint(height * ratio)
        area = _f32(width * height)
    if area < min_area or area > max_area or width > w0 or height > h0 or width <= 0 \
            or height <= 0:
        return None
    y = _uniform_int(words, h0 - height) if height < h0 else 0
    x = _uniform_int(words, w0 - width) if width < w0 else 0
    return x, y, x + width, y + height


def _covers(crop, boxes, min_covered):
    x0, y0, x1, y1 = crop
    if (x1 - x0) * (y1 - y0) < 1:
        return False
    for bx0, by0, bx1, by1 in boxes:
        area = (bx1 - bx0) * (by1 - by0)
        if area < 1:
            continue
        iw = max(min(x1, bx1) - max(x0, bx0), 0)
        ih = max(min(y1, by1) - max(y0, by0), 0)
        if _f32(iw * ih) / _f32(area) >= _f32(min_covered):
            return True
    return False


def _sample_box(words, image_size, boxes, min_covered, ratio_range, area_range, attempts,
                use_image):
    h, w = int(image_size[0]), int(image_size[1])
    rects = []
    for b in np.asarray(boxes, _f32).reshape(-1, 4):
        if not ((b >= 0) & (b <= 1)).all():
            raise InvalidArgumentError(None, "SampleDistortedBoundingBoxV2", "All bounding "
                                       f"box coordinates must be in [0.0, 1.0]: {b.tolist()}")
        rects.append((int(b[1] * _f32(w)), int(b[0] * _f32(h)), int(b[3] * _f32(w)),
                      int(b[2] * _f32(h))))
    if not rects:
        if not use_image:
            raise InvalidArgumentError(None, "SampleDistortedBoundingBoxV2", "No bounding "
                                       "boxes provided as input. One must enable "
                                       "use_image_if_no_bounding_boxes if you wish to not "
                                       "provide any bounding boxes.")
        rects.append((0, 0, w, h))
    crop = None
    lo_r, hi_r = _f32(ratio_range[0]), _f32(ratio_range[1])
    for _ in range(attempts):
        ratio = _f32(words.rand_float() * (hi_r - lo_r) + lo_r)
        cand = _random_crop(w, h, _f32(area_range[0]), _f32(area_range[1]), ratio, words)
        if cand is not None and _covers(cand, rects, min_covered):
            crop = cand
            break
    x0, y0, x1, y1 = crop if crop is not None else (0, 0, w, h)
    begin = np.asarray([y0, x0, 0], np.int32)
    size = np.asarray([y1 - y0, x1 - x0, -1], np.int32)
    box = np.asarray([[[y0 / h, x0 / w, y1 / h, x1 / w]]], _f32)
    return begin, size, box


_STREAMS: dict = {}
_LOCK = threading.Lock()


def _args(image_size, bounding_boxes, min_object_covered, aspect_ratio_range, area_range,
          max_attempts, use_image_if_no_bounding_boxes):
    size = np.asarray(convert_to_tensor(image_size).numpy()).ravel()
    if size.shape[0] != 3:
        raise InvalidArgumentError(None, "SampleDistortedBoundingBoxV2", "image_size must "
                                   f"be [height, width, channels], got {size.tolist()}")
    boxes = np.asarray(convert_to_tensor(bounding_boxes, _dt.float32).numpy())
    return (size, boxes, float(np.asarray(convert_to_tensor(min_object_covered).numpy())),
            tuple(float(v) for v in (aspect_ratio_range or (0.75, 1.33))),
            tuple(float(v) for v in (area_range or (0.05, 1.0))),
            int(max_attempts or 100), bool(use_image_if_no_bounding_boxes))


def _outputs(begin, size, box):
    return constant(begin), constant(size), constant(box)


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=0,
                                  min_object_covered=0.1, aspect_ratio_range=None,
                                  area_range=None, max_attempts=None,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """A random crop (begin, size, bbox) covering at least ``min_object_covered`` of one
    of ``bounding_boxes`` (``tf.image.sample_distorted_bounding_box``)."""
    from .random_ops import get_seed
    a = _args(image_size, bounding_boxes, min_object_covered, aspect_ratio_range,
              area_range, max_attempts, use_image_if_no_bounding_boxes)
    s1, s2 = get_seed(seed) if seed else (None, None)
    if s1 is None:
        import secrets
        s1, s2 = secrets.randbits(63), secrets.randbits(63)
    key = (int(s1) & 0xFFFFFFFF, (int(s1) >> 32) & 0xFFFFFFFF)
    stream_key = (a[3], a[4], a[5], a[6], int(s1), int(s2))
    with _LOCK:
        pos = _STREAMS.get(stream_key, 0)
        _STREAMS[stream_key] = pos + a[5]          # ReserveSamples32(4 * max_attempts)
    s2 = int(s2) & ((1 << 64) - 1)
    counter = (pos & 0xFFFFFFFF, pos >> 32, s2 & 0xFFFFFFFF, s2 >> 32)
    return _outputs(*_sample_box(_Words(key, counter), a[0], a[1], a[2], a[3], a[4], a[5],
                                 a[6]))


def stateless_sample_distorted_bounding_box(image_size, bounding_boxes, seed,
                                            min_object_covered=0.1, aspect_ratio_range=None,
                                            area_range=None, max_attempts=None,
                                            use_image_if_no_bounding_boxes=None, name=None):
    """``sample_distorted_bounding_box`` determined by the [2] ``seed`` alone."""
    a = _args(image_size, bounding_boxes, min_object_covered, aspect_ratio_range,
              area_range, max_attempts, use_image_if_no_bounding_boxes)
    sd = np.asarray(convert_to_tensor(seed).numpy()).ravel()
    if sd.shape[0] != 2:
        raise InvalidArgumentError(None, "StatelessSampleDistortedBoundingBox",
                                   f"seed must have shape [2], got {sd.shape}")
    key, counter = _ph.key_counter_from_seed(int(sd[0]), int(sd[1]))
    return _outputs(*_sample_box(_Words(key, counter), a[0], a[1], a[2], a[3], a[4], a[5],
                                 a[6]))
