"""keras.utils.split_dataset as Keras 3.15 on TF 2.21 does it (values checked there)."""
import numpy as np
import pytest

import cuflow as cf

split = cf.keras.utils.split_dataset


def _spec_and_values(ds):
    return ds.element_spec, [np.asarray(e).tolist() for e in ds.as_numpy_iterator()]


@pytest.mark.parametrize("array,dtype", [
    (np.arange(10), cf.int32),                   # NumPy int64 scalars convert as tf.constant
    (np.arange(10, dtype=np.uint8), cf.int32),
    (np.arange(10, dtype=np.float64), cf.float64),
    (np.arange(10, dtype=np.float32), cf.float32),
    (np.arange(10) % 2 == 0, cf.bool)])
def test_bare_array_element_dtype(array, dtype):
    left, right = split(array, left_size=0.8)
    (ls, lv), (rs, rv) = _spec_and_values(left), _spec_and_values(right)
    assert ls.dtype == dtype and rs.dtype == dtype and ls.shape == ()
    assert lv == array[:8].tolist() and rv == array[8:].tolist()


def test_rows_tuples_and_datasets_keep_their_dtype():
    left, _ = split(np.arange(10).reshape(5, 2), left_size=2, right_size=2)
    assert left.element_spec.dtype == cf.int64 and left.element_spec.shape == (2,)
    left, right = split((np.arange(10), np.arange(10.0)), right_size=0.3, shuffle=True,
                        seed=1)
    assert [s.dtype for s in left.element_spec] == [cf.int64, cf.float64]
    assert [tuple(map(int, e)) for e in right.as_numpy_iterator()] == [(4, 4), (1, 1), (2, 2)]
    left, right = split(cf.data.Dataset.range(6).batch(2), left_size=0.5)
    assert [b.tolist() for b in left.as_numpy_iterator()] == [[0, 1], [2]]


def test_shuffle_with_seed_is_python_random_order():
    left, right = split(np.arange(10), left_size=0.5, shuffle=True, seed=3)
    assert list(left.as_numpy_iterator()) == [1, 5, 6, 0, 9]
    assert list(right.as_numpy_iterator()) == [4, 7, 2, 8, 3]


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(left_size=3, right_size=8), ValueError,
     "left_size + right_size = 11.0and total_length = 10"),
    (dict(right_size=10), ValueError, "positive integer and smaller than 10 or a float"),
    (dict(left_size="a"), TypeError, "Received: type(left_size)=<class 'str'>.  "),
    (dict(left_size=True), TypeError, "Invalid `left_size` Type"),
    (dict(left_size=0.01), ValueError, "`left_size`=0 and `right_size`=10.Resulting left"),
])
def test_size_errors(kwargs, error, message):
    with pytest.raises(error) as info:
        split(np.arange(10), **kwargs)
    assert message in str(info.value)


def test_input_kinds_keras_rejects():
    with pytest.raises(ValueError, match="Expected a list of `numpy.ndarray` objects"):
        split([1, 2, 3, 4], left_size=0.5)
    with pytest.raises(ValueError, match="Expected a tuple of `numpy.ndarray` objects"):
        split((cf.constant([1, 2, 3, 4]),), left_size=0.5)
    with pytest.raises(ValueError, match="different lengths"):
        split((np.arange(4), np.arange(5)), left_size=0.5)
    with pytest.raises(TypeError, match="Unsupported dataset type: <class 'dict'>"):
        split({"a": np.arange(4)}, left_size=0.5)
