"""``cf.lookup.experimental.DenseHashTable``: TF's open-addressing table, bucket for bucket.

Buckets are ``num_buckets`` rows of keys and values (a power of two); a key starts at
``hash(key) & (num_buckets - 1)`` and probes ``+1, +2, +3...`` (triangular) until it finds
itself or ``empty_key``. Integer keys hash to themselves, strings to TF's Hash64
(MurmurHash64A, seed 0xDECAFCAFFE). ``erase`` writes ``deleted_key`` in place; an insert
that would pass a load of 0.8 first doubles the buckets, re-inserting in bucket order.
Hence ``export()`` returns the same rows as TF's.
"""
from __future__ import annotations

import numpy as np

from . import dtypes as _dt
from .errors import InvalidArgumentError
from .lookup import MutableHashTable, _host
from .ops.constant import convert_to_tensor
from .ops.fingerprint import hash64

def _py(k):
    if isinstance(k, (bytes, np.bytes_)):
        return bytes(k)
    return k.item() if isinstance(k, np.generic) else k


class DenseHashTable(MutableHashTable):
    """A mutable table over TF's dense bucket arrays (``empty_key`` / ``deleted_key`` must
    never be inserted).

    >>> import cuflow as cf
    >>> t = cf.lookup.experimental.DenseHashTable(cf.int64, cf.int64, default_value=-1,
    ...                                           empty_key=0, deleted_key=-1)
    >>> t.insert(cf.constant([5, 13], cf.int64), cf.constant([50, 130], cf.int64))
    >>> t.lookup(cf.constant([13, 2], cf.int64)).numpy().tolist()
    [130, -1]
    """

    MAX_LOAD_FACTOR = 0.8

    def __init__(self, key_dtype, value_dtype, default_value, empty_key, deleted_key,
                 initial_num_buckets=None, name="MutableDenseHashTable", checkpoint=True,
                 experimental_is_anonymous=False):
        super().__init__(key_dtype, value_dtype, default_value, name, checkpoint)
        self._empty = _host_one(empty_key, self._key_dtype)
        self._deleted = _host_one(deleted_key, self._key_dtype)
        if self._empty == self._deleted:
            raise InvalidArgumentError(None, "MutableDenseHashTable",
                                       "Empty and deleted keys must have different values")
        n = 131072 if initial_num_buckets is None else int(initial_num_buckets)
        if n <= 0 or n & (n - 1):
            raise InvalidArgumentError(None, "MutableDenseHashTable",
                                       f"Number of buckets must be a power of 2, got {n}")
        self._alloc(n)
        self._count = 0

    def lookup(self, keys, name=None):
        """Values of ``keys`` (``default_value`` where missing)."""
        return super().lookup(keys)

    # --- buckets --------------------------------------------------------------------------
    def _alloc(self, n):
        self._keys = [self._empty] * n
        vt = self._np_value_dtype()
        self._vals = np.zeros((n,) + self._value_shape, dtype=vt)
        if vt is object:
            self._vals[...] = b""

    def _hash(self, k):
        return hash64(k) if isinstance(k, bytes) else k & ((1 << 64) - 1)

    def _find(self, k):
        mask = len(self._keys) - 1
        b, probes = self._hash(k) & mask, 0
        while True:
            cur = self._keys[b]
            if cur == k:
                return b, True
            if cur == self._empty:
                return b, False
            probes += 1
            if probes > mask:
                raise InvalidArgumentError(None, "LookupTableFind", "Table is full.")
            b = (b + probes) & mask

    def _put(self, k, v):
        mask = len(self._keys) - 1
        b, probes = self._hash(k) & mask, 0
        while True:
            cur = self._keys[b]
            if cur == self._empty or cur == self._deleted:
                self._keys[b], self._vals[b] = k, v
                self._count += 1
                return
            if cur == k:
                self._vals[b] = v
                return
            probes += 1
            if probes > mask:
                raise InvalidArgumentError(None, "LookupTableInsert", "Table is full.")
            b = (b + probes) & mask

    def _check_key(self, k, op):
        if k == self._empty or k == self._deleted:
            raise InvalidArgumentError(None, op, "Using the empty_key or deleted_key as a "
                                                 "table key is not allowed")

    def _rebucket(self, n):
        keys, vals = self._keys, self._vals
        self._alloc(n)
        self._count = 0
        for k, v in zip(keys, vals):
            if k != self._empty and k != self._deleted:
                self._put(k, v)

    # --- host operations --------------------------------------------------------------------
    def _insert_host(self, keys, values):
        keys, values = _host(keys), _host(values)
        want = keys.shape + self._value_shape
        if values.shape != want:
            raise InvalidArgumentError(None, "LookupTableInsert", f"Expected shape "
                                       f"{list(want)} for value, got {list(values.shape)}")
        pending = self._count + keys.size
        n = len(self._keys)
        if pending > n * self.MAX_LOAD_FACTOR:
            while pending > n * self.MAX_LOAD_FACTOR:
                n <<= 1
            self._rebucket(n)
        vals = values.reshape((-1,) + self._value_shape)
        for k, v in zip(keys.reshape(-1), vals):
            k = _py(k)
            self._check_key(k, "LookupTableInsert")
            self._put(k, v)
        return np.bool_(True)

    def _erase_host(self, keys):
        for k in _host(keys).reshape(-1):
            k = _py(k)
            self._check_key(k, "LookupTableRemove")
            b, found = self._find(k)
            if found:
                self._keys[b] = self._deleted
                self._count -= 1
        return np.bool_(True)

    def _lookup_host(self, keys, default):
        keys = _host(keys)
        out = np.empty(keys.shape + self._value_shape, dtype=self._np_value_dtype())
        flat = out.reshape((-1,) + self._value_shape)
        default = np.broadcast_to(_host(default), out.shape).reshape(flat.shape)
        for i, k in enumerate(keys.reshape(-1)):
            k = _py(k)
            self._check_key(k, "LookupTableFind")
            b, found = self._find(k)
            flat[i] = self._vals[b] if found else default[i]
        return out

    def _export_host(self):
        kt = object if self._key_dtype == _dt.string else self._key_dtype.as_numpy_dtype
        keys = np.array(self._keys, dtype=kt).reshape(-1, 1)
        vals = self._vals.reshape(len(self._keys), -1) if self._value_shape else \
            self._vals.reshape(-1, 1)
        return keys, vals.copy()

    def _remove_host(self, keys):
        return self._erase_host(keys)

    def _import_host(self, keys, values):
        """Restores exported buckets as they were (same bucket count and layout)."""
        self._keys = [_py(k) for k in np.asarray(keys).reshape(-1)]
        self._vals = np.asarray(values, dtype=self._np_value_dtype()).reshape(
            (len(self._keys),) + self._value_shape).copy()
        self._count = sum(k != self._empty and k != self._deleted for k in self._keys)

    def _size_host(self):
        return np.int64(self._count)

    def export(self, name=None):
        """``(keys, values)``: every bucket, ``[num_buckets, 1]`` keys (empty buckets hold
        ``empty_key``, erased ones ``deleted_key``) and ``[num_buckets, value_size]``."""
        return super().export(name)


def _host_one(v, dtype):
    from .lookup import _host
    arr = _host(convert_to_tensor(v, dtype=dtype))
    if arr.size != 1:
        raise InvalidArgumentError(None, "MutableDenseHashTable",
                                   f"empty_key and deleted_key must be scalars, got {arr!r}")
    return _py(arr.reshape(-1)[0])
