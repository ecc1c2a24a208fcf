"""cuflow_kernels: the kernel library. Arrays in, arrays out; never imports cuflow.

- ``reference``: NumPy truth for every hand-written kernel.
- ``cpu``: Numba ``@njit`` kernels (Numba imported lazily, on first call).
- ``cuda``: CUDA C sources loaded through CuPy, and Numba CUDA kernels (lazy imports).
- ``microbench``: time a kernel against the machine's measured ceilings.
"""
