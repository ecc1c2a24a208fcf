"""Turns fit/evaluate/predict inputs into batches: arrays, tensors, generators, datasets."""
from __future__ import annotations

import math

import numpy as np

import cuflow as cf


def _to_np(x):
    if isinstance(x, (cf.Tensor, cf.Variable)):
        return np.asarray(x.numpy())
    if isinstance(x, (list, tuple)) and x and not isinstance(x[0], (np.ndarray, cf.Tensor)):
        return np.asarray(x)
    return x if isinstance(x, np.ndarray) else np.asarray(x)


def is_array_like(x):
    if x is None:
        return True
    if isinstance(x, dict):
        return all(is_array_like(v) for v in x.values())
    if isinstance(x, (list, tuple)):
        return all(isinstance(v, (np.ndarray, cf.Tensor, cf.Variable)) for v in x) or (
            len(x) > 0 and not hasattr(x[0], "__next__"))
    return isinstance(x, (np.ndarray, cf.Tensor, cf.Variable))


def structure_to_np(x):
    if x is None:
        return None
    if isinstance(x, dict):
        return {k: _to_np(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)) and x and isinstance(x[0], (np.ndarray, cf.Tensor,
                                                              cf.Variable)):
        return [_to_np(v) for v in x]
    return _to_np(x)


def num_samples(x):
    return len(cf.nest.flatten(x)[0])


def take(x, idx):
    return cf.nest.map_structure(lambda a: a[idx], x) if x is not None else None


def split_validation(x, y, sw, validation_split):
    """Last ``validation_split`` fraction (before shuffling), as TF does."""
    n = num_samples(x)
    split = int(math.floor(n * (1.0 - validation_split)))
    if split == 0 or split == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient "
                         f"to split it into a validation and training set as specified "
                         f"by `validation_split={validation_split}`.")
    tr, va = slice(0, split), slice(split, n)
    return (take(x, tr), take(y, tr), take(sw, tr)), (take(x, va), take(y, va), take(sw, va))


class ArrayBatches:
    """Batches of NumPy data; reshuffled each epoch when ``shuffle``."""

    def __init__(self, x, y=None, sw=None, batch_size=32, shuffle=False, steps=None):
        self.x, self.y, self.sw = x, y, sw
        self.n = num_samples(x)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.steps = steps if steps is not None else math.ceil(self.n / batch_size)

    def epoch(self):
        bs, n = self.batch_size, self.n
        perm = np.random.permutation(n) if self.shuffle else None
        flat_x = cf.nest.flatten(self.x)
        single = len(flat_x) == 1 and not isinstance(self.x, (list, tuple, dict))
        for i in range(self.steps):
            lo = (i * bs) % n if self.steps > math.ceil(n / bs) else i * bs
            sl = slice(lo, min(lo + bs, n)) if perm is None else perm[lo:lo + bs]
            xb = flat_x[0][sl] if single else take(self.x, sl)
            yield xb, (None if self.y is None else take(self.y, sl)), (
                None if self.sw is None else self.sw[sl])


def unpack(batch):
    if isinstance(batch, tuple):
        if len(batch) == 1:
            return batch[0], None, None
        if len(batch) == 2:
            return batch[0], batch[1], None
        if len(batch) == 3:
            return batch
    return batch, None, None


class IterBatches:
    """Batches from an iterable (generator, cf.data.Dataset, any iterable of tuples)."""

    def __init__(self, data, steps=None):
        self.data, self.steps = data, steps
        self._it = None
        try:
            self.known = len(data)
        except TypeError:
            self.known = None
        if self.steps is None:
            self.steps = self.known

    def epoch(self):
        if hasattr(self.data, "__next__"):
            it = self.data
        else:
            it = iter(self.data)
        i = 0
        while self.steps is None or i < self.steps:
            try:
                batch = next(it)
            except StopIteration:
                if self.steps is None:
                    self.steps = i
                return
            i += 1
            yield unpack(batch)


def make_batches(x, y=None, sw=None, batch_size=None, shuffle=False, steps=None):
    if is_array_like(x) and not hasattr(x, "__next__"):
        x, y = structure_to_np(x), structure_to_np(y)
        sw = None if sw is None else _to_np(sw)
        return ArrayBatches(x, y, sw, batch_size or 32, shuffle, steps)
    if y is not None:
        raise ValueError("`y` argument is not supported when using a generator or "
                         "dataset as input; the data must yield (x, y) tuples")
    return IterBatches(x, steps)
