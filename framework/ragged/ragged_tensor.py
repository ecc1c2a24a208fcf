"""RaggedTensor: rows of different lengths as flat ``values`` + int64 ``row_splits``
(TF's encoding: row i is ``values[row_splits[i]:row_splits[i + 1]]``). Values may be
ragged themselves (``ragged_rank`` > 1). Eager, host-side: what ``cf.strings.split`` and
the text layers need.

>>> import cuflow as cf
>>> rt = cf.ragged.constant([[1, 2], [3]])
>>> rt.shape, rt.row_lengths().numpy().tolist(), rt.to_list()
(TensorShape([2, None]), [2, 1], [[1, 2], [3]])
>>> rt.to_tensor().numpy().tolist()
[[1, 2], [3, 0]]
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ..ops.constant import constant, convert_to_tensor
from ..tensor import Tensor
from ..tensor_shape import TensorShape


def _np(x):
    if isinstance(x, RaggedTensor):
        return x
    return np.asarray(x.numpy() if isinstance(x, Tensor) else x)


def _splits(splits):
    s = np.asarray(_np(splits), dtype=np.int64)
    if s.ndim != 1 or s.size == 0 or s[0] != 0 or np.any(np.diff(s) < 0):
        raise ValueError(f"row_splits must be a non-empty, non-decreasing 1-D vector starting "
                         f"at 0; got {s.tolist()[:10]}")
    return s


class RaggedTensor:
    """A tensor whose rows may differ in length (``tf.RaggedTensor``)."""

    def __init__(self, values, row_splits, internal=False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the "
                             "factory methods instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits

    # --- factories ------------------------------------------------------------------------
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True):
        values = values if isinstance(values, RaggedTensor) else convert_to_tensor(values)
        s = _splits(row_splits)
        if validate and s[-1] != _nrows(values):
            raise ValueError(f"row_splits[-1] ({s[-1]}) must equal the number of values "
                             f"({_nrows(values)})")
        return cls(values, constant(s), internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True):
        lengths = np.asarray(_np(row_lengths), dtype=np.int64)
        if lengths.ndim != 1 or np.any(lengths < 0):
            raise ValueError(f"row_lengths must be a 1-D vector of non-negative ints; got "
                             f"{lengths.tolist()[:10]}")
        return cls.from_row_splits(values, np.concatenate([[0], np.cumsum(lengths)]),
                                   validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate=True):
        ids = np.asarray(_np(value_rowids), dtype=np.int64)
        n = int(ids[-1]) + 1 if nrows is None and ids.size else int(nrows or 0)
        return cls.from_row_lengths(values, np.bincount(ids, minlength=n)[:n] if ids.size
                                    else np.zeros(n, np.int64), validate=validate)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate=True):
        out = flat_values
        for s in reversed(list(nested_row_splits)):
            out = cls.from_row_splits(out, s, validate=validate)
        return out

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank=1, name=None):
        """Rows of a dense [n, m, ...] tensor, cut at ``lengths`` or before trailing
        ``padding``."""
        arr = _np(convert_to_tensor(tensor))     # TF's dtypes (a list of ints: int32)
        if lengths is None and padding is not None:
            keep = arr != np.asarray(_np(padding))
            keep = keep.reshape(keep.shape[:2] + (-1,)).any(-1) if keep.ndim > 2 else keep
            lengths = [int(np.nonzero(r)[0][-1]) + 1 if r.any() else 0 for r in keep]
        if lengths is None:
            lengths = [arr.shape[1]] * arr.shape[0]
        lengths = np.asarray(_np(lengths), np.int64)
        rows = [arr[i, :n] for i, n in enumerate(lengths)]
        flat = np.concatenate(rows) if rows else arr.reshape((0,) + arr.shape[2:])
        return cls.from_row_lengths(constant(flat), lengths)

    @classmethod
    def from_nested_row_lengths(cls, flat_values, nested_row_lengths, name=None,
                                validate=True):
        out = flat_values
        for lengths in reversed(list(nested_row_lengths)):
            out = cls.from_row_lengths(out, lengths, validate=validate)
        return out

    @classmethod
    def from_uniform_row_length(cls, values, uniform_row_length, nrows=None, validate=True,
                                name=None):
        """Rows of ``uniform_row_length`` values each (the shape shows None for that
        dimension, where TF shows the length)."""
        n = int(_np(uniform_row_length))
        if not isinstance(values, RaggedTensor):
            values = convert_to_tensor(values)
        total = _nrows(values)
        rows = int(_np(nrows)) if nrows is not None else (total // n if n else 0)
        return cls.from_row_lengths(values, [n] * rows, validate=validate)

    @classmethod
    def from_sparse(cls, st_input, name=None, row_splits_dtype=None):
        """Rows of a 2-D SparseTensor whose indices are packed left in each row."""
        idx = np.asarray(st_input.indices.numpy())
        nrows = int(np.asarray(st_input.dense_shape.numpy())[0])
        if idx.ndim != 2 or idx.shape[1] != 2:
            raise ValueError("from_sparse: st_input must be rank 2")
        if len(idx):        # TF's check: each row's columns are 0, 1, ... in order
            new_row = np.r_[True, idx[1:, 0] != idx[:-1, 0]]
            expect = np.where(new_row, 0, np.r_[0, idx[:-1, 1] + 1])
            if np.any(idx[1:, 0] < idx[:-1, 0]) or np.any(idx[:, 1] != expect):
                raise InvalidArgumentError(None, "from_sparse", "SparseTensor is not "
                                           "right-ragged")
        return cls.from_value_rowids(st_input.values, idx[:, 0] if len(idx) else
                                     np.zeros([0], np.int64), nrows=nrows)

    def to_sparse(self, name=None):
        """The SparseTensor of this ragged tensor's values at their [row, column] spots."""
        from ..sparse import SparseTensor
        if self.ragged_rank != 1:
            raise InvalidArgumentError(None, "to_sparse", "to_sparse: ragged_rank 1 only")
        splits = np.asarray(self.row_splits.numpy())
        rows = np.repeat(np.arange(len(splits) - 1), np.diff(splits))
        cols = np.arange(splits[-1]) - np.repeat(splits[:-1], np.diff(splits))
        inner = list(self.flat_values.shape[1:])
        bound = [len(splits) - 1, int(np.diff(splits).max()) if len(splits) > 1 else 0]
        return SparseTensor(np.stack([rows, cols], 1), self.flat_values, bound + inner)

    def merge_dims(self, outer_axis, inner_axis):
        """Axes ``outer_axis..inner_axis`` merged into one (e.g. (1, 2): each row's
        sublists joined)."""
        rank = len(self.shape)
        outer, inner = outer_axis % rank, inner_axis % rank
        if outer == inner:
            return self
        if outer == 0:
            values = self.values
            for _ in range(inner - 1):
                values = values.values if isinstance(values, RaggedTensor) else values
            return values
        if outer != 1 or inner != 2 or self.ragged_rank < 2:
            raise InvalidArgumentError(None, "merge_dims", "merge_dims: merging axes "
                                       f"({outer_axis}, {inner_axis}) is not supported")
        inner_splits = np.asarray(self.values.row_splits.numpy())
        outer_splits = np.asarray(self.row_splits.numpy())
        return RaggedTensor.from_row_splits(self.values.values, inner_splits[outer_splits])

    # --- structure --------------------------------------------------------------------------
    @property
    def values(self):
        return self._values

    @property
    def row_splits(self):
        return self._row_splits

    @property
    def flat_values(self):
        v = self._values
        while isinstance(v, RaggedTensor):
            v = v.values
        return v

    @property
    def nested_row_splits(self):
        out, v = [self._row_splits], self._values
        while isinstance(v, RaggedTensor):
            out.append(v.row_splits)
            v = v.values
        return tuple(out)

    @property
    def ragged_rank(self):
        return 1 + (self._values.ragged_rank if isinstance(self._values, RaggedTensor) else 0)

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def row_splits_dtype(self):
        return _dt.int64

    @property
    def shape(self):
        inner = list(self._values.shape)[1:]
        return TensorShape([self.nrows_int(), None] + inner)

    @property
    def ndim(self):
        return len(self.shape)

    def get_shape(self):
        return self.shape

    def nrows_int(self):
        return int(self._row_splits.numpy().shape[0]) - 1

    def nrows(self, out_type=None, name=None):
        return constant(np.int64(self.nrows_int()), dtype=out_type or "int64")

    def row_lengths(self, axis=1, name=None):
        if axis != 1:
            return self.with_values(self._values.row_lengths(axis - 1))
        return constant(np.diff(self._row_splits.numpy()))

    def row_starts(self, name=None):
        return constant(self._row_splits.numpy()[:-1])

    def row_limits(self, name=None):
        return constant(self._row_splits.numpy()[1:])

    def value_rowids(self, name=None):
        return constant(np.repeat(np.arange(self.nrows_int(), dtype=np.int64),
                                  np.diff(self._row_splits.numpy())))

    def bounding_shape(self, axis=None, name=None, out_type=None):
        """The smallest dense shape that holds every row (int64; ``axis`` picks dims)."""
        lists = self.to_list()
        shape = _max_shape(lists, len(self.shape))
        inner = [int(d) for d in list(self.flat_values.shape)[1:]]
        if inner:   # uniform inner dims count even where every row is empty
            shape[len(shape) - len(inner):] = inner
        shape[0] = self.nrows_int()
        out = np.asarray(shape, np.int64)
        return constant(out if axis is None else out[axis], dtype=out_type or "int64")

    def with_values(self, new_values):
        return RaggedTensor.from_row_splits(new_values, self._row_splits, validate=False)

    def with_flat_values(self, new_values):
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(convert_to_tensor(new_values))

    # --- conversion ---------------------------------------------------------------------------
    def to_list(self):
        s = self._row_splits.numpy()
        inner = self._values.to_list() if isinstance(self._values, RaggedTensor) else \
            np.asarray(self._values.numpy()).tolist()
        return [inner[s[i]:s[i + 1]] for i in range(len(s) - 1)]

    def numpy(self):
        """TF's ``RaggedTensor.numpy``: an object array of per-row arrays, or -- rows all
        of one length -- NumPy's own stacking of them (a plain array)."""
        s = self._row_splits.numpy()
        vals = self._values.numpy()
        rows = [vals[s[i]:s[i + 1]] for i in range(len(s) - 1)]
        if not rows:
            return np.zeros((0, 0) + vals.shape[1:], dtype=vals.dtype)
        if any(len(r) != len(rows[0]) for r in rows):
            out = np.empty(len(rows), dtype=object)
            out[:] = rows
            return out
        return np.array(rows)

    def to_tensor(self, default_value=None, name=None, shape=None):
        """A dense tensor padded with ``default_value`` (0 / b'') to the longest rows, or
        cut/padded to ``shape``."""
        lists = self.to_list()
        dense_shape = _max_shape(lists, len(self.shape))
        dense_shape[len(dense_shape) - len(list(self.flat_values.shape)) + 1:] = \
            [int(d) for d in list(self.flat_values.shape)[1:]]
        if shape is not None:
            dense_shape = [d if s is None or s == -1 else int(s)
                           for d, s in zip(dense_shape, list(TensorShape(shape)))]
        np_dtype = self.dtype.np
        fill = default_value if default_value is not None else \
            (b"" if self.dtype == _dt.string else 0)
        if isinstance(fill, str):
            fill = fill.encode("utf-8")
        out = np.full(dense_shape, _np(fill), dtype=np_dtype)
        _fill(out, lists)
        return constant(out)

    # --- indexing and ops ----------------------------------------------------------------------
    def __getitem__(self, key):
        if isinstance(key, tuple):
            if len(key) == 1:
                return self[key[0]]
            rows = self[key[0]]
            if isinstance(key[0], slice):
                inner = [r[key[1:]] if len(key) > 2 else r[key[1]] for r in _rows(rows)]
                return _stack_rows(inner)
            return rows[key[1:]] if len(key) > 2 else rows[key[1]]
        s = self._row_splits.numpy()
        if isinstance(key, slice):
            idx = range(self.nrows_int())[key]
            return _stack_rows([self[i] for i in idx], self)
        i = int(key)
        n = self.nrows_int()
        if not -n <= i < n:
            raise IndexError(f"row index {i} out of range for RaggedTensor with {n} rows")
        i %= n
        v = self._values
        return v[int(s[i]):int(s[i + 1])]

    def __iter__(self):
        return iter(_rows(self))

    def __len__(self):
        return self.nrows_int()

    def __repr__(self):
        """TF's eager repr: the rows as NumPy prints them (comma separated, wrapped at 75
        columns), elements by ``str``."""
        try:
            value = self.numpy()
        except Exception:  # noqa: BLE001 - a symbolic tensor: its structure only
            return f"<cf.RaggedTensor {self.to_list()!r}>"
        with np.printoptions(formatter={"all": _repr_formatter}):
            text = _repr_formatter(value)
        return f"<cf.RaggedTensor {text}>"

    @staticmethod
    def _cf_dispatch(op, args, attrs):
        from .ragged_dispatch import dispatch
        return dispatch(op, args, attrs)

    def _map(self, fn):
        return self.with_flat_values(fn(self.flat_values))

    def __eq__(self, other):       # elementwise, as TF's
        from ..ops.math_ops import equal
        return equal(self, other)

    def __ne__(self, other):
        from ..ops.math_ops import not_equal
        return not_equal(self, other)

    __hash__ = object.__hash__


def _operator(name, reflected=False):
    def method(self, *other):
        from ..ops import math_ops
        fn = getattr(math_ops, name)
        if not other:
            return fn(self)
        return fn(other[0], self) if reflected else fn(self, other[0])
    return method


for _dunder, _fn in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"),
                     ("truediv", "truediv"), ("floordiv", "floordiv"), ("mod", "floormod"),
                     ("pow", "pow"), ("and", "logical_and"), ("or", "logical_or"),
                     ("xor", "logical_xor")):
    setattr(RaggedTensor, f"__{_dunder}__", _operator(_fn))
    setattr(RaggedTensor, f"__r{_dunder}__", _operator(_fn, reflected=True))
for _dunder, _fn in (("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                     ("ge", "greater_equal"), ("neg", "negative"), ("abs", "abs"),
                     ("invert", "logical_not")):
    setattr(RaggedTensor, f"__{_dunder}__", _operator(_fn))


def _nrows(values):
    return values.nrows_int() if isinstance(values, RaggedTensor) else \
        int(list(values.shape)[0])


def _rows(rt):
    return [rt[i] for i in range(rt.nrows_int())]


def _stack_rows(rows, template=None):
    """A RaggedTensor from a list of row tensors (or ragged rows)."""
    if rows and isinstance(rows[0], RaggedTensor):
        return RaggedTensor.from_row_lengths(_concat_ragged(rows), [r.nrows_int() for r in rows])
    if not rows:
        inner = [] if template is None else list(template.flat_values.shape)[1:]
        dt = _dt.float32 if template is None else template.dtype
        return RaggedTensor.from_row_splits(constant(np.zeros([0] + inner, dt.np)), [0])
    arrays = [np.asarray(r.numpy()) for r in rows]
    return RaggedTensor.from_row_lengths(constant(np.concatenate(arrays)),
                                         [len(a) for a in arrays])


def _concat_ragged(rts):
    vals = [r.values for r in rts]
    if isinstance(vals[0], RaggedTensor):
        inner = _concat_ragged(vals)
    else:
        inner = constant(np.concatenate([np.asarray(v.numpy()) for v in vals]))
    return RaggedTensor.from_row_lengths(inner, np.concatenate(
        [np.diff(r.row_splits.numpy()) for r in rts]))


def _max_shape(lists, rank):
    shape = [0] * rank

    def walk(x, d):
        if d >= rank or not isinstance(x, list):
            return
        shape[d] = max(shape[d], len(x))
        for e in x:
            walk(e, d + 1)
    walk(lists, 0)
    return shape


def _fill(out, lists):
    for i, row in enumerate(lists[:out.shape[0]]):
        if out.ndim > 1 and isinstance(row, list) and row and isinstance(row[0], list):
            _fill(out[i], row)
        else:
            row = row[:out.shape[1]] if out.ndim > 1 else row
            if len(row):
                out[i, :len(row)] = row


def is_ragged(x):
    return isinstance(x, RaggedTensor)


def _repr_formatter(x):
    """TF's ragged repr formatter: NumPy arrays comma separated, empty ones as lists."""
    if isinstance(x, np.ndarray):
        return np.array2string(x, separator=", ") if x.size else repr(x.tolist())
    return str(x)
