"""The Numba CUDA kernels compile to real PTX (not just run in the simulator, which does no
typing): numba.cuda.compile_ptx against the system CUDA toolkit, no GPU needed.

Numba asks the current device for its compute capability when it compiles a called
device function; with no driver here, that one lookup is answered with sm_80.
"""
import os
import subprocess
import sys

import pytest

from cuflow_kernels.cuda.compile import find_nvcc

SCRIPT = r"""
import types
from numba import float32, float64, int64, uint8
from numba.cuda import compile_ptx
import numba.cuda.dispatcher as dispatcher
dispatcher.get_current_device = lambda: types.SimpleNamespace(compute_capability=(8, 0))
import cuflow_kernels.cuda._numba_kernels as k
sigs = {
    "axpy_kernel": (float32, float32[::1], float32[::1], float32[::1]),
    "sum_rows_f32": (float32[:, ::1], float32[::1]),
    "sum_rows_f64": (float64[:, ::1], float64[::1]),
    "max_rows_f32": (float32[:, ::1], float32[::1]),
    "max_rows_f64": (float64[:, ::1], float64[::1]),
    "dropout_kernel": (float32[::1], float32[::1], uint8[::1], float32, float32, int64, int64,
                       int64),
}
for name, sig in sigs.items():
    ptx, _ = compile_ptx(getattr(k, name).py_func, sig, cc=(8, 0))
    assert ".entry" in ptx, name
    print(name, "ok", len(ptx))
"""


@pytest.mark.skipif(find_nvcc() is None, reason="numba.cuda.compile_ptx needs the CUDA toolkit")
def test_numba_cuda_kernels_compile_to_ptx():
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    p = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env)
    if "libNVVM cannot be found" in p.stderr or "CUDA_HOME" in p.stderr:
        pytest.skip("numba cannot find NVVM in this toolkit")
    assert p.returncode == 0, p.stderr[-3000:]
    assert p.stdout.count(" ok ") == 6, p.stdout
