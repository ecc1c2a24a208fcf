"""``tf.io`` parsers as host ops: ``decode_raw``, ``decode_csv``, ``serialize_tensor`` /
``parse_tensor`` (TensorFlow's TensorProto bytes, hand-encoded in protobuf's wire format:
what TF writes, byte for byte, for every numeric dtype, bool and string)."""
from __future__ import annotations

import csv
import itertools

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ..ops.constant import convert_to_tensor
from ..ops.dispatch import apply as _apply
from ..ops.registry import OPAQUE, OpDef, defop
from .example import _field, _fields, _read_varint, _varint

# --- TensorProto ----------------------------------------------------------------------------
#   TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2;
#                 bytes tensor_content = 4; repeated bytes string_val = 8; typed *_val ... }
#   TensorShapeProto { repeated Dim dim = 2; }  Dim { int64 size = 1; }
_ENUM = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6,
         "string": 7, "complex64": 8, "int64": 9, "bool": 10, "bfloat16": 14, "uint16": 17,
         "complex128": 18, "float16": 19, "uint32": 22, "uint64": 23}
_BY_ENUM = {v: k for k, v in _ENUM.items()}
# typed repeated fields: number -> (wire dtype, how values map onto the tensor's dtype)
_TYPED = {5: "<f4", 6: "<f8", 7: "int", 10: "int", 11: "int", 13: "int", 16: "int",
          17: "int", 9: "<f4", 12: "<f8"}


def _obj(value):
    out = np.empty((), object)
    out[()] = value
    return out


def _serialize_impl(xp, x):
    x = np.asarray(x)
    name = _dt.as_dtype(x.dtype).name
    if name not in _ENUM:
        raise ValueError(f"serialize_tensor: unsupported dtype {name}")
    dims = b"".join(_field(2, _varint(1 << 3) + _varint(d) if d else b"") for d in x.shape)
    out = _varint(1 << 3) + _varint(_ENUM[name]) + _field(2, dims)
    if name == "string":
        out += b"".join(_field(8, v.encode() if isinstance(v, str) else bytes(v))
                        for v in x.ravel())
    elif x.size:
        out += _field(4, np.ascontiguousarray(x).astype(x.dtype.newbyteorder("<")).tobytes())
    return _obj(out)


def _shape(buf):
    dims = []
    for num, _w, dim in _fields(buf):
        if num == 2:
            size = [v for n, w, v in _fields(dim) if n == 1]
            dims.append(size[0] if size else 0)
        elif num == 3:  # unknown_rank
            raise ValueError("ParseTensor: the proto's shape has unknown rank")
    return tuple(dims)


def _typed(values, num, wire, value, np_dt):
    from .example import _read_varint
    if _TYPED[num] == "int":
        if wire == 0:
            values.append(value)
            return
        i = 0
        while i < len(value):
            v, i = _read_varint(value, i)
            values.append(v)
        return
    values.extend(np.frombuffer(bytes(value), _TYPED[num]).tolist())  # packed or single


def _parse_impl(xp, serialized, out_type):
    if serialized.ndim != 0:
        raise ValueError(f"ParseTensor: serialized must be a scalar, got shape "
                         f"{list(serialized.shape)}")
    buf = serialized[()]
    buf = buf.encode() if isinstance(buf, str) else bytes(buf)
    enum, shape, content, strings, values = 0, (), None, [], []
    try:
        for num, wire, value in _fields(buf):
            if num == 1:
                enum = value
            elif num == 2:
                shape = _shape(value)
            elif num == 4:
                content = bytes(value)
            elif num == 8:
                strings.append(bytes(value))
            elif num in _TYPED:
                _typed(values, num, wire, value, out_type)
    except ValueError as e:
        raise InvalidArgumentError(None, "ParseTensor", "ParseTensor: Could not parse "
                                   f"`serialized` as TensorProto: {e}") from None
    got = _BY_ENUM.get(enum, f"enum {enum}")
    want = _dt.as_dtype(out_type).name
    if got != want:
        raise InvalidArgumentError(None, "ParseTensor", "ParseTensor: Type mismatch between "
                                   f"parsed tensor ({_tf_name(got)}) and dtype "
                                   f"({_tf_name(want)})")
    n = int(np.prod(shape))
    if want == "string":
        if content is not None and not strings:     # TF's packed form: lengths, then bytes
            strings = _unpack_strings(content, n)
        arr = np.empty(len(strings), object)
        arr[:] = strings
    elif content is not None:
        arr = np.frombuffer(content, np.dtype(out_type).newbyteorder("<")).astype(out_type)
    else:
        arr = _from_values(values, out_type, want)
    if arr.size != n:
        if arr.size == 0 or want == "string":
            arr = np.zeros(n, out_type) if want != "string" else np.full(n, b"", object)
        else:  # TF repeats the last value of a short typed list
            arr = np.concatenate([arr, np.full(n - arr.size, arr[-1])]).astype(out_type)
    return xp.asarray(arr.reshape(shape)) if want != "string" else arr.reshape(shape)


def _unpack_strings(content, n):
    """The strings of a string TensorProto's tensor_content: n varint lengths, then data."""
    lengths, i = [], 0
    for _ in range(n):
        size, i = _read_varint(content, i)
        lengths.append(size)
    out = []
    for size in lengths:
        out.append(content[i:i + size])
        i += size
    if i != len(content):
        raise InvalidArgumentError(None, "ParseTensor", "ParseTensor: malformed string "
                                   "tensor_content")
    return out


def _from_values(values, out_type, name):
    if name in ("float16", "bfloat16"):
        return np.asarray(values, np.uint16).view(out_type)
    if name.startswith("complex"):
        v = np.asarray(values, np.float64)
        return (v[0::2] + 1j * v[1::2]).astype(out_type)
    if name.startswith(("int", "uint")):
        bits = np.dtype(out_type).itemsize * 8
        v = [(x - (1 << 64)) if x >= 1 << 63 else x for x in values] if name[0] == "i" \
            else values
        return np.asarray([x & ((1 << bits) - 1) if name[0] == "u" else x for x in v],
                          np.int64 if name[0] == "i" else np.uint64).astype(out_type)
    return np.asarray(values).astype(out_type)


def _tf_name(name):
    return {"float32": "float", "float64": "double", "float16": "half"}.get(name, name)


_SERIALIZE = defop("serialize_tensor", OPAQUE, dtypes=_dt.ANY, differentiable=False,
                   infer=lambda x: ([], _dt.string))(_serialize_impl)
_PARSE = defop("parse_tensor", OPAQUE, dtypes=_dt.ANY, differentiable=False,
               infer=lambda s, out_type: (None, out_type))(_parse_impl)


def serialize_tensor(tensor, name=None):
    """A tensor as TensorProto bytes (a scalar string), as ``tf.io.serialize_tensor``.

    >>> import cuflow as cf
    >>> cf.io.serialize_tensor(cf.constant(7)).numpy()
    b'\\x08\\x03\\x12\\x00"\\x04\\x07\\x00\\x00\\x00'
    """
    return _apply(_SERIALIZE, (convert_to_tensor(tensor),))


def parse_tensor(serialized, out_type, name=None):
    """The tensor held by TensorProto bytes; ``out_type`` must be its dtype."""
    return _apply(_PARSE, (convert_to_tensor(serialized, _dt.string),),
                  {"out_type": _dt.as_dtype(out_type).np})


# --- decode_raw -----------------------------------------------------------------------------
def _decode_raw_impl(xp, data, out_type, little_endian, fixed_length):
    dt = np.dtype(out_type).newbyteorder("<" if little_endian else ">")
    flat = [v.encode() if isinstance(v, str) else bytes(v) for v in data.ravel()]
    if fixed_length is not None:
        flat = [v[:fixed_length].ljust(fixed_length, b"\0") for v in flat]
    elif flat and len(flat[0]) % dt.itemsize:
        raise ValueError(f"Input to DecodeRaw has length {len(flat[0])} that is not a "
                         f"multiple of {dt.itemsize}, the size of {_dt.as_dtype(out_type).name}")
    for i, v in enumerate(flat):
        if len(v) != len(flat[0]):
            raise ValueError("DecodeRaw requires input strings to all be the same size, but "
                             f"element {i} has size {len(v)} != {len(flat[0])}")
    n = (len(flat[0]) if flat else 0) // dt.itemsize
    out = np.frombuffer(b"".join(flat), dt).astype(out_type) if flat else \
        np.zeros(0, out_type)
    return xp.asarray(out.reshape(data.shape + (n,)))


def _decode_raw_infer(data, out_type, little_endian, fixed_length):
    n = None if fixed_length is None else fixed_length // np.dtype(out_type).itemsize
    return list(data.shape) + [n] if data.shape.rank is not None else None, out_type


_DECODE_RAW = defop("decode_raw", OPAQUE, dtypes=_dt.ANY, differentiable=False,
                    infer=_decode_raw_infer)(_decode_raw_impl)


def decode_raw(input_bytes, out_type, little_endian=True, fixed_length=None, name=None):
    """Reinterprets the bytes of each string as a vector of ``out_type`` (new last axis).

    >>> import cuflow as cf
    >>> cf.io.decode_raw(b"\\x01\\x00\\x02\\x00", cf.int16).numpy().tolist()
    [1, 2]
    """
    out = _dt.as_dtype(out_type)
    if out.name == "string" or not out.np.isbuiltin and out.name != "bfloat16":
        raise TypeError(f"decode_raw: unsupported out_type {out.name}")
    if fixed_length is not None and (int(fixed_length) < 0 or
                                      int(fixed_length) % out.np.itemsize):
        raise InvalidArgumentError(None, "DecodeRaw", f"DecodeRaw: fixed_length {fixed_length}"
                                   f" must be a multiple of {out.np.itemsize}, the size of "
                                   f"{out.name}")
    return _apply(_DECODE_RAW, (convert_to_tensor(input_bytes, _dt.string),), {
        "out_type": out.np, "little_endian": bool(little_endian),
        "fixed_length": None if fixed_length is None else int(fixed_length)})


# --- decode_csv -----------------------------------------------------------------------------
_CSV_OPS: dict[int, OpDef] = {}


def _parse_field(text, col, rec, default, dtype, na_value):
    if text == "" or text == na_value:
        if default is None:
            raise ValueError(f"Field {col} is required but missing in record {rec}!")
        return default
    kind = np.dtype(dtype).kind
    try:
        if kind == "O":
            return text.encode()
        if kind == "i":
            v = int(text.strip())
            info = np.iinfo(dtype)
            if not info.min <= v <= info.max:
                raise ValueError
            return v
        return float(text)
    except ValueError:
        raise ValueError(f"Field {col} in record {rec} is not a valid "
                         f"{_dt.as_dtype(dtype).name}: {text}") from None


def _decode_csv_impl(xp, records, defaults, field_delim, use_quote_delim, na_value,
                     select_cols):
    flat = [v.decode() if isinstance(v, bytes) else str(v) for v in records.ravel()]
    cols = [[] for _ in defaults]
    want = select_cols if select_cols is not None else tuple(range(len(defaults)))
    for r, line in enumerate(flat):
        if use_quote_delim:
            fields = next(csv.reader([line], delimiter=field_delim, quotechar='"',
                                     strict=True), [""])
        else:
            fields = line.split(field_delim)
        n_expect = len(defaults) if select_cols is None else max(select_cols) + 1
        if (select_cols is None and len(fields) != n_expect) or len(fields) < n_expect:
            raise ValueError(f"Expect {n_expect} fields but have {len(fields)} in record {r}")
        for j, c in enumerate(want):
            dtype, default = defaults[j]
            cols[j].append(_parse_field(fields[c], c, r, default, dtype, na_value))
    outs = []
    for (dtype, _), vals in zip(defaults, cols):
        if np.dtype(dtype).kind == "O":
            arr = np.empty(len(vals), object)
            arr[:] = vals
        else:
            arr = xp.asarray(np.asarray(vals, np.float64 if np.dtype(dtype).kind == "f" else
                                        np.int64).astype(dtype))
        outs.append(arr.reshape(records.shape))
    return outs[0] if len(outs) == 1 else tuple(outs)


def _csv_op(n):
    op = _CSV_OPS.get(n)
    if op is None:
        def infer(records, defaults, **_):
            out = [(list(records.shape) if records.shape.rank is not None else None, d)
                   for d, _ in defaults]
            return out[0] if n == 1 else out
        op = _CSV_OPS[n] = OpDef("decode_csv" if n == 1 else f"decode_csv_{n}", OPAQUE,
                                 _decode_csv_impl, n_out=n, dtypes=_dt.ANY, infer=infer,
                                 differentiable=False)
    return op


def _default(value, i):
    t = convert_to_tensor(value)
    if t.dtype.name not in ("int32", "int64", "float32", "float64", "string"):
        raise TypeError(f"decode_csv: record_defaults[{i}] has dtype {t.dtype.name}; expected "
                        "int32, int64, float32, float64 or string")
    v = np.asarray(t.numpy()).ravel()
    if v.size > 1:
        raise ValueError(f"decode_csv: record_defaults[{i}] must have at most one element, "
                         f"got {v.size}")
    if not v.size:
        return (t.dtype.np, None)
    d = v[0]
    d = (d.encode() if isinstance(d, str) else bytes(d)) if t.dtype.name == "string" else d.item()
    return (t.dtype.np, d)


def decode_csv(records, record_defaults, field_delim=",", use_quote_delim=True, name=None,
               na_value="", select_cols=None):
    """Parses CSV lines into one tensor per column (typed by ``record_defaults``).

    >>> import cuflow as cf
    >>> a, b = cf.io.decode_csv(["1,x", "2,"], [[0], ["none"]])
    >>> a.numpy().tolist(), b.numpy().tolist()
    ([1, 2], [b'x', b'none'])
    """
    defaults = tuple(_default(v, i) for i, v in enumerate(record_defaults))
    if select_cols is not None:
        select_cols = tuple(int(c) for c in select_cols)
        if len(select_cols) != len(defaults):
            raise ValueError("Length of select_cols and record_defaults do not match.")
        if any(b <= a for a, b in itertools.pairwise(select_cols)) or \
                (select_cols and select_cols[0] < 0):
            raise ValueError("select_cols is not strictly increasing.")
    if len(field_delim) != 1:
        raise InvalidArgumentError(None, "DecodeCSV", "DecodeCSV: field_delim should be only "
                                   "1 character")
    out = _apply(_csv_op(len(defaults)), (convert_to_tensor(records, _dt.string),), {
        "defaults": defaults, "field_delim": field_delim,
        "use_quote_delim": bool(use_quote_delim), "na_value": na_value,
        "select_cols": select_cols})
    return list(out) if isinstance(out, tuple) else [out]
