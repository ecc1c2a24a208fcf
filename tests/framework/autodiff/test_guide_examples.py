"""The examples of TF's autodiff guides (tensorflow.org/guide/autodiff and
/guide/advanced_autodiff), with their printed numbers, run on cuflow.

Keras layers are written out as ``relu(x @ w + b)`` so these tests need only the core.
"""
from __future__ import annotations

import numpy as np
import pytest

import cuflow as cf
from cuflow.autodiff import NoGradientWarning
from cuflow.ops.math_ops import where_v


def _dense(rng, n_in, n_out):
    w = cf.Variable(rng.normal(size=(n_in, n_out)).astype(np.float32), name="kernel")
    b = cf.Variable(np.zeros(n_out, np.float32), name="bias")
    return w, b


def _relu(x):
    return cf.maximum(x, 0.0)


def _elu(x):
    return where_v(x > 0.0, x, cf.exp(cf.minimum(x, 0.0)) - 1.0)


def test_x_squared():
    x = cf.Variable(3.0)
    with cf.GradientTape() as tape:
        y = x ** 2
    assert float(tape.gradient(y, x)) == 6.0


def test_w_b_example_and_dict_sources():
    rng = np.random.default_rng(0)
    w = cf.Variable(rng.normal(size=(3, 2)).astype(np.float32), name="w")
    b = cf.Variable(np.zeros(2, np.float32), name="b")
    x = [[1.0, 2.0, 3.0]]
    with cf.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = cf.reduce_mean(y ** 2)
    dl_dw, dl_db = tape.gradient(loss, [w, b])
    assert dl_dw.shape == (3, 2) and dl_db.shape == (2,)
    yv = np.array(x) @ w.numpy() + b.numpy()
    np.testing.assert_allclose(dl_db.numpy(), yv[0], rtol=1e-6)          # d/db = 2y/2
    np.testing.assert_allclose(dl_dw.numpy(), np.array(x).T @ yv, rtol=1e-5)
    grad = tape.gradient(loss, {"w": w, "b": b})
    assert grad["b"].shape == (2,)
    np.testing.assert_allclose(grad["w"].numpy(), dl_dw.numpy())


def test_controlling_what_the_tape_watches():
    x0 = cf.Variable(3.0, name="x0")
    x1 = cf.Variable(3.0, name="x1", trainable=False)
    x2 = cf.Variable(2.0, name="x2") + 1.0
    x3 = cf.constant(3.0)
    with cf.GradientTape() as tape:
        y = (x0 ** 2) + (x1 ** 2) + (x2 ** 2)
    grad = tape.gradient(y, [x0, x1, x2, x3])
    assert float(grad[0]) == 6.0 and grad[1:] == [None, None, None]
    assert [v.name for v in tape.watched_variables()] == ["x0:0"]


def test_watch_a_constant():
    x = cf.constant(3.0)
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = x ** 2
    assert float(tape.gradient(y, x)) == 6.0


def test_watch_accessed_variables_false():
    x0 = cf.Variable(0.0)
    x1 = cf.Variable(10.0)
    with cf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        y0 = cf.math.sin(x0)
        ys = cf.math.log1p(cf.exp(x1))  # softplus
        ys = cf.reduce_sum(y0 + ys)
    grad = tape.gradient(ys, {"x0": x0, "x1": x1})
    assert grad["x0"] is None
    assert abs(float(grad["x1"]) - 0.9999546) < 1e-6


def test_intermediate_results():
    x = cf.constant(3.0)
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert float(tape.gradient(z, y)) == 18.0


def test_persistent_tape():
    x = cf.constant([1, 3.0])
    with cf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert tape.gradient(z, x).numpy().tolist() == [4.0, 108.0]
    assert tape.gradient(y, x).numpy().tolist() == [2.0, 6.0]


def test_non_scalar_targets():
    x = cf.Variable(2.0)
    with cf.GradientTape(persistent=True) as tape:
        y0 = x ** 2
        y1 = 1 / x
    assert float(tape.gradient(y0, x)) == 4.0
    assert float(tape.gradient(y1, x)) == -0.25
    assert float(tape.gradient({"y0": y0, "y1": y1}, x)) == 3.75
    with cf.GradientTape() as tape:
        y = x * [3.0, 4.0]
    assert float(tape.gradient(y, x)) == 7.0
    xs = cf.constant(np.linspace(-10.0, 10.0, 201).astype(np.float32))
    with cf.GradientTape() as tape:
        tape.watch(xs)
        y = cf.sigmoid(xs)
    dy_dx = tape.gradient(y, xs)
    assert dy_dx.shape == (201,)
    s = 1 / (1 + np.exp(-xs.numpy()))
    np.testing.assert_allclose(dy_dx.numpy(), s * (1 - s), rtol=1e-5, atol=1e-7)


def test_control_flow():
    x = cf.constant(1.0)
    v0 = cf.Variable(2.0)
    v1 = cf.Variable(2.0)
    with cf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        if x > 0.0:
            result = v0
        else:
            result = v1 ** 2
    dv0, dv1 = tape.gradient(result, [v0, v1])
    assert float(dv0) == 1.0 and dv1 is None
    with pytest.warns(NoGradientWarning):
        assert tape.gradient(result, x) is None


@pytest.mark.filterwarnings("ignore::cuflow.autodiff.tape.NoGradientWarning")
def test_getting_none():
    x = cf.Variable(2.0)
    y = cf.Variable(3.0)
    with cf.GradientTape() as tape:
        z = y * y
    assert tape.gradient(z, x) is None
    # computations outside cuflow
    x = cf.Variable([[1.0, 2.0], [3.0, 4.0]], dtype=cf.float32)
    with cf.GradientTape() as tape:
        x2 = x ** 2
        y = np.mean(x2, axis=0)
        y = cf.reduce_mean(y, axis=0)
    assert tape.gradient(y, x) is None
    # integers
    xi = cf.constant(10)
    with cf.GradientTape() as tape:
        tape.watch(xi)
        y = xi * xi
    assert tape.gradient(y, xi) is None
    # a stateful object
    x0 = cf.Variable(3.0)
    x1 = cf.Variable(0.0)
    with cf.GradientTape() as tape:
        x1.assign_add(x0)
        y = x1 ** 2
    assert tape.gradient(y, x0) is None


def test_unconnected_zero():
    x = cf.Variable([2.0, 2.0])
    y = cf.Variable(3.0)
    with cf.GradientTape() as tape:
        z = y ** 2
    g = tape.gradient(z, x, unconnected_gradients=cf.UnconnectedGradients.ZERO)
    assert g.numpy().tolist() == [0.0, 0.0]


# --- advanced autodiff guide ------------------------------------------------------------
def test_stop_recording_reset_and_stop_gradient():
    x = cf.Variable(2.0)
    y = cf.Variable(3.0)
    with cf.GradientTape() as t:
        x_sq = x * x
        with t.stop_recording():
            y_sq = y * y
        z = x_sq + y_sq
    grad = t.gradient(z, {"x": x, "y": y})
    assert float(grad["x"]) == 4.0 and grad["y"] is None
    with cf.GradientTape() as t:
        y_sq = y * y
        t.reset()
        z = x * x + y_sq
    grad = t.gradient(z, {"x": x, "y": y})
    assert float(grad["x"]) == 4.0 and grad["y"] is None
    with cf.GradientTape() as t:
        y_sq = y ** 2
        z = x ** 2 + cf.stop_gradient(y_sq)
    grad = t.gradient(z, {"x": x, "y": y})
    assert float(grad["x"]) == 4.0 and grad["y"] is None


def test_custom_gradient_clip_by_norm():
    @cf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return dy * cf.minimum(1.0, 0.5 / cf.norm(dy))
        return y, backward

    v = cf.Variable(2.0)
    with cf.GradientTape() as t:
        output = clip_gradients(v * v)
    assert float(t.gradient(output, v)) == 2.0


def test_multiple_tapes():
    x0 = cf.constant(0.0)
    x1 = cf.constant(0.0)
    with cf.GradientTape() as tape0, cf.GradientTape() as tape1:
        tape0.watch(x0)
        tape1.watch(x1)
        y0 = cf.math.sin(x0)
        y1 = cf.sigmoid(x1)
        ys = cf.reduce_sum(y0 + y1)
    assert float(tape0.gradient(ys, x0)) == 1.0
    assert float(tape1.gradient(ys, x1)) == 0.25


def test_higher_order():
    x = cf.Variable(1.0)
    with cf.GradientTape() as t2:
        with cf.GradientTape() as t1:
            y = x * x * x
        dy_dx = t1.gradient(y, x)
    d2y_dx2 = t2.gradient(dy_dx, x)
    assert float(dy_dx) == 3.0 and float(d2y_dx2) == 6.0


def test_input_gradient_regularization():
    rng = np.random.default_rng(1)
    x = cf.constant(rng.normal(size=(7, 5)).astype(np.float32))
    w, b = _dense(rng, 5, 10)
    with cf.GradientTape() as t2:
        with cf.GradientTape() as t1:
            t1.watch(x)
            y = _relu(x @ w + b)
            out = cf.reduce_sum(y ** 2)
        g1 = t1.gradient(out, x)
        g1_mag = cf.norm(g1)
    dg1_mag = t2.gradient(g1_mag, [w, b])
    assert [tuple(g.shape) for g in dg1_mag] == [(5, 10), (10,)]


def test_jacobian_scalar_source():
    x = cf.constant(np.linspace(-10.0, 10.0, 201).astype(np.float32))
    delta = cf.Variable(0.0)
    with cf.GradientTape() as tape:
        y = cf.sigmoid(x + delta)
    dy_dx = tape.jacobian(y, delta)
    assert dy_dx.shape == (201,)
    s = 1 / (1 + np.exp(-x.numpy()))
    np.testing.assert_allclose(dy_dx.numpy(), s * (1 - s), rtol=1e-5, atol=1e-7)


def test_jacobian_tensor_source():
    rng = np.random.default_rng(2)
    x = cf.constant(rng.normal(size=(7, 5)).astype(np.float32))
    w, b = _dense(rng, 5, 10)
    with cf.GradientTape(persistent=True) as tape:
        y = _relu(x @ w + b)
    j = tape.jacobian(y, w)
    assert y.shape == (7, 10) and j.shape == (7, 10, 5, 10)
    g = tape.gradient(y, w)
    j_sum = cf.reduce_sum(j, axis=[0, 1])
    assert float(cf.reduce_max(cf.abs(g - j_sum))) < 1e-6


def test_hessian_newton_step():
    rng = np.random.default_rng(3)
    x = cf.constant(rng.normal(size=(7, 5)))
    w1 = cf.Variable(rng.normal(size=(5, 8)))
    w2 = cf.Variable(rng.normal(size=(8, 6)))
    with cf.GradientTape() as t2:
        with cf.GradientTape() as t1:
            h = cf.tanh(x @ w1)
            h = cf.tanh(h @ w2)
            loss = cf.reduce_mean(h ** 2)
        g = t1.gradient(loss, w1)
    hess = t2.jacobian(g, w1)
    assert w1.shape == (5, 8) and hess.shape == (5, 8, 5, 8)
    hm = hess.numpy().reshape(40, 40)
    np.testing.assert_allclose(hm, hm.T, atol=1e-10)
    # the Hessian against finite differences of the gradient
    def grad_at(wv):
        wt = cf.Variable(wv)
        with cf.GradientTape() as t:
            hh = cf.tanh(cf.tanh(x @ wt) @ w2)
            ll = cf.reduce_mean(hh ** 2)
        return t.gradient(ll, wt).numpy().reshape(-1)
    base = w1.numpy()
    for k in (0, 13, 39):
        e = np.zeros(40)
        e[k] = 1e-6
        col = (grad_at(base + e.reshape(5, 8)) - grad_at(base - e.reshape(5, 8))) / 2e-6
        np.testing.assert_allclose(hm[:, k], col, rtol=1e-5, atol=1e-8)
    # a damped Newton step solves with the Hessian (via cf.linalg)
    eye = np.eye(40)
    update = cf.linalg.solve(hm + eye, cf.reshape(g, [40, 1]))
    assert update.shape == (40, 1)


def test_batch_jacobian_example():
    rng = np.random.default_rng(4)
    x = cf.constant(rng.normal(size=(2, 3)).astype(np.float32))
    w1, b1 = _dense(rng, 3, 5)
    w2, b2 = _dense(rng, 5, 6)
    with cf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = _elu(_elu(x @ w1 + b1) @ w2 + b2)
    assert y.shape == (2, 6)
    j = tape.jacobian(y, x)
    assert j.shape == (2, 6, 2, 3)
    jb = tape.batch_jacobian(y, x)
    assert jb.shape == (2, 6, 3)
    np.testing.assert_allclose(cf.reduce_sum(j, axis=2).numpy(), jb.numpy(), atol=1e-6)


def test_gradients_with_respect_to_a_keras_layer():
    keras = pytest.importorskip("cuflow.keras")   # runs once cf.keras is merged
    layer = keras.layers.Dense(2, activation="relu")
    x = cf.constant([[1.0, 2.0, 3.0]])
    with cf.GradientTape() as tape:
        y = layer(x)
        loss = cf.reduce_mean(y ** 2)
    grad = tape.gradient(loss, layer.trainable_variables)
    assert [tuple(g.shape) for g in grad] == [(3, 2), (2,)]
