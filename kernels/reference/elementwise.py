"""A BLAS-1 elementwise op (axpy) kept as the grid-stride example the GPU tests use,
select (where), whose NumPy version branches per element, and relu's gradient."""
import numpy as np

from .._checks import acc_dtype, check_float, check_same_shape


def axpy(alpha, x, y):
    """alpha * x + y (new array, dtype of x)."""
    check_float("axpy", x=x, y=y)
    check_same_shape("axpy", x=x, y=y)
    acc = acc_dtype(x.dtype)
    return (acc.type(alpha) * x.astype(acc) + y.astype(acc)).astype(x.dtype)


def select(condition, x, y):
    """x where condition else y (np.where); x of condition's shape, y too or 0-d (a
    constant); x and y of one dtype."""
    if y.ndim == 0:
        check_same_shape("select", condition=condition, x=x)
    else:
        check_same_shape("select", condition=condition, x=x, y=y)
    if x.dtype != y.dtype:
        raise ValueError(f"select: x and y must share a dtype, got {x.dtype} and {y.dtype}")
    return np.where(condition.astype(bool), x, y)


def relu_grad(g, x):
    """g * (x > 0) (TF's ReluGrad: a multiply, so a NaN/inf g gives NaN where x <= 0);
    g and x of one shape and dtype."""
    check_same_shape("relu_grad", g=g, x=x)
    if g.dtype != x.dtype:
        raise ValueError(f"relu_grad: g and x must share a dtype, got {g.dtype} and {x.dtype}")
    return g * (x > 0).astype(g.dtype)
