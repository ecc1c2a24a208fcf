"""Datasets from in-memory arrays (Keras 3): timeseries_dataset_from_array (sliding
windows) and split_dataset (a left/right cut of an array tuple or dataset).

>>> import numpy as np
>>> from cuflow.keras.utils import timeseries_dataset_from_array
>>> ds = timeseries_dataset_from_array(np.arange(6), None, sequence_length=3, batch_size=2)
>>> [b.numpy().tolist() for b in ds]
[[[0, 1, 2], [1, 2, 3]], [[2, 3, 4], [3, 4, 5]]]
"""
from __future__ import annotations

import random

import numpy as np

from ... import nest
from ...data import Dataset
from ...data.options import AUTOTUNE
from ...tensor import Tensor


def _check_window_args(data, start_index, end_index, sampling_rate, sequence_stride):
    n = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError("`start_index` must be 0 or greater. Received: "
                             f"start_index={start_index}")
        if start_index >= n:
            raise ValueError("`start_index` must be lower than the length of the data. "
                             f"Received: start_index={start_index}, for data of length {n}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError("`end_index` must be higher than `start_index`. Received: "
                             f"start_index={start_index}, and end_index={end_index} ")
        if end_index >= n:
            raise ValueError("`end_index` must be lower than the length of the data. "
                             f"Received: end_index={end_index}, for data of length {n}")
        if end_index <= 0:
            raise ValueError("`end_index` must be higher than 0. Received: "
                             f"end_index={end_index}")
    for name, v in (("sampling_rate", sampling_rate), ("sequence_stride", sequence_stride)):
        if v <= 0:
            raise ValueError(f"`{name}` must be higher than 0. Received: {name}={v}")
        if v >= n:
            raise ValueError(f"`{name}` must be lower than the length of the data. Received: "
                             f"{name}={v}, for data of length {n}")


def timeseries_dataset_from_array(data, targets, sequence_length, sequence_stride=1,
                                  sampling_rate=1, batch_size=128, shuffle=False, seed=None,
                                  start_index=None, end_index=None, format="tf"):
    """Windows ``data[i : i + sequence_length * sampling_rate : sampling_rate]`` every
    ``sequence_stride`` steps, paired with ``targets[i]`` when targets are given."""
    data = np.asarray(data.numpy() if isinstance(data, Tensor) else data)
    if targets is not None:
        targets = np.asarray(targets.numpy() if isinstance(targets, Tensor) else targets)
    _check_window_args(data, start_index, end_index, sampling_rate, sequence_stride)
    start = start_index or 0
    end = len(data) if end_index is None else end_index
    num = end - start - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num = min(num, len(targets))
    dtype = "int32" if num < 2147483647 else "int64"
    starts = np.arange(0, max(num, 0), sequence_stride, dtype=dtype)
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(starts)
    steps = np.arange(sequence_length, dtype=dtype) * sampling_rate
    windows = data[start:end][starts[:, None] + steps[None, :]] if len(starts) else \
        np.zeros((0, sequence_length) + data.shape[1:], data.dtype)
    parts = windows if targets is None else (windows, targets[start:end][starts])
    ds = Dataset.from_tensor_slices(parts)
    if batch_size is not None:
        if shuffle:
            ds = ds.shuffle(buffer_size=batch_size * 8, seed=seed)
        ds = ds.batch(batch_size)
    elif shuffle:
        ds = ds.shuffle(buffer_size=1024, seed=seed)
    return ds.prefetch(AUTOTUNE)


def _split_sizes(left, right, total):
    """Keras's _rescale_dataset_split_sizes: ints are counts, floats fractions."""
    for name, v in (("left_size", left), ("right_size", right)):
        if v is not None and type(v) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, "
                            f"Received: type({name})={type(v)}.")
    if left == 0 and right == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the "
                         "split sizes must be non-zero.")
    for name, v in (("left_size", left), ("right_size", right)):
        if (type(v) is int and (v <= 0 or v >= total)) or \
                (type(v) is float and (v <= 0 or v >= 1)):
            raise ValueError(f"`{name}` should be either a positive integer smaller than "
                             f"{total}, or a float within the range `[0, 1]`. Received: "
                             f"{name}={v}")
    if type(left) is float and type(right) is float and left + right > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must "
                         "be less than or equal to 1.")
    left = round(left * total) if type(left) is float else left
    right = round(right * total) if type(right) is float else right
    left = total - right if left is None else left
    right = total - left if right is None else right
    if left + right > total:
        raise ValueError("The sum of `left_size` and `right_size` should be smaller than the "
                         f"{total}. Received: left_size + right_size = {left + right}and "
                         f"total_length = {total}")
    for v, side in ((left, "left"), (right, "right")):
        if v == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and "
                             f"`right_size`={right}.Resulting {side} side dataset split will "
                             "be empty. Adjust any of the aforementioned parameters")
    return int(left), int(right)


def _samples(dataset):
    """The dataset as a list of per-sample structures of NumPy values."""
    if isinstance(dataset, Dataset):
        from ...data.windowing import BatchDataset
        batch = dataset._size if isinstance(dataset, BatchDataset) else None
        ds = dataset.unbatch() if batch is not None else dataset
        items = [nest.map_structure(lambda t: np.asarray(t.numpy()), e) for e in ds]
        return items, batch
    if isinstance(dataset, np.ndarray):
        return list(dataset), None
    if isinstance(dataset, (list, tuple)):
        arrays = [np.asarray(a.numpy() if isinstance(a, Tensor) else a) for a in dataset]
        return [tuple(a[i] for a in arrays) for i in range(len(arrays[0]))], None
    raise TypeError("The `dataset` argument must be either a `tf.data.Dataset` object, or a "
                    f"list/tuple of arrays. Received: dataset={dataset} of type "
                    f"{type(dataset)}")


def _restack(items, template):
    if isinstance(template, np.ndarray):
        return np.stack(items)
    flat = [nest.flatten(s) for s in items]
    columns = [np.array(c) for c in zip(*flat)]
    return nest.pack_sequence_as(items[0], columns)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Splits an array, a tuple of arrays or a (small, finite) dataset into two datasets
    of ``left_size`` and ``right_size`` samples (ints: counts; floats: fractions)."""
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. "
                         "Received: left_size=None and right_size=None")
    items, batch = _samples(dataset)
    if not items:
        raise ValueError("Received an empty dataset. Argument `dataset` must be a non-empty "
                         "list/tuple of `numpy.ndarray` objects or `tf.data.Dataset` "
                         "objects.")
    if shuffle:
        seed = random.randint(0, int(1e6)) if seed is None else seed
        random.seed(seed)
        random.shuffle(items)
    left, right = _split_sizes(left_size, right_size, len(items))
    out = []
    for part in (items[:left], items[-right:]):
        ds = Dataset.from_tensor_slices(_restack(part, dataset))
        if batch is not None:
            ds = ds.batch(batch)
        out.append(ds.prefetch(AUTOTUNE))
    return tuple(out)
