"""keras.utils.PyDataset (and its old name Sequence): a dataset of batches by index.

Subclasses implement ``__len__`` (or ``num_batches``) and ``__getitem__(index)``; ``fit``
walks the indices (shuffled when ``shuffle=True``, as Keras 3) and calls
``on_epoch_begin``/``on_epoch_end`` around each pass. ``workers > 1`` loads batches ahead
on a thread pool (``use_multiprocessing`` is accepted; threads are used either way).
"""
from __future__ import annotations

import itertools


class PyDataset:
    """Base class for index-addressable datasets of batches.

    >>> import cuflow as cf, numpy as np
    >>> class Squares(cf.keras.utils.PyDataset):
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, i):
    ...         x = np.arange(4.0, dtype="float32").reshape(2, 2) + i
    ...         return x, x * x
    >>> len(list(Squares()))
    2
    """

    def __init__(self, workers=1, use_multiprocessing=False, max_queue_size=10):
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    @property
    def workers(self):
        return self._workers

    @workers.setter
    def workers(self, value):
        self._workers = value

    @property
    def use_multiprocessing(self):
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value):
        self._use_multiprocessing = value

    @property
    def max_queue_size(self):
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value):
        self._max_queue_size = value

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    @property
    def num_batches(self):
        """Number of batches, or None for an infinite dataset."""
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError("You need to implement the `num_batches` property:\n\n"
                                  "@property\ndef num_batches(self):\n  return ...")

    def __iter__(self):
        try:
            n = self.num_batches
        except NotImplementedError:
            n = None
        for index in (range(n) if n is not None else itertools.count()):
            yield self[index]

    def on_epoch_begin(self):
        """Called at the beginning of every pass over the data."""

    def on_epoch_end(self):
        """Called at the end of every pass over the data."""


Sequence = PyDataset
