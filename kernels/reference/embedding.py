"""Embedding lookup (gather rows) and its gradient (scatter-add rows), NumPy truth."""
import numpy as np

from .._checks import acc_dtype, check_float, check_ndim


def _check_ids(op, ids, num_rows):
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise ValueError(f"{op}: ids must be integers, got {ids.dtype} {tuple(ids.shape)}")
    if ids.size and (ids.min() < 0 or ids.max() >= num_rows):
        raise ValueError(f"{op}: ids must lie in [0, {num_rows}), got range "
                         f"[{ids.min()}, {ids.max()}]")
    return ids


def gather_rows(table, ids):
    """table[ids]: shape ids.shape + (dim,)."""
    check_ndim("gather_rows", table, 2, name="table")
    ids = _check_ids("gather_rows", ids, table.shape[0])
    return table[ids]


def scatter_add_rows(ids, updates, num_rows):
    """Dense (num_rows, dim) gradient: row ids[k] accumulates updates[k] (repeats add)."""
    check_float("scatter_add_rows", updates=updates)
    ids = _check_ids("scatter_add_rows", ids, num_rows)
    if tuple(updates.shape[:-1]) != tuple(ids.shape) or updates.ndim != ids.ndim + 1:
        raise ValueError(f"scatter_add_rows: updates {tuple(updates.shape)} must be "
                         f"ids.shape {tuple(ids.shape)} + (dim,)")
    dim = updates.shape[-1]
    out = np.zeros((num_rows, dim), dtype=acc_dtype(updates.dtype))
    np.add.at(out, ids.reshape(-1), updates.reshape(-1, dim).astype(out.dtype))
    return out.astype(updates.dtype)
