"""Row fusion: elementwise chains around trailing-axis reductions become one row kernel."""
from __future__ import annotations

import shutil

import cuflow as cf
import numpy as np
import pytest
from cuflow.config import knobs


@pytest.fixture(autouse=True)
def _always_kernels(monkeypatch):
    """Small test inputs would take the NumPy path; these tests exercise the kernels."""
    monkeypatch.setattr(knobs, "fuse_min_size", 0)


def _kernels(concrete, prefix="fused_"):
    return [n for n in concrete.graph.get_operations() if n.type.startswith(prefix)]


def _rng(seed=0):
    return np.random.default_rng(seed)


def softmax(x):
    e = cf.exp(x - cf.reduce_max(x, -1, keepdims=True))
    return e / cf.reduce_sum(e, -1, keepdims=True)


def log_softmax(x):
    s = x - cf.reduce_max(x, -1, keepdims=True)
    return s - cf.math.log(cf.reduce_sum(cf.exp(s), -1, keepdims=True))


def layer_norm(x, g, b):
    mu = cf.reduce_mean(x, -1, keepdims=True)
    var = cf.reduce_mean(cf.square(x - mu), -1, keepdims=True)
    return (x - mu) / cf.sqrt(var + 1e-5) * g + b


def logsumexp(x):
    m = cf.reduce_max(x, -1, keepdims=True)
    return cf.math.log(cf.reduce_sum(cf.exp(x - m), -1)) + cf.reduce_max(x, -1)


def rms_norm(x, g):
    return x * cf.math.rsqrt(cf.reduce_mean(cf.square(x), -1, keepdims=True) + 1e-6) * g


def _check(f, *args, rtol=2e-5, atol=1e-6, kernels=1):
    g = cf.function(f)
    got, want = g(*args), f(*args)
    for a, b in zip(cf.nest.flatten(got), cf.nest.flatten(want)):
        assert a.shape == b.shape and a.dtype == b.dtype
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=rtol, atol=atol)
    c = g.get_concrete_function(*args)
    if kernels is not None:
        assert len(c.graph.get_operations()) == kernels, c.compiler_report()
        assert len(_kernels(c, "fused_rows_")) >= 1
    return c


def _x(shape, seed=0, dtype=np.float32, scale=3.0):
    return cf.constant((_rng(seed).normal(size=shape) * scale).astype(dtype))


def test_softmax_as_written_is_one_row_kernel():
    c = _check(softmax, _x((37, 129)))
    report = c.compiler_report()
    assert "[reduce_max -> subtract -> exp -> reduce_sum -> truediv] into 1 row kernel" \
        in report
    assert "2 reductions over the last axis" in report and "def fused_rows_" in report
    # exp is computed once per element: stored in the output row, read back
    assert report.count("_exp_f32(") == 1 + report.count("def _exp_f32(")
    ir = cf.function(softmax).experimental_get_compiler_ir(_x((37, 129)))(stage="kernels")
    assert "into 1 row kernel" in ir


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_softmax_layer_norm_rms_norm(dtype):
    x = _x((16, 64), 1, dtype)
    g = cf.constant(_rng(2).normal(size=(64,)).astype(dtype))
    b = cf.constant(_rng(3).normal(size=(64,)).astype(dtype))
    tol = {"rtol": 2e-5, "atol": 2e-5} if dtype == np.float32 else \
        {"rtol": 1e-12, "atol": 1e-12}
    _check(log_softmax, x, **tol)
    c = _check(layer_norm, x, g, b, **tol)
    assert "reduce_mean -> subtract -> square -> reduce_mean" in c.compiler_report()
    c = _check(rms_norm, x, g, **tol)
    assert "square -> reduce_mean" in c.compiler_report()


def test_logsumexp_per_row_output_without_keepdims():
    x = _x((9, 50), 4)
    c = _check(logsumexp, x)
    assert c.graph.outputs[0].shape.as_list() == [9]
    _check(lambda x: cf.reduce_sum(cf.exp(x), 1) * 2.0 - 1.0, x)


def test_reductions_over_the_last_two_axes_and_min():
    x = _x((3, 5, 7), 5)
    c = _check(lambda x: x - cf.reduce_mean(x, axis=[1, 2], keepdims=True), x)
    assert "over the last 2 axes" in c.compiler_report()
    _check(lambda x: cf.reduce_min(x * 2.0, axis=[-2, -1]) + 1.0, x)
    _check(lambda x: cf.nn.relu(x) / (cf.reduce_max(cf.abs(x), axis=(1, 2),
                                                  keepdims=True) + 1.0), x)


def test_keepdims_false_statistic_used_per_row():
    x = _x((6, 10), 6)

    def f(x):
        s = cf.reduce_sum(cf.square(x), -1)          # [6]
        return cf.sqrt(s) + cf.reduce_max(x, -1)     # [6], stays per row
    _check(f, x)

    def g(x):   # a [6] statistic against [6, 10] rows broadcasts along columns: not fused
        return x - cf.reduce_mean(x, -1)[:, None]
    g_f = cf.function(g)
    np.testing.assert_allclose(g_f(x).numpy(), g(x).numpy(), rtol=1e-6, atol=1e-6)


def test_zero_size_and_length_one_rows():
    for shape in [(4, 0), (0, 5), (5, 1), (1, 1)]:
        x = _x(shape, 7)
        _check(softmax, x, kernels=None)
        _check(lambda x: cf.reduce_max(x, -1) + cf.reduce_min(x * 3.0, -1), x, kernels=None)
    with np.errstate(invalid="ignore"):
        _check(lambda x: x * 0.0 + cf.reduce_mean(x * 2.0, -1, keepdims=True), _x((3, 0)),
               kernels=None)


def test_non_contiguous_and_broadcast_inputs():
    x = _x((20, 12), 8)
    bias = cf.constant(_rng(9).normal(size=(12,)).astype(np.float32))
    row = cf.constant(_rng(10).normal(size=(20, 1)).astype(np.float32))
    _check(lambda x: softmax(cf.transpose(x)), x, kernels=2)      # transpose stays a node
    _check(lambda x, b, r: softmax(x * r + b), x, bias, row)
    mask = cf.constant(_rng(11).normal(size=(2, 1, 1, 12)).astype(np.float32))
    s = _x((2, 3, 5, 12), 12)
    _check(lambda s, m: softmax(s + m), s, mask)                   # partly broadcast
    _check(lambda x: softmax(x * 2.0)[:, :6], x, kernels=2)


def test_nan_and_inf_match_eager():
    a = np.array([[1.0, np.nan, 2.0], [np.inf, 1.0, 0.0], [-np.inf, -np.inf, -np.inf],
                  [-0.0, 0.0, -1.0]], np.float32)
    x = cf.constant(a)
    with np.errstate(invalid="ignore"):
        _check(lambda x: cf.reduce_max(x, -1) * 1.0 + cf.reduce_min(x, -1), x)
        _check(softmax, x)
        _check(logsumexp, x, kernels=None)


def test_cross_entropy_with_labels_is_one_row_kernel_with_per_row_output():
    logits, labels = _x((10, 7), 23), cf.nn.softmax(_x((10, 7), 24))
    c = _check(lambda t, y: -cf.reduce_sum(t * cf.nn.log_softmax(y), -1), labels, logits)
    assert c.graph.outputs[0].shape.as_list() == [10]


def test_softmax_ops_fuse_into_their_chains():
    x = _x((8, 33), 13)
    b = cf.constant(_rng(14).normal(size=(33,)).astype(np.float32))
    c = _check(lambda x, b: cf.nn.softmax(x + b) * 2.0, x, b)
    assert "[add -> softmax -> multiply]" in c.compiler_report()
    _check(lambda x: cf.nn.log_softmax(cf.nn.relu(x)) - 1.0, x)
    _check(cf.nn.softmax, x)                       # a lone softmax: a row kernel too
    # softmax over another axis stays the op's NumPy implementation
    g = cf.function(lambda x: cf.nn.softmax(x, axis=0) + 1.0)
    np.testing.assert_allclose(g(x).numpy(), cf.nn.softmax(x, axis=0).numpy() + 1, rtol=1e-6)


def test_bias_add_activation_is_one_elementwise_kernel():
    x = _x((8, 16), 15)
    b = cf.constant(_rng(16).normal(size=(16,)).astype(np.float32))
    g = cf.function(lambda x, b: cf.nn.gelu(cf.nn.bias_add(x, b), approximate=True))
    np.testing.assert_allclose(g(x, b).numpy(),
                               cf.nn.gelu(cf.nn.bias_add(x, b), approximate=True).numpy(),
                               rtol=2e-6, atol=1e-6)
    c = g.get_concrete_function(x, b)
    assert len(c.graph.get_operations()) == 1 and len(_kernels(c)) == 1


def test_report_says_why_a_group_stopped_and_lone_reductions_stay():
    x = _x((6, 8), 17)

    def f(x):
        e = cf.exp(x - cf.reduce_max(x, -1, keepdims=True))
        return cf.matmul(e, cf.transpose(x)), cf.reduce_sum(x, 0)
    c = cf.function(f).get_concrete_function(x)
    report = c.compiler_report()
    assert "matmul consumes its values: matmul is a opaque op" in report or \
        "matmul consumes its values" in report
    assert "reduce_sum at" in report and "left to NumPy" in report


def test_gradients_through_fused_graph_equal_eager():
    x = _x((7, 24), 18)
    g = cf.Variable(_rng(19).normal(size=(24,)).astype(np.float32))
    b = cf.Variable(_rng(20).normal(size=(24,)).astype(np.float32))

    def step(x):
        with cf.GradientTape() as tape:
            tape.watch(x)
            y = layer_norm(x, g, b)
            loss = cf.reduce_sum(softmax(y) * cf.nn.log_softmax(y * 0.5))
        return tape.gradient(loss, [x, g, b])

    got = cf.function(step)(x)
    want = step(x)
    for a, w in zip(got, want):
        np.testing.assert_allclose(a.numpy(), w.numpy(), rtol=1e-4, atol=1e-5)
    c = cf.function(step).get_concrete_function(x)
    assert len(_kernels(c, "fused_rows_")) >= 2


def test_dynamic_shapes_reuse_one_graph():
    f = cf.function(softmax, input_signature=[cf.TensorSpec([None, None], cf.float32)])
    for shape in [(3, 4), (5, 17), (1, 1)]:
        x = _x(shape, 21)
        np.testing.assert_allclose(f(x).numpy(), softmax(x).numpy(), rtol=2e-6, atol=1e-7)
    assert f.experimental_get_tracing_count() == 1


def test_tiny_inputs_and_long_rows_run_member_ops_through_numpy(monkeypatch):
    from cuflow.graph.passes import fuse_reductions
    monkeypatch.setattr(knobs, "fuse_min_size", 1 << 20)
    x = _x((4, 6), 22)
    c = _check(softmax, x)
    assert _kernels(c)[0].extra["kernel"].kernels == []
    monkeypatch.setattr(knobs, "fuse_min_size", 0)
    monkeypatch.setattr(fuse_reductions, "MAX_COLS", 4)
    f = cf.function(softmax, input_signature=[cf.TensorSpec([None, None], cf.float32)])
    np.testing.assert_allclose(f(x).numpy(), softmax(x).numpy(), rtol=2e-6)


@pytest.mark.skipif(shutil.which("nvcc") is None, reason="nvcc not installed")
def test_zz_every_row_kernel_generated_by_these_tests_compiles_as_cuda():
    """The CUDA spelling of every row kernel generated above, for sm_80 and sm_90 (one
    nvcc run per arch; named zz so it runs after the tests that generate them)."""
    from cuflow_kernels.codegen import cache, render_cuda
    programs = list(cache.SEEN_ROWS.values())
    assert programs
    names, bodies = [], []
    head = render_cuda.PRELUDE + render_cuda.ROW_PRELUDE
    for p in programs:
        name, src = cache.cuda_rows_source(p)
        assert src.startswith(head)
        names.append(name)
        bodies.append(src[len(head):])
    for arch in ("sm_80", "sm_90"):
        res = cache.compile_ptx(head + "\n".join(bodies), "fusion_rows_tests", arch)
        for name in names:
            assert f".entry {name}" in res.ptx
