"""Gradient conventions of TF kernels that differ from the plain calculus."""
import numpy as np

import cuflow as cf


def _grad(f, x, upstream):
    x = cf.constant(x)
    with cf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return t.gradient(y, x, output_gradients=cf.constant(upstream)).numpy()


def test_sqrt_rsqrt_reciprocal_give_zero_for_zero_upstream():
    """TF's SqrtGrad/RsqrtGrad/ReciprocalGrad: 0 upstream -> 0, not 0 * inf = NaN."""
    x, up = [0.0, 0.0, 4.0], [0.0, 1.0, 1.0]
    np.testing.assert_array_equal(_grad(cf.sqrt, x, up), [0.0, np.inf, 0.25])
    np.testing.assert_array_equal(_grad(cf.math.rsqrt, x, up), [0.0, -np.inf, -0.0625])
    np.testing.assert_array_equal(_grad(cf.math.reciprocal, x, up), [0.0, -np.inf, -0.0625])
    # so a tf.where-guarded sqrt has finite gradients everywhere
    p = cf.Variable([[1.0, 2.0], [3.0, 6.5]])
    with cf.GradientTape() as t:
        y = cf.where(p > 2.5, cf.sqrt(p - 2.5), 0.0)
    np.testing.assert_allclose(t.gradient(y, p).numpy(), [[0, 0], [0.70711, 0.25]], atol=1e-5)


def test_pow_with_a_python_base():
    z = cf.Variable([0.0, 1.0])
    with cf.GradientTape() as t:
        y = cf.pow(2.0, z)
    np.testing.assert_allclose(t.gradient(y, z).numpy(), [np.log(2), 2 * np.log(2)], 1e-6)
    with cf.GradientTape() as t:
        y = cf.pow(0.0, z)
    np.testing.assert_array_equal(t.gradient(y, z).numpy(), [0.0, 0.0])


def test_vjp_sees_python_scalars_in_the_forward_dtype():
    """x / 2 on float64: the VJP's g / 2 must stay float64 (strict dtypes)."""
    x = cf.constant([1.0, 2.0], cf.float64)
    with cf.GradientTape() as t:
        t.watch(x)
        y = cf.reduce_sum(x * x) / 2 + 3 - x[0] * 2
    g = t.gradient(y, x)
    assert g.dtype == cf.float64
    np.testing.assert_allclose(g.numpy(), [-1.0, 2.0])


def test_custom_gradient_inside_a_function_is_used_by_an_outer_tape():
    w = cf.Variable(2.0)

    @cf.function
    @cf.custom_gradient
    def scale(v):
        def grad(dy, variables=None):
            return dy * 7.0, [dy * v * 100.0 for _ in variables]
        return v * w, grad

    @cf.function
    def outer(v):
        return scale(v) + cf.sin(v)
    x = cf.constant(3.0)
    with cf.GradientTape() as t:
        t.watch(x)
        y = outer(x)
    gx, gw = t.gradient(y, [x, w])
    np.testing.assert_allclose([float(gx), float(gw)], [7.0 + np.cos(3.0), 300.0], 1e-6)
    assert float(outer(x)) == float(cf.constant(6.0) + cf.sin(3.0))


def test_custom_gradient_with_a_variable_argument():
    x = cf.Variable([1.0, -2.0])

    @cf.custom_gradient
    def clip_grad(v):
        return v * 1.0, lambda dy: cf.clip_by_value(dy, -0.5, 0.5)
    with cf.GradientTape() as t:
        y = cf.reduce_sum(clip_grad(x) * 10)
    assert t.gradient(y, x).numpy().tolist() == [0.5, 0.5]


def test_boolean_mask_gradient_is_dense_as_in_tf():
    p = cf.Variable([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    with cf.GradientTape() as t:
        y = cf.reduce_mean(cf.boolean_mask(p, [True, False, True]))
    g = t.gradient(y, p)
    assert isinstance(g, cf.Tensor)
    np.testing.assert_allclose(g.numpy(), [[0.25, 0.25], [0, 0], [0.25, 0.25]])
