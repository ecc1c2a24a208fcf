"""The plugin summaries: scalar, histogram, image, text, audio (TensorBoard's v2 formats).

Each op builds its tensor lazily (a callable handed to ``write``), so nothing is bucketed,
encoded or copied when no writer is set or ``record_if`` is off. Every op returns True
when the summary was written and False otherwise.
"""
from __future__ import annotations

import numpy as np
from tensorboard.plugins.audio import metadata as _audio_meta
from tensorboard.plugins.histogram import metadata as _hist_meta
from tensorboard.plugins.image import metadata as _image_meta
from tensorboard.plugins.scalar import metadata as _scalar_meta
from tensorboard.plugins.text import metadata as _text_meta
from tensorboard.util import tensor_util

from . import _encode
from .writer import (_record, _state, _tag, _to_numpy, in_graph, should_record_summaries,
                     write)

__all__ = ["audio", "histogram", "image", "scalar", "text"]

_metadata_cache: dict = {}
_PLAIN_NUMBERS = (float, int, np.floating, np.integer, np.bool_)


def _cached_metadata(kind, make, description):
    """Plugin metadata protos are immutable here: build each (kind, description) once."""
    key = (kind, description)
    meta = _metadata_cache.get(key)
    if meta is None:
        meta = _metadata_cache[key] = make(description)
    return meta


@in_graph
def scalar(name, data, step=None, description=None):
    """Write a scalar summary (TensorBoard's scalars dashboard).

    Args:
        name: tag for this summary (prefixed by enclosing ``summary_scope``).
        data: a real number: Python, NumPy, or a rank-0 cuflow Tensor / Variable.
        step: int64-castable step; defaults to ``cf.summary.experimental.get_step()``.
        description: optional Markdown description.

    Returns:
        True if written, False if no default writer or recording is off.

    Example:
        >>> import tempfile, cuflow as cf
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default():
        ...     cf.summary.scalar("loss", 0.25, step=1)
        True
    """
    # A Tensor's static shape: no device copy when not recording.
    plain = isinstance(data, _PLAIN_NUMBERS)  # the common case: skip shape and dtype checks
    if not plain and len(np.shape(data)) != 0:  # a Tensor's static shape: no device copy
        raise ValueError(f"scalar summary {name!r} needs a rank-0 value, got shape "
                         f"{np.shape(data)}")
    if _state.writer is None or not should_record_summaries():
        return False
    meta = _cached_metadata("scalar", _scalar_metadata, description)

    def value():  # a float32 snapshot; the proto is built when the batch is written
        if plain:
            return float(np.float32(data))
        array = _to_numpy(data)
        if array.dtype.kind not in "biuf" and array.dtype.name != "bfloat16":
            raise TypeError(f"scalar summary {name!r} needs a real number, got {array.dtype}")
        return float(np.float32(array))
    return _record(_tag(name), value, step, meta)


def _scalar_metadata(description):
    return _scalar_meta.create_summary_metadata(display_name=None, description=description)


@in_graph
def histogram(name, data, step=None, buckets=None, description=None):
    """Write a histogram of ``data`` (any shape) in ``buckets`` (default 30) buckets.

    Buckets follow TensorBoard's ``_buckets``: equal widths over ``[min, max]``,
    stored as ``[k, 3]`` float64 ``(left, right, count)``.

    Example:
        >>> import tempfile, numpy as np, cuflow as cf
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default():
        ...     cf.summary.histogram("w", np.random.randn(100), step=0, buckets=10)
        True
    """
    if _state.writer is None:
        return False
    count = _encode.DEFAULT_BUCKET_COUNT if buckets is None else int(buckets)
    meta = _cached_metadata("histogram", lambda d: _hist_meta.create_summary_metadata(
        display_name=None, description=d), description)

    def tensor():
        buckets_ = _encode.histogram_buckets(_to_numpy(data), count)
        return tensor_util.make_tensor_proto(buckets_, dtype=np.float64)
    return write(_tag(name), tensor, step, meta)


@in_graph
def image(name, data, step=None, max_outputs=3, description=None):
    """Write up to ``max_outputs`` images from an NHWC batch as PNGs.

    ``data`` is ``[k, h, w, c]`` with c in 1..4; floats are taken in [0, 1] (clipped),
    uint8 as is, other integers rescaled as ``tf.image.convert_image_dtype`` does.

    Example:
        >>> import tempfile, numpy as np, cuflow as cf
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default():
        ...     cf.summary.image("x", np.random.rand(2, 8, 8, 3), step=0)
        True
    """
    if _state.writer is None:
        return False
    if int(max_outputs) < 0:
        raise ValueError(f"image summary {name!r}: max_outputs must be >= 0, got {max_outputs}")
    meta = _cached_metadata("image", lambda d: _image_meta.create_summary_metadata(
        display_name=None, description=d), description)

    def tensor():
        images = _to_numpy(data)
        if images.ndim != 4 or images.shape[3] not in (1, 2, 3, 4):
            raise ValueError(f"image summary {name!r} needs [k, h, w, c] data with c in "
                             f"1..4, got shape {images.shape}")
        pixels = _encode.to_uint8_images(images[:int(max_outputs)])
        h, w = images.shape[1], images.shape[2]
        encoded = [str(w).encode(), str(h).encode()] + [_encode.encode_png(p) for p in pixels]
        return tensor_util.make_tensor_proto(np.array(encoded, dtype=object))
    return write(_tag(name), tensor, step, meta)


@in_graph
def text(name, data, step=None, description=None):
    """Write a string tensor (any shape) for TensorBoard's text dashboard (Markdown).

    Example:
        >>> import tempfile, cuflow as cf
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default():
        ...     cf.summary.text("notes", "**hello**", step=0)
        True
    """
    if _state.writer is None:
        return False
    meta = _cached_metadata("text", lambda d: _text_meta.create_summary_metadata(
        display_name=None, description=d), description)

    def tensor():
        array = _to_numpy(data)
        if array.dtype.kind not in "USO":
            raise TypeError(f"text summary {name!r} needs strings, got dtype {array.dtype}")
        flat = [s.encode("utf-8") if isinstance(s, str) else bytes(s) for s in array.ravel()]
        packed = np.empty(len(flat), dtype=object)
        packed[:] = flat
        return tensor_util.make_tensor_proto(packed.reshape(array.shape))
    return write(_tag(name), tensor, step, meta)


@in_graph
def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None,
          description=None):
    """Write up to ``max_outputs`` clips of ``[k, t, c]`` floats in [-1, 1] as WAV.

    Example:
        >>> import tempfile, numpy as np, cuflow as cf
        >>> tone = np.sin(np.linspace(0, 200, 8000))[None, :, None]
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default():
        ...     cf.summary.audio("tone", tone, sample_rate=8000, step=0)
        True
    """
    if encoding is None:
        encoding = "wav"
    if encoding != "wav":
        raise ValueError(f"Unknown encoding: {encoding!r}")
    if _state.writer is None:
        return False
    meta = _cached_metadata("audio", lambda d: _audio_meta.create_summary_metadata(
        display_name=None, description=d, encoding=_audio_meta.Encoding.Value("WAV")),
        description)

    def tensor():
        clips = _to_numpy(data)
        if clips.ndim != 3:
            raise ValueError(f"audio summary {name!r} needs [k, t, c] data, got shape "
                             f"{clips.shape}")
        rate = int(_to_numpy(sample_rate))
        rows = [[_encode.encode_wav(c, rate), b""] for c in clips[:int(max_outputs)]]
        packed = np.empty((len(rows), 2), dtype=object)
        for i, row in enumerate(rows):
            packed[i] = row
        return tensor_util.make_tensor_proto(packed)
    return write(_tag(name), tensor, step, meta)
