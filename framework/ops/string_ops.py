"""``tf.strings`` (the elementwise part): one registry op, ``string_map``, runs a named
host kernel from ``_KERNELS`` over a bytes tensor (strings never live on a GPU), so
string functions trace in ``cf.function`` like any op. Outputs follow TF: bytes in,
bytes / int32 / bool / number out."""
from __future__ import annotations

import re

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from .constant import convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop


def _b(v):
    return v if isinstance(v, bytes) else str(v).encode("utf-8")


def _vec(fn, otype=object):
    def run(x, *a):
        out = np.frompyfunc(lambda s: fn(_b(s), *a), 1, 1)(x)
        return np.asarray(out, dtype=object).astype(otype)
    return run


def _length(s, unit):
    return len(s.decode("utf-8")) if unit == "UTF8_CHAR" else len(s)


def _substr(s, pos, length, unit):
    text = s.decode("utf-8") if unit == "UTF8_CHAR" else s
    n = len(text)
    if pos > n or pos < -n:
        raise InvalidArgumentError(None, "substr", f"substr: pos {pos} out of range for "
                                   f"string of length {n}")
    start = pos if pos >= 0 else n + pos
    out = text[start:start + length]
    return out.encode("utf-8") if unit == "UTF8_CHAR" else out


def _to_number(s, kind):
    try:
        v = float(s.decode("utf-8").strip()) if kind == "f" else int(s.decode("utf-8").strip())
    except ValueError:
        raise InvalidArgumentError(None, "string_to_number", "StringToNumberOp could not "
                                   f"correctly convert string: {s.decode('utf-8', 'replace')}"
                                   ) from None
    return v


def _regex(pattern):
    return re.compile(pattern.decode("utf-8") if isinstance(pattern, bytes) else pattern)


def _replace(s, pattern, rewrite, replace_global):
    out = _regex(pattern).sub(rewrite.decode("utf-8") if isinstance(rewrite, bytes)
                              else rewrite, s.decode("utf-8"), count=0 if replace_global else 1)
    return out.encode("utf-8")


_KERNELS = {
    "length": lambda x, unit: _vec(_length, np.int32)(x, unit),
    "upper": _vec(lambda s: s.upper()),
    "lower": _vec(lambda s: s.lower()),
    "strip": _vec(lambda s: s.strip()),
    "regex_full_match": lambda x, p: _vec(lambda s: _regex(p).fullmatch(
        s.decode("utf-8")) is not None, np.bool_)(x),
    "regex_replace": lambda x, p, r, g: _vec(_replace)(x, p, r, g),
    "substr": lambda x, pos, length, unit: _vec(_substr)(x, pos, length, unit),
    "to_float": lambda x, dt: _vec(_to_number, np.float64)(x, "f").astype(dt),
    "to_int": lambda x, dt: _vec(_to_number, np.int64)(x, "i").astype(dt),
}


def _string_map_impl(xp, x, kernel, args):
    return np.asarray(_KERNELS[kernel](np.asarray(x, dtype=object), *args))


_STRING_MAP = defop("string_map", OPAQUE, dtypes=frozenset([np.dtype(object)]),
                    differentiable=False)(_string_map_impl)


def _run(kernel, x, *args):
    x = convert_to_tensor(x)
    if x.dtype != _dt.string:
        raise TypeError(f"tf.strings.{kernel}: expected a string tensor, got {x.dtype.name}")
    return _apply(_STRING_MAP, (x,), {"kernel": kernel, "args": tuple(args)})


def length(input, name=None, unit="BYTE"):
    """Length of each string in bytes (or UTF-8 characters), int32.

    >>> import cuflow as cf
    >>> cf.strings.length(["ab", "été"], unit="UTF8_CHAR").numpy().tolist()
    [2, 3]
    """
    return _run("length", input, unit)


def upper(input, encoding="", name=None):
    return _run("upper", input)


def lower(input, encoding="", name=None):
    return _run("lower", input)


def strip(input, name=None):
    """Leading and trailing whitespace removed."""
    return _run("strip", input)


def regex_full_match(input, pattern, name=None):
    """Whether each whole string matches ``pattern``."""
    return _run("regex_full_match", input, _b(pattern))


def regex_replace(input, pattern, rewrite, replace_global=True, name=None):
    """Replaces matches of ``pattern`` with ``rewrite`` (``\\1`` backreferences)."""
    return _run("regex_replace", input, _b(pattern), _b(rewrite), bool(replace_global))


def substr(input, pos, len, name=None, unit="BYTE"):
    """``len`` bytes (or UTF-8 characters) from ``pos`` (negative: from the end)."""
    return _run("substr", input, int(pos), int(len), unit)


def to_number(string_tensor, out_type=_dt.float32, name=None):
    """Parses numbers; malformed strings raise InvalidArgumentError."""
    out = _dt.as_dtype(out_type)
    kernel = "to_float" if out.is_floating else "to_int"
    return _run(kernel, string_tensor, out.np)


def as_string(input, precision=-1, scientific=False, shortest=False, width=-1, fill="",
              name=None):
    """Numbers formatted as strings (printf style, as TF)."""
    x = convert_to_tensor(input)
    arr = np.asarray(x.numpy())
    pad = f"{fill}{width}" if width > -1 else ""
    if x.dtype.is_bool:
        flat = [b"true" if v else b"false" for v in arr.ravel()]
    elif x.dtype.is_integer:
        flat = [(f"%{pad}d" % v).encode() for v in arr.ravel().tolist()]
    elif x.dtype.is_floating:
        conv = "g" if shortest else "e" if scientific else "f"
        prec = f".{precision}" if precision > -1 else ""
        flat = [(f"%{pad}{prec}{conv}" % v).encode() for v in arr.astype(np.float64).ravel()]
    else:
        raise InvalidArgumentError(None, "as_string", f"as_string: unsupported dtype "
                                   f"{x.dtype.name}")
    return convert_to_tensor(np.array(flat, dtype=object).reshape(arr.shape))


def join(inputs, separator="", name=None):
    """Elementwise concatenation of string tensors (broadcast), with ``separator``."""
    arrays = [np.asarray(convert_to_tensor(t).numpy(), dtype=object) for t in inputs]
    sep = _b(separator)
    parts = np.broadcast_arrays(*arrays)
    out = np.empty(parts[0].shape, dtype=object)
    for idx in np.ndindex(out.shape):
        out[idx] = sep.join(_b(p[idx]) for p in parts)
    return convert_to_tensor(out)


def reduce_join(inputs, axis=None, keepdims=False, separator="", name=None):
    """Joins strings along ``axis`` (all of them when None)."""
    arr = np.asarray(convert_to_tensor(inputs).numpy(), dtype=object)
    sep = _b(separator)
    axes = tuple(range(arr.ndim)) if axis is None else tuple(
        a % arr.ndim for a in np.atleast_1d(axis).tolist())
    moved = np.moveaxis(arr, axes, range(arr.ndim - len(axes), arr.ndim))
    lead = moved.shape[:arr.ndim - len(axes)]
    flat = moved.reshape(lead + (-1,))
    out = np.empty(lead, dtype=object)
    for idx in np.ndindex(lead):
        out[idx] = sep.join(_b(v) for v in flat[idx])
    if keepdims:
        out = np.expand_dims(out, axes)
    return convert_to_tensor(out)
