"""Op database entries for cuflow.ragged.ragged_ops (see opdb.py)."""
from __future__ import annotations

import numpy as np

import cuflow.ragged  # noqa: F401 - registers the ragged ops
from cuflow.ragged import ragged_ops

from .opdb import F, OpInfo, Sample, _arr

_S = np.array


def _ids_ref(splits):
    return np.repeat(np.arange(len(splits) - 1), np.diff(splits)).astype(splits.dtype)


def _dense_ref(values, splits, default, width=None):
    lengths = np.diff(splits)
    w = (int(lengths.max()) if len(lengths) else 0) if width is None else width
    out = np.empty((len(lengths), w) + values.shape[1:], values.dtype)
    out[...] = default
    for i, (a, b) in enumerate(zip(splits[:-1], splits[1:])):
        row = values[a:b][:w]
        out[i, :len(row)] = row
    return out


def _dense_samples(r, d):
    return [Sample((_arr(r, (5, 2), d), _S([0, 3, 3, 5]), _arr(r, (), d))),
            Sample((_arr(r, (4,), d), _S([0, 1, 4]), _arr(r, (), d)), {"width": 2}),
            Sample((_arr(r, (3, 2), d), _S([0, 1, 3]), _arr(r, (2,), d)), {"width": 4}),
            Sample((_arr(r, (0,), d), _S([0, 0, 0]), _arr(r, (), d))),
            Sample((_arr(r, (0,), d), _S([0]), _arr(r, (), d)))]


OPS = [
    OpInfo("ragged_to_dense", ragged_ops.to_dense, _dense_ref, _dense_samples,
           F + ("int32", "int64")),
    OpInfo("ragged_row_ids", ragged_ops.row_ids, _ids_ref, lambda r, d: [
        Sample((_S([0, 2, 2, 5], d),)), Sample((_S([0], d),)), Sample((_S([0, 0, 1], d),))],
        ("int32", "int64"), grad=False),
]
