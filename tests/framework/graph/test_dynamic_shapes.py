"""Data-dependent and run-time shapes in traced functions (input_signature with None dims).

Static shapes expected are TensorFlow 2's (checked with tf.function + TensorSpec([None, 4])),
except where marked "TF: ...": there cuflow knows a dim TF leaves unknown (a constant mask,
or a slice of a known dim next to a run-time bound).
"""
from __future__ import annotations

import cuflow as cf
import numpy as np
import pytest

SPEC = [cf.TensorSpec([None, 4], cf.float32)]
X = np.arange(12, dtype=np.float32).reshape(3, 4) - 5.0


def _n(x):
    return cf.shape(x)[0]


CASES = {
    # name: (fn, TF's static output shape(s))
    "reshape_n_m1": (lambda x: cf.reshape(x, [_n(x), -1]), [(None, None)]),
    "reshape_n_2_m1": (lambda x: cf.reshape(x, [_n(x), 2, -1]), [(None, 2, None)]),
    "reshape_n_2_2": (lambda x: cf.reshape(x, [_n(x), 2, 2]), [(None, 2, 2)]),
    "reshape_m1_n4": (lambda x: cf.reshape(x, [-1, _n(x) * 4]), [(None, None)]),
    "reshape_shape_of": (lambda x: cf.reshape(x * 2.0, cf.shape(x)), [(None, 4)]),
    "zeros_n_3": (lambda x: cf.zeros([_n(x), 3]), [(None, 3)]),
    "ones_shape_of": (lambda x: cf.ones(cf.shape(x), cf.int32), [(None, 4)]),
    "fill": (lambda x: cf.fill([_n(x), 2], 7.0), [(None, 2)]),
    "broadcast_to": (lambda x: cf.broadcast_to(x[:1], cf.shape(x)), [(None, 4)]),
    "tile": (lambda x: cf.tile(x[:1], [_n(x), 1]), [(None, 4)]),
    "range": (lambda x: cf.range(_n(x)), [(None,)]),
    "range_float": (lambda x: cf.range(0.0, cf.cast(_n(x), cf.float32), 0.5), [(None,)]),
    "slice_stop": (lambda x: x[:_n(x) - 1], [(None, 4)]),
    "slice_index": (lambda x: x[_n(x) - 1], [(4,)]),
    "slice_start_step": (lambda x: x[_n(x) - 2::2, 1:], [(None, 3)]),  # TF: (None, None)
    "cf_slice": (lambda x: cf.slice(x, [0, 0], [_n(x) - 1, 2]), [(None, 2)]),
    "strided_slice": (lambda x: cf.strided_slice(x, [1, 0], [_n(x), 4], [1, 2]),
                      [(None, 2)]),  # TF: (None, None)
    "scatter_nd": (lambda x: cf.scatter_nd([[0]], [1.0], [_n(x)]), [(None,)]),
    "boolean_mask_rows": (lambda x: cf.boolean_mask(x, x[:, 0] > -3.0), [(None, 4)]),
    "boolean_mask_full": (lambda x: cf.boolean_mask(x, x > 0.0), [(None,)]),
    "boolean_mask_axis1": (lambda x: cf.boolean_mask(x, [True, False, True, True], axis=1),
                           [(None, 3)]),  # TF: (None, None)
    "where_one_arg": (lambda x: cf.where(x > 0.0), [(None, 2)]),
    "unique": (lambda x: tuple(cf.unique(cf.abs(x[:, 0]) // 2.0)), [(None,), (None,)]),
    "unique_with_counts": (lambda x: tuple(cf.unique_with_counts(cf.reshape(x, [-1]) // 4.0)),
                           [(None,), (None,), (None,)]),
    "dynamic_partition": (lambda x: tuple(cf.dynamic_partition(
        x, cf.cast(x[:, 0] > -3.0, cf.int32), 2)), [(None, 4), (None, 4)]),
    "gather_const_idx": (lambda x: cf.gather(x, [0, 2]), [(2, 4)]),
    "top_k_values": (lambda x: cf.math.top_k(x, 2).values, [(None, 2)]),
    "mask_then_reduce": (lambda x: cf.reduce_sum(cf.boolean_mask(x, x > 0.0)), [()]),
    "mask_then_shape": (lambda x: cf.shape(cf.boolean_mask(x, x > 0.0)), [(1,)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_traced_with_none_dims_matches_eager_and_tf_static_shape(name):
    fn, tf_shapes = CASES[name]
    f = cf.function(fn, input_signature=SPEC)
    outs = cf.nest.flatten(f.get_concrete_function().structured_outputs)
    assert [tuple(o.shape.as_list()) for o in outs] == tf_shapes
    for rows in (3, 5):      # one trace serves every batch size
        x = cf.constant(np.resize(X, (rows, 4)))
        got = cf.nest.flatten(f(x))
        want = cf.nest.flatten(fn(x))
        for g, w in zip(got, want):
            np.testing.assert_array_equal(np.asarray(g), np.asarray(w))
    assert f.experimental_get_tracing_count() == 1


def test_random_with_run_time_shape_has_tf_static_shape():
    f = cf.function(lambda x: cf.random.normal(cf.shape(x)), input_signature=SPEC)
    assert f.get_concrete_function().structured_outputs.shape.as_list() == [None, 4]
    assert f(cf.constant(X)).shape == (3, 4)


def test_known_dims_stay_static():
    # cf.shape(x)[1] of a known dim resolves at trace time: no dynamic node needed
    f = cf.function(lambda x: cf.reshape(x, [-1, cf.shape(x)[1]]), input_signature=SPEC)
    c = f.get_concrete_function()
    assert c.structured_outputs.shape.as_list() == [None, 4]


def test_gradients_through_run_time_shapes():
    def loss(x):
        y = cf.reshape(x, [_n(x), 2, 2])[: _n(x) - 1]
        z = cf.tile(y, [1, 2, 1]) * cf.boolean_mask(x, x[:, 0] > -3.0)[0, 0]
        return cf.reduce_sum(z * z)

    def grad(x):
        with cf.GradientTape() as t:
            t.watch(x)
            out = loss(x)
        return t.gradient(out, x)
    x = cf.constant(X.astype(np.float64))
    traced = cf.function(grad, input_signature=[cf.TensorSpec([None, 4], cf.float64)])
    np.testing.assert_allclose(traced(x).numpy(), grad(x).numpy(), rtol=1e-12)
    # and against central finite differences
    base = X.astype(np.float64)
    fd = np.zeros_like(base)
    for idx in np.ndindex(base.shape):
        e = np.zeros_like(base)
        e[idx] = 1e-6
        fd[idx] = (float(loss(cf.constant(base + e))) - float(loss(cf.constant(base - e)))) \
            / 2e-6
    np.testing.assert_allclose(traced(x).numpy(), fd, rtol=1e-5, atol=1e-4)


def test_run_time_shape_errors_name_the_op():
    f = cf.function(lambda x: cf.reshape(x, [_n(x), 3]), input_signature=SPEC)
    with pytest.raises(cf.errors.InvalidArgumentError, match="reshape"):
        f(cf.constant(X))


# --- map_fn / scan / folds over a length known only at run time -----------------------------
LOOPS = {
    "map_fn": lambda x: cf.map_fn(lambda r: cf.reduce_sum(r) * r, x),
    "map_fn_structure": lambda x: cf.map_fn(lambda r: (r[0], r * 2.0), x,
                                            fn_output_signature=(cf.float32, cf.float32)),
    "scan": lambda x: cf.scan(lambda a, r: a * 0.5 + r, x, initializer=cf.zeros([4])),
    "scan_reverse": lambda x: cf.scan(lambda a, r: a + r, x, initializer=cf.zeros([4]),
                                      reverse=True),
    "foldl": lambda x: cf.foldl(lambda a, r: a * 0.5 + r, x, initializer=cf.zeros([4])),
    "foldr": lambda x: cf.foldr(lambda a, r: a * 0.5 + r, x, initializer=cf.zeros([4])),
}


@pytest.mark.parametrize("name", sorted(LOOPS))
def test_loops_over_unknown_length_match_eager(name):
    fn = LOOPS[name]
    f = cf.function(fn, input_signature=SPEC)
    for rows in (3, 6):
        x = cf.constant(np.resize(X, (rows, 4)))
        for g, w in zip(cf.nest.flatten(f(x)), cf.nest.flatten(fn(x))):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-6)
    assert f.experimental_get_tracing_count() == 1


def test_map_fn_over_unknown_length_traces_fn_once_and_differentiates():
    traced = []

    def row(r):
        traced.append(1)
        return r * r * 0.5

    @cf.function(input_signature=[cf.TensorSpec([None, 4], cf.float64)])
    def grad(x):
        with cf.GradientTape() as t:
            t.watch(x)
            y = cf.reduce_sum(cf.map_fn(row, x))
        return t.gradient(y, x)
    x = X.astype(np.float64)
    np.testing.assert_allclose(grad(cf.constant(x)).numpy(), x)
    assert len(traced) <= 3        # a shape probe plus the loop body (TF: 1), not per row


# --- TensorArray ---------------------------------------------------------------------------
def test_tensor_array_eager_operations():
    ta = cf.TensorArray(cf.float32, size=2)
    ta.write(0, [1.0, 2.0])                     # eagerly in place, as TF's eager arrays
    ta = ta.write(1, [3.0, 4.0])
    np.testing.assert_array_equal(ta.stack().numpy(), [[1, 2], [3, 4]])
    np.testing.assert_array_equal(ta.read(1).numpy(), [3, 4])
    np.testing.assert_array_equal(ta.gather([1, 0]).numpy(), [[3, 4], [1, 2]])
    np.testing.assert_array_equal(ta.concat().numpy(), [1, 2, 3, 4])
    assert int(ta.size()) == 2 and ta.element_shape.as_list() == [2]
    un = cf.TensorArray(cf.int32, size=0, dynamic_size=True).unstack([[1], [2], [3]])
    assert un.read(2).numpy().tolist() == [3] and int(un.size()) == 3
    grown = cf.TensorArray(cf.int32, size=0, dynamic_size=True).write(3, 7)
    assert grown.stack().numpy().tolist() == [0, 0, 0, 7]
    with pytest.raises(ValueError, match="element shape"):
        cf.TensorArray(cf.float32, size=1, element_shape=[2]).write(0, [1.0, 2.0, 3.0])


def test_tensor_array_in_a_loop_of_run_time_length_with_gradient():
    @cf.function(input_signature=[cf.TensorSpec([None], cf.float64)])
    def f(x):
        with cf.GradientTape() as t:
            t.watch(x)
            ta = cf.TensorArray(cf.float64, size=0, dynamic_size=True)
            acc = cf.constant(0.0, cf.float64)
            for i in cf.range(cf.shape(x)[0]):
                acc = acc + x[i] * x[i]
                ta = ta.write(i, acc)
            total = cf.reduce_sum(ta.stack())
        return ta.stack(), t.gradient(total, x)
    v = np.array([1.0, 2.0, 3.0])
    stacked, g = f(cf.constant(v))
    np.testing.assert_allclose(stacked.numpy(), np.cumsum(v * v))
    # d/dx_k sum_j cumsum_j = 2 x_k * (number of prefixes containing k)
    np.testing.assert_allclose(g.numpy(), 2 * v * np.arange(3, 0, -1))
