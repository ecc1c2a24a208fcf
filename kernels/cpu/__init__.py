"""Numba CPU kernels; same module names as reference/. Numba is imported on first use."""
