"""Differential cases: elementwise math, operators, reductions, scans, casts."""
from __future__ import annotations

import operator

import numpy as np

from .inputs import ALL, COMPLEX, FLOATS, CaseList, arr, const, grad

# unary op -> (value range, namespace); ``None`` range: the default [-3, 3]
UNARY = {
    "abs": None, "negative": None, "sign": None, "square": None, "reciprocal": (0.5, 3),
    "sqrt": (0.1, 4), "rsqrt": (0.1, 4), "exp": None, "expm1": None, "log": (0.1, 4),
    "log1p": (0.1, 4), "sin": None, "cos": None, "tan": (-1.2, 1.2), "asin": (-0.9, 0.9),
    "acos": (-0.9, 0.9), "atan": None, "sinh": None, "cosh": None, "tanh": None,
    "asinh": None, "acosh": (1.1, 4), "atanh": (-0.9, 0.9), "sigmoid": None, "erf": None,
    "erfc": None, "erfinv": (-0.9, 0.9), "lgamma": (0.2, 4), "digamma": (0.2, 4),
    "floor": None, "ceil": None, "round": None, "rint": None, "is_nan": None,
    "is_inf": None, "is_finite": None, "logical_not": None, "softplus": None,
    "log_sigmoid": None, "real": None, "imag": None, "conj": None, "angle": None,
}
BINARY = ["add", "subtract", "multiply", "divide", "truediv", "floordiv", "floormod",
          "truncatediv", "truncatemod", "pow", "maximum", "minimum", "atan2", "xlogy",
          "xdivy", "divide_no_nan", "squared_difference", "equal", "not_equal", "less",
          "less_equal", "greater", "greater_equal", "logical_and", "logical_or",
          "logical_xor", "complex"]
DIVISION = {"divide", "truediv", "floordiv", "floormod", "truncatediv", "truncatemod",
            "xdivy"}
TOPLEVEL = {"complex", "truncatediv", "truncatemod"}  # not in tf.math
BITWISE = ["bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"]
OPERATORS = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
             "truediv": operator.truediv, "floordiv": operator.floordiv,
             "mod": operator.mod, "pow": operator.pow, "lt": operator.lt,
             "le": operator.le, "gt": operator.gt, "ge": operator.ge, "and": operator.and_,
             "or": operator.or_, "xor": operator.xor}
REDUCE = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod",
          "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_std", "reduce_variance",
          "reduce_euclidean_norm", "argmax", "argmin", "count_nonzero"]
RDTYPES = ("float16", "bfloat16", "float32", "float64", "int32", "int64", "uint8", "bool",
           "complex64")
DIFFERENTIABLE = {"abs", "negative", "square", "reciprocal", "sqrt", "rsqrt", "exp",
                  "expm1", "log", "log1p", "sin", "cos", "tan", "asin", "acos", "atan",
                  "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf",
                  "erfc", "erfinv", "lgamma", "digamma", "softplus", "log_sigmoid",
                  "sign", "floor", "round"}


def _unary(c):
    for op, rng_ in UNARY.items():
        lo, hi = rng_ or (-3, 3)
        for dt in ALL:
            x = arr(op, (2, 3), dt, lo, hi)
            c.add(f"unary/{op}/{dt}", lambda T, op=op, x=x, dt=dt: getattr(T.math, op)(
                const(T, x, dt)))
        x0 = arr(op, (0, 3), "float32", lo, hi)
        c.add(f"unary/{op}/empty", lambda T, op=op, x=x0: getattr(T.math, op)(T.constant(x)))
        xs = np.float32((lo + hi) / 2)
        c.add(f"unary/{op}/scalar", lambda T, op=op, x=xs: getattr(T.math, op)(T.constant(x)))
        c.add(f"unary/{op}/pylist", lambda T, op=op, lo=lo: getattr(T.math, op)(
            [lo + 0.5, lo + 1.0]))
        special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5],
                           np.float32)
        c.add(f"unary/{op}/special", lambda T, op=op, x=special: getattr(T.math, op)(
            T.constant(x)))
        if op in DIFFERENTIABLE:
            for dt in ("float32", "float64"):
                x = arr(op + "g", (2, 3), dt, lo, hi)
                c.add(f"grad/{op}/{dt}", lambda T, op=op, x=x: grad(
                    T, getattr(T.math, op), x), tol=(1e-4, 1e-5))
            xi = arr(op + "gi", (3,), "int32", max(lo, 1), hi)
            c.add(f"grad/{op}/int32", lambda T, op=op, x=xi: grad(T, getattr(T.math, op), x))
    for op in ("abs", "square", "exp", "sqrt", "conj", "real", "imag", "log"):
        x = arr(op + "gc", (3,), "complex128", 0.5, 2)
        c.add(f"grad/{op}/complex128", lambda T, op=op, x=x: grad(
            T, lambda a: T.math.real(getattr(T.math, op)(a) * T.math.conj(
                getattr(T.math, op)(a))), x))


class _NS:
    """``T.math`` with the few binary ops TF keeps only at top level."""

    def __init__(self, T):
        self.T = T

    def __getattr__(self, name):
        return getattr(self.T if name in TOPLEVEL else self.T.math, name)


def _binary(c):
    for op in BINARY + BITWISE:
        ns = "bitwise" if op in BITWISE else "math"
        lo2 = 1 if op in DIVISION or op in ("left_shift", "right_shift") else -3
        for dt in ALL:
            x = arr(op + "x", (2, 3), dt, -4, 4)
            y = arr(op + "y", (3,), dt, lo2, 3)
            if op in DIVISION and dt not in ("bool",):
                y = y if dt in FLOATS or dt in COMPLEX else np.where(
                    arr(op + "s", (3,), "bool"), y, -y if dt != "uint8" else y).astype(y.dtype)
            c.add(f"binary/{op}/{dt}", lambda T, op=op, x=x, y=y, dt=dt, ns=ns: getattr(
                _NS(T) if ns == "math" else T.bitwise, op)(const(T, x, dt), const(T, y, dt)))
        if ns == "bitwise":
            continue
        f = arr(op + "f", (2, 3), "float32", 0.5, 3)
        for shp in (((2, 1), (1, 3)), ((0, 3), (3,)), ((), (2, 3)), ((2, 3), (4,)),
                    ((1, 0), (3, 1))):
            a, b = arr(op + "a", shp[0], "float32", 0.5, 3), arr(op + "b", shp[1],
                                                               "float32", 0.5, 3)
            c.add(f"bcast/{op}/{shp[0]}x{shp[1]}", lambda T, op=op, a=a, b=b: getattr(
                _NS(T), op)(T.constant(a), T.constant(b)))
        for s in (2, 2.5, True):
            c.add(f"pyscalar/{op}/f32+{s!r}", lambda T, op=op, f=f, s=s: getattr(_NS(T), op)(
                T.constant(f), s))
            c.add(f"pyscalar/{op}/{s!r}+f32", lambda T, op=op, f=f, s=s: getattr(_NS(T), op)(
                s, T.constant(f)))
            i = arr(op + "i", (3,), "int32", 1, 4)
            c.add(f"pyscalar/{op}/i32+{s!r}", lambda T, op=op, i=i, s=s: getattr(_NS(T), op)(
                T.constant(i), s))
        c.add(f"pyscalar/{op}/both", lambda T, op=op: getattr(_NS(T), op)(3, 2))
        c.add(f"pyscalar/{op}/lists", lambda T, op=op: getattr(_NS(T), op)(
            [1.0, 2.0], [3.0, 0.5]))
        for d1, d2 in (("float32", "float64"), ("int32", "float32"), ("int32", "int64"),
                       ("float16", "float32")):
            a, b = arr(op + d1, (3,), d1, 1, 3), arr(op + d2, (3,), d2, 1, 3)
            c.add(f"mixed/{op}/{d1}+{d2}", lambda T, op=op, a=a, b=b: getattr(_NS(T), op)(
                T.constant(a), T.constant(b)))
        if op in ("floordiv", "floormod", "truncatediv", "truncatemod", "divide_no_nan",
                  "divide", "xdivy"):
            for dt in ("int32", "int64", "float32"):
                a = np.array([3, -3, 0, 7], dt)
                b = np.array([0, 2, 0, -2], dt)
                c.add(f"divzero/{op}/{dt}", lambda T, op=op, a=a, b=b: getattr(_NS(T), op)(
                    T.constant(a), T.constant(b)))
        if op in ("add", "subtract", "multiply", "divide", "pow", "maximum", "minimum",
                  "atan2", "xlogy", "xdivy", "divide_no_nan", "squared_difference",
                  "floormod", "truncatemod"):
            a = arr(op + "ga", (2, 3), "float32", 0.5, 3)
            b = arr(op + "gb", (3,), "float32", 0.5, 3)
            c.add(f"grad/{op}/bcast", lambda T, op=op, a=a, b=b: grad(
                T, getattr(_NS(T), op), a, b), tol=(1e-4, 1e-5))
            c.add(f"grad/{op}/f64", lambda T, op=op, a=a, b=b: grad(
                T, getattr(_NS(T), op), a.astype(np.float64), b.astype(np.float64)))
    c.add("special/pow_int_neg", lambda T: T.pow(T.constant([2, 3]), T.constant([-1, 2])))
    c.add("special/pow_zero", lambda T: grad(T, lambda a, b: T.pow(a, b),
                                             np.array([0.0, 0.0, 2.0], np.float32),
                                             np.array([2.0, 0.0, 0.0], np.float32)))
    c.add("special/xlogy00", lambda T: grad(T, T.math.xlogy, np.array([0.0, 1.0], np.float32),
                                            np.array([0.0, 0.0], np.float32)))
    c.add("special/maxgrad_tie", lambda T: grad(T, T.maximum, np.array([1.0, 2.0], np.float32),
                                                np.array([1.0, 1.0], np.float32)))
    c.add("special/mingrad_tie", lambda T: grad(T, T.minimum, np.array([1.0, 2.0], np.float32),
                                                np.array([1.0, 1.0], np.float32)))
    c.add("special/absgrad0", lambda T: grad(T, T.abs, np.array([0.0, -1.0], np.float32)))
    c.add("special/sqrtgrad0", lambda T: grad(T, T.sqrt, np.array([0.0, 1.0], np.float32)))
    c.add("special/floordiv_neg", lambda T: T.math.floordiv(
        T.constant([-7, 7, -7, 7]), T.constant([2, -2, -2, 2])))
    c.add("special/floormod_negf", lambda T: T.math.floormod(
        T.constant([-7.5, 7.5, -7.5]), T.constant([2.0, -2.0, -2.0])))
    c.add("special/truncmod_neg", lambda T: T.truncatemod(
        T.constant([-7, 7, -7]), T.constant([2, -2, -2])))
    c.add("special/uint8_wrap", lambda T: T.add(T.constant(np.array([250], np.uint8)),
                                                T.constant(np.array([10], np.uint8))))
    c.add("special/int8_overflow_scalar", lambda T: T.add(
        T.constant(np.array([1], np.int8)), 300))
    c.add("special/mul_bool", lambda T: T.multiply(T.constant([True, False]),
                                                   T.constant([True, True])))


def _operators(c):
    for dt in ("float32", "int32", "bool", "float16", "int64", "uint8", "complex64"):
        x, y = arr("opx", (2, 3), dt, 1, 4), arr("opy", (3,), dt, 1, 3)
        for name, f in OPERATORS.items():
            c.add(f"operator/{name}/{dt}", lambda T, f=f, x=x, y=y: f(T.constant(x),
                                                                        T.constant(y)))
            c.add(f"operator/{name}/{dt}+2", lambda T, f=f, x=x: f(T.constant(x), 2))
            c.add(f"operator/{name}/2+{dt}", lambda T, f=f, x=x: f(2, T.constant(x)))
            c.add(f"operator/{name}/{dt}+1.5", lambda T, f=f, x=x: f(T.constant(x), 1.5))
            c.add(f"operator/{name}/{dt}+np", lambda T, f=f, x=x, y=y: f(T.constant(x), y))
            c.add(f"operator/{name}/np+{dt}", lambda T, f=f, x=x, y=y: f(y, T.constant(x)))
        c.add(f"operator/neg/{dt}", lambda T, x=x: -T.constant(x))
        c.add(f"operator/abs/{dt}", lambda T, x=x: abs(T.constant(x)))
        c.add(f"operator/invert/{dt}", lambda T, x=x: ~T.constant(x))
        c.add(f"operator/eq/{dt}", lambda T, x=x, y=y: T.constant(x) == T.constant(y))
        c.add(f"operator/ne/{dt}", lambda T, x=x, y=y: T.constant(x) != T.constant(y))
        c.add(f"operator/eq_bad/{dt}", lambda T, x=x: T.constant(x) == T.constant(x[:, :2]))
        c.add(f"operator/matmul/{dt}", lambda T, x=x: T.constant(x) @ T.transpose(
            T.constant(x)))
    c.add("operator/int_div_int8", lambda T: T.constant(np.array([3, 4], np.int8)) / 2)
    c.add("operator/int_div_int16", lambda T: T.constant(np.array([3, 4], np.int16)) / 2)
    c.add("operator/int_div_int64", lambda T: T.constant(np.array([3, 4], np.int64)) / 2)
    c.add("operator/int_div_uint8", lambda T: T.constant(np.array([3, 4], np.uint8)) / 2)
    c.add("operator/rpow_int", lambda T: 2 ** T.constant([1, 2, 3]))
    c.add("operator/pow_float_exp_int", lambda T: T.constant([1, 2, 3]) ** 0.5)
    c.add("operator/large_int_scalar", lambda T: T.constant([1, 2]) + 2 ** 40)
    c.add("operator/f16_plus_big", lambda T: T.constant(np.array([1.0], np.float16)) + 1e6)
    c.add("operator/bool_plus_int", lambda T: T.constant([True]) + 1)
    c.add("operator/tensor_plus_list", lambda T: T.constant([1.0, 2.0]) + [1, 2])
    c.add("operator/variable_add", lambda T: T.Variable([1.0, 2.0]) + 1)
    c.add("operator/variable_matmul", lambda T: T.Variable([[1.0, 2.0]]) @ T.constant(
        [[1.0], [2.0]]))
    c.add("operator/getitem_variable", lambda T: T.Variable([[1.0, 2.0], [3.0, 4.0]])[1, :1])


def _reductions(c):
    for op in REDUCE:
        ns = "math"
        for dt in RDTYPES:
            x = arr(op, (2, 3, 4), dt, -3, 3)
            for tag, kw in (("none", {}), ("ax0", {"axis": 0}), ("ax-1", {"axis": -1}),
                            ("ax01", {"axis": [0, -1]}), ("keep", {"axis": 1, "keepdims": True}),
                            ("keepall", {"keepdims": True})):
                if op in ("argmax", "argmin") and ("keepdims" in kw or
                                                   isinstance(kw.get("axis"), list)):
                    continue
                c.add(f"reduce/{op}/{dt}/{tag}", lambda T, op=op, x=x, dt=dt, kw=kw, ns=ns:
                      getattr(getattr(T, ns), op)(const(T, x, dt), **kw))
        x0 = np.zeros((0, 3), np.float32)
        for tag, kw in (("empty0", {"axis": 0}), ("emptyall", {}), ("empty1", {"axis": 1})):
            c.add(f"reduce/{op}/{tag}", lambda T, op=op, x=x0, kw=kw: getattr(T.math, op)(
                T.constant(x), **kw))
        x = arr(op, (2, 3), "float32")
        c.add(f"reduce/{op}/badaxis", lambda T, op=op, x=x: getattr(T.math, op)(
            T.constant(x), axis=2))
        c.add(f"reduce/{op}/tensoraxis", lambda T, op=op, x=x: getattr(T.math, op)(
            T.constant(x), axis=T.constant(1)))
        c.add(f"reduce/{op}/scalar", lambda T, op=op: getattr(T.math, op)(T.constant(3.0)))
        c.add(f"reduce/{op}/list", lambda T, op=op: getattr(T.math, op)([[1.0, 2.0], [3.0, 5.0]],
                                                                        axis=0))
        c.add(f"reduce/{op}/nan", lambda T, op=op: getattr(T.math, op)(
            T.constant([1.0, np.nan, 2.0]), 0))
        if op not in ("reduce_all", "reduce_any", "argmax", "argmin", "count_nonzero"):
            g = arr(op + "g", (2, 3), "float32", 0.5, 2)
            g[0, 1] = g[0, 2]  # a tie for max/min
            c.add(f"grad/{op}/ax1", lambda T, op=op, g=g: grad(
                T, lambda a: getattr(T.math, op)(a, axis=1) * T.constant([1.0, 2.0]), g),
                tol=(1e-4, 1e-5))
            c.add(f"grad/{op}/all", lambda T, op=op, g=g: grad(
                T, lambda a: getattr(T.math, op)(a), g), tol=(1e-4, 1e-5))
    for ot in ("int32", "int64", "int16", "uint8"):
        c.add(f"reduce/argmax/out_{ot}", lambda T, ot=ot: T.math.argmax(
            T.constant([[1, 3], [4, 2]]), axis=1, output_type=getattr(T, ot)))
    c.add("reduce/argmax/ties", lambda T: T.argmax(T.constant([1.0, 3.0, 3.0, 0.0])))
    c.add("reduce/count_nonzero/dtype", lambda T: T.math.count_nonzero(
        T.constant([0.0, 1.0, 2.0]), dtype=T.int32))
    c.add("reduce/count_nonzero/bool", lambda T: T.math.count_nonzero([True, False, True]))
    c.add("reduce/sum/int8_overflow", lambda T: T.reduce_sum(
        T.constant(np.array([100, 100], np.int8))))
    c.add("reduce/mean/int_trunc", lambda T: T.reduce_mean(T.constant([1, 2])))
    c.add("reduce/mean/uint8", lambda T: T.reduce_mean(T.constant(np.array([255, 255], np.uint8))))
    c.add("reduce/logsumexp/inf", lambda T: T.reduce_logsumexp(
        T.constant([-np.inf, -np.inf]), 0))
    c.add("reduce/max/bool", lambda T: T.reduce_max(T.constant([True, False])))
    c.add("reduce/sum/dup_axis", lambda T: T.reduce_sum(T.ones((2, 3)), axis=[1, -1]))


def _scans_casts(c):
    x = arr("scan", (2, 3), "float32", 0.5, 2)
    for op in ("cumsum", "cumprod", "cumulative_logsumexp"):
        for tag, kw in (("ax0", {"axis": 0}), ("ax-1", {"axis": -1}),
                        ("excl", {"axis": 1, "exclusive": True}),
                        ("rev", {"axis": 1, "reverse": True}),
                        ("both", {"axis": 0, "exclusive": True, "reverse": True})):
            c.add(f"scan/{op}/{tag}", lambda T, op=op, kw=kw: getattr(T.math, op)(
                T.constant(x), **kw))
            c.add(f"grad/{op}/{tag}", lambda T, op=op, kw=kw: grad(
                T, lambda a: getattr(T.math, op)(a, **kw) * T.constant([1.0, 2.0, 3.0]), x),
                tol=(1e-4, 1e-5))
        for dt in ("int32", "float16", "float64", "uint8", "bool", "complex64"):
            xi = arr("scan" + dt, (4,), dt, 0, 3)
            c.add(f"scan/{op}/{dt}", lambda T, op=op, xi=xi: getattr(T.math, op)(T.constant(xi)))
        c.add(f"scan/{op}/badaxis", lambda T, op=op: getattr(T.math, op)(T.constant(x), 2))
        c.add(f"scan/{op}/empty", lambda T, op=op: getattr(T.math, op)(T.zeros((0, 2)), 0))
    vals = np.array([-2.7, -0.5, 0.0, 0.5, 1.5, 300.0, -300.0, 1e10, np.nan, np.inf],
                    np.float32)
    for src in ("float32", "float64", "int32", "bool", "int64", "uint8", "complex64",
                "float16"):
        for dst in ALL:
            if src in ("float32", "float64", "float16"):
                v = vals[:7].astype(src)
            elif src == "complex64":
                v = (vals[:7] + 2j).astype(src)
            else:
                v = arr("cast" + src, (5,), src, 0, 200)
            c.add(f"cast/{src}->{dst}", lambda T, v=v, dst=dst: T.cast(T.constant(v),
                                                                     getattr(T, dst)))
            c.add(f"saturate_cast/{src}->{dst}", lambda T, v=v, dst=dst: T.dtypes.saturate_cast(
                T.constant(v), getattr(T, dst)) if hasattr(T, "dtypes") and hasattr(
                    T.dtypes, "saturate_cast") else T.saturate_cast(T.constant(v),
                                                                   getattr(T, dst)))
    c.add("cast/python_list", lambda T: T.cast([1.7, -1.2], T.int32))
    c.add("cast/string_name", lambda T: T.cast([1, 2], "float32"))
    c.add("cast/np_dtype", lambda T: T.cast([1, 2], np.float64))
    c.add("cast/grad_f32_f64", lambda T: grad(T, lambda a: T.cast(a, T.float64) ** 2,
                                              np.array([1.0, 2.0], np.float32)))
    c.add("cast/grad_f32_i32", lambda T: grad(T, lambda a: T.cast(T.cast(a, T.int32),
                                                                  T.float32), np.ones(2, np.float32)))
    c.add("grad/unconnected_zero", lambda T: grad(T, lambda a, b: a * 2,
                                                  np.ones(2, np.float32), np.ones(3, np.float32),
                                                  unconnected="ZERO"))
    c.add("grad/unconnected_none", lambda T: grad(T, lambda a, b: a * 2,
                                                  np.ones(2, np.float32), np.ones(3, np.float32)))
    c.add("grad/stop_gradient", lambda T: grad(T, lambda a: T.stop_gradient(a) * a,
                                               np.array([2.0, 3.0], np.float32)))
    c.add("grad/int_source", lambda T: grad(T, lambda a: a * 2, np.array([1, 2], np.int32)))
    c.add("grad/bf16", lambda T: grad(T, lambda a: T.exp(a), np.array([1.0, 2.0], np.float32),
                                      dtype="bfloat16"))


def cases():
    c = CaseList()
    _unary(c)
    _binary(c)
    _operators(c)
    _reductions(c)
    _scans_casts(c)
    return c.items
