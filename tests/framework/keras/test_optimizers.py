"""Optimizer updates vs hand-computed Keras 3 formulas (3 steps each), clipping, schedules."""
import math

import numpy as np
import pytest

import cuflow as cf

opt = cf.keras.optimizers
W0 = np.array([1.0, -2.0, 3.0], np.float64)
GRADS = [np.array([0.5, -1.0, 2.0]), np.array([-0.3, 0.2, 0.1]), np.array([1.5, 0.0, -0.7])]
EPS = 1e-7


def run(optimizer, grads=GRADS):
    v = cf.Variable(W0.astype(np.float32))
    for g in grads:
        optimizer.apply_gradients([(cf.constant(np.asarray(g, np.float32)), v)])
    return v.numpy()


def ref_sgd(lr, mom, nesterov):
    w, m = W0.copy(), np.zeros(3)
    for g in GRADS:
        if not mom:
            w = w - lr * g
            continue
        m = mom * m - lr * g
        w = w + (mom * m - lr * g if nesterov else m)
    return w


def ref_adam(lr, b1, b2, amsgrad=False, wd=0.0):
    w, m, v, vh = W0.copy(), np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, 1):
        w = w - w * lr * wd
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        alpha = lr * math.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        vv = v
        if amsgrad:
            vh = np.maximum(vh, v)
            vv = vh
        w = w - m * alpha / (np.sqrt(vv) + EPS)
    return w


def ref_rmsprop(lr, rho, mom, centered):
    w, vel, avg, mo = W0.copy(), np.zeros(3), np.zeros(3), np.zeros(3)
    for g in GRADS:
        vel = rho * vel + (1 - rho) * g * g
        if centered:
            avg = rho * avg + (1 - rho) * g
            den = vel - avg * avg + EPS
        else:
            den = vel + EPS
        inc = lr * g / np.sqrt(den)
        if mom:
            mo = mom * mo + inc
            w = w - mo
        else:
            w = w - inc
    return w


def ref_adagrad(lr, init):
    w, acc = W0.copy(), np.full(3, init)
    for g in GRADS:
        acc = acc + g * g
        w = w - lr * g / np.sqrt(acc + EPS)
    return w


def ref_adadelta(lr, rho):
    w, ag, ad = W0.copy(), np.zeros(3), np.zeros(3)
    for g in GRADS:
        ag = rho * ag + (1 - rho) * g * g
        d = -np.sqrt(ad + EPS) / np.sqrt(ag + EPS) * g
        ad = rho * ad + (1 - rho) * d * d
        w = w + lr * d
    return w


def ref_adamax(lr, b1, b2):
    w, m, u = W0.copy(), np.zeros(3), np.zeros(3)
    for t, g in enumerate(GRADS, 1):
        m = m + (g - m) * (1 - b1)
        u = np.maximum(b2 * u, np.abs(g))
        w = w - lr * m / ((1 - b1 ** t) * (u + EPS))
    return w


def ref_lion(lr, b1, b2):
    w, m = W0.copy(), np.zeros(3)
    for g in GRADS:
        w = w - lr * np.sign(m * b1 + g * (1 - b1))
        m = m * b2 + g * (1 - b2)
    return w


def ref_nadam(lr, b1, b2):
    """Keras 3 (keras/src/optimizers/nadam.py): momentum decay 0.96 ** step."""
    w, m, v, uprod = W0.copy(), np.zeros(3), np.zeros(3), 1.0
    for t, g in enumerate(GRADS, 1):
        u_t = b1 * (1 - 0.5 * 0.96 ** t)
        u_t1 = b1 * (1 - 0.5 * 0.96 ** (t + 1))
        up_t = uprod * u_t
        up_t1 = up_t * u_t1
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        m_hat = u_t1 * m / (1 - up_t1) + (1 - u_t) * g / (1 - up_t)
        v_hat = v / (1 - b2 ** t)
        w = w - m_hat * lr / (np.sqrt(v_hat) + EPS)
        uprod = up_t
    return w


CASES = [
    (lambda: opt.SGD(0.1), lambda: ref_sgd(0.1, 0, False)),
    (lambda: opt.SGD(0.1, momentum=0.9), lambda: ref_sgd(0.1, 0.9, False)),
    (lambda: opt.SGD(0.1, momentum=0.9, nesterov=True), lambda: ref_sgd(0.1, 0.9, True)),
    (lambda: opt.Adam(0.1), lambda: ref_adam(0.1, 0.9, 0.999)),
    (lambda: opt.Adam(0.1, amsgrad=True), lambda: ref_adam(0.1, 0.9, 0.999, True)),
    (lambda: opt.AdamW(0.1, weight_decay=0.05), lambda: ref_adam(0.1, 0.9, 0.999, wd=0.05)),
    (lambda: opt.RMSprop(0.1), lambda: ref_rmsprop(0.1, 0.9, 0, False)),
    (lambda: opt.RMSprop(0.1, momentum=0.5, centered=True),
     lambda: ref_rmsprop(0.1, 0.9, 0.5, True)),
    (lambda: opt.Adagrad(0.1), lambda: ref_adagrad(0.1, 0.1)),
    (lambda: opt.Adadelta(1.0), lambda: ref_adadelta(1.0, 0.95)),
    (lambda: opt.Adamax(0.1), lambda: ref_adamax(0.1, 0.9, 0.999)),
    (lambda: opt.Nadam(0.1), lambda: ref_nadam(0.1, 0.9, 0.999)),
    (lambda: opt.Lion(0.1), lambda: ref_lion(0.1, 0.9, 0.99)),
]


@pytest.mark.parametrize("make,ref", CASES, ids=[
    "sgd", "sgd_mom", "sgd_nesterov", "adam", "amsgrad", "adamw", "rmsprop",
    "rmsprop_centered_mom", "adagrad", "adadelta", "adamax", "nadam", "lion"])
def test_update_formula(make, ref):
    o = make()
    np.testing.assert_allclose(run(o), ref(), rtol=2e-5, atol=2e-6)
    assert int(o.iterations.numpy()) == 3


def test_clipping():
    g = np.array([3.0, 4.0, 0.0])
    w = run(opt.SGD(1.0, clipnorm=1.0), [g])
    np.testing.assert_allclose(w, W0 - g / 5.0, rtol=1e-6)
    w = run(opt.SGD(1.0, clipvalue=1.0), [g])
    np.testing.assert_allclose(w, W0 - np.clip(g, -1, 1), rtol=1e-6)
    # global_clipnorm over two variables
    a, b = cf.Variable(np.zeros(2, np.float32)), cf.Variable(np.zeros(1, np.float32))
    o = opt.SGD(1.0, global_clipnorm=1.0)
    o.apply_gradients([(cf.constant([3.0, 0.0]), a), (cf.constant([4.0]), b)])
    np.testing.assert_allclose(a.numpy(), [-0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(b.numpy(), [-0.8], rtol=1e-6)
    with pytest.raises(ValueError):
        opt.SGD(clipnorm=1.0, clipvalue=1.0)


def test_none_gradient_skips_variable():
    a, b = cf.Variable([1.0, 2.0]), cf.Variable([3.0])
    o = opt.SGD(0.5)
    o.apply_gradients([(None, a), (cf.constant([1.0]), b)])
    np.testing.assert_allclose(a.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(b.numpy(), [2.5])


def test_learning_rate_setter_and_get():
    o = opt.get("adam")
    assert isinstance(o, opt.Adam)
    o.learning_rate = 0.5
    np.testing.assert_allclose(float(o.learning_rate.numpy()), 0.5)
    cfg = opt.serialize(o)
    o2 = opt.deserialize(cfg)
    assert isinstance(o2, opt.Adam) and np.isclose(float(o2.learning_rate.numpy()), 0.5)
    with pytest.raises(ValueError):
        opt.get("nope")


S = opt.schedules


@pytest.mark.parametrize("sched,ref", [
    (S.ExponentialDecay(0.1, 10, 0.5), lambda s: 0.1 * 0.5 ** (s / 10)),
    (S.ExponentialDecay(0.1, 10, 0.5, staircase=True), lambda s: 0.1 * 0.5 ** (s // 10)),
    (S.InverseTimeDecay(0.1, 10, 0.5), lambda s: 0.1 / (1 + 0.5 * s / 10)),
    (S.PiecewiseConstantDecay([5, 15], [1.0, 0.5, 0.1]),
     lambda s: 1.0 if s <= 5 else (0.5 if s <= 15 else 0.1)),
    (S.PolynomialDecay(0.1, 20, 0.01, power=2.0),
     lambda s: (0.1 - 0.01) * (1 - min(s, 20) / 20) ** 2 + 0.01),
    (S.CosineDecay(0.1, 20, alpha=0.1),
     lambda s: 0.1 * ((1 - 0.1) * 0.5 * (1 + math.cos(math.pi * min(s, 20) / 20)) + 0.1)),
])
def test_schedules(sched, ref):
    for step in [0, 1, 5, 7, 10, 15, 16, 25]:
        np.testing.assert_allclose(float(sched(step).numpy()), ref(step), rtol=1e-5,
                                   err_msg=f"step {step}")


def test_schedule_drives_optimizer():
    o = opt.SGD(S.ExponentialDecay(1.0, 1, 0.5))
    v = cf.Variable([0.0])
    for _ in range(3):
        o.apply_gradients([(cf.constant([1.0]), v)])
    np.testing.assert_allclose(v.numpy(), [-(1 + 0.5 + 0.25)], rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda: opt.SGD(0.1), lambda: opt.SGD(0.1, momentum=0.9),
    lambda: opt.SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda: opt.Adam(0.01), lambda: opt.AdamW(0.01, weight_decay=0.1),
    lambda: opt.Adam(S.ExponentialDecay(0.01, 1, 0.5)),
    lambda: opt.SGD(S.PiecewiseConstantDecay([1], [0.1, 0.01]), momentum=0.9),
    lambda: opt.Adam(0.01, clipnorm=0.5), lambda: opt.Adam(0.01, global_clipnorm=0.5),
    lambda: opt.SGD(0.1, clipvalue=0.3)],
    ids=["sgd", "momentum", "nesterov_wd", "adam", "adamw", "adam_schedule",
         "sgd_schedule", "clipnorm", "global_clipnorm", "clipvalue"])
def test_fused_eager_path_matches_ops_path(make):
    rng = np.random.RandomState(0)
    shapes = [(300, 200), (7,)]  # one above the Numba threshold, one below
    init = [rng.normal(0, 1, s).astype(np.float32) for s in shapes]
    grads = [[rng.normal(0, 1, s).astype(np.float32) for s in shapes] for _ in range(3)]
    out = []
    for use_fused in (True, False):
        o = make()
        o._use_fused = use_fused
        vs = [cf.Variable(a) for a in init]
        before = [v.read_value() for v in vs]
        for gs in grads:
            o.apply_gradients(zip([cf.constant(g) for g in gs], vs))
        for b, a in zip(before, init):  # earlier reads never change
            np.testing.assert_array_equal(b.numpy(), a)
        out.append(([v.numpy() for v in vs], [np.asarray(x.numpy()) for x in o.variables]))
        assert int(o.iterations.numpy()) == 3
    # equal up to float32 rounding (the kernels fold Adam's bias corrections in float64
    # and fuse the arithmetic; the ops path rounds each op in float32, as Keras)
    for a, b in zip(out[0][0] + out[0][1], out[1][0] + out[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_slot_names_as_keras_for_plain_variables_and_ema():
    """Keras: a slot of a tf.Variable 'kernel:0' is 'kernel_0_<slot>'; EMA slots are
    '<path>_average'; unknown arguments are a ValueError, `decay` only warns."""
    import warnings
    import pytest
    O = cf.keras.optimizers
    v = cf.Variable([1.0, 2.0], name="kernel")
    opt = O.SGD(0.1, use_ema=True, gradient_accumulation_steps=2, name="s")
    opt.apply([cf.constant([1.0, 1.0])], [v])
    assert [x.path for x in opt.variables] == [
        "s/iteration", "s/learning_rate", "s/kernel_0_average",
        "s/kernel_0_gradient_accumulator"]
    with pytest.raises(ValueError, match="not recognized"):
        O.Adam(foo=1)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        O.Adam(decay=0.1)
    assert "decay" in str(w[0].message)
