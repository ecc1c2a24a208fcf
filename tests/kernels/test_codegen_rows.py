"""Row kernels (codegen/rows.py): Numba against NumPy; every CUDA spelling compiles."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from cuflow_kernels.codegen import cache, fused, render_cuda
from cuflow_kernels.codegen.expr import Const, In, Op
from cuflow_kernels.codegen.fused import FusedRowKernel
from cuflow_kernels.codegen.rows import Reduce, RowProgram, row_loops


def _softmax(dt="float32"):
    x = In(0, dt)
    e = Op("exp", [Op("subtract", [x, Reduce("max", x, dt)], dt)], dt)
    return RowProgram([dt], ["full"], [Op("truediv", [e, Reduce("sum", e, dt)], dt)], [False])


def _norm(dt="float32"):
    """Layer norm (full output) plus its mean and the row minimum (per-row outputs)."""
    x, g, b = In(0, dt), In(1, dt), In(2, dt)
    mu = Reduce("mean", x, dt)
    d = Op("subtract", [x, mu], dt)
    var = Reduce("mean", Op("multiply", [d, d], dt), dt)
    rs = Op("rsqrt", [Op("add", [var, Const(1e-5, dt)], dt)], dt)
    y = Op("add", [Op("multiply", [Op("multiply", [d, rs], dt), g], dt), b], dt)
    return RowProgram([dt, dt, dt], ["full", "col", "row"],
                      [y, mu, Reduce("min", x, dt)], [False, True, True])


def _norm_ref(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + 1e-5) * g + b, mu, x.min(-1)


def test_stages_and_cached_exp():
    loops, cached = row_loops(_softmax())
    assert [r.kind for r, _ in loops[:-1]] == ["max", "sum"] and loops[-1][0] is None
    assert list(cached.values()) == [0]          # exp(x - max) kept in out0's row
    assert row_loops(_norm())[1] == {}            # nothing expensive: recompute x - mean
    with pytest.raises(ValueError, match="per-row output"):
        RowProgram(["float32"], ["full"], [In(0, "float32")], [True])


@pytest.mark.parametrize("parallel", [False, True])
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_softmax_and_norm_match_numpy(parallel, dt, monkeypatch):
    monkeypatch.setattr(fused, "PARALLEL_MIN", 0 if parallel else 1 << 30)
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(3, 5, 33)) * 4).astype(dt)
    k = FusedRowKernel(_softmax(dt), 3, 1, ["r"], ["r"])
    want = np.exp(x - x.max(-1, keepdims=True))
    want /= want.sum(-1, keepdims=True)
    tol = 1e-6 if dt == "float32" else 1e-13
    np.testing.assert_allclose(k(x), want, rtol=tol * 4, atol=tol)
    assert ("prange" in k.source) == parallel
    g = rng.normal(size=(33,)).astype(dt)
    b = rng.normal(size=(3, 5, 1)).astype(dt)
    kn = FusedRowKernel(_norm(dt), 3, 1, ["r", "r", "r"], ["r", "r", "l"])
    y, mu, mn = kn(x, g, b)
    ry, rmu, rmn = _norm_ref(x, g, b)
    assert y.shape == x.shape and mu.shape == (3, 5, 1) and mn.shape == (3, 5)
    np.testing.assert_allclose(y, ry, rtol=tol * 10, atol=tol * 10)
    np.testing.assert_allclose(mu, rmu, rtol=tol * 10, atol=tol)
    np.testing.assert_array_equal(mn, rmn)


@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_max_min_keys_handle_nan_inf_signed_zero_and_empty_rows(dt):
    x = In(0, dt)
    p = RowProgram([dt], ["full"], [Reduce("max", x, dt), Reduce("min", x, dt)], [True, True])
    k = FusedRowKernel(p, 2, 1, ["r"], ["l", "l"])
    a = np.array([[1, np.nan, 2], [np.inf, 1, -3], [-np.inf] * 3, [-0.0, -2.5, -1e-30],
                  [5e-39, 3e-39, -7e-39]], dt)
    a[0, 1] = -np.nan                  # a NaN with its sign bit set counts too
    mx, mn = k(a)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(mx, a.max(-1))
        np.testing.assert_array_equal(mn, a.min(-1))
    e = np.zeros((3, 0), dt)
    mx, mn = k(e)
    assert mx.tolist() == [-np.inf] * 3 and mn.tolist() == [np.inf] * 3
    assert k(np.zeros((0, 4), dt))[0].shape == (0,)


def test_partly_broadcast_inputs_are_materialized():
    dt = "float32"
    x, m = In(0, dt), In(1, dt)
    s = Op("add", [x, m], dt)
    p = RowProgram([dt, dt], ["full", "full"],
                   [Op("subtract", [s, Reduce("max", s, dt)], dt)], [False])
    k = FusedRowKernel(p, 4, 1, ["r", "r"], ["r"])
    rng = np.random.default_rng(1)
    a = rng.normal(size=(2, 3, 4, 6)).astype(dt)
    mask = rng.normal(size=(2, 1, 1, 6)).astype(dt)
    want = (a + mask) - (a + mask).max(-1, keepdims=True)
    np.testing.assert_allclose(k(a, mask), want, rtol=1e-6)
    np.testing.assert_allclose(k(a[:, :, ::2], mask), want[:, :, ::2], rtol=1e-6)


def _cuda_programs():
    yield _softmax()
    yield _softmax("float64")
    yield _norm()
    yield _norm("float64")
    i = In(0, "float32")
    yield RowProgram(["float32", "int32"], ["full", "scalar"],
                     [Op("select", [Op("greater", [i, Reduce("mean", i, "float32")], "bool"),
                                    Op("cast", [In(1, "int32")], "float32"), i], "float32")],
                     [False])


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc not installed")
@pytest.mark.parametrize("arch", ["sm_80", "sm_90"])
def test_every_row_program_compiles_as_cuda(arch):
    head = render_cuda.PRELUDE + render_cuda.ROW_PRELUDE
    names, bodies = [], []
    for p in _cuda_programs():
        name, src = cache.cuda_rows_source(p)
        assert src.startswith(head) and "cf_block_reduce<" in src
        names.append(name)
        bodies.append(src[len(head):])
    res = cache.compile_ptx(head + "\n".join(bodies), "rows_all", arch=arch)
    for name in names:
        assert f".entry {name}" in res.ptx
    assert "shfl.sync.bfly" in res.ptx
