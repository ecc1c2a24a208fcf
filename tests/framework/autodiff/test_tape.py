"""GradientTape semantics beyond the guide: structures, errors, custom gradients,
user-registered ops, memory, higher order, jacobians against finite differences."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import cuflow as cf
from cuflow.autodiff.tape import NoGradientWarning
from cuflow.ops.dispatch import apply
from cuflow.ops.registry import _REGISTRY, defop


def _fd(f, x, eps=1e-6):
    """Central finite-difference Jacobian of f: array -> array (float64)."""
    x = np.asarray(x, np.float64)
    y0 = np.asarray(f(x))
    jac = np.zeros(y0.shape + x.shape)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = eps
        jac[(...,) + idx] = (np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * eps)
    return jac


def test_second_gradient_call_on_non_persistent_tape_raises():
    x = cf.constant(2.0)
    with cf.GradientTape() as t:
        t.watch(x)
        y = x * x
    t.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        t.gradient(y, x)


def test_list_of_targets_is_summed_and_output_gradients():
    x = cf.constant([1.0, 2.0])
    with cf.GradientTape(persistent=True) as t:
        t.watch(x)
        a = x * x
        b = 3.0 * x
    np.testing.assert_allclose(t.gradient([a, b], x).numpy(), [5.0, 7.0])
    g = t.gradient(a, x, output_gradients=cf.constant([10.0, 100.0]))
    np.testing.assert_allclose(g.numpy(), [20.0, 400.0])
    g = t.gradient([a, b], x, output_gradients=[cf.constant([1.0, 0.0]), None])
    np.testing.assert_allclose(g.numpy(), [2.0 + 3.0, 3.0])


def test_nested_sources_and_unconnected():
    x = cf.constant(1.0)
    y = cf.constant(2.0)
    z = cf.constant(3.0)
    n = cf.constant(4)
    with cf.GradientTape(persistent=True) as t:
        t.watch([x, y, z, n])
        out = x * y + cf.cast(n, cf.float32)
    with pytest.warns(NoGradientWarning):
        assert t.gradient(out, n) is None
    g = t.gradient(out, {"a": [x, (y, z)], "b": n})
    assert float(g["a"][0]) == 2.0 and float(g["a"][1][0]) == 1.0
    assert g["a"][1][1] is None and g["b"] is None
    g = t.gradient(out, {"a": [x, (y, z)]}, unconnected_gradients="zero")
    assert float(g["a"][1][1]) == 0.0


def test_non_trainable_variable_not_watched_but_explicit_watch_works():
    v = cf.Variable(3.0, trainable=False)
    with cf.GradientTape() as t:
        y = v * v
    assert t.watched_variables() == ()
    with pytest.warns(NoGradientWarning, match="non-trainable"):
        assert t.gradient(y, v) is None
    with cf.GradientTape() as t:
        t.watch(v)
        y = v * v
    assert float(t.gradient(y, v)) == 6.0


def test_third_order_and_sin():
    x = cf.Variable(0.5, dtype=cf.float64)
    with cf.GradientTape() as t3:
        with cf.GradientTape() as t2:
            with cf.GradientTape() as t1:
                y = x ** 3 + cf.math.sin(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    assert abs(float(d1) - (3 * 0.25 + np.cos(0.5))) < 1e-12
    assert abs(float(d2) - (6 * 0.5 - np.sin(0.5))) < 1e-12
    assert abs(float(d3) - (6 - np.cos(0.5))) < 1e-12


def _softmax(z):
    e = cf.exp(z - cf.reduce_max(z, axis=-1, keepdims=True))
    return e / cf.reduce_sum(e, axis=-1, keepdims=True)


@pytest.mark.parametrize("fn", [
    lambda w, x: cf.reduce_sum(cf.tanh(cf.matmul(x, w)) ** 2),
    lambda w, x: cf.reduce_sum(_softmax(cf.matmul(x, w)) * cf.constant([[1.0, 2.0, 3.0]],
                                                                        cf.float64)),
    lambda w, x: cf.reduce_logsumexp(cf.matmul(x, w)),
], ids=["tanh-matmul", "softmax", "logsumexp"])
def test_hessian_vector_products_match_finite_differences(fn):
    rng = np.random.default_rng(0)
    x = cf.constant(rng.normal(size=(4, 2)))
    w0 = rng.normal(size=(2, 3))

    def grad(wv):
        w = cf.constant(wv)
        with cf.GradientTape() as t:
            t.watch(w)
            y = fn(w, x)
        return t.gradient(y, w).numpy()

    w = cf.constant(w0)
    with cf.GradientTape() as t2:
        t2.watch(w)
        with cf.GradientTape() as t1:
            t1.watch(w)
            y = fn(w, x)
        g = t1.gradient(y, w)
    hess = t2.jacobian(g, w).numpy()
    np.testing.assert_allclose(hess, _fd(grad, w0), rtol=1e-5, atol=1e-7)


def test_jacobian_and_batch_jacobian_against_finite_differences():
    rng = np.random.default_rng(1)
    w = rng.normal(size=(3, 2))

    def f(xv):
        return np.tanh(xv @ w) * xv[..., :2]

    xv = rng.normal(size=(4, 3))
    x = cf.constant(xv)
    with cf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = cf.tanh(x @ cf.constant(w)) * x[:, :2]
    jac = t.jacobian(y, x)
    fd = _fd(f, xv)
    np.testing.assert_allclose(jac.numpy(), fd, rtol=1e-6, atol=1e-9)
    bj = t.batch_jacobian(y, x)
    np.testing.assert_allclose(bj.numpy(), np.einsum("bibj->bij", fd), rtol=1e-6, atol=1e-9)
    unrelated = cf.constant(1.0)
    assert t.jacobian(y, unrelated) is None
    z = t.jacobian(y, unrelated, unconnected_gradients=cf.UnconnectedGradients.ZERO)
    assert z.shape == (4, 2) and float(cf.reduce_sum(cf.abs(z))) == 0.0


def test_jacobian_consumes_non_persistent_tape():
    x = cf.constant([1.0, 2.0])
    with cf.GradientTape() as t:
        t.watch(x)
        y = x * x
    np.testing.assert_allclose(t.jacobian(y, x).numpy(), np.diag([2.0, 4.0]))
    assert t._entries == []
    with pytest.raises(RuntimeError):
        t.gradient(y, x)


def test_custom_gradient_with_variables():
    v = cf.Variable(2.0)

    @cf.custom_gradient
    def scaled(x):
        y = x * v

        def grad(dy, variables=None):
            assert [w.name for w in variables] == [v.name]
            return dy * v * 10.0, [dy * x * 100.0]
        return y, grad

    x = cf.constant(3.0)
    with cf.GradientTape() as t:
        t.watch(x)
        y = scaled(x)
    gx, gv = t.gradient(y, [x, v])
    assert float(gx) == 20.0 and float(gv) == 300.0


def test_custom_gradient_returning_its_input_and_second_order():
    @cf.custom_gradient
    def passthrough(x):
        return x, lambda dy: dy * 3.0

    @cf.custom_gradient
    def cube(x):
        return x * x * x, lambda dy: dy * 3.0 * x * x   # grad_fn in cuflow ops: 2nd order

    x = cf.constant(2.0)
    with cf.GradientTape() as t2:
        t2.watch(x)
        with cf.GradientTape() as t1:
            t1.watch(x)
            y = passthrough(x) + cube(x)
        g = t1.gradient(y, x)
    assert float(g) == 3.0 + 12.0
    assert float(t2.gradient(g, x)) == 12.0


def test_recompute_grad_matches_plain_gradient_and_keeps_no_intermediates():
    w = cf.Variable([[0.5, -1.0], [2.0, 0.1]], dtype=cf.float64)

    def block(x):
        return cf.tanh(cf.matmul(x, w)) * x

    x = cf.constant([[1.0, 2.0]], dtype=cf.float64)
    with cf.GradientTape() as t:
        t.watch(x)
        y = cf.reduce_sum(block(x))
    want = t.gradient(y, [x, w])
    with cf.GradientTape() as t:
        t.watch(x)
        y = cf.reduce_sum(cf.recompute_grad(block)(x))
        n_entries = len(t._entries)
    got = t.gradient(y, [x, w])
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)
    assert n_entries <= 3   # the block is one record, not its matmul/tanh/multiply


def test_user_defined_op_gets_gradients_and_higher_order():
    name = "test_user_cube"
    op = defop(name, "elementwise", scalar="({0}*{0}*{0})")(lambda xp, x: x * x * x)
    try:
        op.def_vjp(lambda g, y, x: g * 3.0 * x * x)
        x = cf.constant(2.0)
        with cf.GradientTape() as t2:
            t2.watch(x)
            with cf.GradientTape() as t1:
                t1.watch(x)
                y = apply(op, (x,))
            g = t1.gradient(y, x)
        assert float(y) == 8.0 and float(g) == 12.0 and float(t2.gradient(g, x)) == 12.0
    finally:
        del _REGISTRY[name]   # keep the registry's completeness test meaningful


def test_records_only_ops_touching_watched_values():
    a = cf.constant([1.0, 2.0])
    b = cf.constant([3.0, 4.0])
    with cf.GradientTape() as t:
        t.watch(a)
        for _ in range(5):
            _ = b * b + 1.0       # unrelated: not recorded
        y = a * b                 # recorded
        z = cf.reduce_sum(y)      # recorded
    assert len(t._entries) == 2
    t.gradient(z, a)


def test_non_persistent_tape_frees_records_after_gradient():
    x = cf.constant(np.ones(1000))
    with cf.GradientTape() as t:
        t.watch(x)
        h = cf.exp(x)
        y = cf.reduce_sum(h)
    ref = weakref.ref(h)
    del h
    t.gradient(y, x)
    gc.collect()
    assert t._entries == [] and ref() is None
    with cf.GradientTape(persistent=True) as p:
        p.watch(x)
        y = cf.reduce_sum(cf.exp(x))
    p.gradient(y, x)
    assert len(p._entries) == 2


def test_gradient_inside_context_and_tape_reentry():
    x = cf.constant(3.0)
    with cf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        g = t.gradient(y, x)   # allowed inside the block
    assert float(g) == 6.0
    with t:                    # a persistent tape records again
        z = y * x
    assert float(t.gradient(z, x)) == 27.0


def test_stop_gradient_in_expression():
    x = cf.constant(2.0)
    with cf.GradientTape() as t:
        t.watch(x)
        y = x * cf.stop_gradient(x * x)
    assert float(t.gradient(y, x)) == 4.0


def test_variables_sharing_one_initial_tensor_get_their_own_gradients():
    init = cf.constant([1.0, 2.0])
    v1 = cf.Variable(init)
    v2 = cf.Variable(init)
    with cf.GradientTape() as t:
        y = cf.reduce_sum(v1 * 2.0) + cf.reduce_sum(v2 * 3.0) + cf.reduce_sum(v2 * v2)
    g1, g2 = t.gradient(y, [v1, v2])
    assert g1.numpy().tolist() == [2.0, 2.0]
    assert g2.numpy().tolist() == [5.0, 7.0]


def test_variable_assigned_inside_tape_gets_both_reads():
    v = cf.Variable(2.0)
    with cf.GradientTape() as t:
        a = v * 3.0
        v.assign(5.0)
        b = v * v
        y = a + b
    assert float(t.gradient(y, v)) == 3.0 + 10.0


def test_unwatched_tensor_has_no_gradient_even_wrt_itself():
    x = cf.constant(2.0)
    w = cf.constant(3.0)
    with cf.GradientTape(persistent=True) as t:
        t.watch(w)
        y = x * w
    with pytest.warns(NoGradientWarning):
        assert t.gradient(x, x) is None
    assert t.gradient(y, [x, w])[0] is None
    assert float(t.gradient(w, w)) == 1.0


def test_first_order_tape_inside_cf_function_matches_eager():
    w = cf.Variable([[1.0, 2.0], [3.0, 4.0]])
    x = cf.constant([[1.0, 0.5]])

    def grad(x):
        with cf.GradientTape() as t:
            y = cf.reduce_sum(cf.tanh(x @ w))
        return t.gradient(y, w)

    np.testing.assert_allclose(cf.function(grad)(x).numpy(), grad(x).numpy(), rtol=1e-5,
                               atol=1e-7)


def test_nested_tapes_inside_cf_function():
    @cf.function
    def second(x):
        with cf.GradientTape() as t2:
            t2.watch(x)
            with cf.GradientTape() as t1:
                t1.watch(x)
                y = cf.reduce_sum(x * x * x)
            g = t1.gradient(y, x)
        return g, t2.gradient(g, x)

    g, h = second(cf.constant([2.0]))
    assert g.numpy().tolist() == [12.0] and h.numpy().tolist() == [12.0]
