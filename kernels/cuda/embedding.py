"""Embedding gather and scatter-add on the GPU (CuPy RawModule over embedding.cu).

Same API as reference/embedding.py with CuPy arrays. Ids are range-checked on the
device (one small reduction and a sync) unless ``check_ids=False``, in which case an
out-of-range id reads a zero row and its update is dropped, as TF does on GPUs.
"""
import numpy as np

from .._checks import check_float, check_ndim
from ._loader import acc_of, cupy, grid_for, kernel, suffix


def _ids(op, ids, rows, check):
    cp = cupy()
    ids = cp.asarray(ids)
    if np.dtype(ids.dtype).kind not in "iu":
        raise ValueError(f"{op}: ids must be integers, got {ids.dtype} {tuple(ids.shape)}")
    if ids.dtype not in (np.int32, np.int64):
        ids = ids.astype(np.int64)
    if check and ids.size:
        lo, hi = int(ids.min()), int(ids.max())
        if lo < 0 or hi >= rows:
            raise ValueError(f"{op}: ids must lie in [0, {rows}), got range [{lo}, {hi}]")
    return cp.ascontiguousarray(ids), "i32" if ids.dtype == np.int32 else "i64"


def gather_rows(table, ids, check_ids=True):
    """table[ids]: shape ids.shape + (dim,)."""
    check_ndim("gather_rows", table, 2, name="table")
    cp = cupy()
    ids, isuf = _ids("gather_rows", ids, table.shape[0], check_ids)
    dim = table.shape[1]
    out = cp.empty(ids.shape + (dim,), table.dtype)
    size = np.dtype(table.dtype).itemsize
    if size not in (2, 4, 8):
        raise ValueError(f"gather_rows: unsupported dtype {table.dtype}")
    if out.size:
        bits = np.dtype(f"u{size}")
        kernel("embedding", f"gather_rows_u{size * 8}_{isuf}")(
            grid_for(out.size), (256,),
            (cp.ascontiguousarray(table).view(bits), ids, out.view(bits), np.int64(ids.size),
             np.int32(dim), np.int64(table.shape[0])))
    return out


def scatter_add_rows(ids, updates, num_rows, check_ids=True):
    """Dense (num_rows, dim) gradient: row ids[k] accumulates updates[k] (atomicAdd)."""
    check_float("scatter_add_rows", updates=updates)
    cp = cupy()
    ids, isuf = _ids("scatter_add_rows", ids, num_rows, check_ids)
    if tuple(updates.shape[:-1]) != tuple(ids.shape) or updates.ndim != ids.ndim + 1:
        raise ValueError(f"scatter_add_rows: updates {tuple(updates.shape)} must be "
                         f"ids.shape {tuple(ids.shape)} + (dim,)")
    dim = updates.shape[-1]
    out = cp.zeros((num_rows, dim), acc_of(updates))
    if updates.size:
        kernel("embedding", f"scatter_add_rows_{suffix('scatter_add_rows', updates)}_{isuf}")(
            grid_for(updates.size), (256,),
            (ids, cp.ascontiguousarray(updates), out, np.int64(ids.size), np.int32(dim),
             np.int64(num_rows)))
    return out.astype(updates.dtype, copy=False)
