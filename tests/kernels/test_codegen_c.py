"""The C target of the elementwise codegen (render_c + cpu/native): every op it spells
against NumPy, broadcasting, several outputs, integer and bool dtypes, NaN rules."""
from __future__ import annotations

import numpy as np
import pytest
import scipy.special
from cuflow_kernels.codegen import cache, render_c
from cuflow_kernels.codegen.expr import Const, In, Op, Program
from cuflow_kernels.codegen.fused import FusedKernel
from cuflow_kernels.cpu import native

pytestmark = pytest.mark.skipif(not native.available(), reason="no C compiler")


@pytest.fixture(autouse=True)
def _c_target(monkeypatch):
    from cuflow_kernels.codegen import fused
    monkeypatch.setattr(fused, "CPU_TARGET", "c")


_F = {"sqrt": np.sqrt, "exp": np.exp, "expm1": np.expm1, "log": np.log, "log1p": np.log1p,
      "sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin, "acos": np.arccos,
      "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
      "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "floor": np.floor,
      "ceil": np.ceil, "rint": np.rint, "round": np.rint, "trunc": np.trunc,
      "erf": scipy.special.erf, "erfc": scipy.special.erfc, "negative": np.negative,
      "abs": np.abs, "square": np.square, "rsqrt": lambda x: 1 / np.sqrt(x),
      "reciprocal": np.reciprocal, "sigmoid": scipy.special.expit,
      "relu": lambda x: np.maximum(x, 0), "relu6": lambda x: np.minimum(np.maximum(x, 0), 6),
      "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
      "softplus": lambda x: np.logaddexp(x, 0), "sign": np.sign, "identity": lambda x: x,
      "stop_gradient": lambda x: x, "conj": lambda x: x, "real": lambda x: x,
      "is_nan": np.isnan, "is_inf": np.isinf, "is_finite": np.isfinite,
      "add": np.add, "subtract": np.subtract, "multiply": np.multiply,
      "truediv": np.true_divide, "maximum": np.maximum, "minimum": np.minimum,
      "atan2": np.arctan2, "floordiv": lambda a, b: np.floor(a / b),
      "relu_grad": lambda g, x: g * (x > 0), "relu6_grad": lambda g, x: g * ((x > 0) & (x < 6)),
      "equal": np.equal, "not_equal": np.not_equal,
      "less": np.less, "less_equal": np.less_equal, "greater": np.greater,
      "greater_equal": np.greater_equal}
_BOOL = {"logical_and": np.logical_and, "logical_or": np.logical_or,
         "logical_xor": np.logical_xor, "logical_not": np.logical_not}
_INT = {"bitwise_and": np.bitwise_and, "bitwise_or": np.bitwise_or,
        "bitwise_xor": np.bitwise_xor, "invert": np.invert}
_DOMAIN = {"acosh": (1.0, 4.0), "asin": (-0.99, 0.99), "acos": (-0.99, 0.99),
           "atanh": (-0.99, 0.99), "log": (0.1, 4.0), "sqrt": (0.1, 4.0),
           "rsqrt": (0.1, 4.0), "log1p": (-0.9, 4.0)}


def test_every_spelling_has_a_numpy_check():
    assert set(render_c.CODE_FOR_OP) - {"select", "cast"} == set(_F) | set(_BOOL) | set(_INT)


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(_F))
def test_float_op_matches_numpy(name, dt):
    fn = _F[name]
    nargs = fn.nin if isinstance(fn, np.ufunc) else fn.__code__.co_argcount
    lo, hi = _DOMAIN.get(name, (-3.0, 3.0))
    rng = np.random.default_rng(0)
    args = [rng.uniform(lo, hi, (5, 9)).astype(dt) for _ in range(nargs)]
    if name == "floordiv":
        args[1] = np.where(np.abs(args[1]) < 0.3, 1.0, args[1]).astype(dt)
    want = np.asarray(fn(*args))
    out_dt = want.dtype.name if want.dtype != np.float64 or dt == "float64" else dt
    prog = Program([dt] * nargs, [Op(name, [In(i, dt) for i in range(nargs)], out_dt)])
    k = FusedKernel(prog)
    got = k(*args)
    assert got.dtype == np.dtype(out_dt) and [kk.target for kk in k.kernels] == ["c"]
    tol = 2e-6 if dt == "float32" else 1e-13
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol,
                               atol=tol)


@pytest.mark.parametrize("name", sorted(_BOOL))
def test_bool_ops(name):
    fn = _BOOL[name]
    rng = np.random.default_rng(1)
    args = [rng.random((4, 6)) > 0.5 for _ in range(fn.nin)]
    prog = Program(["bool"] * fn.nin, [Op(name, [In(i, "bool") for i in range(fn.nin)],
                                          "bool")])
    got = FusedKernel(prog)(*args)
    assert got.dtype == np.bool_ and np.array_equal(got, fn(*args))


@pytest.mark.parametrize("dt", ["int8", "int32", "int64", "uint8", "uint64"])
def test_int_ops_keep_dtypes_and_floor_division(dt):
    rng = np.random.default_rng(2)
    a = rng.integers(-50 if dt[0] == "i" else 0, 50, (3, 7)).astype(dt)
    b = rng.integers(1, 9, (3, 7)).astype(dt)
    if dt[0] == "i":
        b[0, :3] = -b[0, :3]
    i, j = In(0, dt), In(1, dt)
    outs = [Op("bitwise_xor", [i, j], dt), Op("invert", [i], dt), Op("floordiv", [i, j], dt),
            Op("select", [Op("greater", [i, j], "bool"), Op("add", [i, j], dt),
                          Op("multiply", [i, j], dt)], dt),
            Op("cast", [i], "bool"), Op("cast", [i], "float32")]
    got = FusedKernel(Program([dt, dt], outs))(a, b)
    want = [a ^ b, ~a, a // b, np.where(a > b, a + b, a * b), a != 0, a.astype(np.float32)]
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and np.array_equal(g, w), (g, w)


def test_broadcast_two_outputs_and_nan_rules():
    x, b = In(0, "float32"), In(1, "float32")
    t = Op("add", [x, b], "float32")
    prog = Program(["float32", "float32"], [Op("relu", [t], "float32"),
                                            Op("maximum", [t, Const(0.5, "float32")],
                                               "float32")])
    k = FusedKernel(prog)
    a = np.random.default_rng(3).standard_normal((6, 4, 5)).astype(np.float32)
    a[0, 0, 0] = np.nan
    bias = np.linspace(-1, 1, 5).astype(np.float32)
    r, m = k(a, bias)
    np.testing.assert_array_equal(r, np.maximum(a + bias, 0))
    np.testing.assert_array_equal(m, np.maximum(a + bias, np.float32(0.5)))
    assert [kk.target for kk in k.kernels] == ["c"] and "void fused_" in k.source
    col = np.arange(6, dtype=np.float32).reshape(6, 1, 1)      # a leading-dim pattern
    r2, _ = k(a, col)
    np.testing.assert_array_equal(r2, np.maximum(a + col, 0))
    assert k(np.zeros((0, 5), np.float32), bias)[0].shape == (0, 5)


def test_c_kernels_are_cached_in_memory_by_program():
    prog = Program(["float64"], [Op("square", [In(0, "float64")], "float64")])
    k1 = cache.get_c(prog, [(True,)], 1)
    assert k1 is cache.get_c(prog, [(True,)], 1) and k1.target == "c"
    out = np.empty(4)
    k1.fn(out, np.arange(4.0), 4)
    assert out.tolist() == [0.0, 1.0, 4.0, 9.0]


def test_auto_target_picks_c_for_small_and_numba_for_big_transcendental(monkeypatch):
    from cuflow_kernels.codegen import fused
    monkeypatch.setattr(fused, "CPU_TARGET", "auto")
    cheap = Program(["float32"], [Op("relu", [In(0, "float32")], "float32")])
    costly = Program(["float32"], [Op("exp", [In(0, "float32")], "float32")])
    assert fused._c_suits(cheap, 1 << 20) and fused._c_suits(costly, 1000)
    assert not fused._c_suits(costly, 1 << 20) and not fused._c_suits(cheap, 1 << 30)
    lg = Program(["float32"], [Op("lgamma", [In(0, "float32")], "float32")])
    assert not fused._c_suits(lg, 10)     # no C spelling: Numba


def test_strided_and_scalar_inputs_and_out_buffer():
    """C kernels read C-contiguous arrays in place (any shape); a transposed or sliced
    input, a NumPy scalar and an ``out`` that does not fit take the copying path."""
    x, y = In(0, "float32"), In(1, "float32")
    k = FusedKernel(Program(["float32", "float32"], [Op("add", [Op("relu", [x], "float32"), y],
                                                          "float32")]))
    a = np.arange(-6, 6, dtype=np.float32).reshape(3, 4)
    b = np.linspace(0, 1, 4, dtype=np.float32)
    want = np.maximum(a, 0) + b
    assert np.array_equal(k(a, b), want)
    assert np.array_equal(k(a.T.copy().T, b), want)           # Fortran order
    assert np.array_equal(k(a[:, ::-1], b[::-1]), want[:, ::-1])
    assert np.array_equal(k(a, np.float32(2.0)), np.maximum(a, 0) + 2)
    out = np.empty((3, 4), np.float32)
    assert k(a, b, out=out) is out and np.array_equal(out, want)
    bad = np.empty((4, 3), np.float32)
    r = k(a, b, out=bad)
    assert r is not bad and np.array_equal(r, want)


def test_long_c_kernels_release_the_gil(monkeypatch):
    from cuflow_kernels.codegen import fused
    monkeypatch.setattr(fused, "C_NOGIL_MIN", 100)
    x = In(0, "float32")
    k = FusedKernel(Program(["float32"], [Op("relu", [x], "float32")]))
    small, big = np.linspace(-1, 1, 10, dtype=np.float32), np.linspace(-1, 1, 1000,
                                                                      dtype=np.float32)
    assert np.array_equal(k(small), np.maximum(small, 0))
    assert np.array_equal(k(big), np.maximum(big, 0))
    fns = {shapes[0]: plan[2] for (shapes, _), plan in k._plans.items()}
    kern = k.kernels[0]
    assert fns[(10,)] is kern.fn and fns[(1000,)] is kern.fn_nogil
