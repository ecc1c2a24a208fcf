"""``keras.ops`` elementwise functions (``keras.ops.numpy``): unary math, binary arithmetic,
comparisons, logic and bitwise ops, with Keras 3's dtype rules (ints -> floatx for float
math; mixed inputs by ``result_type``, Python scalars weak).

    >>> import cuflow as cf
    >>> cf.keras.ops.add(cf.constant([1, 2]), 0.5).numpy()
    array([1.5, 2.5], dtype=float32)
"""
from __future__ import annotations

import math as _pymath

import numpy as np

from ... import cast
from ... import math as _m
from ...tensor import Tensor
from ._base import convert_to_tensor, floatx, promote_all, result_type, dtype_of, to_float

__all__: list = []


def _export(fn, name=None):
    fn.__name__ = name or fn.__name__
    fn.__qualname__ = fn.__name__
    globals()[fn.__name__] = fn
    __all__.append(fn.__name__)
    return fn


# --- unary --------------------------------------------------------------------------------
INT64_TO_F64 = {"cbrt", "deg2rad", "rad2deg", "i0"}  # Keras-TF widens int64 to float64 here

def _float_unary(name, op):
    wide = name in INT64_TO_F64

    def f(x):
        x = convert_to_tensor(x)
        if wide and x.dtype.name == "int64":
            return op(cast(x, "float64"))
        return op(to_float(x))
    f.__doc__ = f"Elementwise ``{name}`` (integer inputs compute in floatx)."
    return _export(f, name)


def _same_unary(name, op):
    def f(x):
        return op(convert_to_tensor(x))
    f.__doc__ = f"Elementwise ``{name}`` (keeps the input dtype)."
    return _export(f, name)


for _n, _op in {
    "sin": _m.sin, "cos": _m.cos, "tan": _m.tan, "arcsin": _m.asin, "arccos": _m.acos,
    "arctan": _m.atan, "sinh": _m.sinh, "cosh": _m.cosh, "tanh": _m.tanh,
    "arcsinh": _m.asinh, "arccosh": _m.acosh, "arctanh": _m.atanh, "exp": _m.exp,
    "expm1": _m.expm1, "log": _m.log, "log1p": _m.log1p, "sqrt": _m.sqrt,
    "rsqrt": _m.rsqrt, "reciprocal": _m.reciprocal, "erf": _m.erf, "erfc": _m.erfc,
    "erfinv": _m.erfinv, "floor": _m.floor, "ceil": _m.ceil, "sigmoid": _m.sigmoid,
    "log2": lambda x: _m.log(x) / _pyconst(_pymath.log(2.0), x),
    "log10": lambda x: _m.log(x) / _pyconst(_pymath.log(10.0), x),
    "exp2": lambda x: _m.pow(_pyconst(2.0, x), x),
    "cbrt": lambda x: _m.sign(x) * _m.pow(_m.abs(x), _pyconst(1.0 / 3.0, x)),
    "deg2rad": lambda x: x * _pyconst(np.pi / 180.0, x),
    "rad2deg": lambda x: x * _pyconst(180.0 / np.pi, x),
    "i0": lambda x: _m.bessel_i0(x),
    "sinc": lambda x: _sinc(x),
}.items():
    _float_unary(_n, _op)

for _n, _op in {
    "negative": _m.negative, "sign": _m.sign, "abs": lambda x: _bool_id(_m.abs, x),
    "absolute": lambda x: _bool_id(_m.abs, x),
    "conj": _m.conj, "conjugate": _m.conj, "copy": lambda x: _ident(x),
}.items():
    _same_unary(_n, _op)


def _bool_id(op, x):
    return x if x.dtype.is_bool else op(x)


def _pyconst(v, like):
    from ... import constant
    return constant(v, dtype=like.dtype)


def _ident(x):
    from ... import identity
    return identity(x)


def _sinc(x):
    from ... import where
    px = x * _pyconst(np.pi, x)
    safe = where(_m.equal(x, 0), _m.add(px, 1), px)
    return where(_m.equal(x, 0), _m.add(_m.multiply(px, 0), 1), _m.sin(safe) / safe)


@_export
def square(x):
    """Elementwise ``x * x`` (bool inputs square as int32)."""
    x = convert_to_tensor(x)
    if x.dtype.is_bool:
        x = cast(x, "int32")
    return _m.square(x)


@_export
def fabs(x):
    """Absolute value, in floatx for integer inputs."""
    return _m.abs(to_float(x))


@_export
def trunc(x):
    """Rounds toward zero (integers unchanged)."""
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    from ... import where
    return where(_m.less(x, 0), _m.ceil(x), _m.floor(x))


@_export
def round(x, decimals=0):
    """Rounds half to even at ``decimals`` digits."""
    x = convert_to_tensor(x)
    if decimals == 0:
        return _m.round(x) if x.dtype.is_floating else x
    if not x.dtype.is_floating:
        if decimals > 0:
            return x
        f = 10 ** (-decimals)
        y = cast(x, "float32")
        return cast(_m.round(y / f) * f, x.dtype)
    f = 10.0 ** decimals
    return _m.round(x * f) / f


@_export
def real(x):
    """The real part (a real tensor's own values)."""
    return _m.real(convert_to_tensor(x))


@_export
def imag(x):
    """The imaginary part (zeros for a real tensor)."""
    x = convert_to_tensor(x)
    if x.dtype.is_bool:
        from ... import zeros_like
        return zeros_like(x)
    return _m.imag(x)


@_export
def angle(x):
    """The complex argument, in floatx for integer inputs."""
    return _m.angle(to_float(x))


@_export
def isnan(x):
    """Where ``x`` is NaN (all False for integers)."""
    x = convert_to_tensor(x)
    return _m.is_nan(x) if x.dtype.is_floating else _m.not_equal(x, x)


@_export
def isinf(x):
    """Where ``x`` is +-inf."""
    x = convert_to_tensor(x)
    return _m.is_inf(x) if x.dtype.is_floating else _m.not_equal(x, x)


@_export
def isfinite(x):
    """Where ``x`` is finite."""
    x = convert_to_tensor(x)
    return _m.is_finite(x) if x.dtype.is_floating else _m.equal(x, x)


@_export
def isposinf(x):
    """Where ``x`` is +inf."""
    x = convert_to_tensor(x)
    return _m.logical_and(isinf(x), _m.greater(x, 0) if x.dtype.is_floating else isinf(x))


@_export
def isneginf(x):
    """Where ``x`` is -inf."""
    x = convert_to_tensor(x)
    return _m.logical_and(isinf(x), _m.less(x, 0) if x.dtype.is_floating else isinf(x))


@_export
def isreal(x):
    """Where the imaginary part is zero."""
    x = convert_to_tensor(x)
    if x.dtype.is_complex:
        return _m.equal(_m.imag(x), 0)
    return _m.equal(x, x) | _m.not_equal(x, x)


@_export
def signbit(x):
    """Where the sign bit is set (-0.0 included)."""
    x = convert_to_tensor(x)
    if x.dtype.is_bool or x.dtype.is_unsigned:
        return _m.not_equal(x, x)
    if x.dtype.is_floating:
        from ... import bitcast
        bits = {2: "int16", 4: "int32", 8: "int64"}[x.dtype.size]
        return _m.less(bitcast(x, bits), 0)
    return _m.less(x, 0)


@_export
def logical_not(x):
    """Elementwise NOT of ``x`` as bool."""
    return _m.logical_not(cast(convert_to_tensor(x), "bool"))


@_export
def bitwise_invert(x):
    """Bitwise NOT (logical NOT for bool)."""
    from ... import bitwise
    x = convert_to_tensor(x)
    return _m.logical_not(x) if x.dtype.is_bool else bitwise.invert(x)


bitwise_not = _export(lambda x: bitwise_invert(x), "bitwise_not")
bitwise_not.__doc__ = "Alias of ``bitwise_invert``."


@_export
def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replaces NaN and +-inf by finite numbers (the dtype's extremes by default)."""
    from ... import fill, shape as _shape, where
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        return x
    import ml_dtypes
    info = ml_dtypes.finfo(x.dtype.as_numpy_dtype)
    big = posinf if posinf is not None else float(info.max)
    small = neginf if neginf is not None else float(info.min)
    full = lambda v: fill(_shape(x), _pyconst(v, x))  # noqa: E731
    x = where(_m.is_nan(x), full(nan), x)
    x = where(_m.logical_and(_m.is_inf(x), _m.greater(x, 0)), full(big), x)
    return where(_m.logical_and(_m.is_inf(x), _m.less(x, 0)), full(small), x)


# --- binary -------------------------------------------------------------------------------
# ops whose Keras-TF implementation converts Python scalars to tensors (int32 / float32)
# before promoting, so the scalars are not weak
STRONG = {"arctan2", "hypot", "logaddexp", "logaddexp2", "mod", "fmod", "heaviside", "gcd",
          "lcm", "nextafter", "bitwise_and", "bitwise_or", "bitwise_xor", "left_shift",
          "right_shift", "bitwise_left_shift", "bitwise_right_shift"}

def _binary(name, op, out_float=False, doc=None):
    strong = name in STRONG

    def f(x1, x2):
        if type(x1) is Tensor and type(x2) is Tensor and x1.dtype is x2.dtype and (
                not out_float or x1.dtype.is_floating):
            return op(x1, x2)  # fast path: nothing to convert or promote
        if strong:
            x1, x2 = convert_to_tensor(x1), convert_to_tensor(x2)
        if out_float:
            dt = result_type(dtype_of(x1), dtype_of(x2), float)
            (a, b), _ = promote_all(x1, x2, dtype=dt)
        else:
            (a, b), _ = promote_all(x1, x2)
        return op(a, b)
    f.__doc__ = doc or f"Elementwise ``{name}`` with Keras's dtype promotion."
    return _export(f, name)


def _bool_arith(op):
    """Adds/multiplies bools as Keras does (logical or/and), other dtypes natively."""
    def f(a, b):
        if a.dtype.is_bool:
            return (_m.logical_and if op is _m.multiply else _m.logical_or)(a, b) \
                if op in (_m.multiply, _m.add) else op(cast(a, "int32"), cast(b, "int32"))
        return op(a, b)
    return f


_binary("add", _bool_arith(_m.add))
_binary("subtract", _m.subtract)
_binary("multiply", _bool_arith(_m.multiply))
_binary("divide", _m.truediv, out_float=True)
_binary("true_divide", _m.truediv, out_float=True)
_binary("maximum", lambda a, b: _m.logical_or(a, b) if a.dtype.is_bool else _m.maximum(a, b))
_binary("minimum", lambda a, b: _m.logical_and(a, b) if a.dtype.is_bool else _m.minimum(a, b))
_binary("fmax", lambda a, b: _fminmax(a, b, _m.maximum))
_binary("fmin", lambda a, b: _fminmax(a, b, _m.minimum))
_binary("arctan2", _m.atan2, out_float=True)
_binary("hypot", lambda a, b: _m.sqrt(a * a + b * b), out_float=True)
_binary("logaddexp", lambda a, b: _logaddexp(a, b), out_float=True)
_binary("logaddexp2", lambda a, b: _logaddexp2(a, b), out_float=True)
_binary("equal", _m.equal)
_binary("not_equal", _m.not_equal)
_binary("less", _m.less)
_binary("less_equal", _m.less_equal)
_binary("greater", _m.greater)
_binary("greater_equal", _m.greater_equal)
_binary("nextafter", lambda a, b: cast(_m.nextafter(cast(a, "float64"), cast(b, "float64")),
                                       a.dtype), out_float=True)
_binary("heaviside", lambda a, b: _heaviside(*_int_to_float(a, b)))
_binary("floor_divide", lambda a, b: _m.floordiv(*_nobool(a, b)))
_binary("mod", lambda a, b: _m.floormod(*_nobool(a, b)))
_binary("fmod", lambda a, b: _m.truncatemod(*_nobool(a, b)))


def _int_to_float(a, b):
    """Keras's rule for heaviside: ints up to 32 bits -> floatx, int64 -> float64."""
    d = a.dtype.name
    if d == "int64":
        return cast(a, "float64"), cast(b, "float64")
    if not a.dtype.is_floating:
        return cast(a, floatx()), cast(b, floatx())
    return a, b


def _nobool(a, b):
    if a.dtype.is_bool:
        return cast(a, "int32"), cast(b, "int32")
    return a, b


def _fminmax(a, b, op):
    from ... import where
    if not a.dtype.is_floating:
        return op(a, b)
    out = op(a, b)
    out = where(_m.is_nan(a), b, out)
    return where(_m.is_nan(b), a, out)


def _logaddexp(a, b):
    hi = _m.maximum(a, b)
    return hi + _m.log1p(_m.exp(-_m.abs(a - b)))


def _logaddexp2(a, b):
    ln2 = _pyconst(_pymath.log(2.0), a)
    return _logaddexp(a * ln2, b * ln2) / ln2


def _heaviside(a, b):
    from ... import where, zeros_like, ones_like
    if a.dtype.is_bool or not (a.dtype.is_floating or a.dtype.is_integer):
        pass
    out = where(_m.greater(a, 0), ones_like(a), zeros_like(a))
    return where(_m.equal(a, 0), b + zeros_like(a), out)


def _integers_only(name, a, b, allow_bool):
    ok = all(t.dtype.is_integer or (allow_bool and t.dtype.is_bool) for t in (a, b))
    if not ok:
        raise TypeError(f"Arguments to {name} must be integers. Received: "
                        f"x1.dtype={a.dtype.name}, x2.dtype={b.dtype.name}")


def _gcd(a, b):
    from ... import numpy_function
    _integers_only("gcd", a, b, True)
    if a.dtype.is_bool:
        a, b = cast(a, "int32"), cast(b, "int32")
    return numpy_function(lambda u, v: np.gcd(u, v).astype(u.dtype), [a, b], a.dtype)


def _lcm(a, b):
    from ... import numpy_function
    return numpy_function(lambda u, v: np.lcm(u, v).astype(u.dtype), [a, b], a.dtype)


@_export
def gcd(x1, x2):
    """Greatest common divisor of integer inputs."""
    t1, t2 = convert_to_tensor(x1), convert_to_tensor(x2)
    _integers_only("gcd", t1, t2, True)
    (a, b), _ = promote_all(t1, t2)
    return _gcd(a, b)


@_export
def lcm(x1, x2):
    """Least common multiple of integer (not bool) inputs."""
    t1, t2 = convert_to_tensor(x1), convert_to_tensor(x2)
    _integers_only("lcm", t1, t2, False)
    (a, b), _ = promote_all(t1, t2)
    return _lcm(a, b)


@_export
def power(x1, x2):
    """``x1 ** x2`` with Keras's promotion."""
    (a, b), _ = promote_all(x1, x2)
    if a.dtype.is_bool:
        a, b = cast(a, "int32"), cast(b, "int32")
    return _m.pow(a, b)


@_export
def divide_no_nan(x1, x2):
    """``x1 / x2``, 0 where ``x2`` is 0."""
    dt = result_type(dtype_of(x1), dtype_of(x2), float)
    (a, b), _ = promote_all(x1, x2, dtype=dt)
    return _m.divide_no_nan(a, b)


@_export
def ldexp(x1, x2):
    """``x1 * 2 ** x2`` (``x2`` integer)."""
    x1 = to_float(x1) if not isinstance(x1, float) else convert_to_tensor(x1, floatx())
    x2 = convert_to_tensor(x2)
    if x2.dtype.is_floating:
        raise TypeError("ldexp exponent must be an integer type.")
    return x1 * _m.pow(_pyconst(2.0, x1), cast(x2, x1.dtype))


def _logical(name, op):
    def f(x1, x2):
        return op(cast(convert_to_tensor(x1), "bool"), cast(convert_to_tensor(x2), "bool"))
    f.__doc__ = f"Elementwise ``{name}`` of the inputs as bools."
    return _export(f, name)


_logical("logical_and", _m.logical_and)
_logical("logical_or", _m.logical_or)
_logical("logical_xor", _m.logical_xor)


def _bitwise(name, opname):
    def f(x, y):
        from ... import bitwise
        (a, b), _ = promote_all(x, y, strong=True)
        if a.dtype.is_bool:
            logic = {"bitwise_and": _m.logical_and, "bitwise_or": _m.logical_or,
                     "bitwise_xor": _m.logical_xor}
            if opname in logic:
                return logic[opname](a, b)
        return getattr(bitwise, opname)(a, b)
    f.__doc__ = f"Elementwise ``{name}`` of integer inputs."
    return _export(f, name)


for _n, _o in {"bitwise_and": "bitwise_and", "bitwise_or": "bitwise_or",
               "bitwise_xor": "bitwise_xor", "bitwise_left_shift": "left_shift",
               "left_shift": "left_shift", "bitwise_right_shift": "right_shift",
               "right_shift": "right_shift"}.items():
    _bitwise(_n, _o)


@_export
def clip(x, x_min, x_max):
    """Clamps ``x`` into [x_min, x_max] (bool inputs clip as int32)."""
    x = convert_to_tensor(x)
    if x.dtype.is_bool:
        x = cast(x, "int32")
    dt = result_type(x.dtype.name, dtype_of(x_min), dtype_of(x_max))
    x = convert_to_tensor(x, dt)
    return _m.minimum(_m.maximum(x, convert_to_tensor(x_min, dt)), convert_to_tensor(x_max, dt))


@_export
def isclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Where ``|x1 - x2| <= atol + rtol * |x2|``."""
    (a, b), _ = promote_all(x1, x2)
    if not a.dtype.is_floating:     # Keras: integers and bools compare exactly
        return _m.equal(a, b)
    close = _m.less_equal(_m.abs(a - b), atol + rtol * _m.abs(b))
    if a.dtype.is_floating:
        close = _m.logical_or(close, _m.equal(a, b))
        if equal_nan:
            close = _m.logical_or(close, _m.logical_and(_m.is_nan(a), _m.is_nan(b)))
    return close


@_export
def allclose(x1, x2, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether every element is close."""
    return _m.reduce_all(isclose(x1, x2, rtol, atol, equal_nan))
