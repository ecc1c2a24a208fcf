"""cond / while_loop / case / switch_case / scan / map_fn / folds: eager, traced, gradients."""
from __future__ import annotations

import sys

import cuflow as cf
import numpy as np
import pytest


def _both(fn, *args):
    """fn eagerly and under cf.function: results must agree."""
    eager = fn(*args)
    traced = cf.function(fn)(*args)
    for a, b in zip(cf.nest.flatten(eager), cf.nest.flatten(traced)):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-6)
    return traced


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_cond_takes_the_right_branch(sign):
    def f(x):
        return cf.cond(cf.reduce_sum(x) > 0, lambda: (x * 2.0, x + 1.0), lambda: (-x, x))
    _both(f, cf.constant([1.0, 2.0]) * sign)


def test_cond_node_is_in_graph_and_only_taken_branch_prints(capsys):
    @cf.function
    def f(x):
        def yes():
            cf.print("yes", output_stream=sys.stdout)
            return x
        def no():
            cf.print("no", output_stream=sys.stdout)
            return -x
        return cf.cond(x > 0, yes, no)

    f(cf.constant(1.0))
    f(cf.constant(-1.0))
    assert capsys.readouterr().out == "yes\nno\n"
    ops = [n.type for n in f.get_concrete_function(cf.constant(1.0)).graph.get_operations()]
    assert "cond" in ops


def test_cond_branch_mismatch_errors():
    @cf.function
    def f(x):
        return cf.cond(x > 0, lambda: x, lambda: cf.cast(x, cf.int32))

    with pytest.raises(TypeError, match="dtype float32 in true_fn"):
        f(cf.constant(1.0))


@pytest.mark.parametrize("x0", [1.5, -2.0])
def test_cond_gradient_inside_and_across_function(x0):
    v = cf.Variable(3.0)

    def loss(x):
        return cf.cond(x > 0, lambda: x * x * v, lambda: x * v * v)

    @cf.function
    def inside(x):
        with cf.GradientTape() as t:
            t.watch(x)
            y = loss(x)
        return t.gradient(y, [x, v])

    x = cf.constant(x0)
    with cf.GradientTape() as t:
        t.watch(x)
        y = loss(x)
    want = t.gradient(y, [x, v])
    got = inside(x)
    with cf.GradientTape() as t:
        t.watch(x)
        y = cf.function(loss)(x)
    across = t.gradient(y, [x, v])
    for w, g, a in zip(want, got, across):
        assert float(g) == pytest.approx(float(w)) and float(a) == pytest.approx(float(w))


def test_while_loop_eager_traced_and_max_iterations():
    def f(x):
        return cf.while_loop(lambda i, y: i < 5, lambda i, y: (i + 1, y * 1.5 + 1.0),
                             (cf.constant(0), x))
    i, _ = _both(f, cf.constant([1.0, 2.0]))
    assert int(i) == 5

    def g(x):
        return cf.while_loop(lambda y: cf.reduce_sum(y) < 1e9, lambda y: y * 2.0, [x],
                             maximum_iterations=3)
    out = _both(g, cf.constant([1.0]))
    assert out[0].numpy().tolist() == [8.0]


def test_while_loop_shape_change_needs_invariants():
    @cf.function
    def f(x):
        return cf.while_loop(lambda y: cf.size(y) < 8, lambda y: cf.concat([y, y], 0), [x])

    with pytest.raises(ValueError, match="shape_invariants"):
        f(cf.constant([1.0]))

    @cf.function
    def g(x):
        return cf.while_loop(lambda y: cf.size(y) < 8, lambda y: cf.concat([y, y], 0), [x],
                             shape_invariants=[cf.TensorShape([None])])
    assert g(cf.constant([1.0]))[0].shape == [8]


def test_while_loop_gradient_in_function_matches_eager():
    w = cf.Variable(0.9)

    def f(x):
        _, y = cf.while_loop(lambda i, y: i < 4, lambda i, y: (i + 1, cf.math.sin(y) * w + y),
                             [cf.constant(0), x])
        return cf.reduce_sum(y)

    x = cf.constant([0.3, 0.7])
    with cf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    want = t.gradient(y, [x, w])

    @cf.function
    def step(x):
        with cf.GradientTape() as t:
            t.watch(x)
            y = f(x)
        return t.gradient(y, [x, w])

    for a, b in zip(step(x), want):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5)


def test_switch_case_and_case():
    def f(i, x):
        return cf.switch_case(i, [lambda: x, lambda: x * 2.0, lambda: x * 3.0])

    for k in range(3):
        assert float(_both(f, cf.constant(k), cf.constant(1.0))) == k + 1.0
    assert float(cf.function(f)(cf.constant(7), cf.constant(1.0))) == 3.0   # default

    def g(x):
        return cf.case([(x < 0, lambda: -x), (x < 10, lambda: x * 10.0)],
                       default=lambda: x)
    for v, want in ((-2.0, 2.0), (3.0, 30.0), (20.0, 20.0)):
        assert float(_both(g, cf.constant(v))) == want


def test_scan_map_fn_folds():
    x = cf.constant(np.arange(1.0, 5.0, dtype=np.float32))
    assert _both(lambda e: cf.scan(lambda a, b: a + b, e), x).numpy().tolist() == \
        [1.0, 3.0, 6.0, 10.0]
    assert _both(lambda e: cf.scan(lambda a, b: a * b, e, initializer=cf.constant(2.0),
                                   reverse=True), x).numpy().tolist() == [48.0, 48.0, 24.0, 8.0]
    assert _both(lambda e: cf.map_fn(lambda r: r * r, e), x).numpy().tolist() == \
        [1.0, 4.0, 9.0, 16.0]
    assert float(_both(lambda e: cf.foldl(lambda a, b: a - b, e), x)) == -8.0
    assert float(_both(lambda e: cf.foldr(lambda a, b: a - b, e), x)) == -2.0
    with cf.GradientTape() as t:
        t.watch(x)
        y = cf.reduce_sum(cf.scan(lambda a, b: a * b, x))
    np.testing.assert_allclose(t.gradient(y, x).numpy(), [33.0, 16.0, 10.0, 6.0])


def test_assign_inside_branches_and_loops(capsys):
    v = cf.Variable(0.0)
    hits = cf.Variable(0)

    @cf.function
    def f(x):
        def pos():
            v.assign_add(x)
            hits.assign_add(1)
            return v.read_value()

        def neg():
            cf.print("negative", output_stream=sys.stdout)
            return v.read_value()

        before = v.read_value()
        after = cf.cond(x > 0, pos, neg)
        def body(i):
            v.assign(v * 2.0)
            return (i + 1,)
        i = cf.while_loop(lambda i: i < 3, body, [cf.constant(0)])
        return before, after, v.read_value(), i

    out = [float(t) for t in f(cf.constant(1.5))[:3]]
    assert out == [0.0, 1.5, 12.0] and float(v.numpy()) == 12.0 and int(hits.numpy()) == 1
    out = [float(t) for t in f(cf.constant(-1.0))[:3]]
    assert out == [12.0, 12.0, 96.0] and int(hits.numpy()) == 1
    assert capsys.readouterr().out == "negative\n"

    @cf.function
    def g(x):          # a branch with only a side effect: the cond must not be dropped
        def bump():
            hits.assign_add(10)
            return cf.constant(0)
        cf.cond(x > 0, bump, lambda: cf.constant(0))
        return x
    g(cf.constant(1.0))
    assert int(hits.numpy()) == 11


def test_autograph_conditional_assign():
    step = cf.Variable(0)
    total = cf.Variable(0.0)

    @cf.function
    def f(x):
        step.assign_add(1)
        if step % 2 == 0:
            total.assign_add(x)
        return total.read_value()

    vals = [float(f(cf.constant(1.0))) for _ in range(4)]
    assert vals == [0.0, 1.0, 1.0, 2.0]
