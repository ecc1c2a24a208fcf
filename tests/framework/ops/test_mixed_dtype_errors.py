"""TF's typing of ops over several inputs (checked against TF 2.21): tensors share one
dtype, Python scalars convert to it or raise, NumPy values are cast to it."""
import numpy as np
import pytest

import cuflow as cf

I32 = cf.constant([1, 2])
F32 = cf.constant([1.0, 2.0])
IAE = cf.errors.InvalidArgumentError


@pytest.mark.parametrize("fn", [
    lambda: I32 + F32, lambda: F32 * I32, lambda: cf.add(I32, F32),
    lambda: cf.subtract(I32, cf.constant([1, 1], cf.int64)),
    lambda: F32 * cf.constant([1.0, 1.0], cf.float64),
    lambda: F32 + cf.constant([1.0, 1.0], cf.float16),
    lambda: cf.matmul(cf.ones((2, 2), cf.int32), cf.ones((2, 2))),
    lambda: cf.concat([cf.ones(2), cf.ones(2, cf.int32)], 0),
    lambda: cf.stack([F32, I32]), lambda: cf.maximum(I32, F32), lambda: I32 < F32,
    lambda: cf.equal(I32, F32), lambda: cf.where([True, False], I32, F32),
    lambda: cf.add_n([I32, F32]), lambda: cf.math.squared_difference(I32, F32),
    lambda: cf.einsum("i,i->", cf.ones(2, cf.int32), cf.ones(2)),
    lambda: I32 + 1.5, lambda: I32 + [1.0, 2.0],
])
def test_invalid_argument(fn):
    with pytest.raises(IAE):
        fn()


@pytest.mark.parametrize("fn", [
    lambda: cf.constant([1.0], dtype=cf.int32), lambda: cf.constant(1.0, dtype=cf.int32),
    lambda: cf.constant(1, dtype=cf.bool), lambda: cf.constant([1, 2.0], cf.int32),
    lambda: cf.convert_to_tensor(1.0, cf.int32), lambda: cf.Variable(1.0, dtype=cf.int32),
    lambda: I32 * 0.5, lambda: I32 - 1.0, lambda: I32 ** 2.0, lambda: I32 / F32,
    lambda: cf.math.divide_no_nan(I32, F32), lambda: cf.range(3) * 0.5,
    lambda: cf.clip_by_value(cf.constant(1), 0.0, 1.0),
])
def test_type_error(fn):
    with pytest.raises(TypeError):
        fn()


def test_weak_python_scalars_and_numpy_values_take_the_tensor_dtype():
    assert (F32 + 2).dtype == cf.float32 and (2 * F32).dtype == cf.float32
    assert (I32 + 2).dtype == cf.int32 and (cf.constant([1.0], cf.float16) + 1.5).dtype \
        == cf.float16
    assert (F32 + np.float64(2.0)).dtype == cf.float32
    assert (F32 + np.array([1, 2])).dtype == cf.float32
    # NumPy floats are cast to an integer tensor's dtype (truncated), as TF does
    out = I32 + np.float64(1.5)
    assert out.dtype == cf.int32 and out.numpy().tolist() == [2, 3]
    assert (I32 + np.array([1.0, 2.0])).dtype == cf.int32
    assert (I32 / 2).dtype == cf.float64      # truediv of ints: float64
    assert (cf.constant([1], cf.uint8) + 300).numpy().tolist() == [45]   # wraps


def test_constant_conversions():
    assert cf.constant(300, cf.uint8).numpy() == 44
    assert cf.constant(2 ** 31, cf.int32).numpy() == -2 ** 31
    assert cf.constant(True, cf.int32).numpy() == 1
    assert cf.constant(np.array([1.5]), cf.int32).numpy().tolist() == [1]
    assert cf.constant([1, True]).dtype == cf.int32
    with pytest.raises(ValueError, match="mixed types"):
        cf.constant([True, 1])
    with pytest.raises(ValueError, match="out-of-range"):
        cf.constant(2 ** 64, cf.int64)


def test_traced_functions_raise_type_error():
    # while tracing, TF's graph construction rejects the mix: TypeError
    f = cf.function(lambda a, b: a + b)
    with pytest.raises(TypeError):
        f(I32, F32)
    with pytest.raises(TypeError):
        cf.function(lambda a: a + 1.5)(I32)
    assert f(F32, F32).dtype == cf.float32


def test_strictness_is_for_user_calls_not_cuflows_own_layers():
    """TF's one-dtype rule is checked on a mismatch against who called: a user's cf.add
    raises, while Keras layers (which mix a float16 input with float32 kernels under
    mixed precision, and whose keras.ops promote as Keras's) keep the promotion rule."""
    import numpy as np

    import cuflow as cf
    keras = cf.keras
    with pytest.raises(cf.errors.InvalidArgumentError):
        cf.add(cf.constant([1.0], cf.float16), cf.constant([1.0]))
    assert keras.ops.add(cf.constant([1], cf.int32), cf.constant([1.0])).dtype == cf.float32
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        x = np.random.default_rng(0).random((4, 5, 3)).astype("float32")
        for layer in (keras.layers.LSTM(4), keras.layers.GRU(4), keras.layers.SimpleRNN(4)):
            inp = keras.Input((5, 3))
            model = keras.Model(inp, keras.layers.Activation("linear", dtype="float32")(
                layer(inp)))
            model.compile("adam", "mse")
            model.fit(x, np.zeros((4, 4), "float32"), verbose=0)
        mha = keras.layers.MultiHeadAttention(2, 4)
        assert mha(x, x).shape == (4, 5, 3)
    finally:
        keras.mixed_precision.set_global_policy(policy)


def test_mixed_float16_layers_compute_in_float16():
    """Keras 3 under mixed_float16: float32 variables, float16 outputs (checked against
    Keras 3.15 for each of these layers)."""
    import numpy as np

    import cuflow as cf
    keras = cf.keras
    policy = keras.mixed_precision.global_policy()
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        x = np.random.default_rng(0).random((2, 5, 4)).astype("float32")
        layers = [keras.layers.MultiHeadAttention(2, 4), keras.layers.AdditiveAttention(),
                  keras.layers.Conv1DTranspose(2, 2), keras.layers.SeparableConv1D(2, 2),
                  keras.layers.LSTM(3), keras.layers.GRU(3), keras.layers.DepthwiseConv1D(2)]
        for layer in layers:
            out = layer(x, x) if isinstance(layer, keras.layers.MultiHeadAttention) else \
                layer([x, x]) if isinstance(layer, keras.layers.AdditiveAttention) else layer(x)
            assert out.dtype == cf.float16, type(layer).__name__
            assert all(w.dtype == cf.float32 for w in layer.weights)
    finally:
        keras.mixed_precision.set_global_policy(policy)


def test_add_and_matmul_convert_a_non_tensor_first_argument_alone():
    """TF's math_ops.add and matmul convert x / a on their own (int -> int32), so a Python
    value first next to a tensor of another dtype is a mismatch; the operators and the
    other binary ops convert it to the tensor's dtype."""
    with pytest.raises(IAE, match="int32"):
        cf.add(1, cf.constant(2.0))
    with pytest.raises(IAE):
        cf.matmul([[1]], cf.constant([[2.0]]))
    with pytest.raises(IAE):
        cf.add(np.float64(1.0), cf.constant(2.0))
    assert float(cf.add(1.5, cf.constant(2.0))) == 3.5
    assert float(cf.add(cf.constant(2.0), 1)) == 3.0
    assert float(1 + cf.constant(2.0)) == 3.0
    assert cf.multiply(2, F32).dtype == cf.float32
    assert ([[1]] @ cf.constant([[2.0]])).numpy().tolist() == [[2.0]]
    assert cf.matmul(cf.constant([[2.0]]), [[1]]).numpy().tolist() == [[2.0]]


def test_list_ops_convert_values_to_the_first_tensors_dtype():
    assert cf.concat([cf.constant([1.0]), [2]], 0).numpy().tolist() == [1.0, 2.0]
    assert cf.concat([[1], cf.constant([2.0])], 0).dtype == cf.float32
    assert cf.stack([cf.constant(1.0), 2]).numpy().tolist() == [1.0, 2.0]


def test_pow_takes_no_unsigned_integers_from_users():
    u8 = cf.constant([2, 3], cf.uint8)
    with pytest.raises(IAE, match="uint8"):
        cf.pow(u8, 2)
    with pytest.raises(IAE):
        u8 ** 2
    # Keras's ops.power computes them (as Keras 3 on TF does)
    assert cf.keras.ops.power(np.array([2], np.uint8), 2).numpy().tolist() == [4]
