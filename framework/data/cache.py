"""``cache``: in memory (a complete cache of same-shaped elements becomes a stacked
from_tensor_slices source, so later epochs fuse with shuffle/batch), or in a file written
atomically after the first full pass and read by every later iterator."""
from __future__ import annotations

import os

import numpy as np

from ..tensor import Tensor
from . import structure as st
from .counting import _PassThrough
from .dataset_ops import as_dataset
from .iterator import It, encode_elements, make

_CPU = st._CPU


class CacheDataset(_PassThrough):
    """Memory cache (filename ''), or a file written atomically after a full pass."""

    _stage = "CacheDataset"

    def __init__(self, input_ds, filename):
        self._inputs = (as_dataset(input_ds),)
        self._file = os.fspath(filename.numpy().decode() if isinstance(filename, Tensor)
                               else filename)
        self._memory = None
        self._slices = None     # a complete memory cache of same-shaped elements, stacked

    def _path(self):
        return self._file + ".cfcache.npz"

    def _iterator(self, ctx):
        if self._slices is not None:
            return make(self._slices, ctx)
        if self._memory is not None:
            from .sources import _ListIt
            return _ListIt(self._memory, "CacheDataset(memory, reading)")
        if self._file and os.path.exists(self._path()):
            return _FileCacheReader(self._path(), self.element_spec)
        return _CacheWriter(self, make(self._inputs[0], ctx))


class _CacheWriter(It):
    stage = "CacheDataset(writing)"

    def __init__(self, node, child):
        self.node, self.child = node, child
        self.children = (child,)
        self.elements = []

    def next(self):
        try:
            e = self.child.next()
        except StopIteration:
            self._commit()
            raise
        self.elements.append(e)
        return e

    def _commit(self):
        node = self.node
        if not node._file:
            node._slices = _stacked(self.elements)
            node._memory = self.elements if node._slices is None else None
            return
        from ..checkpoint import _atomic_savez
        arrays = encode_elements(self.elements)
        _atomic_savez(node._path(), arrays)


def _stacked(elements):
    """The cached elements as one from_tensor_slices source (so later epochs fuse with
    shuffle/batch into index gathers), or None when shapes differ."""
    from .sources import TensorSlicesDataset
    if not elements:
        return None
    flats = [st.flatten(e) for e in elements]
    cols = []
    for j, leaf in enumerate(flats[0]):
        if type(leaf) is not Tensor or leaf._device is not _CPU:
            return None
        vals = [f[j]._value for f in flats]
        if any(v.shape != vals[0].shape or v.dtype != vals[0].dtype for v in vals):
            return None
        cols.append(Tensor(np.stack(vals), _CPU))
    return TensorSlicesDataset(st.pack(elements[0], cols))


class _FileCacheReader(It):
    stage = "CacheDataset(file, reading)"

    def __init__(self, path, spec):
        try:
            self.data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            from ..errors import DataLossError
            raise DataLossError(None, "CacheDataset", f"CacheDataset: cannot read the cache "
                                f"file {path}: {e}") from e
        self.n = int(self.data["n"])
        self.k = len(st.flatten(spec))
        self.spec = spec
        self.i = 0

    def next(self):
        if self.i >= self.n:
            raise StopIteration
        i = self.i
        self.i += 1
        return st.decode([self.data[f"{i}_{j}"] for j in range(self.k)], self.spec)

    def state(self):
        return {"i": self.i}

    def restore(self, state):
        self.i = int(state["i"])

    def close(self):
        self.data.close()
