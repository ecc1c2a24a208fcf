"""Op behaviours met in tensorflow.org tutorials (tfguides round)."""
import numpy as np

import cuflow as cf


def test_sparse_slice_past_the_end_is_empty():
    st = cf.sparse.SparseTensor([[3, 0], [4, 0]], [1, 1], [8, 6])
    out = cf.sparse.slice(st, start=[0, 10], size=[8, 6])
    assert out.dense_shape.numpy().tolist() == [8, 0]
    assert cf.sparse.to_dense(out).shape == (8, 0)


def test_py_function_with_no_outputs():
    seen = []
    assert cf.py_function(lambda: seen.append(1), [], []) == []
    assert cf.numpy_function(lambda: seen.append(1), [], []) is None

    @cf.function
    def f(x):
        cf.py_function(lambda: seen.append(2), [], [])
        return x + 1
    assert int(f(cf.constant(1))) == 2
    assert seen.count(2) >= 1


def test_keras_dense_on_sparse_input():
    x = cf.keras.Input(shape=(4,), sparse=True)
    model = cf.keras.Model(x, cf.keras.layers.Dense(2)(x))
    k = np.arange(8, dtype="float32").reshape(4, 2)
    model.layers[1].set_weights([k, np.ones(2, "float32")])
    sp = cf.sparse.SparseTensor([[0, 1], [2, 3]], [1, 2], [3, 4])
    out = model(sp).numpy()
    np.testing.assert_allclose(out, np.array([[0, 1, 0, 0], [0] * 4, [0, 0, 0, 2]], "float32") @ k + 1)


def test_saturate_cast_float_to_int32_clamps_below_2_31():
    out = cf.saturate_cast(cf.constant([3e9, -3e9, 1.0]), cf.int32).numpy().tolist()
    assert out == [2147483520, -2147483648, 1]
    img = cf.image.convert_image_dtype(cf.constant([1.5, -0.2, 0.5]), cf.int32, saturate=True)
    assert img.numpy().tolist() == [2147483520, -429496736, 1073741824]
