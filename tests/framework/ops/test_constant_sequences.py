"""tf.constant / convert_to_tensor / from_tensor_slices of lists holding NumPy values:
TF types a sequence by its first scalar (dtypes below were read off TF 2.21)."""
import numpy as np
import pytest

import cuflow as cf

CASES = [
    ([np.int64(1), np.int64(2)], "int32", "int32"),
    ([np.int64(2 ** 40)], "int64", "int64"),
    ([np.uint8(1)], "int32", "int32"),
    ([np.float64(1), 2], "float64", "float64"),
    ([1, np.float64(2)], "float32", "float32"),
    ([np.float32(1), np.float64(2)], "float32", "float32"),
    ([2.0, np.float64(1)], "float32", "float32"),
    ([np.float16(1)], "float16", "float16"),
    ([np.complex64(1)], "complex128", "complex128"),
    ([np.bool_(True)], "bool", "bool"),
    ((np.int64(1),), "int32", "int32"),
    # arrays inside a list: tf.constant reads their scalars; tf.data stacks them
    ([np.array([1, 2]), np.array([3, 4])], "int32", "int64"),
    ([np.array(1), np.array(2)], "int32", "int64"),
    ([np.array([1, 2], np.uint8)], "int32", "uint8"),
    ([np.array([1.0], np.float32), np.array([1.0])], "float32", "float32"),
    ([np.array([1, 2]), [3, 4]], "int32", "int32"),
    ([np.array(1.0), 2.0], "float64", "float64"),
]


@pytest.mark.parametrize("value,constant_dtype,slices_dtype", CASES)
def test_sequence_dtypes(value, constant_dtype, slices_dtype):
    assert cf.constant(value).dtype.name == constant_dtype
    assert cf.convert_to_tensor(value).dtype.name == constant_dtype
    if isinstance(value, list):
        spec = cf.data.Dataset.from_tensor_slices(value).element_spec
        assert spec.dtype.name == slices_dtype


def test_values_and_explicit_dtype_are_kept():
    t = cf.constant([np.int64(3), np.int64(-4)])
    assert t.numpy().tolist() == [3, -4]
    assert cf.constant([np.int64(1)], dtype=cf.int64).dtype == cf.int64
    assert cf.constant(np.array([1, 2])).dtype == cf.int64   # a bare array keeps its dtype
