"""Code generation for fused elementwise expressions (arrays in, arrays out).

``expr`` is the scalar IR; ``render_numba`` and ``render_cuda`` spell it for each
target; ``cache`` compiles (Numba / nvcc) and caches kernels on disk by a hash of the
expression, dtypes, broadcast pattern and target.
"""
