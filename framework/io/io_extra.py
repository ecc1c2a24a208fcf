"""More of ``tf.io``: matching_files, (de)serializing SparseTensors as TensorProto
triples, decode_json_example (protobuf's JSON form of an Example) and decode_compressed.
Host-side ops, as TF's kernels; inside ``cf.function`` they run as host nodes."""
from __future__ import annotations

import base64
import glob
import gzip
import json
import struct
import zlib

import numpy as np

from .. import dtypes as _dt
from ..errors import DataLossError, InvalidArgumentError
from ..ops.constant import constant, convert_to_tensor
from .example import _field, _varint
from .parsing_ops import _parse_impl, _serialize_impl


def _bytes(v):
    return v.encode() if isinstance(v, str) else bytes(v)


def _strings(x):
    """A string tensor/list as an object array of bytes."""
    arr = np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype=object)
    out = np.empty(arr.shape, object)
    out.reshape(-1)[:] = [_bytes(v) for v in arr.reshape(-1)]
    return out


def _elementwise(fn, x, op):
    """``fn(bytes) -> bytes`` over a string tensor; a host node while tracing."""
    x = convert_to_tensor(x, dtype=_dt.string)

    def host(arr):
        arr = _strings(arr)
        out = np.empty(arr.shape, object)
        out.reshape(-1)[:] = [fn(v) for v in arr.reshape(-1)]
        return out
    if x._sym is not None:
        from ..ops.script_ops import numpy_function
        shape = None if x.shape.rank is None else x.shape.as_list()
        return numpy_function(host, [x], _dt.string, _shapes=[shape])
    return constant(host(x.numpy()), dtype=_dt.string)


# --- files -----------------------------------------------------------------------------------
def matching_files(pattern, name=None):
    """The sorted files matching one or more glob patterns (1-D string tensor, empty when
    nothing matches).

    >>> import cuflow as cf
    >>> cf.io.matching_files("/nonexistent-dir/*.txt").shape
    TensorShape([0])
    """
    pats = _strings(pattern).reshape(-1)
    found = set()
    for p in pats:
        found.update(glob.glob(p.decode()))
    out = np.empty(len(found), object)
    out[:] = [f.encode() for f in sorted(found)]
    return constant(out, dtype=_dt.string)


def match_filenames_once(pattern, name=None):
    """A non-trainable string Variable holding ``matching_files(pattern)`` (the files
    matching when it is made)."""
    from ..tensor import Variable
    return Variable(matching_files(pattern), trainable=False)


# --- sparse serialization ------------------------------------------------------------------------
def _content_proto(arr):
    """TensorProto bytes in TF's tensor_content form (strings: varint lengths, then the
    bytes), as SerializeSparse writes them."""
    arr = np.asarray(arr)
    if arr.dtype != object:
        return _serialize_impl(np, arr)[()]
    items = [_bytes(v) for v in arr.reshape(-1)]
    dims = b"".join(_field(2, _varint(1 << 3) + _varint(d) if d else b"") for d in arr.shape)
    out = _varint(1 << 3) + _varint(7) + _field(2, dims)
    if items:
        out += _field(4, b"".join(_varint(len(v)) for v in items) + b"".join(items))
    return out


def _triple(indices, values, shape):
    return np.array([_content_proto(indices), _content_proto(values), _content_proto(shape)],
                    dtype=object)


def _sparse_parts(sp):
    return (np.asarray(sp.indices.numpy(), np.int64), np.asarray(sp.values.numpy()),
            np.asarray(sp.dense_shape.numpy(), np.int64))


def _check_out_type(out_type, op):
    if _dt.as_dtype(out_type) != _dt.string:
        raise TypeError(f"{op}: cuflow serializes to string TensorProtos only "
                        f"(out_type=tf.string), got {out_type}")


def serialize_sparse(sp_input, out_type=_dt.string, name=None):
    """A SparseTensor as a string 3-vector: the TensorProto bytes of its indices, values
    and dense_shape (TF's bytes).

    >>> import cuflow as cf
    >>> st = cf.sparse.SparseTensor([[0, 1]], [5], [2, 3])
    >>> cf.io.serialize_sparse(st).shape
    TensorShape([3])
    """
    _check_out_type(out_type, "SerializeSparse")
    return constant(_triple(*_sparse_parts(sp_input)), dtype=_dt.string)


def serialize_many_sparse(sp_input, out_type=_dt.string, name=None):
    """A rank-R SparseTensor as ``[N, 3]`` strings: row ``i`` is minibatch entry ``i``
    (rank R-1) serialized as by :func:`serialize_sparse`."""
    _check_out_type(out_type, "SerializeManySparse")
    idx, vals, shape = _sparse_parts(sp_input)
    if shape.size < 2:
        raise InvalidArgumentError(None, "SerializeManySparse", "SerializeManySparse: "
                                   f"input must have rank > 1, got shape {shape.tolist()}")
    rows = []
    for b in range(int(shape[0])):
        mask = idx[:, 0] == b
        rows.append(_triple(idx[mask][:, 1:].reshape(-1, shape.size - 1), vals[mask],
                            shape[1:]))
    out = np.stack(rows) if rows else np.empty((0, 3), object)
    return constant(out, dtype=_dt.string)


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """``[N, 3]`` serialized sparse tensors -> one SparseTensor with a leading batch
    dimension; dense_shape[1:] is the elementwise max of the entries' shapes."""
    from ..sparse import SparseTensor
    op = "DeserializeManySparse"
    arr = _strings(serialized_sparse)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise InvalidArgumentError(None, op, f"{op}: Serialized sparse should be a matrix "
                                   f"with 3 columns, got shape {list(arr.shape)}")
    np_dt = _dt.as_dtype(dtype).np
    parts = []
    for row in arr:
        idx = _parse_impl(np, _scalar(row[0]), np.dtype(np.int64))
        vals = _parse_impl(np, _scalar(row[1]), np_dt)
        shape = _parse_impl(np, _scalar(row[2]), np.dtype(np.int64))
        if rank is not None and shape.size + 1 != rank:
            raise InvalidArgumentError(None, op, f"{op}: Expected rank {rank - 1} for "
                                       f"entries, got {shape.size}")
        parts.append((np.asarray(idx).reshape(-1, shape.size), np.asarray(vals),
                      np.asarray(shape)))
    ranks = {p[2].size for p in parts}
    if len(ranks) > 1:
        raise InvalidArgumentError(None, op, f"{op}: Inconsistent rank across SparseTensors"
                                   f": {sorted(ranks)}")
    r = ranks.pop() if ranks else (rank - 1 if rank else 1)
    tail = np.max([p[2] for p in parts], axis=0) if parts else np.zeros(r, np.int64)
    idx = [np.concatenate([np.full((len(p[0]), 1), b, np.int64), p[0]], 1)
           for b, p in enumerate(parts)]
    idx = np.concatenate(idx) if idx else np.zeros((0, r + 1), np.int64)
    vals = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np_dt)
    return SparseTensor(idx, constant(vals, dtype=dtype), [len(parts)] + tail.tolist())


def _scalar(v):
    out = np.empty((), object)
    out[()] = v
    return out


# --- JSON Examples ----------------------------------------------------------------------------------
_LISTS = {"bytesList": "bytes_list", "bytes_list": "bytes_list", "floatList": "float_list",
          "float_list": "float_list", "int64List": "int64_list", "int64_list": "int64_list"}


def _json_feature(obj, path):
    if not isinstance(obj, dict) or len(obj) > 1:
        raise ValueError(f"{path}: a Feature holds one of bytesList, floatList, int64List")
    if not obj:
        return b""
    (kind, body), = obj.items()
    field = _LISTS.get(kind)
    if field is None or not isinstance(body, dict) or set(body) - {"value"}:
        raise ValueError(f"{path}: unknown field {kind!r}")
    values = body.get("value", [])
    # TF's JSON -> binary conversion writes repeated numbers unpacked (one tag each)
    if field == "bytes_list":
        return _field(1, b"".join(_field(1, base64.b64decode(v)) for v in values))
    if field == "float_list":
        return _field(2, b"".join(b"\x0d" + struct.pack("<f", float(v)) for v in values))
    return _field(3, b"".join(b"\x08" + _varint(int(v)) for v in values))


def _json_example(text):
    obj = json.loads(text)
    if not isinstance(obj, dict) or set(obj) - {"features"}:
        raise ValueError(f"unknown field(s) {sorted(set(obj) - {'features'})} in Example")
    feats = obj.get("features", {})
    if not isinstance(feats, dict) or set(feats) - {"feature"}:
        raise ValueError("Features holds only 'feature'")
    if "features" not in obj:
        return b""
    entries = b"".join(_field(1, _field(1, k.encode()) + _field(2, _json_feature(v, k)))
                       for k, v in feats.get("feature", {}).items())
    return _field(1, entries)


def decode_json_example(json_examples, name=None):
    """Examples in protobuf's JSON form (``{"features": {"feature": {"x": {"int64List":
    {"value": ["1"]}}}}}``) -> serialized binary Examples, same shape.

    >>> import cuflow as cf
    >>> s = cf.io.decode_json_example('{"features": {"feature": {"x": {"int64List": '
    ...                               '{"value": ["7"]}}}}}')
    >>> int(cf.io.parse_single_example(s, {"x": cf.io.FixedLenFeature([], cf.int64)})["x"])
    7
    """
    def one(b):
        try:
            return _json_example(b.decode())
        except (ValueError, TypeError, UnicodeDecodeError) as e:
            raise InvalidArgumentError(None, "DecodeJSONExample", "Error while parsing JSON: "
                                       f"{e}") from None
    return _elementwise(one, json_examples, "DecodeJSONExample")


# --- decompression ---------------------------------------------------------------------------------
def decode_compressed(bytes, compression_type="", name=None):  # noqa: A002 - TF's name
    """Decompresses each string: ``compression_type`` '' (as is), 'ZLIB' or 'GZIP'."""
    kind = (compression_type or "").upper()
    if kind not in ("", "ZLIB", "GZIP"):
        raise InvalidArgumentError(None, "DecodeCompressed", "Only ZLIB, GZIP or NONE are "
                                   f"supported compressions, got {compression_type!r}")

    def one(b):
        if not kind:
            return b
        try:
            return zlib.decompress(b) if kind == "ZLIB" else gzip.decompress(b)
        except (zlib.error, OSError, EOFError) as e:
            raise DataLossError(None, "DecodeCompressed", f"{kind} decompression failed: "
                                f"{e}") from None
    return _elementwise(one, bytes, "DecodeCompressed")


# --- write_graph ----------------------------------------------------------------------------------
def write_graph(graph_or_graph_def, logdir, name, as_text=True):
    """Writes a GraphDef (a ``cf.function`` / ConcreteFunction / traced graph, converted
    as TensorBoard's graph dashboard shows it: cuflow's op names, shapes, dtypes) to
    ``logdir/name`` as protobuf text or binary; returns the path. Needs the
    ``tensorboard`` extra (its protobuf classes)."""
    import os
    import tempfile
    try:
        from ..summary.graph_ops import _as_graph_def
    except ImportError as e:
        raise ImportError("cf.io.write_graph needs the tensorboard package "
                          "(pip install 'cuflow[tensorboard]')") from e
    graph_def = _as_graph_def(graph_or_graph_def)
    if as_text:
        from google.protobuf import text_format
        data = text_format.MessageToString(graph_def).encode()
    else:
        data = graph_def.SerializeToString(deterministic=True)
    logdir = os.fspath(logdir)
    os.makedirs(logdir, exist_ok=True)
    path = os.path.join(logdir, name)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return path
