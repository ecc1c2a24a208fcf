"""A BLAS-1 elementwise op (axpy) kept as the grid-stride example the GPU tests use."""
from .._checks import acc_dtype, check_float, check_same_shape


def axpy(alpha, x, y):
    """alpha * x + y (new array, dtype of x)."""
    check_float("axpy", x=x, y=y)
    check_same_shape("axpy", x=x, y=y)
    acc = acc_dtype(x.dtype)
    return (acc.type(alpha) * x.astype(acc) + y.astype(acc)).astype(x.dtype)
