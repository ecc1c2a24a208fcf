"""TF semantics of the array ops that the registry templates do not reach: empty-segment
fills, tie rules in gradients, error texts, higher-order gradients, tracing."""
from __future__ import annotations

import numpy as np
import pytest

import cuflow as cf
from cuflow.errors import InvalidArgumentError


def _grad(fn, x):
    x = cf.constant(x)
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x).numpy()


def test_shape_utilities():
    assert cf.broadcast_static_shape(cf.TensorShape([2, 1]), cf.TensorShape([3])) == [2, 3]
    assert cf.broadcast_dynamic_shape([2, 1], [1, 4]).numpy().tolist() == [2, 4]
    assert [s.numpy().tolist() for s in cf.shape_n([cf.zeros([2]), cf.zeros([1, 3])])] == \
        [[2], [1, 3]]
    assert cf.zeros(cf.TensorShape([2, 3])).shape == [2, 3]
    assert cf.ones(cf.TensorShape([1])).numpy().tolist() == [1.0]
    with pytest.raises(ValueError, match="Incompatible"):
        cf.broadcast_static_shape(cf.TensorShape([2]), cf.TensorShape([3]))
    with pytest.raises(InvalidArgumentError, match="Incompatible"):
        cf.broadcast_dynamic_shape([2], [3])


def test_broadcast_dynamic_shape_dtype_follows_tf():
    # Python lists convert to int32 (TF), tensors keep their dtype
    assert cf.broadcast_dynamic_shape([2, 1], [1, 3]).dtype == cf.int32
    s64 = cf.constant([2, 1], cf.int64)
    assert cf.broadcast_dynamic_shape(s64, cf.constant([1, 3], cf.int64)).dtype == cf.int64


def test_unsorted_segment_prod_does_not_warn_on_large_products():
    import warnings
    d = cf.constant([[1e30, 1e30], [1e30, 1e30], [2.0, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = cf.math.unsorted_segment_prod(d, [1, 0, 1], 2).numpy()
    np.testing.assert_allclose(out[1], [2e30, 3e30], rtol=1e-6)


def test_empty_segments_follow_tf():
    f32 = cf.math.unsorted_segment_max(cf.constant([1.0, 2.0]), [0, 0], 2).numpy()
    assert f32[1] == np.finfo(np.float32).min  # numeric_limits::lowest, not -inf
    i32 = cf.math.unsorted_segment_min(cf.constant([1, 2]), [0, 0], 2).numpy()
    assert i32[1] == np.iinfo(np.int32).max
    assert cf.math.segment_max([1.0, 2.0], [0, 2]).numpy().tolist() == [1.0, 0.0, 2.0]
    assert cf.math.segment_prod([3.0], [1]).numpy().tolist() == [1.0, 3.0]
    assert cf.math.unsorted_segment_mean([2.0, 4.0], [1, 1], 3).numpy().tolist() == \
        [0.0, 3.0, 0.0]
    # negative ids are dropped
    assert cf.math.unsorted_segment_sum([1.0, 5.0], [-1, 0], 1).numpy().tolist() == [5.0]


def test_segment_max_ties_share_gradient():
    g = _grad(lambda x: cf.reduce_sum(cf.math.unsorted_segment_max(x, [0, 0, 0, 1], 2)),
              np.array([2.0, 2.0, 1.0, 3.0]))
    np.testing.assert_allclose(g, [0.5, 0.5, 0.0, 1.0])


def test_segment_prod_gradient_with_one_zero():
    g = _grad(lambda x: cf.reduce_sum(cf.math.unsorted_segment_prod(x, [0, 0, 0], 1)),
              np.array([2.0, 0.0, 3.0]))
    np.testing.assert_allclose(g, [0.0, 6.0, 0.0])


def test_gather_gradient_is_indexed_slices_that_accumulate():
    x = cf.constant(np.zeros((3, 2)))
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = cf.reduce_sum(cf.gather(x, [1, 1, 0]))
    g = tape.gradient(y, x)
    assert isinstance(g, cf.IndexedSlices) and g.indices.numpy().tolist() == [1, 1, 0]
    assert cf.convert_to_tensor(g).numpy().tolist() == [[1, 1], [2, 2], [0, 0]]


def test_gather_second_order():
    x = cf.constant([1.0, 2.0, 3.0])
    with cf.GradientTape() as t2:
        t2.watch(x)
        with cf.GradientTape() as t1:
            t1.watch(x)
            y = cf.reduce_sum(cf.gather(x, [2, 2, 0]) ** 3)
        g = t1.gradient(y, x)
    h = cf.convert_to_tensor(t2.gradient(g, x)).numpy()   # IndexedSlices again
    np.testing.assert_allclose(h, [6 * 1.0, 0.0, 2 * 6 * 3.0])


def test_gather_error_names_op_index_and_range():
    with pytest.raises(InvalidArgumentError, match=r"GatherV2.*indices\[0,1\] = 9 is not in "
                                                   r"\[0, 3\)"):
        cf.gather(cf.zeros([3]), [[0, 9]])


def test_top_k_ties_take_lower_index_first():
    _, i = cf.math.top_k([1.0, 5.0, 5.0, 2.0, 5.0], k=2)
    assert i.numpy().tolist() == [1, 2] and i.dtype == cf.int32
    assert cf.argsort([3, 1, 3, 1], direction="DESCENDING", stable=True).numpy().tolist() == \
        [0, 2, 1, 3]


def test_one_hot_out_of_range_rows_are_off():
    out = cf.one_hot([-1, 3, 1], 3, on_value=2, off_value=-1, axis=0)
    assert out.dtype == cf.int32
    assert out.numpy().T.tolist() == [[-1, -1, -1], [-1, -1, -1], [-1, 2, -1]]


def test_where_one_arg_on_numbers():
    assert cf.where([[0, 3], [2, 0]]).numpy().tolist() == [[0, 1], [1, 0]]


def test_strided_slice_tf_doc_examples():
    t = cf.constant([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]], [[5, 5, 5], [6, 6, 6]]])
    assert cf.strided_slice(t, [1, 0, 0], [2, 1, 3], [1, 1, 1]).numpy().tolist() == \
        [[[3, 3, 3]]]
    assert cf.strided_slice(t, [1, 0, 0], [2, 2, 3], [1, 1, 1]).numpy().tolist() == \
        [[[3, 3, 3], [4, 4, 4]]]
    assert cf.strided_slice(t, [1, -1, 0], [2, -3, 3], [1, -1, 1]).numpy().tolist() == \
        [[[4, 4, 4], [3, 3, 3]]]


def test_clip_by_global_norm_none_and_inf():
    out, norm = cf.clip_by_global_norm([cf.constant([3.0]), None, cf.constant([4.0])], 2.5)
    assert out[1] is None and float(norm) == 5.0
    np.testing.assert_allclose(out[0].numpy(), [1.5])
    out, norm = cf.clip_by_global_norm([cf.constant([np.inf, 1.0])], 1.0)
    assert np.isnan(out[0].numpy()).all()


def test_clip_by_value_gradient_is_inclusive():
    g = _grad(lambda x: cf.reduce_sum(cf.clip_by_value(x, -1.0, 1.0)),
              np.array([-2.0, -1.0, 0.0, 1.0, 2.0]))
    assert g.tolist() == [0, 1, 1, 1, 0]


def test_exclusive_logsumexp_gradient():
    x = np.array([0.3, -1.0, 2.0, 0.5])
    w = np.array([0.7, -1.3, 2.0])
    ge = _grad(lambda t: cf.reduce_sum(cf.math.cumulative_logsumexp(t, exclusive=True)[1:] * w),
               x)
    gi = _grad(lambda t: cf.reduce_sum(cf.math.cumulative_logsumexp(t)[:-1] * w), x)
    np.testing.assert_allclose(ge, gi, rtol=1e-12)


def test_tracing_data_dependent_shapes():
    @cf.function
    def f(x):
        c = cf.where(x > 0)
        y, idx = cf.unique(x)
        assert c.shape.as_list() == [None, 1] and y.shape.as_list() == [None]
        return c, y, idx
    c, y, idx = f(cf.constant([1, 0, 1, 2]))
    assert c.numpy().tolist() == [[0], [2], [3]] and y.numpy().tolist() == [1, 0, 2]
    assert idx.numpy().tolist() == [0, 1, 0, 2]


def test_namespaces():
    for name in ("top_k", "cumsum", "cumprod", "cumulative_logsumexp", "bincount", "in_top_k",
                 "unsorted_segment_sum", "segment_mean"):
        assert callable(getattr(cf.math, name)), name
    for name in ("gather", "gather_nd", "boolean_mask", "where", "tile", "pad", "sort",
                 "argsort", "one_hot", "clip_by_value", "clip_by_norm", "clip_by_global_norm",
                 "linspace", "meshgrid", "unique", "searchsorted", "sequence_mask"):
        assert callable(getattr(cf, name)), name
    assert callable(cf.linalg.global_norm)
