"""GPU kernels: CUDA C sources (.cu) with CuPy loaders, and Numba CUDA kernels; imports are lazy."""
