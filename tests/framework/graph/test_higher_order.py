"""Higher-order gradients through control flow (while_loop, cond, scan, map_fn), eagerly,
inside cf.function, and with tapes outside a cf.function: vs closed forms and finite
differences."""
from __future__ import annotations

import cuflow as cf
import numpy as np
import pytest

# _modes wraps fresh lambdas in cf.function on purpose
pytestmark = pytest.mark.filterwarnings("ignore:cf.function .* was created and traced")


def _derivs(f, x, order):
    """[f(x), f'(x), ..., f^(order)(x)] by nested tapes (sums for non-scalar outputs)."""
    tapes = [cf.GradientTape(persistent=True) for _ in range(order)]
    for t in tapes:
        t.__enter__()
        t.watch(x)
    out = [f(x)]
    try:
        for k in range(order):
            # the k-th derivative is taken by the innermost tape still recording
            tape = tapes[order - 1 - k]
            total = cf.reduce_sum(out[-1])
            tape.__exit__(None, None, None)
            out.append(tape.gradient(total, x))
    finally:
        for t in tapes:
            if t._recording:
                t.__exit__(None, None, None)
    return out


def _modes(f, x, order):
    """Derivatives eagerly, with every tape inside a cf.function, and with the tapes
    outside a cf.function of f."""
    eager = _derivs(f, x, order)
    inside = cf.function(lambda x: _derivs(f, x, order))(x)
    outside = _derivs(cf.function(f), x, order)
    return eager, inside, outside


def _check(results, expected, rtol=1e-9):
    for got in results:
        assert len(got) == len(expected)
        for k, (g, e) in enumerate(zip(got, expected)):
            assert g is not None, f"derivative {k} is None"
            np.testing.assert_allclose(np.asarray(g), e, rtol=rtol, atol=1e-12,
                                       err_msg=f"derivative {k}")


def _fd(f, x, h=1e-5):
    """Central finite difference of scalar f at float x."""
    return (f(x + h) - f(x - h)) / (2 * h)


def _power_loop(x):
    # y = x ** 8 by three squarings in a while loop
    return cf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * y),
                         [cf.constant(0), x])[1]


def test_while_loop_third_order_closed_form():
    x = cf.constant(1.3, cf.float64)
    v = 1.3
    expected = [v ** 8, 8 * v ** 7, 56 * v ** 6, 336 * v ** 5]
    _check(_modes(_power_loop, x, 3), expected)


def test_while_loop_second_order_vs_finite_differences():
    def f(x):
        return cf.while_loop(lambda i, y: i < 4,
                             lambda i, y: (i + 1, y * cf.math.sin(y) + 0.5 * x),
                             [cf.constant(0), x])[1]

    def first(v):
        x = cf.constant(v, cf.float64)
        with cf.GradientTape() as t:
            t.watch(x)
            y = f(x)
        return float(t.gradient(y, x))
    v = 0.7
    results = _modes(f, cf.constant(v, cf.float64), 2)
    np.testing.assert_allclose(float(results[0][2]), _fd(first, v), rtol=1e-6)
    _check(results[1:], [np.asarray(r) for r in results[0]])


def test_while_loop_with_vector_state_and_data_dependent_trip_count():
    # doubles x until its sum passes 10: the trip count depends on x's value
    def f(x):
        return cf.while_loop(lambda y: cf.reduce_sum(y) < 10.0, lambda y: y * y + y,
                             [x])[0]
    x = cf.constant([0.5, 1.0], cf.float64)
    eager, inside, outside = _modes(f, x, 2)
    _check([inside, outside], [np.asarray(e) for e in eager])


def test_while_loop_gradient_of_captured_variable_second_order():
    w = cf.Variable(1.5, dtype=cf.float64)

    def run():
        with cf.GradientTape() as t2:
            with cf.GradientTape() as t1:
                y = cf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * w),
                                  [cf.constant(0), cf.constant(2.0, cf.float64)])[1]
            g = t1.gradient(y, w)
        return y, g, t2.gradient(g, w)
    expected = [2 * 1.5 ** 3, 6 * 1.5 ** 2, 12 * 1.5]
    _check([run(), cf.function(run)()], expected)


def test_cond_second_and_third_order():
    def f(x):
        return cf.cond(x > 0, lambda: x ** 3, lambda: cf.math.sin(x))
    for v, expected in [(1.2, [1.2 ** 3, 3 * 1.2 ** 2, 6 * 1.2, 6.0]),
                        (-0.4, [np.sin(-0.4), np.cos(-0.4), -np.sin(-0.4),
                                -np.cos(-0.4)])]:
        _check(_modes(f, cf.constant(v, cf.float64), 3), expected)


def test_cond_inside_while_loop_second_order():
    # each iteration: y -> y**2 when y < 2 else y / 2 (both branches differentiable)
    def f(x):
        def body(i, y):
            return i + 1, cf.cond(y < 2.0, lambda: y * y, lambda: y * 0.5)
        return cf.while_loop(lambda i, y: i < 4, body, [cf.constant(0), x])[1]
    x = cf.constant(1.1, cf.float64)
    eager, inside, outside = _modes(f, x, 2)
    _check([inside, outside], [np.asarray(e) for e in eager])
    # 1.1 -> 1.21 -> 1.4641 -> 2.1436 -> 1.0718 = x**8 / 2
    _check([eager], [1.1 ** 8 / 2, 4 * 1.1 ** 7, 28 * 1.1 ** 6])


def test_scan_second_order():
    elems = cf.constant([1.0, 2.0, 3.0], cf.float64)

    def f(x):
        # acc_k = acc_{k-1} * x + e_k ; sum of all accs
        return cf.reduce_sum(cf.scan(lambda a, e: a * x + e, elems,
                                     initializer=cf.constant(0.0, cf.float64)))
    v = 0.9
    # accs: 1, x + 2, x^2 + 2x + 3  ->  sum = x^2 + 3x + 6
    expected = [v ** 2 + 3 * v + 6, 2 * v + 3, 2.0]
    _check(_modes(f, cf.constant(v, cf.float64), 2), expected)


def test_map_fn_second_order():
    elems = cf.constant([1.0, -2.0, 0.5], cf.float64)

    def f(x):
        return cf.reduce_sum(cf.map_fn(lambda e: e * x ** 3, elems))
    v, s = 1.4, -0.5
    _check(_modes(f, cf.constant(v, cf.float64), 2), [s * v ** 3, 3 * s * v ** 2, 6 * s * v])


def test_hessian_through_while_loop_with_jacobian_inside_function():
    def f(x):
        # y = [x0 * x1, x1] after one pass; repeated twice -> [x0 * x1**2, x1]
        return cf.while_loop(lambda i, y: i < 2,
                             lambda i, y: (i + 1, cf.stack([y[0] * y[1], y[1]])),
                             [cf.constant(0), x])[1]

    @cf.function
    def hessian(x):
        with cf.GradientTape() as t2:
            t2.watch(x)
            with cf.GradientTape() as t1:
                t1.watch(x)
                y = f(x)[0]
            g = t1.gradient(y, x)
        return t2.jacobian(g, x)
    a, b = 1.5, 0.8
    h = hessian(cf.constant([a, b], cf.float64))
    np.testing.assert_allclose(h.numpy(), [[0.0, 2 * b], [2 * b, 2 * a]], rtol=1e-12)


def test_tape_inside_and_outside_mixed():
    # first-order tape inside the function, second-order tape around the call
    @cf.function
    def grad(x):
        with cf.GradientTape() as t:
            t.watch(x)
            y = _power_loop(x)
        return t.gradient(y, x)
    x = cf.constant(0.8, cf.float64)
    with cf.GradientTape() as outer:
        outer.watch(x)
        g = grad(x)
    np.testing.assert_allclose(float(g), 8 * 0.8 ** 7, rtol=1e-12)
    np.testing.assert_allclose(float(outer.gradient(g, x)), 56 * 0.8 ** 6, rtol=1e-12)
