"""``tf.keras.backend``'s legacy Keras 1/2 functions (``K.mean``, ``K.batch_dot``, ...).

TF 2.21's ``tf.keras.backend`` re-exports ``keras.src.legacy.backend``: thin wrappers over
TF ops with Keras 2's argument names (``axis=None, keepdims=False``). These are the same
wrappers over cuflow's TF-named ops; the neural-net ones (conv, pooling, losses, CTC,
``rnn``) live in ``backend_legacy_nn``.

    >>> import cuflow as cf
    >>> K = cf.keras.backend
    >>> float(K.mean(K.square(cf.constant([1.0, 2.0]))))
    2.5
"""
from __future__ import annotations

import builtins
import math

import numpy as np

from . import backend as _config

_py_all = builtins.all
_py_any = builtins.any

__all__ = [
    "abs", "all", "any", "arange", "argmax", "argmin", "batch_dot", "batch_flatten",
    "batch_get_value", "batch_set_value", "cast", "cast_to_floatx", "clip", "concatenate",
    "constant", "cos", "count_params", "cumprod", "cumsum", "dot", "dtype", "equal", "eval",
    "exp", "expand_dims", "eye", "flatten", "foldl", "foldr", "gather", "get_value",
    "gradients", "greater", "greater_equal", "int_shape", "is_sparse", "l2_normalize",
    "less", "less_equal", "log", "map_fn", "max", "maximum", "mean", "min", "minimum",
    "moving_average_update", "name_scope", "ndim", "not_equal", "one_hot", "ones",
    "ones_like", "permute_dimensions", "pow", "prod", "random_bernoulli", "random_normal",
    "random_normal_variable", "random_uniform", "random_uniform_variable", "repeat",
    "repeat_elements", "reshape", "reverse", "round", "set_value", "shape", "sign", "sin",
    "sqrt", "square", "squeeze", "stack", "std", "stop_gradient", "sum", "switch", "tile",
    "to_dense", "transpose", "truncated_normal", "update", "update_add", "update_sub", "var",
    "variable", "zeros", "zeros_like",
]


def _cf():
    import cuflow
    return cuflow


def _is_bool(x):
    return getattr(x, "dtype", None) is not None and _cf().as_dtype(x.dtype) == _cf().bool


def _seed(seed):
    return np.random.randint(10e6) if seed is None else seed


# --- elementwise and reductions ---------------------------------------------------------

def abs(x):
    return _cf().abs(x)


def all(x, axis=None, keepdims=False):
    cf = _cf()
    return cf.reduce_all(cf.cast(x, cf.bool), axis, keepdims)


def any(x, axis=None, keepdims=False):
    cf = _cf()
    return cf.reduce_any(cf.cast(x, cf.bool), axis, keepdims)


def argmax(x, axis=-1):
    return _cf().argmax(x, axis)


def argmin(x, axis=-1):
    return _cf().argmin(x, axis)


def max(x, axis=None, keepdims=False):
    return _cf().reduce_max(x, axis, keepdims)


def min(x, axis=None, keepdims=False):
    return _cf().reduce_min(x, axis, keepdims)


def sum(x, axis=None, keepdims=False):
    return _cf().reduce_sum(x, axis, keepdims)


def prod(x, axis=None, keepdims=False):
    return _cf().reduce_prod(x, axis, keepdims)


def mean(x, axis=None, keepdims=False):
    """``reduce_mean``; bool inputs are averaged as floatx (the fraction of True)."""
    cf = _cf()
    if _is_bool(x):
        x = cf.cast(x, _config.floatx())
    return cf.reduce_mean(x, axis, keepdims)


def std(x, axis=None, keepdims=False):
    cf = _cf()
    if _is_bool(x):
        x = cf.cast(x, _config.floatx())
    return cf.math.reduce_std(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    cf = _cf()
    if _is_bool(x):
        x = cf.cast(x, _config.floatx())
    return cf.math.reduce_variance(x, axis=axis, keepdims=keepdims)


def cumsum(x, axis=0):
    return _cf().cumsum(x, axis=axis)


def cumprod(x, axis=0):
    return _cf().math.cumprod(x, axis=axis)


def cos(x):
    return _cf().cos(x)


def sin(x):
    return _cf().sin(x)


def exp(x):
    return _cf().exp(x)


def log(x):
    return _cf().math.log(x)


def round(x):
    return _cf().round(x)


def sign(x):
    return _cf().sign(x)


def square(x):
    return _cf().square(x)


def sqrt(x):
    """``sqrt(max(x, 0))``: negative inputs give 0, not NaN (Keras 2's rule)."""
    cf = _cf()
    x = cf.convert_to_tensor(x)
    return cf.sqrt(cf.maximum(x, cf.convert_to_tensor(0.0, x.dtype)))


def pow(x, a):
    return _cf().pow(x, a)


def clip(x, min_value, max_value):
    """``clip_by_value``; ``None`` bounds are open, ``max < min`` clips everything to min."""
    if isinstance(min_value, (int, float)) and isinstance(max_value, (int, float)):
        if max_value < min_value:
            max_value = min_value
    if min_value is None:
        min_value = -np.inf
    if max_value is None:
        max_value = np.inf
    return _cf().clip_by_value(x, min_value, max_value)


def maximum(x, y):
    return _cf().maximum(x, y)


def minimum(x, y):
    return _cf().minimum(x, y)


def equal(x, y):
    return _cf().equal(x, y)


def not_equal(x, y):
    return _cf().not_equal(x, y)


def greater(x, y):
    return _cf().greater(x, y)


def greater_equal(x, y):
    return _cf().greater_equal(x, y)


def less(x, y):
    return _cf().less(x, y)


def less_equal(x, y):
    return _cf().less_equal(x, y)


def l2_normalize(x, axis=None):
    return _cf().linalg.l2_normalize(x, axis=axis)


def stop_gradient(variables):
    """One tensor, or a lazy ``map`` over a list/tuple (as Keras 2 returned)."""
    cf = _cf()
    if isinstance(variables, (list, tuple)):
        return map(cf.stop_gradient, variables)
    return cf.stop_gradient(variables)


# --- shapes and arrays -------------------------------------------------------------------

def arange(start, stop=None, step=1, dtype="int32"):
    cf = _cf()
    if stop is None and start < 0:
        start = 0
    result = cf.range(start, limit=stop, delta=step, name="arange")
    if dtype != "int32":
        result = cf.cast(result, dtype)
    return result


def cast(x, dtype):
    return _cf().cast(x, dtype)


def cast_to_floatx(x):
    """Tensors are cast to floatx; anything else becomes a NumPy array of floatx."""
    cf = _cf()
    if isinstance(x, (cf.Tensor, cf.Variable, cf.SparseTensor)):
        return cf.cast(x, dtype=_config.floatx())
    return np.asarray(x, dtype=_config.floatx())


def concatenate(tensors, axis=-1):
    cf = _cf()
    if axis < 0:
        rank = ndim(tensors[0])
        axis = axis % rank if rank else 0
    if _py_all(is_sparse(x) for x in tensors):
        return cf.sparse.concat(axis, tensors)
    if _py_all(isinstance(x, cf.RaggedTensor) for x in tensors):
        return cf.concat(tensors, axis)
    return cf.concat([to_dense(x) for x in tensors], axis)


def constant(value, dtype=None, shape=None, name=None):
    return _cf().constant(value, dtype=dtype or _config.floatx(), shape=shape, name=name)


def count_params(x):
    """The number of elements of a tensor or variable (a Python int)."""
    return math.prod(x.shape.as_list())


def dtype(x):
    """The dtype's name: ``'float32'``."""
    return _cf().as_dtype(x.dtype).base_dtype.name


def expand_dims(x, axis=-1):
    return _cf().expand_dims(x, axis)


def flatten(x):
    return _cf().reshape(x, [-1])


def batch_flatten(x):
    """(batch, d1, d2, ...) -> (batch, d1*d2*...)."""
    cf = _cf()
    return cf.reshape(x, cf.stack([-1, prod(cf.shape(x)[1:])]))


def gather(reference, indices):
    return _cf().gather(reference, indices)


def int_shape(x):
    """The static shape as a tuple of ints/None (None when the rank is unknown)."""
    try:
        shape_ = x.shape
        if not isinstance(shape_, tuple):
            shape_ = tuple(shape_.as_list())
        return shape_
    except ValueError:
        return None


def ndim(x):
    return x.shape.rank


def one_hot(indices, num_classes):
    return _cf().one_hot(indices, depth=num_classes, axis=-1)


def permute_dimensions(x, pattern):
    return _cf().transpose(x, perm=pattern)


def repeat(x, n):
    """(batch, d) -> (batch, n, d)."""
    cf = _cf()
    if ndim(x) != 2:
        raise ValueError(f"Expected input `x` to have rank 2. Received: rank(x)={ndim(x)}")
    return cf.tile(cf.expand_dims(x, 1), [1, n, 1])


def repeat_elements(x, rep, axis):
    """Repeats each slice along ``axis`` ``rep`` times (``np.repeat``)."""
    cf = _cf()
    n = x.shape.as_list()[axis]
    splits = cf.split(x, num_or_size_splits=n, axis=axis)
    return concatenate([s for s in splits for _ in range(rep)], axis)


def reshape(x, shape):
    return _cf().reshape(x, shape)


def reverse(x, axes):
    if isinstance(axes, int):
        axes = [axes]
    return _cf().reverse(x, axes)


def shape(x):
    return _cf().shape(x)


def squeeze(x, axis):
    return _cf().squeeze(x, [axis])


def stack(x, axis=0):
    return _cf().stack(x, axis=axis)


def tile(x, n):
    if isinstance(n, int):
        n = [n]
    return _cf().tile(x, n)


def transpose(x):
    return _cf().transpose(x)


def is_sparse(tensor):
    cf = _cf()
    spec = getattr(tensor, "_type_spec", None)
    if spec is not None and isinstance(spec, type) is False and hasattr(cf, "SparseTensorSpec"):
        if isinstance(spec, cf.SparseTensorSpec):
            return True
    return isinstance(tensor, cf.SparseTensor)


def to_dense(tensor):
    return _cf().sparse.to_dense(tensor) if is_sparse(tensor) else tensor


def dot(x, y):
    """Keras 2's ``dot``: for N-D inputs contracts x's last axis with y's second-to-last
    (``np.dot``'s rule), giving shape ``x.shape[:-1] + y.shape[:-2] + y.shape[-1:]``."""
    cf = _cf()
    if ndim(x) is not None and (ndim(x) > 2 or ndim(y) > 2):
        x_shape = tuple(int_shape(x))
        y_shape = tuple(int_shape(y))
        y_perm = list(range(ndim(y)))
        y_perm = [y_perm.pop(-2)] + y_perm
        xt = cf.reshape(x, [-1, x_shape[-1]])
        yt = cf.reshape(cf.transpose(y, perm=y_perm), [y_shape[-2], -1])
        return cf.reshape(cf.matmul(xt, yt), x_shape[:-1] + y_shape[:-2] + y_shape[-1:])
    if is_sparse(x):
        return cf.sparse.sparse_dense_matmul(x, y)
    return cf.matmul(x, y)


def batch_dot(x, y, axes=None):
    """Dot product of each batch pair ``x[i]``, ``y[i]`` over ``axes`` (Keras 2's rules:
    rank-2 inputs give shape (batch, 1)... as TF does)."""
    cf = _cf()
    x_shape, y_shape = tuple(int_shape(x)), tuple(int_shape(y))
    x_ndim, y_ndim = len(x_shape), len(y_shape)
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError("Cannot do batch_dot on inputs with rank < 2. Received inputs "
                         f"with tf.shapes {x_shape} and {y_shape}.")
    if x_shape[0] is not None and y_shape[0] is not None and x_shape[0] != y_shape[0]:
        raise ValueError("Cannot do batch_dot on inputs with different batch sizes. "
                         f"Received inputs with tf.shapes {x_shape} and {y_shape}.")
    if isinstance(axes, int):
        axes = [axes, axes]
    if axes is None:
        axes = [x_ndim - 1, y_ndim - 1] if y_ndim == 2 else [x_ndim - 1, y_ndim - 2]
    if _py_any(isinstance(a, (list, tuple)) for a in axes):
        raise ValueError("Multiple target dimensions are not supported. Expected: None, "
                         f"int, (int, int), Provided: {axes}")
    axes = list(axes)
    if axes[0] < 0:
        axes[0] += x_ndim
    if axes[1] < 0:
        axes[1] += y_ndim
    if 0 in axes:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not "
                         "batched, add a dummy batch dimension to your inputs using "
                         "K.expand_dims(x, 0)")
    a0, a1 = axes
    d1, d2 = x_shape[a0], y_shape[a1]
    if d1 is not None and d2 is not None and d1 != d2:
        raise ValueError(f"Cannot do batch_dot on inputs with tf.shapes {x_shape} and "
                         f"{y_shape} with axes={axes}. x.shape[{a0}] != y.shape[{a1}] "
                         f"({d1} != {d2}).")
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x = cf.expand_dims(x, 1)
        a0 += 1
        x_ndim += 1
    if y_ndim == 2:
        y = cf.expand_dims(y, 2)
        y_ndim += 1
    if a0 != x_ndim - 1:  # move the contracted axis of x last
        pattern = list(range(x_ndim))
        for i in range(a0, x_ndim - 1):
            pattern[i] = pattern[i + 1]
        pattern[-1] = a0
        x = cf.transpose(x, pattern)
    if a1 != 1:  # move the contracted axis of y to 1
        pattern = list(range(y_ndim))
        for i in range(a1, 1, -1):
            pattern[i] = pattern[i - 1]
        pattern[1] = a1
        y = cf.transpose(y, pattern)
    xs, ys = tuple(int_shape(x)), tuple(int_shape(y))
    if x_ndim > 3:
        x = cf.reshape(x, [xs[0], -1, xs[-1]])
    if y_ndim > 3:
        y = cf.reshape(y, [ys[0], ys[1], -1])
    result = cf.matmul(x, y)
    rs = tuple(int_shape(result))
    if x_ndim > 3 or y_ndim > 3:
        out = rs[:1] + (xs[1:-1] if x_ndim > 3 else rs[1:-1])
        out = out + (ys[2:] if y_ndim > 3 else rs[-1:])
        result = cf.reshape(result, out)
    if orig_x_ndim == 2:
        result = cf.squeeze(result, 1)
    elif orig_y_ndim == 2:
        result = cf.squeeze(result, -1)
    return result


def switch(condition, then_expression, else_expression):
    """``cond`` for a scalar condition (branches may be callables), else ``where`` with the
    condition broadcast from the leading axes."""
    cf = _cf()
    condition = cf.convert_to_tensor(condition)
    if condition.dtype != cf.bool:
        condition = cf.cast(condition, "bool")
    cond_ndim = ndim(condition)
    if not cond_ndim:
        then_fn = then_expression if callable(then_expression) else (lambda: then_expression)
        else_fn = else_expression if callable(else_expression) else (lambda: else_expression)
        return cf.cond(condition, then_fn, else_fn)
    if callable(then_expression):
        then_expression = then_expression()
    if callable(else_expression):
        else_expression = else_expression()
    expr_ndim = ndim(then_expression)
    if cond_ndim > expr_ndim:
        raise ValueError("Rank of `condition` should be less than or equal to rank of "
                         "`then_expression` and `else_expression`. ndim(condition)="
                         f"{cond_ndim}, ndim(then_expression)={expr_ndim}")
    if cond_ndim > 1:  # align the condition with the leading axes, then tile it
        condition = cf.reshape(condition, int_shape(condition) + (1,) * (expr_ndim - cond_ndim))
        condition = condition & cf.ones_like(then_expression, dtype=cf.bool)
    return cf.where(condition, then_expression, else_expression)


# --- functional control flow ---------------------------------------------------------------

def foldl(fn, elems, initializer=None, name=None):
    return _cf().foldl(fn, elems, initializer=initializer, name=name)


def foldr(fn, elems, initializer=None, name=None):
    return _cf().foldr(fn, elems, initializer=initializer, name=name)


def map_fn(fn, elems, name=None, dtype=None):
    return _cf().map_fn(fn, elems, name=name, dtype=dtype)


def gradients(loss, variables):
    """``tf.gradients`` (TF1's symbolic gradients): inside a ``tf.function`` only; eagerly
    it raises TF's RuntimeError pointing to GradientTape."""
    return _cf().gradients(loss, variables)


def name_scope(name):
    return _cf().name_scope(name)


# --- variables and values ------------------------------------------------------------------

def variable(value, dtype=None, name=None, constraint=None):
    """A ``tf.Variable`` of ``dtype`` (floatx by default); a SciPy sparse matrix becomes a
    SparseTensor."""
    cf = _cf()
    dtype = dtype or _config.floatx()
    if hasattr(value, "tocoo"):
        coo = value.tocoo()
        indices = np.stack([coo.row, coo.col], axis=1).astype(np.int64)
        v = cf.SparseTensor(indices=indices, values=coo.data, dense_shape=coo.shape)
        v._keras_shape = coo.shape
        return v
    return cf.Variable(value, dtype=cf.as_dtype(dtype), name=name, constraint=constraint)


def _filled(fill, shape, dtype, name):
    cf = _cf()
    dtype = dtype or _config.floatx()
    v = fill(shape=shape, dtype=cf.as_dtype(dtype), name=name)
    if _py_all(v.shape.as_list()):  # no zero-size dimension: a Variable, as Keras 2
        return variable(v, dtype=dtype, name=name)
    return v


def zeros(shape, dtype=None, name=None):
    return _filled(_cf().zeros, shape, dtype, name)


def ones(shape, dtype=None, name=None):
    return _filled(_cf().ones, shape, dtype, name)


def eye(size, dtype=None, name=None):
    cf = _cf()
    dtype = dtype or _config.floatx()
    return variable(cf.eye(size, dtype=cf.as_dtype(dtype)), dtype, name)


def zeros_like(x, dtype=None, name=None):
    return _cf().zeros_like(x, dtype=dtype, name=name)


def ones_like(x, dtype=None, name=None):
    return _cf().ones_like(x, dtype=dtype, name=name)


def get_value(x):
    """A tensor's or variable's value as a NumPy array (anything else unchanged)."""
    return x.numpy() if _cf().is_tensor(x) or hasattr(x, "numpy") else x


def batch_get_value(tensors):
    return [x.numpy() for x in tensors]


def set_value(x, value):
    x.assign(np.asarray(value, dtype=_cf().as_dtype(x.dtype).name))


def batch_set_value(tuples):
    for x, value in tuples:
        set_value(x, value)


def eval(x):
    return get_value(to_dense(x))


def update(x, new_x):
    return x.assign(new_x)


def update_add(x, increment):
    return x.assign_add(increment)


def update_sub(x, decrement):
    return x.assign_sub(decrement)


def moving_average_update(x, value, momentum):
    """``x -= (x - value) * (1 - momentum)``."""
    cf = _cf()
    momentum = cf.cast(momentum, x.dtype)
    value = cf.cast(value, x.dtype)
    return x.assign_sub((x - value) * (1 - momentum))


# --- random --------------------------------------------------------------------------------

def random_uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _cf().random.uniform(shape, minval=minval, maxval=maxval,
                                dtype=dtype or _config.floatx(), seed=_seed(seed))


def random_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _cf().random.normal(shape, mean=mean, stddev=stddev,
                               dtype=dtype or _config.floatx(), seed=_seed(seed))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _cf().random.truncated_normal(shape, mean, stddev,
                                         dtype=dtype or _config.floatx(), seed=_seed(seed))


def random_bernoulli(shape, p=0.0, dtype=None, seed=None):
    """1 with probability ``p`` (uniform draw ``<= p``), else 0."""
    cf = _cf()
    dtype = dtype or _config.floatx()
    return cf.where(cf.random.uniform(shape, dtype=dtype, seed=_seed(seed)) <= p,
                    cf.ones(shape, dtype=dtype), cf.zeros(shape, dtype=dtype))


def random_uniform_variable(shape, low, high, dtype=None, name=None, seed=None):
    dtype = dtype or _config.floatx()
    seed = np.random.randint(10e8) if seed is None else seed
    value = _cf().random.uniform(shape, low, high, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)


def random_normal_variable(shape, mean, scale, dtype=None, name=None, seed=None):
    dtype = dtype or _config.floatx()
    seed = np.random.randint(10e8) if seed is None else seed
    value = _cf().random.normal(shape, mean, scale, dtype=dtype, seed=seed)
    return variable(value, dtype=dtype, name=name)

