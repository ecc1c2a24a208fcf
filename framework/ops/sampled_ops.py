"""``tf.math.sobol_sample`` (quasi-random points) and ``tf.sparse.sampled_addmm`` (a
matrix product evaluated only at given coordinates).

>>> import cuflow as cf
>>> cf.math.sobol_sample(2, 3).numpy().tolist()
[[0.5, 0.5], [0.75, 0.25], [0.25, 0.75]]
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from . import math_ops as _m
from . import reduce_ops as _r
from ._util import static_value
from .constant import constant, convert_to_tensor


def sobol_sample(dim, num_results, skip=0, dtype=_dt.float32, name=None):
    """``num_results`` points of the ``dim``-dimensional Sobol sequence (Joe-Kuo
    direction numbers, unscrambled) after skipping ``skip`` (and, as TF, the origin)."""
    from scipy.stats import qmc
    dim, n, skip = int(static_value(dim)), int(static_value(num_results)), \
        int(static_value(skip))
    dtype = _dt.as_dtype(dtype)
    if dtype not in (_dt.float32, _dt.float64):
        raise TypeError(f"sobol_sample: dtype must be float32 or float64, got {dtype.name}")
    if dim < 1 or n < 0 or skip < 0:
        raise ValueError(f"sobol_sample: need dim >= 1, num_results >= 0, skip >= 0; got "
                         f"{dim}, {n}, {skip}")
    engine = qmc.Sobol(dim, scramble=False)
    engine.fast_forward(skip + 1)
    return constant(engine.random(n).astype(dtype.np))


def sampled_addmm(indices, values, dense_shape, mat1, mat2, beta=1.0, alpha=1.0,
                  output_type=_dt.float32):
    """``alpha * (mat1 @ mat2)[indices] + beta * values`` for the SparseTensor parts
    (indices, values, dense_shape); batched over leading dims. Returns the three parts."""
    from .index_ops import gather_nd
    from .linalg_ops import matrix_transpose
    indices = convert_to_tensor(indices)
    values = convert_to_tensor(values, dtype=output_type)
    dense_shape = convert_to_tensor(dense_shape, dtype=_dt.int32)
    mat1 = convert_to_tensor(mat1, dtype=output_type)
    mat2 = convert_to_tensor(mat2, dtype=output_type)
    want = [mat1.shape[-2], mat2.shape[-1]]
    if np.asarray(dense_shape.numpy()).tolist() != want:
        raise ValueError(f"Dense shape: {dense_shape} does not match output shape: {want}")
    batch_dims = len(mat1.shape) - 2
    rows = gather_nd(mat1, indices[..., :-1], batch_dims=batch_dims)
    cols = gather_nd(matrix_transpose(mat2), indices[..., -1:], batch_dims=batch_dims)
    dots = _r.reduce_sum(rows * cols, -1)
    return indices, _m.add(alpha * dots, beta * values), dense_shape
