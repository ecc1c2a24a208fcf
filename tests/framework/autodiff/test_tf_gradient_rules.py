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
