"""Numba CUDA kernels in Numba's simulator against the NumPy reference (tiny sizes).

Run in their own process: ``NUMBA_ENABLE_CUDASIM=1 pytest -m cudasim`` (the variable
must be set before Numba is imported).
"""
import os

import numpy as np
import pytest

from cuflow_kernels.cuda import dropout as cuda_dropout
from cuflow_kernels.cuda import elementwise as cuda_elementwise
from cuflow_kernels.cuda import reductions as cuda_reductions
from cuflow_kernels.reference import dropout, elementwise, reductions

from .cases import assert_close

pytestmark = [
    pytest.mark.cudasim,
    pytest.mark.skipif(os.environ.get("NUMBA_ENABLE_CUDASIM") != "1",
                       reason="needs NUMBA_ENABLE_CUDASIM=1 (make test-cudasim)"),
]

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(0,), (1,), (5, 33), (300,)])
def test_axpy_grid_stride(dt, shape):
    x = RNG.standard_normal(shape).astype(dt)
    y = RNG.standard_normal(shape).astype(dt)
    assert_close(cuda_elementwise.axpy(0.25, x, y), elementwise.axpy(0.25, x, y), dt, "axpy")


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(1, 1), (3, 33), (2, 300), (4, 128)])
def test_shared_memory_row_reductions(dt, shape):
    x = RNG.standard_normal(shape).astype(dt)
    assert_close(cuda_reductions.sum_rows(x), reductions.sum_rows(x), dt, "sum_rows")
    assert_close(cuda_reductions.max_rows(x), reductions.max_rows(x), dt, "max_rows")


def test_row_reduction_zero_rows_and_errors():
    assert cuda_reductions.sum_rows(np.zeros((0, 4), np.float32)).shape == (0,)
    with pytest.raises(ValueError, match="empty"):
        cuda_reductions.max_rows(np.zeros((2, 0), np.float32))


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("shape,rate,offset", [((0,), 0.5, 0), ((3, 33), 0.5, 5),
                                               ((257,), 0.1, 2 ** 33 + 1), ((4, 4), 0.0, 0)])
def test_philox_dropout_matches_reference_bit_for_bit(dt, shape, rate, offset):
    x = RNG.standard_normal(shape).astype(dt)
    seed = 2 ** 40 + 12345  # exercises the high key word
    y, mask = cuda_dropout.dropout_numba(x, rate, seed, offset)
    y_ref, mask_ref = dropout.dropout(x, rate, seed, offset)
    np.testing.assert_array_equal(mask, mask_ref)
    assert_close(y, y_ref, dt, "dropout")
