"""``tf.sparse.cross`` / ``cross_hashed``: per-row Cartesian products of the features of
several sparse or dense 2-D inputs (sparse inputs first, then dense ones, as TF's op;
the last input varies fastest). Strings join with "_X_"; hashed crosses chain TF's
FingerprintCat64 over Fingerprint64 of strings (int64 features enter as their value).

>>> import cuflow as cf
>>> cf.sparse.cross([cf.constant([["a", "b"]]), cf.constant([["x"]])]).values.numpy().tolist()
[b'a_X_x', b'b_X_x']
"""
from __future__ import annotations

import itertools

import numpy as np

from .. import dtypes as _dt
from .constant import constant, convert_to_tensor
from .fingerprint import fingerprint64
from .fingerprint import fingerprint_cat64 as _fingerprint_cat64

_M64 = (1 << 64) - 1
_DEFAULT_HASH_KEY = 0xDECAFCAFFE


def _rows(inp):
    """Per-row lists of Python values (bytes or int) of one input."""
    from ..ragged import RaggedTensor
    from ..sparse import SparseTensor
    if isinstance(inp, RaggedTensor):
        return [list(r) for r in inp.to_list()], inp.dtype
    if isinstance(inp, SparseTensor):
        idx = np.asarray(inp.indices.numpy())
        vals = np.asarray(inp.values.numpy())
        n = int(np.asarray(inp.dense_shape.numpy())[0])
        out = [[] for _ in range(n)]
        for (r, _), v in zip(idx.tolist(), vals.tolist()):
            out[r].append(v)
        return out, inp.values.dtype
    t = convert_to_tensor(inp)
    if len(t.shape) != 2:
        raise ValueError(f"Dense inputs must be 2-D, got shape {t.shape}")
    return [list(r) for r in np.asarray(t.numpy()).tolist()], t.dtype


def _columns(inputs, keep_order=False):
    from ..sparse import SparseTensor
    if not isinstance(inputs, (list, tuple)):
        raise TypeError("Inputs must be a list")
    if not keep_order:   # tf.sparse.cross: sparse inputs first, then dense ones
        inputs = [x for x in inputs if isinstance(x, SparseTensor)] + [
            x for x in inputs if not isinstance(x, SparseTensor)]
    cols = [_rows(x) for x in inputs]
    for _, dt in cols:
        if dt not in (_dt.string, _dt.int64, _dt.int32):
            raise TypeError(f"Inputs must be string, int32 or int64, got {dt.name}")
    n = {len(r) for r, _ in cols}
    if len(n) > 1:
        from ..errors import InvalidArgumentError
        raise InvalidArgumentError(None, "SparseCrossV2", f"SparseCrossV2: all inputs must "
                                   f"have the same batch size, got {sorted(n)}")
    return [r for r, _ in cols], (n.pop() if n else 0)


def _cross(inputs, feature, keep_order=False):
    from ..sparse import SparseTensor
    cols, batch = _columns(inputs, keep_order)
    idx, vals, width = [], [], 0
    for b in range(batch):
        k = 0
        for combo in itertools.product(*[c[b] for c in cols]):
            idx.append([b, k])
            vals.append(feature(combo))
            k += 1
        width = max(width, k)
    return idx, vals, [batch, width], SparseTensor


def _text(v):
    return v if isinstance(v, bytes) else str(int(v)).encode()


def cross(inputs, name=None, separator=None):
    """String crosses ("a_X_b", or joined by ``separator``) of ``inputs`` (SparseTensors
    and 2-D dense tensors)."""
    sep = b"_X_" if separator is None else (separator.encode() if isinstance(separator, str)
                                             else bytes(separator))
    idx, vals, shape, sp = _cross(inputs, lambda c: sep.join(_text(v) for v in c))
    return sp(np.asarray(idx, np.int64).reshape(-1, 2),
              constant(np.asarray(vals, dtype=object).reshape(-1), _dt.string), shape)


def _hasher(num_buckets, hash_key):
    key = _DEFAULT_HASH_KEY if hash_key is None else int(hash_key)
    mod = int(num_buckets) if num_buckets else (1 << 63) - 1

    def feature(combo):
        h = key & _M64
        for v in combo:
            h = _fingerprint_cat64(h, fingerprint64(v) if isinstance(v, bytes)
                                   else int(v) & _M64)
        return h % mod
    return feature


def cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """Hashed crosses: int64 bucket ids in [0, num_buckets) (or [0, 2**63 - 1) when
    ``num_buckets`` is 0), as ``tf.sparse.cross_hashed``."""
    idx, vals, shape, sp = _cross(inputs, _hasher(num_buckets, hash_key))
    return sp(np.asarray(idx, np.int64).reshape(-1, 2),
              constant(np.asarray(vals, np.int64).reshape(-1)), shape)


def _ragged(idx, vals, shape, values):
    from ..ragged import RaggedTensor
    lengths = np.bincount(np.asarray(idx, np.int64).reshape(-1, 2)[:, 0],
                          minlength=shape[0]).astype(np.int64)
    return RaggedTensor.from_row_lengths(values, constant(lengths))


def ragged_cross(inputs, name=None):
    """``tf.ragged.cross``: string crosses of ragged/sparse/dense inputs, in input order,
    as a RaggedTensor [batch, None]."""
    idx, vals, shape, _ = _cross(inputs, lambda c: b"_X_".join(_text(v) for v in c), True)
    return _ragged(idx, vals, shape, constant(np.asarray(vals, dtype=object).reshape(-1),
                                              _dt.string))


def ragged_cross_hashed(inputs, num_buckets=0, hash_key=None, name=None):
    """``tf.ragged.cross_hashed``: hashed crosses as a RaggedTensor [batch, None]."""
    idx, vals, shape, _ = _cross(inputs, _hasher(num_buckets, hash_key), True)
    return _ragged(idx, vals, shape, constant(np.asarray(vals, np.int64).reshape(-1)))
