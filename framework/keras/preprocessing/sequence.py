"""``tf.keras.preprocessing.sequence`` (Keras 2's legacy sequence helpers):
``pad_sequences``, ``TimeseriesGenerator``, ``skipgrams``, ``make_sampling_table``.

    >>> import numpy as np
    >>> from cuflow.keras.preprocessing.sequence import TimeseriesGenerator
    >>> g = TimeseriesGenerator(np.arange(10), np.arange(10), length=2, batch_size=3)
    >>> len(g), g[0][0].tolist(), g[0][1].tolist()
    (3, [[0, 1], [1, 2], [2, 3]], [2, 3, 4])
"""
from __future__ import annotations

import json
import random

import numpy as np

from ..utils.py_dataset import PyDataset
from ..utils.sequence_utils import pad_sequences  # noqa: F401

__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"]


class TimeseriesGenerator(PyDataset):
    """Batches of (window of ``length`` past steps sampled every ``sampling_rate``, target
    at the step after the window); windows start every ``stride`` steps."""

    def __init__(self, data, targets, length, sampling_rate=1, stride=1, start_index=0,
                 end_index=None, shuffle=False, reverse=False, batch_size=128, **kwargs):
        super().__init__(**kwargs)
        if len(data) != len(targets):
            raise ValueError("Data and targets have to be of same length. Data length is "
                             f"{len(data)} while target length is {len(targets)}")
        self.data, self.targets = data, targets
        self.length, self.sampling_rate, self.stride = length, sampling_rate, stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle, self.reverse, self.batch_size = shuffle, reverse, batch_size
        if self.start_index > self.end_index:
            raise ValueError(f"`start_index+length={self.start_index} > end_index="
                             f"{self.end_index}` is disallowed, as no part of the sequence "
                             "would be left to be used as current step.")

    def __len__(self):
        step = self.batch_size * self.stride
        return (self.end_index - self.start_index + step) // step

    def __getitem__(self, index):
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            i = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(i, min(i + self.batch_size * self.stride, self.end_index + 1),
                             self.stride)
        samples = np.array([self.data[r - self.length:r:self.sampling_rate] for r in rows])
        targets = np.array([self.targets[r] for r in rows])
        return (samples[:, ::-1, ...], targets) if self.reverse else (samples, targets)

    def get_config(self):
        """The constructor arguments, ``data``/``targets`` as JSON strings (TF 2.21's version
        fails with an AttributeError from its PyDataset base; this one works)."""
        def dump(v, what):
            v = v.tolist() if type(v).__module__ == np.__name__ else v
            try:
                return json.dumps(v)
            except TypeError as e:
                raise TypeError(f"{what} not JSON Serializable: {v}") from e

        return {"data": dump(self.data, "Data"), "targets": dump(self.targets, "Targets"),
                "length": self.length, "sampling_rate": self.sampling_rate,
                "stride": self.stride, "start_index": self.start_index,
                "end_index": self.end_index, "shuffle": self.shuffle, "reverse": self.reverse,
                "batch_size": self.batch_size}

    def to_json(self, **kwargs):
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()},
                          **kwargs)


def make_sampling_table(size, sampling_factor=1e-5):
    """Word2vec's subsampling probabilities for words of rank ``0..size-1`` under a Zipf
    distribution: ``min(1, sqrt(sampling_factor * inv_freq))``."""
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence, vocabulary_size, window_size=4, negative_samples=1.0, shuffle=True,
              categorical=False, sampling_table=None, seed=None):
    """(word, context) pairs labelled 1 within ``window_size``, plus ``negative_samples`` x
    as many random pairs labelled 0; index 0 is skipped. Uses Python's ``random`` module."""
    couples, labels = [], []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0:
        n_neg = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, vocabulary_size - 1)]
                    for i in range(n_neg)]
        labels += ([[1, 0]] if categorical else [0]) * n_neg
    if shuffle:
        if seed is None:
            seed = random.randint(0, 10e6)
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels
