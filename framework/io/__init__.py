"""``cf.io``: TFRecord files and tf.train.Example parsing (TensorFlow's formats)."""
from __future__ import annotations

import os

import numpy as np

from .example import (FixedLenFeature, FixedLenSequenceFeature, VarLenFeature,  # noqa: F401
                      parse_example, parse_single_example)
from ..ops.image_codec_ops import (decode_and_crop_jpeg, decode_bmp, decode_gif,  # noqa: F401
                                   decode_image, decode_jpeg, decode_png, encode_jpeg,
                                   encode_png, extract_jpeg_shape, is_jpeg)
from .tfrecord import TFRecordOptions, TFRecordWriter, tf_record_iterator  # noqa: F401


def read_file(filename, name=None):
    """The bytes of a file as a scalar string tensor (``tf.io.read_file``)."""
    from ..errors import NotFoundError
    from ..placement import CPU0
    from ..tensor import Tensor
    path = filename.numpy() if hasattr(filename, "numpy") else filename
    path = path.decode() if isinstance(path, bytes) else os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, "ReadFile", f"{path}; No such file or directory") from None
    out = np.empty((), object)
    out[()] = data
    return Tensor(out, CPU0)


def write_file(filename, contents, name=None):
    """Writes a scalar string tensor to a file, atomically (``tf.io.write_file``)."""
    import tempfile
    path = filename.numpy() if hasattr(filename, "numpy") else filename
    path = path.decode() if isinstance(path, bytes) else os.fspath(path)
    data = contents.numpy() if hasattr(contents, "numpy") else contents
    data = data.encode() if isinstance(data, str) else bytes(data)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
