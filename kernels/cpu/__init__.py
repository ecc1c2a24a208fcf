"""Numba CPU kernels; same module names as reference/. Numba is imported on first use.

OpenMP threads that spin after each parallel loop starve OpenBLAS's threads of the
matmuls between them (a Keras train step ran 3-4x slower with 2 BLAS threads); passive
waiting is set before Numba's threading layer starts. A user's own setting wins.
"""
import os as _os

_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
