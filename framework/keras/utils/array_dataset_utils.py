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
    # Windows are gathered per batch (as Keras's dataset gathers them per element), never
    # all at once: 300k windows of 120 steps x 7 features would be 1 GB up front.
    ds = Dataset.from_tensor_slices(starts)
    if batch_size is not None:
        if shuffle:
            ds = ds.shuffle(buffer_size=batch_size * 8, seed=seed)
        ds = ds.batch(batch_size)
    elif shuffle:
        ds = ds.shuffle(buffer_size=1024, seed=seed)
    series = data[start:end]
    labels = None if targets is None else targets[start:end]
    ds = ds.map(lambda first: _windows(first, series, labels, steps))
    return ds.prefetch(AUTOTUNE)


def _windows(first, series, labels, steps):
    """The windows starting at ``first`` (a batch of start positions, or one), and their
    targets."""
    from ... import expand_dims, gather
    x = gather(series, expand_dims(first, -1) + steps)
    return x if labels is None else (x, gather(labels, first))


def _split_sizes(left, right, total):
    """Keras's _rescale_dataset_split_sizes (its messages too): ints are counts, floats
    fractions; an int count is carried as a float until the end, as in Keras."""
    lt, rt = type(left), type(right)
    if left is not None and lt not in (int, float) and right is not None and \
            rt not in (int, float):
        raise TypeError("Invalid `left_size` and `right_size` Types. Expected: integer or "
                        f"float or None, Received: type(left_size)={lt} and "
                        f"type(right_size)={rt}")
    if left is not None and lt not in (int, float):
        raise TypeError("Invalid `left_size` Type. Expected: int or float or None, "
                        f"Received: type(left_size)={lt}.  ")
    if right is not None and rt not in (int, float):
        raise TypeError("Invalid `right_size` Type. Expected: int or float or None,"
                        f"Received: type(right_size)={rt}.")
    if left == 0 and right == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the "
                         "split sizes must be non-zero.")
    if lt is int and (left <= 0 or left >= total) or lt is float and (left <= 0 or left >= 1):
        raise ValueError(f"`left_size` should be either a positive integer smaller than "
                         f"{total}, or a float within the range `[0, 1]`. Received: "
                         f"left_size={left}")
    if rt is int and (right <= 0 or right >= total) or \
            rt is float and (right <= 0 or right >= 1):
        raise ValueError(f"`right_size` should be either a positive integer and smaller "
                         f"than {total} or a float within the range `[0, 1]`. Received: "
                         f"right_size={right}")
    if lt is float and rt is float and left + right > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must "
                         "be less than or equal to 1.")
    left = round(left * total) if lt is float else float(left) if lt is int else left
    right = round(right * total) if rt is float else float(right) if rt is int else right
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


def _check_arrays(arrays, kind):
    """Keras accepts a list/tuple of NumPy arrays of one length (not tensors, not lists)."""
    if not arrays:
        raise ValueError("Received an empty list dataset. Please provide a non-empty list of "
                         "arrays." if kind == "list" else "Received an empty list dataset."
                         "Please provide a non-empty tuple of arrays.")
    expected = None
    for i, a in enumerate(arrays):
        if not isinstance(a, np.ndarray):
            raise ValueError(f"Expected a {kind} of `numpy.ndarray` objects,Received: "
                             f"{type(a)} at index {i}.")
        if expected is None:
            expected = a.shape
        elif a.shape[0] != expected[0]:
            raise ValueError(f"Received a {kind} of NumPy arrays with different lengths."
                             f"Mismatch found at index {i}, Expected shape={expected} "
                             f"Received shape={a.shape}.Please provide a {kind} of NumPy "
                             "arrays of the same length.")


def _samples(dataset):
    """The dataset as a list of per-sample values, and its batch size (batched datasets)."""
    if isinstance(dataset, Dataset):
        from ...data.windowing import BatchDataset
        batch = dataset._size if isinstance(dataset, BatchDataset) else None
        ds = dataset.unbatch() if batch is not None else dataset
        items = [nest.map_structure(lambda t: np.asarray(t.numpy()), e) for e in ds]
        return items, batch
    if isinstance(dataset, np.ndarray):
        return list(dataset), None
    if isinstance(dataset, (list, tuple)):
        _check_arrays(dataset, "list" if isinstance(dataset, list) else "tuple")
        return list(zip(*dataset)), None
    raise TypeError(f"Unsupported dataset type: {type(dataset)}")


def _restack(items, template):
    """Keras's _restore_dataset_from_list: a bare array's samples go to from_tensor_slices
    as a list (NumPy scalars then convert as tf.constant does: int64 -> int32); columns
    of tuples and datasets are stacked arrays that keep their dtype."""
    if isinstance(template, np.ndarray):
        return items
    flat = [nest.flatten(s) for s in items]
    columns = [np.array(c) for c in zip(*flat)]
    return nest.pack_sequence_as(items[0], columns)


def split_dataset(dataset, left_size=None, right_size=None, shuffle=False, seed=None,
                  preferred_backend=None):
    """Splits an array, a tuple of arrays or a (small, finite) dataset into two datasets
    of ``left_size`` and ``right_size`` samples (ints: counts; floats: fractions)."""
    if not isinstance(dataset, (list, tuple, np.ndarray, Dataset)):
        raise TypeError(f"Unsupported dataset type: {type(dataset)}")
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
