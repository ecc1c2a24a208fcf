"""Kernel overrides (framework/ops/kernel_overrides.py) give the values of the op's impl.

Registry-driven: for every op with an override of a device type, the OpInfo samples of
every entry that reaches that op run once through the override and once through impl.

* CPU overrides run here twice: with their size thresholds set to 0 (the Numba kernels)
  and set above every input (the C kernels of cuflow_kernels/cpu/csrc, all sizes).
* GPU overrides run here too, with a stand-in device: ``cupy`` -> numpy and each
  ``cuflow_kernels.cuda.X`` -> ``cuflow_kernels.reference.X`` (same API, NumPy truth). That
  checks every attr adaptation and fallback; the CUDA sources themselves are compile-checked
  by tests/kernels/test_cuda_compile.py and run against CuPy under the ``gpu`` marker.
"""
from __future__ import annotations

import os
import subprocess
import sys
import types

import numpy as np
import pytest

import cuflow as cf
from cuflow.ops import dispatch, kernel_overrides, registry

from cuflow_kernels.cpu.native import compiler as native_compiler

from .opdb import all_infos
from .test_registry_ops import TOL, _convert, _outputs

NN_INFOS = all_infos()


def _ops_with(device_type):
    return sorted(n for n, op in registry.all_ops().items() if device_type in op.kernels)


def _reaching(op_name, infos=NN_INFOS):
    """OpInfos (with dtypes) whose float32/float64 samples dispatch ``op_name``."""
    hits = []
    seen = []

    def hook(op, args, result, seconds):
        seen.append(op.name)
    for info in infos:
        if op_name not in (info.name,) + tuple(info.covers) and not _mentions(info, op_name):
            continue
        dispatch.add_hook(hook)
        try:
            seen.clear()
            dtype = "float32" if "float32" in info.dtypes else info.dtypes[0]
            for s in info.samples(np.random.default_rng(0), dtype):
                try:
                    _forward_and_grads(info, s)
                except Exception:  # noqa: BLE001 - only collecting which ops run
                    pass
        finally:
            dispatch.remove_hook(hook)
        if op_name in seen:
            hits.append(info)
    return hits


def _mentions(info, op_name):
    stem = op_name.split("_grad")[0].split("_backprop")[0]
    return stem in info.name or info.name in op_name


def _run_all(info, dtype):
    """Every sample's outputs, then the gradients of their sum (this reaches the VJP
    primitives: pool/conv backprops, embedding scatter-add)."""
    out = []
    for s in info.samples(np.random.default_rng(0), dtype):
        try:
            out.append(_forward_and_grads(info, s))
        except cf.errors.InvalidArgumentError as e:
            out.append(("error", type(e)))
    return out


def _forward_and_grads(info, s):
    args = _convert(s.args)
    watched = [a for a in args if isinstance(a, cf.Tensor) and a.dtype.is_floating]
    with cf.GradientTape() as tape:
        for a in watched:
            tape.watch(a)
        outs = _outputs(info.fn(*args, **s.kwargs))
        total = [cf.reduce_sum(cf.cast(o, cf.float64) * 1.5) for o in outs
                 if isinstance(o, cf.Tensor) and o.dtype.is_floating]
    res = [np.asarray(t.numpy()) for t in outs]
    if info.grad and s.grad and watched and total:
        grads = tape.gradient(cf.add_n(total) if len(total) > 1 else total[0], watched)
        res += [np.asarray(cf.convert_to_tensor(g).numpy()) for g in grads
                if g is not None]   # a gather's gradient is an IndexedSlices
    return res


def _compare(info, dtype, got, want, scale=1):
    assert len(got) == len(want), info.name
    for g, w in zip(got, want):
        if isinstance(w, tuple) and w and w[0] == "error":
            assert g == w, (info.name, dtype, g, w)
            continue
        assert not (isinstance(g, tuple) and g and g[0] == "error"), (info.name, g)
        for a, b in zip(g, w):
            assert a.dtype == b.dtype and a.shape == b.shape, (info.name, dtype)
            rtol, atol = TOL.get(a.dtype.name, (1e-7, 1e-9))
            if a.dtype.kind == "f" or a.dtype.name == "bfloat16":
                np.testing.assert_allclose(a.astype(np.float64), b.astype(np.float64),
                                           rtol=rtol * scale, atol=atol * scale,
                                           err_msg=info.name)
            else:
                np.testing.assert_array_equal(a, b, err_msg=info.name)


def _override_vs_impl(op_name, device_type, monkeypatch):
    op = registry.get(op_name)
    infos = _reaching(op_name)
    assert infos, f"no OpInfo reaches {op_name}"
    kernel = op.kernels[device_type]
    used = []
    real_kmod = kernel_overrides._kmod
    monkeypatch.setattr(kernel_overrides, "_kmod", lambda name: used.append(name) or
                        real_kmod(name))
    for info in infos:
        for dtype in info.dtypes:
            monkeypatch.setitem(op.kernels, "CPU", kernel)
            got = _run_all(info, dtype)
            monkeypatch.delitem(op.kernels, "CPU")
            want = _run_all(info, dtype)
            _compare(info, dtype, got, want)
    assert used, f"the {device_type} override of {op_name} never reached its kernel"


@pytest.fixture
def no_thresholds(monkeypatch):
    monkeypatch.setattr(kernel_overrides, "CPU_MIN_SIZE",
                        {k: 0 for k in kernel_overrides.CPU_MIN_SIZE})


@pytest.fixture
def c_kernels(monkeypatch):
    """Every CPU override takes its C path whatever the input size."""
    from cuflow_kernels.cpu import _c_rows, native
    assert _c_rows.library() is not None, native.why
    monkeypatch.setattr(kernel_overrides, "CPU_MIN_SIZE",
                        {k: 1 << 62 for k in kernel_overrides.CPU_MIN_SIZE})
    monkeypatch.setattr(kernel_overrides, "C_ROWS", {k: 1 << 62 for k in
                                                     kernel_overrides.C_ROWS})


_C_OPS = ["argmax", "argmin", "log_softmax", "relu_grad", "reduce_sum", "softmax",
          "softmax_cross_entropy_with_logits"]


# reached only through the gradient, which the registry harness does not take of the fused
# RNN ops: tested on its own below (test_cpu_lstm_kernels_match_impl)
_OWN_TEST = {"lstm_sequence_grad"}


@pytest.mark.parametrize("op_name", [n for n in _ops_with("CPU") if n not in _OWN_TEST])
def test_cpu_override_matches_impl(op_name, no_thresholds, monkeypatch):
    _override_vs_impl(op_name, "CPU", monkeypatch)


@pytest.mark.skipif(native_compiler() is None, reason="no C compiler")
@pytest.mark.parametrize("op_name", _C_OPS)
def test_cpu_c_override_matches_impl(op_name, c_kernels, monkeypatch):
    _override_vs_impl(op_name, "CPU", monkeypatch)


@pytest.mark.skipif(native_compiler() is None, reason="no C compiler")
@pytest.mark.parametrize("nb,nt,u,masked,zero", [
    (2, 3, 2, False, False), (3, 7, 5, False, False), (1, 1, 1, False, False),
    (2, 4, 3, True, False), (3, 5, 4, True, True)])
def test_cpu_lstm_kernels_match_impl(nb, nt, u, masked, zero):
    """The C time loop (forward and backprop through time) against rnn_ops' impls."""
    rng = np.random.default_rng(nb * 10 + nt)
    f = lambda *s: rng.uniform(-1.5, 1.5, s).astype(np.float32)  # noqa: E731
    xw, h0, c0, rk, b = f(nb, nt, 4 * u), f(nb, u), f(nb, u), f(u, 4 * u), f(4 * u)
    mask = np.ones((nb, nt), np.float32)
    if masked:
        mask[0, 1:] = 0     # a short sequence
        mask[-1, 0] = 0     # a leading padded step
    fwd, bwd = registry.get("lstm_sequence"), registry.get("lstm_sequence_grad")
    got = fwd.kernels["CPU"](xw, h0, c0, rk, b, mask, zero_output=zero)
    want = fwd.impl(np, xw, h0, c0, rk, b, mask, zero_output=zero)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=2e-6)
    g_out, g_h, g_c = f(nb, nt, u), f(nb, u), f(nb, u)
    saved = want[3:]
    got = bwd.kernels["CPU"](g_out, g_h, g_c, h0, c0, rk, mask, *saved, zero_output=zero)
    want = bwd.impl(np, g_out, g_h, g_c, h0, c0, rk, mask, *saved, zero_output=zero)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and g.shape == w.shape
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-5)
    bad = xw.copy()
    bad[0, 0, 0] = np.nan      # NaN: the C loop declines, impl's values come back
    got = fwd.kernels["CPU"](bad, h0, c0, rk, b, mask, zero_output=zero)
    want = fwd.impl(np, bad, h0, c0, rk, b, mask, zero_output=zero)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


@pytest.mark.skipif(native_compiler() is None, reason="no C compiler")
def test_c_overrides_fall_back_on_non_finite_rows(c_kernels):
    """A NaN or inf anywhere: the C kernel declines and impl's rules give the result."""
    x = np.array([[0.0, np.inf, 1.0], [np.nan, 1.0, 2.0], [1.0, 2.0, 3.0]], np.float32)
    lab = np.full_like(x, 1 / 3)
    for name, args, kw in (("softmax", (x,), {"axis": 1}), ("log_softmax", (x,), {"axis": 1}),
                           ("argmax", (x,), {"axis": 1, "output_type": np.int64}),
                           ("argmin", (x,), {"axis": 1, "output_type": np.int32}),
                           ("softmax_cross_entropy_with_logits", (lab, x), {})):
        op = registry.get(name)
        got, want = op.kernels["CPU"](*args, **kw), op.impl(np, *args, **kw)
        assert got.dtype == want.dtype, name
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_cpu_override_falls_back_for_non_finite_and_other_axes(no_thresholds):
    x = np.array([[0.0, np.inf, 1.0], [np.nan, 1.0, 2.0]], np.float32)
    got = cf.nn.softmax(x).numpy()
    want = registry.get("softmax").impl(np, x, axis=1)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    y = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(cf.nn.softmax(y, axis=0).numpy(),
                               registry.get("softmax").impl(np, y, axis=0), rtol=2e-6)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_cpu_max_pool_kernels_match_impl_on_non_finite_inputs(no_thresholds, padding):
    """The max-pool kernels scan windows as impl does: NaN propagates forward, the first
    strict maximum gets the gradient, all -inf windows route to their first tap."""
    x = np.random.default_rng(2).standard_normal((2, 5, 7, 3)).astype(np.float32)
    x[0, 0, 0, :] = np.nan
    x[0, 1, 3, 1] = np.nan
    x[1, :2, :2, :] = -np.inf
    x[1, 3, 4, 2] = np.inf
    dy_shape = (2, 3, 4, 3) if padding == "SAME" else (2, 2, 3, 3)
    dy = np.random.default_rng(3).standard_normal(dy_shape).astype(np.float32)
    attrs = {"ksize": (3, 2), "strides": (2, 2), "dilations": (1, 1),
             "pads": ((1, 1), (0, 1)) if padding == "SAME" else ((0, 0), (0, 0))}
    for name, args in (("max_pool", (x,)), ("max_pool_grad", (x, dy))):
        op = registry.get(name)
        got, want = op.kernels["CPU"](*args, **attrs), op.impl(np, *args, **attrs)
        np.testing.assert_array_equal(got, want, err_msg=name)


# --- GPU overrides through a NumPy stand-in for CuPy and the CUDA kernel modules -----------
def _reference_kernels():
    import cuflow_kernels.reference.crossentropy as ce
    import cuflow_kernels.reference.embedding as emb
    import cuflow_kernels.reference.im2col as im
    import cuflow_kernels.reference.pooling as pool
    import cuflow_kernels.reference.softmax as sm
    return {
        "cuda.softmax": sm, "cuda.pooling": pool, "cuda.im2col": im,
        "cuda.crossentropy": types.SimpleNamespace(
            softmax_cross_entropy_with_logits=ce.softmax_cross_entropy_with_logits,
            sparse_softmax_cross_entropy_with_logits=(
                lambda logits, labels, check_labels=True:
                ce.sparse_softmax_cross_entropy_with_logits(logits, labels))),
        "cuda.embedding": types.SimpleNamespace(
            gather_rows=lambda t, i, check_ids=True: emb.gather_rows(t, i),
            scatter_add_rows=lambda i, u, n, check_ids=True: emb.scatter_add_rows(i, u, n)),
    }


@pytest.fixture
def numpy_device(monkeypatch):
    mods = dict(kernel_overrides._modules)
    mods.update(_reference_kernels())
    monkeypatch.setattr(kernel_overrides, "_modules", mods)
    monkeypatch.setattr(kernel_overrides, "_cupy", lambda: np)


@pytest.mark.parametrize("op_name", _ops_with("GPU"))
def test_gpu_override_adapts_attrs_like_impl(op_name, numpy_device, monkeypatch):
    _override_vs_impl(op_name, "GPU", monkeypatch)


def test_every_gpu_override_source_is_compile_checked():
    from tests.kernels.test_cuda_compile import EXPECTED, SOURCES
    gpu_ops = set(_ops_with("GPU"))
    assert gpu_ops == set(kernel_overrides.GPU_SOURCES), "GPU_SOURCES out of date"
    for op_name, source in kernel_overrides.GPU_SOURCES.items():
        assert source in SOURCES and source in EXPECTED, (op_name, source)


def test_import_cuflow_loads_no_kernel_module():
    code = ("import sys, cuflow; print(sorted(m for m in sys.modules if m.startswith("
            "('numba', 'cupy', 'cuflow_kernels.cpu', 'cuflow_kernels.cuda'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "CUFLOW_DEVICE": "/CPU:0"}, check=True)
    assert out.stdout.strip() == "[]", out.stdout


# --- real GPU: the overrides under CuPy equal the CPU impl ------------------------------------
@pytest.mark.gpu
@pytest.mark.parametrize("op_name", _ops_with("GPU"))
def test_gpu_override_matches_cpu_impl(op_name):
    if not cf.config.list_physical_devices("GPU"):
        pytest.skip("no CUDA GPU visible to CuPy")
    for info in _reaching(op_name):
        for dtype in info.dtypes:
            want = _run_all(info, dtype)
            with cf.device("/GPU:0"):
                got = _run_all(info, dtype)
            _compare(info, dtype, got, want, scale=10)  # as test_gpu_matches_cpu
