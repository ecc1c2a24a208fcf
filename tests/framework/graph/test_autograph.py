"""AutoGraph: Python control flow on tensors inside cf.function."""
from __future__ import annotations

import cuflow as cf
import numpy as np
import pytest


def collatz_steps(n):
    steps = cf.constant(0)
    while n > 1:
        if cf.equal(cf.math.floormod(n, 2), 0):
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def test_while_with_nested_if_on_tensors_traces_once():
    f = cf.function(collatz_steps)
    for n, want in ((6, 8), (7, 16), (1, 0)):
        assert int(f(cf.constant(n))) == want
    assert f.experimental_get_tracing_count() == 1
    ops = [n.type for n in f.get_concrete_function(cf.constant(6)).graph.get_operations()]
    assert "while" in ops


def test_python_conditions_stay_python():
    def f(x, training):
        if training:
            x = x * 2.0
        for _ in range(3):
            x = x + 1.0
        return x

    g = cf.function(f)
    assert float(g(cf.constant(1.0), True)) == 5.0
    assert float(g(cf.constant(1.0), False)) == 4.0
    ops = [n.type for n in g.get_concrete_function(cf.constant(1.0), True)
           .traced_graph.get_operations()]
    assert "cond" not in ops and "while" not in ops


def early_return(x):
    if cf.reduce_sum(x) > 0:
        return x * 2.0
    y = -x
    return y + 1.0


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_return_inside_if(sign):
    x = cf.constant([1.0, 2.0]) * sign
    np.testing.assert_allclose(cf.function(early_return)(x).numpy(), early_return(x).numpy())


def test_break_and_continue_and_bool_ops():
    def f(x):
        total = cf.constant(0.0)
        i = cf.constant(0)
        while i < 100:
            i += 1
            if i > 6 and total > 3.0:
                break
            if cf.equal(cf.math.floormod(i, 2), 0):
                continue
            total += x
        return total, i

    got = cf.function(f)(cf.constant(1.5))
    want = f(cf.constant(1.5))
    assert [float(a) for a in got] == [float(b) for b in want] == [4.5, 7.0]


def test_for_over_tensor_rows_and_over_range():
    def f(x):
        acc = cf.zeros([2])
        for row in x:
            acc = acc + row
        for k in range(2):
            acc = acc * 2.0
        return acc

    x = cf.constant(np.arange(6, dtype=np.float32).reshape(3, 2))
    np.testing.assert_allclose(cf.function(f)(x).numpy(), f(x).numpy())


def test_variable_defined_in_one_branch_only_errors():
    def f(x):
        if x > 0:
            y = x
        return y

    with pytest.raises(ValueError, match="'y' must be defined before"):
        cf.function(f)(cf.constant(1.0))


def test_unconvertible_loop_names_construct_and_line():
    def f(x):
        while x > 0:
            x = x - 1.0
            for _ in range(2):
                pass
            if x > 5.0:
                return x
        return x

    with pytest.raises(ValueError, match=r"while loop at .*test_autograph\.py:\d+"):
        cf.function(f)(cf.constant(3.0))


def test_to_code_and_do_not_convert():
    code = cf.autograph.to_code(collatz_steps)
    assert "ag__.while_stmt" in code and "ag__.if_stmt" in code

    @cf.autograph.experimental.do_not_convert
    def raw(x):
        if x > 0:
            return x
        return -x

    with pytest.raises(cf.errors.InvalidArgumentError, match="symbolic"):
        cf.function(raw)(cf.constant(1.0))


def test_methods_and_closures_convert():
    scale = 3.0

    class M:
        def __init__(self):
            self.bias = cf.Variable(1.0)

        @cf.function
        def __call__(self, x):
            if x > 0:
                x = x * scale + self.bias
            return x

    m = M()
    assert float(m(cf.constant(2.0))) == 7.0
    assert float(m(cf.constant(-2.0))) == -2.0


def test_long_python_loops_warn_and_big_chains_split(monkeypatch):
    from cuflow.graph.autograph import runtime
    monkeypatch.setattr(runtime, "UNROLL_WARN", 50)

    def f(x):
        for _ in range(300):
            x = x + 1.0
        return x

    g = cf.function(f)
    with pytest.warns(UserWarning, match="unrolled 50 iterations"):
        assert float(g(cf.constant(0.0))) == 300.0
    c = g.get_concrete_function(cf.constant(0.0))
    assert 2 <= len(c.graph.get_operations()) <= 4       # 128 ops per kernel at most
    assert "kernel size limit" in c.compiler_report()


def test_variables_local_to_a_graph_branch_or_loop_body():
    """TF: a variable first assigned inside a graph if/loop is local to it when it has no
    value before; it is an error only if used after the statement."""
    @cf.function
    def one_branch(x):
        if x > 0:
            y = cf.constant(1.0)   # never used after the if
        return x

    @cf.function
    def nested_while(n):
        i = cf.constant(0)
        acc = cf.constant(0)
        while i < n:
            j = cf.constant(0)      # loop-local: defined at the top of each iteration
            while j < i:
                acc += j
                j += 1
            i += 1
        return acc

    @cf.function
    def used_after(x):
        if x > 0:
            y = x * 2
        return y + 1

    assert int(one_branch(cf.constant(1))) == 1
    assert int(nested_while(cf.constant(5))) == 10
    with pytest.raises(Exception, match="'y'"):
        used_after(cf.constant(1))


def test_set_loop_options_shape_invariants_let_a_variable_grow():
    @cf.function
    def grow(n):
        x = cf.zeros([0])
        for i in cf.range(n):
            cf.autograph.experimental.set_loop_options(
                shape_invariants=[(x, cf.TensorShape([None]))])
            x = cf.concat([x, [cf.cast(i, cf.float32)]], 0)
        return x
    assert grow(cf.constant(4)).numpy().tolist() == [0.0, 1.0, 2.0, 3.0]


def test_lists_of_traced_tensors_are_auto_packed():
    @cf.function
    def f(x):
        a = cf.convert_to_tensor([cf.shape(x)[0], 5])
        b = cf.add(x[0], [cf.reduce_sum(x), 1.0, 2.0])
        c = cf.concat([cf.reshape(x, [-1]), [cf.cast(cf.shape(x)[0], cf.float32)]], 0)
        return a, b, c
    a, b, c = f(cf.ones((2, 3)))
    assert a.numpy().tolist() == [2, 5] and a.dtype == cf.int32
    assert b.numpy().tolist() == [7.0, 2.0, 3.0]
    assert c.numpy().tolist() == [1.0] * 6 + [2.0]


def test_tensor_array_loop_indexing_a_captured_tensor():
    """TensorArray sized by tf.shape, written from x[i] in a loop over tf.range: the
    element-shape discovery trace indexes a captured constant with the loop counter."""
    @cf.function
    def double_rows(x):
        ta = cf.TensorArray(cf.float32, size=cf.shape(x)[0])
        for i in cf.range(cf.shape(x)[0]):
            ta = ta.write(i, x[i] * 2)
        return ta.stack(), ta.size()
    rows, n = double_rows(cf.constant([[1.0, 2.0], [3.0, 4.0]]))
    assert rows.numpy().tolist() == [[2.0, 4.0], [6.0, 8.0]] and int(n) == 2


def test_conditional_and_logical_expressions_anywhere_become_graph_ops():
    """TF's autograph converts ``a if c else b`` and and/or/not in any expression, not
    only in if/while tests (values checked against TF 2.21)."""
    @cf.function
    def f(x):
        y = x * 2.0 if cf.reduce_sum(x) > 0 else -x
        z = cf.reduce_sum(x) > 0 and cf.reduce_max(x) < 10
        w = not (cf.reduce_min(x) > 0)
        return y, z, w
    y, z, w = f(cf.constant([1.0, 2.0]))
    assert y.numpy().tolist() == [2.0, 4.0] and bool(z) and not bool(w)
    y, z, w = f(cf.constant([-1.0, -2.0]))
    assert y.numpy().tolist() == [1.0, 2.0] and not bool(z) and bool(w)

    @cf.function
    def g(x, flag):
        return x + 1 if flag else x - 1   # a Python condition stays Python
    assert float(g(cf.constant(1.0), True)) == 2.0 and float(g(cf.constant(1.0), False)) == 0
    assert "if_exp" in cf.autograph.to_code(f.python_function)
