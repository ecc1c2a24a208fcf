"""Op database entries for the tf.io host ops (cuflow.io; see opdb.py). Byte-level parity
with TensorFlow lives in tests/framework/io."""
from __future__ import annotations

import os
import tempfile

import cuflow as cf
import numpy as np
from cuflow.errors import InvalidArgumentError, NotFoundError

from .opdb import OpInfo, Sample, _arr

_SHAPES = [(), (3,), (2, 3), (0, 2)]


def _round_trip(x):
    return cf.io.parse_tensor(cf.io.serialize_tensor(x), x.dtype)


def _raw(x):
    return cf.io.decode_raw(cf.constant(x.tobytes()), x.dtype).numpy()


def _raw_samples(rng, d):
    x = _arr(rng, (2, 3), d)
    rows = np.empty(2, object)
    rows[:] = [r.astype(np.dtype(d).newbyteorder("<")).tobytes() for r in x]
    return [Sample((rows,), {"out_type": d}, grad=False),
            Sample((np.array(x[0].astype(np.dtype(d).newbyteorder(">")).tobytes(), object),),
                   {"out_type": d, "little_endian": False}, grad=False)]


def _raw_ref(rows, out_type, little_endian=True):
    dt = np.dtype(out_type).newbyteorder("<" if little_endian else ">")
    return np.stack([np.frombuffer(r, dt) for r in rows.ravel()]).reshape(
        rows.shape + (-1,)).astype(out_type)


_DIR = tempfile.mkdtemp(prefix="cuflow_opdb_io_")


def _file_samples(rng, d):
    out = []
    for i, data in enumerate((b"abc\x00\xff", b"", rng.bytes(100))):
        path = os.path.join(_DIR, f"f{i}.bin")
        with open(path, "wb") as f:
            f.write(data)
        out.append(Sample((np.array(path, object),), grad=False))
    return out


def _read(path):
    return cf.io.decode_raw(cf.io.read_file(path), cf.uint8)  # the bytes as numbers


def _read_ref(path):
    with open(path.item(), "rb") as f:
        return np.frombuffer(f.read(), np.uint8)


OPS = [
    OpInfo("serialize_tensor", _round_trip, lambda x: x,
           lambda r, d: [Sample((_arr(r, s, d),), grad=False) for s in _SHAPES],
           ("float32", "float64", "int32", "int64", "uint8", "bool", "complex64"), grad=False,
           covers=("parse_tensor",),
           errors=((lambda: cf.io.parse_tensor(b"\x08\x01\x12\x00", cf.int32),
                    InvalidArgumentError, "Type mismatch"),)),
    OpInfo("decode_raw", lambda rows, **kw: cf.io.decode_raw(rows, **kw), _raw_ref, _raw_samples,
           ("float32", "int16", "uint8", "int64", "float64"), grad=False,
           errors=((lambda: cf.io.decode_raw(b"abc", cf.int32), InvalidArgumentError,
                    "not a multiple of 4"),)),
    OpInfo("read_file", _read, _read_ref, _file_samples, ("string",),
           grad=False, out_dtype=lambda d: "uint8",
           errors=((lambda: cf.io.read_file("/nonexistent/x"), NotFoundError, "No such"),)),
]
