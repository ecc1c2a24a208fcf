"""Differential cases for ``keras.ops`` / ``keras.random`` / ``keras.tree``: each is a
function of the Keras module ``K`` (real Keras 3 on TF, or ``cf.keras``) on identical
NumPy inputs. ``make_fixture.py`` stores Keras-TF's results; test_keras_ops.py compares."""
from __future__ import annotations

import numpy as np

from tests.tf_compat.inputs import CaseList, arr

DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int32", "int64", "uint8",
          "bool")

UNARY = {
    "abs": None, "absolute": None, "negative": None, "sign": None, "square": None,
    "sqrt": (0.1, 4), "rsqrt": (0.1, 4), "reciprocal": (0.5, 3), "exp": None, "exp2": None,
    "expm1": None, "log": (0.1, 4), "log1p": (0.1, 4), "log2": (0.1, 4), "log10": (0.1, 4),
    "sin": None, "cos": None, "tan": (-1.2, 1.2), "arcsin": (-0.9, 0.9),
    "arccos": (-0.9, 0.9), "arctan": None, "sinh": None, "cosh": None, "tanh": None,
    "arcsinh": None, "arccosh": (1.1, 4), "arctanh": (-0.9, 0.9), "sigmoid": None,
    "erf": None, "erfc": None, "erfinv": (-0.9, 0.9), "floor": None, "ceil": None,
    "round": None, "trunc": None, "cbrt": None, "deg2rad": None, "rad2deg": None,
    "fabs": None, "isnan": None, "isinf": None, "isfinite": None, "isposinf": None,
    "isneginf": None, "signbit": None, "logical_not": None, "sinc": None, "i0": None,
    "real": None, "imag": None, "conj": None, "angle": None, "copy": None, "isreal": None,
    "relu": None, "relu6": None, "elu": None, "selu": None, "gelu": None, "silu": None,
    "swish": None, "softplus": None, "softsign": None, "log_sigmoid": None,
    "hard_sigmoid": None, "hard_silu": None, "hard_swish": None, "hard_tanh": None,
    "leaky_relu": None, "celu": None, "glu": None, "tanh_shrink": None, "hard_shrink": None,
    "soft_shrink": None, "squareplus": None, "sparse_plus": None, "sparse_sigmoid": None,
    "softmax": None, "log_softmax": None, "sparsemax": None, "ravel": None,
    "bitwise_invert": None, "nan_to_num": None,
}
BINARY = ["add", "subtract", "multiply", "divide", "true_divide", "power", "maximum",
          "minimum", "fmax", "fmin", "arctan2", "hypot", "logaddexp", "logaddexp2", "equal",
          "not_equal", "less", "less_equal", "greater", "greater_equal", "floor_divide",
          "mod", "fmod", "heaviside", "logical_and", "logical_or", "logical_xor",
          "divide_no_nan", "nextafter", "matmul", "dot", "outer", "inner", "vdot",
          "kron", "isclose", "allclose", "append", "bitwise_and", "bitwise_or", "bitwise_xor",
          "gcd", "lcm"]
# dtype pairs: tensors of the two dtypes, or a tensor and a Python scalar ("py_int"...)
PAIRS = [("float32", "float32"), ("int32", "float32"), ("int32", "int32"),
         ("int8", "uint8"), ("int64", "float16"), ("float16", "float32"),
         ("bool", "int32"), ("float64", "float32"), ("int16", "uint16"),
         ("float32", "py_int"), ("int32", "py_float"), ("float16", "py_float"),
         ("py_int", "int8"), ("bool", "py_int"), ("uint8", "py_int"), ("bfloat16", "py_float"),
         ("bfloat16", "float16")]
REDUCE = ["sum", "prod", "mean", "max", "min", "amax", "amin", "std", "var", "argmax",
          "argmin", "any", "all", "count_nonzero", "median", "ptp", "logsumexp", "nansum",
          "nanmean", "nanmax", "nanmin", "nanstd", "nanvar", "nanprod", "nanargmax",
          "nanargmin", "nanmedian"]
RDTYPES = ("float16", "float32", "float64", "int8", "int32", "uint8", "bool")


def tensor(K, a, dtype):
    if dtype == "bfloat16":
        return K.ops.cast(np.asarray(a, np.float32), "bfloat16")
    return K.ops.convert_to_tensor(a)


def operand(K, key, dtype, lo=-3.0, hi=3.0, shape=(2, 3)):
    if dtype == "py_int":
        return 2
    if dtype == "py_float":
        return 1.5
    return tensor(K, arr(key, shape, dtype, lo, hi), dtype)


def _unary(c):
    for op, rng in UNARY.items():
        lo, hi = rng or (-3, 3)
        for dt in DTYPES:
            a = arr(op, (2, 4), dt, lo, hi)
            c.add(f"unary/{op}/{dt}", lambda K, op=op, a=a, dt=dt: getattr(K.ops, op)(
                tensor(K, a, dt)))
        sp = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5],
                      np.float32)
        c.add(f"unary/{op}/special", lambda K, op=op, a=sp: getattr(K.ops, op)(a))
        c.add(f"unary/{op}/pylist", lambda K, op=op, lo=lo: getattr(K.ops, op)(
            [lo + 0.5, lo + 1.0]))


def _binary(c):
    for op in BINARY:
        mm = op in ("matmul", "dot", "inner", "kron")
        for d1, d2 in PAIRS:
            s1, s2 = ((2, 3), (3, 2)) if op in ("matmul", "dot") else ((2, 3), (2, 3))
            c.add(f"binary/{op}/{d1}+{d2}", lambda K, op=op, d1=d1, d2=d2, s1=s1, s2=s2:
                  getattr(K.ops, op)(operand(K, op + "a", d1, 1 if mm else -3, 4, s1),
                                     operand(K, op + "b", d2, 1, 4, s2)))
        c.add(f"binary/{op}/bcast", lambda K, op=op: getattr(K.ops, op)(
            arr(op + "x", (2, 1, 3), "float32", 0.5, 3), arr(op + "y", (3,), "float32", 0.5, 3)))


def _reduce(c):
    for op in REDUCE:
        for dt in RDTYPES:
            a = arr(op, (2, 3, 4), dt, -3, 3)
            for ax in (None, 1, -1, (0, 2)):
                if op in ("argmax", "argmin", "nanargmax", "nanargmin") and isinstance(
                        ax, tuple):
                    continue
                c.add(f"reduce/{op}/{dt}/{ax}", lambda K, op=op, a=a, dt=dt, ax=ax:
                      getattr(K.ops, op)(tensor(K, a, dt), axis=ax))
            c.add(f"reduce/{op}/{dt}/keep", lambda K, op=op, a=a, dt=dt: getattr(K.ops, op)(
                tensor(K, a, dt), axis=1, keepdims=True)
                if op != "count_nonzero" else K.ops.count_nonzero(tensor(K, a, dt), 1))
        nan = np.array([[1.0, np.nan, 3.0], [np.nan, np.nan, 2.0]], np.float32)
        c.add(f"reduce/{op}/nan", lambda K, op=op, a=nan: getattr(K.ops, op)(a, axis=1))


def cases():
    """Every case: [(name, fn(K), tol)]."""
    from . import cases_more
    c = CaseList()
    _unary(c)
    _binary(c)
    _reduce(c)
    cases_more.add(c)
    names = [n for n, _, _ in c.items]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise ValueError(f"duplicate case names: {sorted(dup)[:5]}")
    return c.items
