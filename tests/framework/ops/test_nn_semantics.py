"""TF's gradient conventions for cf.nn (values are in the op database) and second-order
gradients of the nn primitives against finite differences of their first gradients."""
from __future__ import annotations

import numpy as np
import pytest

import cuflow as cf


def _grad(fn, *arrays):
    xs = [cf.constant(a) for a in arrays]
    with cf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
    return [np.asarray(cf.convert_to_tensor(g).numpy()) for g in tape.gradient(y, xs)]


def test_relu_family_gradients_at_the_kinks_are_zero_as_tf():
    x = np.array([-1.0, 0.0, 1.0, 6.0, 7.0], np.float32)
    np.testing.assert_array_equal(_grad(cf.nn.relu, x)[0], [0, 0, 1, 1, 1])
    np.testing.assert_array_equal(_grad(cf.nn.relu6, x)[0], [0, 0, 1, 0, 0])
    np.testing.assert_allclose(_grad(cf.nn.leaky_relu, x)[0], [0.2, 0.2, 1, 1, 1])


def test_softmax_xent_gradients_follow_tf_for_unnormalized_labels():
    labels = np.array([[0.2, 0.9, 0.4]], np.float32)  # rows need not sum to 1
    logits = np.array([[1.0, -2.0, 0.5]], np.float32)
    g_labels, g_logits = _grad(cf.nn.softmax_cross_entropy_with_logits, labels, logits)
    sm = np.exp(logits) / np.exp(logits).sum()
    np.testing.assert_allclose(g_logits, sm - labels, rtol=1e-6)
    np.testing.assert_allclose(g_labels, -np.log(sm), rtol=1e-6)


def test_sigmoid_xent_gradient_at_zero_logit():
    z = np.array([0.0, 1.0, 0.3], np.float32)
    (g,) = _grad(lambda x: cf.nn.sigmoid_cross_entropy_with_logits(z, x),
                 np.zeros(3, np.float32))
    np.testing.assert_allclose(g, 0.5 - z, rtol=1e-6)


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    (g,) = _grad(lambda x: cf.nn.max_pool2d(x, 2, 2, "VALID"), np.ones((1, 2, 2, 1),
                                                                       np.float32))
    np.testing.assert_array_equal(g.ravel(), [1, 0, 0, 0])


def test_embedding_gradient_is_dense_and_sums_repeats():
    (g,) = _grad(lambda p: cf.nn.embedding_lookup(p, [2, 0, 2]), np.zeros((4, 2), np.float32))
    np.testing.assert_array_equal(g, [[1, 1], [0, 0], [2, 2], [0, 0]])


# --- second order ---------------------------------------------------------------------------
def _hvp(fn, x, v):
    """d/dx <grad fn(x), v> with nested tapes."""
    xt = cf.constant(x)
    with cf.GradientTape() as outer:
        outer.watch(xt)
        with cf.GradientTape() as inner:
            inner.watch(xt)
            y = fn(xt)
        g = cf.convert_to_tensor(inner.gradient(y, xt))   # an IndexedSlices for gathers
        s = cf.reduce_sum(g * cf.constant(v))
    return np.asarray(cf.convert_to_tensor(outer.gradient(s, xt)).numpy())


def _fd_hvp(fn, x, v, eps=1e-5):
    def gv(a):
        xt = cf.constant(a)
        with cf.GradientTape() as t:
            t.watch(xt)
            y = fn(xt)
        return float(np.sum(cf.convert_to_tensor(t.gradient(y, xt)).numpy() * v))
    out = np.zeros(x.size)
    for j in range(x.size):
        e = np.zeros(x.size)
        e[j] = eps
        out[j] = (gv(x + e.reshape(x.shape)) - gv(x - e.reshape(x.shape))) / (2 * eps)
    return out.reshape(x.shape)


rng = np.random.default_rng(0)
W = rng.standard_normal((3, 3, 2, 3))
C = rng.standard_normal((1, 2, 3, 3))
LAB = np.array([1, 0, 2])
X2 = rng.standard_normal((1, 4, 4, 2))
SECOND_ORDER = {
    "conv2d": (lambda x: cf.reduce_sum(cf.square(cf.nn.conv2d(x, W, 2, "SAME"))),
               (1, 4, 5, 2)),
    "conv2d_filter": (lambda w: cf.reduce_sum(cf.square(cf.nn.conv2d(
        cf.constant(X2), w, 1, "VALID"))), (2, 2, 2, 2)),
    "depthwise": (lambda x: cf.reduce_sum(cf.square(cf.nn.depthwise_conv2d(
        x, W[..., :1], [1, 1, 1, 1], "SAME"))), (1, 3, 3, 2)),
    "max_pool": (lambda x: cf.reduce_sum(cf.square(cf.nn.max_pool2d(x, 2, 1, "SAME"))),
                 (1, 3, 3, 2)),
    "avg_pool": (lambda x: cf.reduce_sum(cf.square(cf.nn.avg_pool2d(x, 2, 2, "SAME"))),
                 (1, 3, 3, 2)),
    "softmax": (lambda x: cf.reduce_sum(cf.nn.softmax(x) * cf.constant(C[0, 0])), (3, 3)),
    "log_softmax": (lambda x: cf.reduce_sum(cf.square(cf.nn.log_softmax(x))), (3, 3)),
    "sparse_xent": (lambda x: cf.reduce_sum(
        cf.nn.sparse_softmax_cross_entropy_with_logits(LAB, x)), (3, 3)),
    "softmax_xent": (lambda x: cf.reduce_sum(cf.nn.softmax_cross_entropy_with_logits(
        cf.nn.softmax(cf.constant(C[0, 0])), x)), (3, 3)),
    "elu_selu_softplus": (lambda x: cf.reduce_sum(cf.nn.elu(x) * cf.nn.selu(x) +
                                                  cf.nn.softplus(x) ** 3), (2, 3)),
    "embedding": (lambda p: cf.reduce_sum(cf.square(cf.nn.embedding_lookup(p, [0, 2, 2]))),
                  (3, 2)),
    "resize": (lambda x: cf.reduce_sum(cf.square(cf.image.resize(x, [5, 3], "nearest"))),
               (1, 3, 2, 1)),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_gradients(name):
    fn, shape = SECOND_ORDER[name]
    r = np.random.default_rng(1)
    x = r.standard_normal(shape)
    if name == "max_pool":
        x = r.permutation(x.size).reshape(shape) * 0.3  # distinct values: no argmax flips
    v = r.standard_normal(shape)
    np.testing.assert_allclose(_hvp(fn, x, v), _fd_hvp(fn, x, v), rtol=1e-5, atol=1e-6)


# --- shape rules ---------------------------------------------------------------------------------
class _Aval:
    def __init__(self, a):
        self.shape = cf.TensorShape(list(np.shape(a)))
        self.dtype = cf.as_dtype(np.asarray(a).dtype)


def test_infer_rules_match_what_the_ops_compute(monkeypatch):
    """Every nn/random/image op's ``infer`` agrees with its impl on the op database's
    samples (the tracer relies on it instead of probing)."""
    from cuflow.ops import registry

    cf.nn, cf.random, cf.image  # noqa: B018 - load the lazy namespaces (registers their ops)
    from . import opdb_image, opdb_nn, opdb_nn_conv, opdb_random

    mine = {n: op for n, op in registry.all_ops().items() if op.infer is not None and
            op.module and op.module.split(".")[-1] in ("nn_ops", "conv_ops", "pool_ops",
                                                       "random_ops", "image_ops")}
    assert "random" in mine and "conv3d" in mine
    seen = set()

    def wrap(op, impl):
        def checked(xp, *arrays, **attrs):
            out = impl(xp, *arrays, **attrs)
            shape, dtype = op.infer(*[_Aval(a) for a in arrays], **attrs)
            assert list(shape) == list(np.shape(out)), (op.name, shape, np.shape(out))
            assert np.dtype(cf.as_dtype(dtype).np) == np.asarray(out).dtype, op.name
            seen.add(op.name)
            return out
        return checked

    for op in mine.values():
        monkeypatch.setattr(op, "impl", wrap(op, op.impl))
    rng = np.random.default_rng(0)
    infos = opdb_nn.OPS + opdb_nn_conv.OPS + opdb_random.OPS + opdb_image.OPS
    for info in infos:
        for sample in info.samples(rng, info.dtypes[0]):
            args = [cf.constant(a) if isinstance(a, np.ndarray) else a for a in sample.args]
            info.fn(*args, **sample.kwargs)
    named = {i.name for i in infos} & set(mine)
    assert named <= seen, sorted(named - seen)
