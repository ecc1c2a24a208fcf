"""Turns what ``fit``/``evaluate``/``predict`` accept (NumPy arrays, tensors, nested
structures of them, ``cf.data.Dataset``s, Python generators) into batches of tensors."""
from __future__ import annotations

import math

import numpy as np

from .. import nest
from ..ops.constant import convert_to_tensor
from ..tensor import Tensor, Variable


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from a batch: x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or "
                     f"`(x, y, sample_weight)`, found: {data!r:.200}")


def _is_array_like(x):
    return all(isinstance(t, (np.ndarray, Tensor, Variable, list, float, int)) or
               hasattr(t, "__array__") for t in nest.flatten(x)) and x is not None


def _to_numpy(x):
    if isinstance(x, (Tensor, Variable)):
        return np.asarray(x.numpy())
    return np.asarray(x)


def _num_samples(arrays):
    sizes = {int(np.shape(a)[0]) for a in nest.flatten(arrays) if a is not None}
    if len(sizes) > 1:
        raise ValueError(f"Data cardinality is ambiguous: make sure all arrays contain the "
                         f"same number of samples. Got sizes {sorted(sizes)}")
    return sizes.pop() if sizes else 0


class ArrayAdapter:
    """In-memory arrays: shuffled per epoch by an index permutation, sliced per batch."""

    def __init__(self, x, y=None, sample_weight=None, batch_size=32, shuffle=False,
                 steps=None):
        self.x = nest.map_structure(_to_numpy, x)
        self.y = None if y is None else nest.map_structure(_to_numpy, y)
        self.sw = None if sample_weight is None else _to_numpy(sample_weight)
        self.n = _num_samples((self.x, self.y, self.sw))
        self.batch_size = int(batch_size or 32)
        self.shuffle = shuffle
        self.steps = steps

    def num_batches(self):
        full = math.ceil(self.n / self.batch_size)
        return full if self.steps is None else min(self.steps, full)

    def __iter__(self):
        order = None
        if self.shuffle == "batch":
            blocks = np.random.permutation(math.ceil(self.n / self.batch_size))
            order = np.concatenate([np.arange(b * self.batch_size,
                                              min((b + 1) * self.batch_size, self.n))
                                    for b in blocks]) if self.n else np.arange(0)
        elif self.shuffle:
            order = np.random.permutation(self.n)
        bs = self.batch_size
        for i in range(self.num_batches()):
            if order is None:
                sl = slice(i * bs, (i + 1) * bs)
            else:
                sl = order[i * bs:(i + 1) * bs]
            yield tuple(_batch(part, sl) for part in (self.x, self.y, self.sw))


def _batch(part, sl):
    if part is None:
        return None
    return nest.map_structure(lambda a: convert_to_tensor(np.ascontiguousarray(a[sl])), part)


class IterableAdapter:
    """Datasets and generators: each element is already a batch."""

    def __init__(self, data, steps=None):
        self.data = data
        self.steps = steps
        self._is_generator = not hasattr(data, "__len__") and iter(data) is data

    def num_batches(self):
        if self.steps is not None:
            return self.steps
        card = getattr(self.data, "cardinality", None)
        if card is not None:
            try:
                n = int(np.asarray(card() if callable(card) else card))
                return n if n >= 0 else None
            except (TypeError, ValueError):
                return None
        try:
            return len(self.data)
        except TypeError:
            return None

    def __iter__(self):
        it = iter(self.data)
        i = 0
        while self.steps is None or i < self.steps:
            try:
                batch = next(it)
            except StopIteration:
                return
            x, y, sw = unpack_x_y_sample_weight(batch)
            conv = lambda v: None if v is None else nest.map_structure(
                lambda a: a if isinstance(a, Tensor) else convert_to_tensor(a), v)
            yield conv(x), conv(y), conv(sw)
            i += 1


def adapter_for(x, y=None, sample_weight=None, batch_size=None, shuffle=False, steps=None):
    if _is_dataset_or_generator(x):
        if y is not None:
            raise ValueError("`y` argument is not supported when using a dataset or a "
                             "generator as input; the data must yield (x, y) pairs.")
        return IterableAdapter(x, steps)
    return ArrayAdapter(x, y, sample_weight, batch_size or 32, shuffle, steps)


def _is_dataset_or_generator(x):
    if isinstance(x, (np.ndarray, Tensor, Variable, list, tuple, dict)) or x is None:
        return False
    return hasattr(x, "__iter__")


def train_validation_split(arrays, validation_split):
    """Keras's split: the LAST fraction of the samples (before any shuffling)."""
    n = _num_samples(arrays)
    cut = int(math.floor(n * (1.0 - validation_split)))
    if cut == 0 or cut == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to "
                         f"split it into a validation and training set as specified by "
                         f"`validation_split={validation_split}`.")
    head = nest.map_structure(lambda a: None if a is None else _to_numpy(a)[:cut], arrays)
    tail = nest.map_structure(lambda a: None if a is None else _to_numpy(a)[cut:], arrays)
    return head, tail
