"""tape.gradient returns tf.IndexedSlices where TF does (values read off TF 2.21), and
the consumers of gradients accept them."""
import numpy as np
import pytest

import cuflow as cf

W = np.arange(12, dtype=np.float32).reshape(4, 3)


def _grads(fn, source=None):
    v = source if source is not None else cf.Variable(W)
    with cf.GradientTape() as tape:
        if not isinstance(v, cf.Variable):
            tape.watch(v)
        y = fn(v)
    return tape.gradient(y, v), v


def test_gather_gives_indexed_slices():
    g, _ = _grads(lambda v: cf.reduce_sum(cf.gather(v, [0, 2, 2]) ** 2))
    assert isinstance(g, cf.IndexedSlices)
    assert g.indices.numpy().tolist() == [0, 2, 2] and g.indices.dtype == cf.int32
    assert g.dense_shape.numpy().tolist() == [4, 3] and g.dense_shape.dtype == cf.int32
    np.testing.assert_allclose(g.values.numpy(), 2 * W[[0, 2, 2]])
    assert g.shape == (4, 3) and g.dtype == cf.float32
    dense = cf.convert_to_tensor(g).numpy()
    np.testing.assert_allclose(dense, [2 * W[0], [0, 0, 0], 4 * W[2], [0, 0, 0]])


def test_parts_concatenate_in_tf_order_and_ids_flatten():
    # TF: the later read's slices first; 2-D ids flatten, values reshape to (n, 3)
    g, _ = _grads(lambda v: cf.reduce_sum(cf.gather(v, [0, 2, 2])) + cf.reduce_sum(
        cf.nn.embedding_lookup(v, cf.constant([[1, 3], [1, 0]]))))
    assert g.indices.numpy().tolist() == [1, 3, 1, 0, 0, 2, 2]
    assert g.values.shape == (7, 3)


@pytest.mark.parametrize("fn", [
    lambda v: cf.reduce_sum(cf.gather(v, [1, 1])) + cf.reduce_sum(v),   # a dense read too
    lambda v: cf.reduce_sum(cf.gather(v, [0, 1], axis=1)),              # not axis 0
    lambda v: cf.reduce_sum(cf.gather(v * 2.0, [0, 1])),                # through an op
])
def test_dense_where_tf_is_dense(fn):
    g, _ = _grads(fn)
    assert type(g) is cf.Tensor


def test_tensors_identity_and_cast_pass_slices_through():
    g, _ = _grads(lambda x: cf.reduce_sum(cf.gather(x, [1, 1]) * 3.0),
                  cf.constant(np.ones((3, 2), np.float32)))
    assert isinstance(g, cf.IndexedSlices) and g.dense_shape.numpy().tolist() == [3, 2]
    g, _ = _grads(lambda v: cf.reduce_sum(cf.gather(cf.identity(v), [0, 2])))
    assert isinstance(g, cf.IndexedSlices)
    g, _ = _grads(lambda v: cf.reduce_sum(cf.gather(cf.cast(v, cf.float64), [0, 2])))
    assert isinstance(g, cf.IndexedSlices) and g.values.dtype == cf.float32


def test_keras_embedding_and_cf_function():
    emb = cf.keras.layers.Embedding(4, 3)
    with cf.GradientTape() as tape:
        y = cf.reduce_sum(emb(cf.constant([[1, 2], [2, 0]])))
    g = tape.gradient(y, emb.trainable_variables)[0]
    assert isinstance(g, cf.IndexedSlices) and g.indices.numpy().tolist() == [1, 2, 2, 0]
    v = cf.Variable(W)

    @cf.function
    def step(ids):
        with cf.GradientTape() as tape:
            y = cf.reduce_sum(cf.gather(v, ids) ** 2)
        g = tape.gradient(y, v)
        return g, isinstance(g, cf.IndexedSlices)
    g, flag = step(cf.constant([0, 2, 2]))
    assert bool(flag) and isinstance(g, cf.IndexedSlices)
    assert g.indices.numpy().tolist() == [0, 2, 2] and g.shape == (4, 3)
    np.testing.assert_allclose(g.values.numpy(), 2 * W[[0, 2, 2]])


def test_consumers():
    g, _ = _grads(lambda v: cf.reduce_sum(cf.gather(v, [0, 2, 2]) ** 2))
    with pytest.raises(TypeError):
        g * 2.0                              # TF: IndexedSlices has no arithmetic
    assert isinstance(-g, cf.IndexedSlices) and isinstance(cf.identity(g), cf.IndexedSlices)
    np.testing.assert_allclose(cf.multiply(g, 2.0).numpy(),
                               2 * cf.convert_to_tensor(g).numpy())
    # TF's norms read the slices (duplicates not summed): values checked against TF 2.21
    assert float(cf.linalg.global_norm([g])) == pytest.approx(34.8138, rel=1e-5)
    clipped, norm = cf.clip_by_global_norm([g, cf.ones(2)], 1.0)
    assert float(norm) == pytest.approx(np.sqrt(1214.0), rel=1e-6)
    assert isinstance(clipped[0], cf.IndexedSlices)
    c = cf.clip_by_norm(g, 1.0)
    assert isinstance(c, cf.IndexedSlices)
    np.testing.assert_allclose(c.values.numpy().ravel()[:3], [0.0, 0.0574, 0.1149],
                               atol=1e-4)
    flat = cf.nest.flatten([g], expand_composites=True)
    assert len(flat) == 3
    again = cf.nest.pack_sequence_as([g], flat, expand_composites=True)[0]
    assert isinstance(again, cf.IndexedSlices)


def test_custom_gradient_may_return_slices():
    @cf.custom_gradient
    def f(x):
        def grad(dy):
            return cf.IndexedSlices(dy[:1], cf.constant([1]), cf.constant([2]))
        return x * 1.0, grad
    x = cf.constant([3.0, 4.0])
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = f(x) * 2.0
    assert tape.gradient(y, x).numpy().tolist() == [0.0, 2.0]


def test_internal_gradients_stay_dense():
    v = cf.Variable(W)
    with cf.GradientTape() as tape:
        y = cf.gather(v, [0, 2])
    jac = tape.jacobian(y, v)
    assert type(jac) is cf.Tensor and jac.shape == (2, 3, 4, 3)
