"""``cf.io``: files (read_file, gfile), TFRecord and tf.train.Example parsing, image codecs,
raw / CSV / TensorProto parsing (TensorFlow's formats)."""
from __future__ import annotations

import os

import numpy as np

from ..ops.image_codec_ops import (  # noqa: F401
    decode_and_crop_jpeg,
    decode_bmp,
    decode_gif,
    decode_image,
    decode_jpeg,
    decode_png,
    decode_webp,
    encode_jpeg,
    encode_png,
    extract_jpeg_shape,
    is_jpeg,
)
from ..ops.registry import STATEFUL, defop
from . import gfile  # noqa: F401
from .example import (  # noqa: F401
    FixedLenFeature,
    FixedLenSequenceFeature,
    VarLenFeature,
)
from .sequence_example import (  # noqa: F401  --- apis2: Ragged/SparseFeature aware
    RaggedFeature,
    SparseFeature,
    parse_example,
    parse_sequence_example,
    parse_single_example,
    parse_single_sequence_example,
)
from .io_extra import (decode_compressed, decode_json_example,  # noqa: F401 --- apis2
                       deserialize_many_sparse, match_filenames_once, matching_files,
                       serialize_many_sparse, serialize_sparse, write_graph)
from .parsing_ops import decode_csv, decode_raw, parse_tensor, serialize_tensor  # noqa: F401
from .tfrecord import TFRecordOptions, TFRecordWriter, tf_record_iterator  # noqa: F401
from ..strings import decode_base64, encode_base64  # noqa: F401,E402


def _read_file_impl(xp, filename):
    from ..errors import NotFoundError
    path = filename[()] if filename.ndim == 0 else None
    if path is None:
        raise ValueError(f"filename must be a scalar, got shape {list(filename.shape)}")
    path = path.decode() if isinstance(path, bytes) else os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise NotFoundError(None, "ReadFile", f"{path}; No such file or directory") from None
    out = np.empty((), object)
    out[()] = data
    return out


# a stateful host op: inside cf.function the file is read each time the graph runs
_READ_FILE = defop("read_file", STATEFUL, differentiable=False,
                   infer=lambda f: ([], "string"))(_read_file_impl)


def read_file(filename, name=None):
    """The bytes of a file as a scalar string tensor (``tf.io.read_file``); inside
    ``cf.function`` the file is read when the graph runs."""
    from ..ops.constant import convert_to_tensor
    from ..ops.dispatch import apply
    if not hasattr(filename, "dtype"):
        filename = os.fspath(filename) if not isinstance(filename, (str, bytes)) else filename
    return apply(_READ_FILE, (convert_to_tensor(filename, "string"),))


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
