"""``keras.ops`` reductions and scans (sum, mean, max, std, argmax, cumsum, quantile, the
``nan*`` family), with Keras 3's accumulation dtypes (small ints sum as int32, integer
means and variances in floatx).

    >>> import cuflow as cf
    >>> cf.keras.ops.sum(cf.constant([[1, 2], [3, 4]], cf.int8), axis=0).numpy()
    array([4, 6], dtype=int32)
"""
from __future__ import annotations

import numpy as np

from ... import cast, reshape, where
from ... import math as _m
from ._base import canonical_axis, convert_to_tensor, result_type, standardize_dtype

__all__ = ["sum", "prod", "mean", "max", "min", "amax", "amin", "std", "var", "argmax",
           "argmin", "any", "all", "count_nonzero", "cumsum", "cumprod", "median",
           "quantile", "percentile", "ptp", "average", "nansum", "nanprod", "nanmean",
           "nanmax", "nanmin", "nanstd", "nanvar", "nanargmax", "nanargmin", "nancumsum",
           "nancumprod", "nanmedian", "nanquantile", "nanpercentile", "logsumexp"]

_ACC = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
        "uint16": "uint32"}


def _acc(x, dtype=None):
    if dtype is not None:
        return cast(x, standardize_dtype(dtype))
    d = _ACC.get(x.dtype.name)
    return cast(x, d) if d else x


def _ones_like(x):
    from ... import ones_like
    return ones_like(x)


def sum(x, axis=None, keepdims=False):
    """Sum over ``axis`` (bool and 8/16-bit ints accumulate in 32 bits)."""
    x = convert_to_tensor(x)
    return _m.reduce_sum(_acc(x), axis=canonical_axis(axis), keepdims=keepdims)


def prod(x, axis=None, keepdims=False, dtype=None):
    """Product over ``axis`` (as Keras-TF, an explicit ``dtype`` leaves ``x``'s own)."""
    x = convert_to_tensor(x)
    return _m.reduce_prod(x if dtype is not None else _acc(x), axis=canonical_axis(axis),
                          keepdims=keepdims)


def _in_float(x):
    """(x in its compute dtype, the result dtype): ints -> floatx, half floats via f32."""
    out = result_type(x.dtype.name, float)
    comp = "float32" if out in ("float16", "bfloat16") else out
    return cast(x, comp), out


def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (integer inputs give floatx)."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return _m.reduce_mean(x, axis=canonical_axis(axis), keepdims=keepdims)
    y, out = _in_float(x)
    return cast(_m.reduce_mean(y, axis=canonical_axis(axis), keepdims=keepdims), out)


def _extreme(fn, pick):
    def f(x, axis=None, keepdims=False, initial=None):
        x = convert_to_tensor(x)
        src = cast(x, "int32") if x.dtype.is_bool else x
        out = fn(src, axis=canonical_axis(axis), keepdims=keepdims)
        if initial is not None:
            out = pick(out, cast(convert_to_tensor(initial), out.dtype))
        return cast(out, x.dtype) if x.dtype.is_bool else out
    return f


max = _extreme(_m.reduce_max, _m.maximum)
max.__name__ = max.__qualname__ = "max"
max.__doc__ = "Maximum over ``axis`` (``initial`` joins the comparison)."
min = _extreme(_m.reduce_min, _m.minimum)
min.__name__ = min.__qualname__ = "min"
min.__doc__ = "Minimum over ``axis`` (``initial`` joins the comparison)."


def amax(x, axis=None, keepdims=False):
    """Maximum over ``axis``."""
    return max(x, axis=axis, keepdims=keepdims)


def amin(x, axis=None, keepdims=False):
    """Minimum over ``axis``."""
    return min(x, axis=axis, keepdims=keepdims)


def var(x, axis=None, keepdims=False):
    """Population variance over ``axis``."""
    x = convert_to_tensor(x)
    y, out = _in_float(x)
    return cast(_m.reduce_variance(y, axis=canonical_axis(axis), keepdims=keepdims), out)


def std(x, axis=None, keepdims=False):
    """Population standard deviation over ``axis``."""
    x = convert_to_tensor(x)
    y, out = _in_float(x)
    return cast(_m.reduce_std(y, axis=canonical_axis(axis), keepdims=keepdims), out)


def _argext(fn):
    def f(x, axis=None, keepdims=False):
        x = convert_to_tensor(x)
        if x.dtype.is_bool:
            x = cast(x, "int32")
        src = reshape(x, [-1]) if axis is None else x
        out = fn(src, axis=0 if axis is None else axis, output_type="int32")
        if keepdims:
            from ... import expand_dims
            if axis is None:
                return reshape(out, [1] * x.shape.rank)
            return expand_dims(out, axis)
        return out
    return f


argmax = _argext(_m.argmax)
argmax.__name__ = argmax.__qualname__ = "argmax"
argmax.__doc__ = "Index of the maximum along ``axis`` (flattened when None), int32."
argmin = _argext(_m.argmin)
argmin.__name__ = argmin.__qualname__ = "argmin"
argmin.__doc__ = "Index of the minimum along ``axis`` (flattened when None), int32."


def any(x, axis=None, keepdims=False):
    """Whether any element along ``axis`` is true."""
    x = cast(convert_to_tensor(x), "bool")
    return _m.reduce_any(x, axis=canonical_axis(axis), keepdims=keepdims)


def all(x, axis=None, keepdims=False):
    """Whether every element along ``axis`` is true."""
    x = cast(convert_to_tensor(x), "bool")
    return _m.reduce_all(x, axis=canonical_axis(axis), keepdims=keepdims)


def count_nonzero(x, axis=None):
    """Number of nonzero elements along ``axis`` (int32)."""
    x = convert_to_tensor(x)
    return cast(_m.count_nonzero(x, axis=canonical_axis(axis)), "int32")


def _scan(fn):
    def f(x, axis=None, dtype=None):
        x = convert_to_tensor(x, dtype)
        if x.dtype.is_bool:
            x = cast(x, "int32")
        if axis is None:
            x, axis = reshape(x, [-1]), 0
        return fn(x, axis=axis)
    return f


cumsum = _scan(_m.cumsum)
cumsum.__name__ = cumsum.__qualname__ = "cumsum"
cumsum.__doc__ = "Cumulative sum along ``axis`` (flattened when None)."
cumprod = _scan(_m.cumprod)
cumprod.__name__ = cumprod.__qualname__ = "cumprod"
cumprod.__doc__ = "Cumulative product along ``axis`` (flattened when None)."


def _quantile_np(a, q, axis, method, keepdims, nan):
    fn = np.nanquantile if nan else np.quantile
    return np.asarray(fn(a, q, axis=axis, method=method, keepdims=keepdims))


def quantile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles along ``axis`` (NumPy's methods)."""
    return _quantile(x, q, axis, method, keepdims, False)


def _quantile(x, q, axis, method, keepdims, nan):
    from ... import numpy_function
    x = convert_to_tensor(x)
    y, out = _in_float(x)
    q = convert_to_tensor(q, "float64")
    ax = canonical_axis(axis)

    def run(a, qq):
        return _quantile_np(a, qq, ax, method, keepdims, nan).astype(a.dtype)
    res = numpy_function(run, [y, q], y.dtype)
    return cast(res, out)


def percentile(x, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (0..100) along ``axis``."""
    return quantile(x, _m.truediv(convert_to_tensor(q, "float64"), 100.0), axis, method,
                    keepdims)


def median(x, axis=None, keepdims=False):
    """Median along ``axis``."""
    return quantile(x, 0.5, axis=axis, keepdims=keepdims)


def ptp(x, axis=None, keepdims=False):
    """``max - min`` along ``axis``."""
    return _m.subtract(max(x, axis, keepdims), min(x, axis, keepdims))


def average(x, axis=None, weights=None):
    """Weighted mean along ``axis`` (``weights`` 1-D along ``axis`` or like ``x``)."""
    x = convert_to_tensor(x)
    if weights is None:
        return mean(x, axis)
    w = convert_to_tensor(weights)
    dt = result_type(x.dtype.name, w.dtype.name, float)
    x, w = cast(x, dt), cast(w, dt)
    if axis is not None and w.shape.rank == 1 and x.shape.rank > 1:
        shape = [1] * x.shape.rank
        shape[axis] = -1
        w = reshape(w, shape)
    return _m.reduce_sum(x * w, axis=axis) / _m.reduce_sum(w * _ones_like(x), axis=axis)


def logsumexp(x, axis=None, keepdims=False):
    """``log(sum(exp(x)))`` along ``axis``, stable."""
    from ._base import to_float
    return _m.reduce_logsumexp(to_float(x), axis=canonical_axis(axis), keepdims=keepdims)


# --- nan-aware ----------------------------------------------------------------------------
def _fill_nan(x, value):
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    return where(_m.is_nan(x), _m.multiply(_ones_like(x), value), x)


def nansum(x, axis=None, keepdims=False):
    """Sum ignoring NaNs."""
    return sum(_fill_nan(x, 0.0), axis, keepdims)


def nanprod(x, axis=None, keepdims=False):
    """Product ignoring NaNs."""
    return prod(_fill_nan(x, 1.0), axis, keepdims)


def nanmean(x, axis=None, keepdims=False):
    """Mean ignoring NaNs (NaN where all are NaN)."""
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return mean(x, axis, keepdims)
    y, out = _in_float(x)
    ok = _m.logical_not(_m.is_nan(y))
    n = _m.reduce_sum(cast(ok, y.dtype), axis=canonical_axis(axis), keepdims=keepdims)
    return cast(nansum(y, axis, keepdims) / n, out)


def nanvar(x, axis=None, keepdims=False):
    """Variance ignoring NaNs."""
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return var(x, axis, keepdims)
    y, out = _in_float(x)
    m = nanmean(y, axis, keepdims=True)
    d = _m.square(y - m)
    return cast(nanmean(d, axis, keepdims), out)


def nanstd(x, axis=None, keepdims=False):
    """Standard deviation ignoring NaNs."""
    return _m.sqrt(nanvar(x, axis, keepdims))


def _nanext(fn, fill):
    def f(x, axis=None, keepdims=False):
        x = convert_to_tensor(x)
        if not x.dtype.is_floating:
            return fn(x, axis, keepdims)
        allnan = _m.reduce_all(_m.is_nan(x), axis=canonical_axis(axis), keepdims=keepdims)
        out = fn(_fill_nan(x, fill), axis, keepdims)
        return where(allnan, _m.multiply(_ones_like(out), np.nan), out)
    return f


nanmax = _nanext(max, -np.inf)
nanmax.__name__ = nanmax.__qualname__ = "nanmax"
nanmax.__doc__ = "Maximum ignoring NaNs."
nanmin = _nanext(min, np.inf)
nanmin.__name__ = nanmin.__qualname__ = "nanmin"
nanmin.__doc__ = "Minimum ignoring NaNs."


def nanargmax(x, axis=None, keepdims=False):
    """Index of the maximum ignoring NaNs."""
    return argmax(_fill_nan(x, -np.inf), axis, keepdims)


def nanargmin(x, axis=None, keepdims=False):
    """Index of the minimum ignoring NaNs."""
    return argmin(_fill_nan(x, np.inf), axis, keepdims)


def nancumsum(x, axis=None, dtype=None):
    """Cumulative sum treating NaNs as 0."""
    return cumsum(_fill_nan(x, 0.0), axis, dtype)


def nancumprod(x, axis=None, dtype=None):
    """Cumulative product treating NaNs as 1."""
    return cumprod(_fill_nan(x, 1.0), axis, dtype)


def nanquantile(x, q, axis=None, method="linear", keepdims=False):
    """Quantiles ignoring NaNs."""
    return _quantile(x, q, axis, method, keepdims, True)


def nanpercentile(x, q, axis=None, method="linear", keepdims=False):
    """Percentiles ignoring NaNs."""
    return nanquantile(x, _m.truediv(convert_to_tensor(q, "float64"), 100.0), axis, method,
                       keepdims)


def nanmedian(x, axis=None, keepdims=False):
    """Median ignoring NaNs."""
    return nanquantile(x, 0.5, axis=axis, keepdims=keepdims)

