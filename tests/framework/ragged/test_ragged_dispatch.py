"""Ops on RaggedTensors (TF's ragged dispatch): elementwise ops and operators, reductions,
concat, map_fn, tf.ragged.range/stack/boolean_mask, bounding_shape. Expected values are
TF 2.21's for the same calls."""
import numpy as np
import pytest

import cuflow as cf

R = [[1, 2, 3], [], [4, 5], [6]]


def test_elementwise_ops_and_operators_keep_rows():
    r = cf.ragged.constant(R)
    assert (r + 1).to_list() == [[2, 3, 4], [], [5, 6], [7]]
    assert (2 * r).to_list() == [[2, 4, 6], [], [8, 10], [12]]
    assert (r - r).to_list() == [[0, 0, 0], [], [0, 0], [0]]
    assert (-r).to_list() == [[-1, -2, -3], [], [-4, -5], [-6]]
    assert (r > 2).to_list() == [[False, False, True], [], [True, True], [True]]
    assert cf.cast(r, cf.float32).dtype == cf.float32
    assert cf.math.square(r).to_list() == [[1, 4, 9], [], [16, 25], [36]]
    assert cf.where(r > 2, r, r * 0).to_list() == [[0, 0, 3], [], [4, 5], [6]]
    # a dense [nrows, 1] tensor broadcasts per row
    per_row = cf.constant([[10], [20], [30], [40]])
    assert (r + per_row).to_list() == [[11, 12, 13], [], [34, 35], [46]]
    with pytest.raises(cf.errors.InvalidArgumentError, match="row partitions"):
        cf.add(r, cf.ragged.constant([[1], [2], [3], [4]]))


def test_reductions_over_ragged_and_uniform_axes():
    r = cf.ragged.constant(R)
    assert cf.reduce_sum(r).numpy() == 21
    assert cf.reduce_sum(r, axis=1).numpy().tolist() == [6, 0, 9, 6]
    assert cf.reduce_sum(r, axis=0).numpy().tolist() == [11, 7, 3]
    mean = cf.reduce_mean(cf.cast(r, cf.float32), axis=1).numpy()
    np.testing.assert_allclose(mean, [2.0, np.nan, 4.5, 6.0])
    int_mean = cf.reduce_mean(cf.ragged.constant([[-3, 2], []]), axis=1)
    assert int_mean.dtype == cf.float64     # TF: the mean of integer rows is float64
    np.testing.assert_allclose(int_mean.numpy(), [-0.5, np.nan])
    assert cf.reduce_max(r, axis=1).numpy().tolist() == [3, np.iinfo(np.int32).min, 5, 6]
    assert cf.reduce_sum(r, axis=1, keepdims=True).numpy().tolist() == [[6], [0], [9], [6]]
    assert cf.reduce_any(r > 4, axis=1).numpy().tolist() == [False, False, True, True]
    assert cf.reduce_all(r > 0, axis=1).numpy().tolist() == [True, True, True, True]
    r2 = cf.ragged.constant([[[1, 2], [3]], [[4]]])
    assert cf.reduce_sum(r2, axis=2).to_list() == [[3, 3], [4]]


def test_concat_map_fn_and_constructors():
    r = cf.ragged.constant(R)
    assert cf.concat([r, r], axis=0).to_list() == R + R
    assert cf.concat([r, r], axis=1).to_list() == [[1, 2, 3, 1, 2, 3], [], [4, 5, 4, 5],
                                                   [6, 6]]
    assert cf.map_fn(cf.reduce_sum, r, fn_output_signature=cf.int32).numpy().tolist() == \
        [6, 0, 9, 6]
    assert cf.ragged.range([0, 2, 5], [3, 3, 8]).to_list() == [[0, 1, 2], [2], [5, 6, 7]]
    assert cf.ragged.range(3).to_list() == [[0, 1, 2]]
    assert cf.ragged.stack([cf.constant([1, 2]), cf.constant([3])]).to_list() == [[1, 2], [3]]
    mask = [[True, False, True], [False, False, True]]
    assert cf.ragged.boolean_mask(cf.constant([[1, 2, 3], [4, 5, 6]]), mask).to_list() == \
        [[1, 3], [6]]
    assert r.bounding_shape().numpy().tolist() == [4, 3]
    assert cf.ragged.constant([[[1, 2], [3]], [[4]]]).bounding_shape().numpy().tolist() == \
        [2, 2, 2]
    strings = cf.strings.split(cf.constant(["a b", "c"]))
    assert strings.to_tensor(default_value="").numpy().tolist() == [[b"a", b"b"], [b"c", b""]]


def test_ops_without_a_ragged_form_say_so():
    with pytest.raises(ValueError, match="no ragged form"):
        cf.matmul(cf.ragged.constant(R), cf.ones((3, 1), cf.int32))
