"""cf.gradients / cf.hessians inside cf.function (values from TensorFlow 2.21)."""
import numpy as np
import pytest

import cuflow as cf


def test_eager_raises_like_tf():
    with pytest.raises(RuntimeError, match="GradientTape"):
        cf.gradients(cf.constant(1.), cf.constant(1.))


def test_gradients_wrt_inputs_variables_grad_ys_unconnected_stop():
    v = cf.Variable([1., 2.])

    @cf.function
    def f(x):
        y = cf.reduce_sum(x * x * v) + cf.reduce_sum(cf.sin(x))
        g = cf.gradients(y, [x, v])
        z = cf.gradients(y, x, grad_ys=cf.constant(2.))
        u = cf.gradients(y, cf.constant(5.))
        u0 = cf.gradients(y, cf.constant(5.), unconnected_gradients="zero")
        s = cf.gradients(x * cf.stop_gradient(x) + x, x)
        sq = x * x
        sg = cf.gradients(sq + x, x, stop_gradients=[sq])
        return g, z, u, u0, s, sg
    g, z, u, u0, s, sg = f(cf.constant([3., 4.]))
    np.testing.assert_allclose(g[0].numpy(), [5.0100074, 15.346356], rtol=1e-6)
    assert g[1].numpy().tolist() == [9., 16.]
    np.testing.assert_allclose(z[0].numpy(), [10.020015, 30.692713], rtol=1e-6)
    assert u == [None] and float(u0[0]) == 0.0
    assert s[0].numpy().tolist() == [4., 5.] and sg[0].numpy().tolist() == [1., 1.]


def test_gradients_through_broadcast_gather_and_matmul():
    @cf.function
    def f(x, w):
        y = cf.reduce_sum(cf.matmul(x, w) + cf.gather(cf.reshape(x, [-1]), [0, 0, 1]))
        return cf.gradients(y, [x, w])
    x = cf.constant([[1., 2.], [3., 4.]])
    w = cf.constant([[1.], [2.]])
    gx, gw = f(x, w)
    with cf.GradientTape() as tape:
        tape.watch([x, w])
        y = cf.reduce_sum(cf.matmul(x, w) + cf.gather(cf.reshape(x, [-1]), [0, 0, 1]))
    tx, tw = tape.gradient(y, [x, w])
    np.testing.assert_allclose(gx.numpy(), tx.numpy())
    np.testing.assert_allclose(gw.numpy(), tw.numpy())


def test_hessians():
    @cf.function
    def f(x):
        return cf.hessians(cf.reduce_sum(x ** 3) + x[0] * x[1], x)
    assert f(cf.constant([3., 4.]))[0].numpy().tolist() == [[18., 1.], [1., 24.]]
