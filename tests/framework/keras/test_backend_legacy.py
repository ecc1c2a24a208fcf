"""tf.keras.backend's Keras 1/2 functions (framework/keras/backend_legacy*.py).

Reference values marked "TF 2.21" came from /work/tfenv (TensorFlow 2.21, Keras 3.15);
the others are NumPy formulas."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras.backend
X = np.array([[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]], np.float32)


def test_reductions_follow_keras2_defaults():
    x = cf.constant(X)
    np.testing.assert_allclose(K.mean(x), X.mean(), rtol=1e-6)
    np.testing.assert_allclose(K.sum(x, axis=0, keepdims=True), X.sum(0, keepdims=True))
    np.testing.assert_allclose(K.std(x, 1), X.std(1), rtol=1e-6)
    np.testing.assert_allclose(K.var(x), X.var(), rtol=1e-6)
    assert K.max(x, -1).numpy().tolist() == [3.0, 4.0]
    assert K.prod(x).numpy() == pytest.approx(X.prod())
    b = cf.constant([[True, False, True], [False, False, True]])
    assert K.mean(b).dtype == cf.float32 and float(K.mean(b)) == pytest.approx(0.5)
    assert K.all(b, 0).numpy().tolist() == [False, False, True]
    assert K.any(cf.constant([0.0, 2.0])).numpy()
    assert K.argmax(x).numpy().tolist() == [2, 0]


def test_elementwise_keras2_rules():
    x = cf.constant(X)
    assert K.sqrt(cf.constant([-4.0, 4.0])).numpy().tolist() == [0.0, 2.0]  # max(x, 0)
    np.testing.assert_allclose(K.hard_sigmoid(x), np.clip(0.2 * X + 0.5, 0, 1))
    assert K.clip(x, 2.0, -1.0).numpy().tolist() == [[2.0] * 3] * 2  # max < min: all min
    np.testing.assert_allclose(K.clip(x, None, 2.0), np.minimum(X, 2.0))
    np.testing.assert_allclose(K.elu(x, 0.5), np.where(X > 0, X, 0.5 * np.expm1(X)), rtol=1e-6)
    assert K.arange(-3).shape == (0,) and K.arange(5).dtype == cf.int32
    assert K.arange(1, 7, 2, dtype="float32").numpy().tolist() == [1.0, 3.0, 5.0]


@pytest.mark.parametrize("kw,expected", [
    ({}, np.maximum(X, 0)),
    ({"alpha": 0.1}, np.where(X > 0, X, 0.1 * X)),
    ({"max_value": 2.0}, np.clip(X, 0, 2.0)),
    ({"threshold": 1.5}, np.where(X > 1.5, X, 0)),
    # TF 2.21: K.relu(X, alpha=0.2, max_value=3.5, threshold=0.75)
    ({"alpha": 0.2, "max_value": 3.5, "threshold": 0.75},
     [[1.0, -0.55, 3.0], [3.5, -0.05, -1.35]]),
])
def test_relu_variants(kw, expected):
    np.testing.assert_allclose(K.relu(cf.constant(X), **kw), expected, rtol=1e-6, atol=1e-7)


def test_shapes_and_arrays():
    x = cf.constant(X)
    assert K.int_shape(x) == (2, 3) and K.ndim(x) == 2 and K.dtype(x) == "float32"
    assert K.count_params(x) == 6
    assert K.batch_flatten(cf.ones((2, 3, 4))).shape == (2, 12)
    assert K.repeat(x, 4).shape == (2, 4, 3)
    with pytest.raises(ValueError, match="rank 2"):
        K.repeat(cf.ones((1, 2, 3)), 2)
    np.testing.assert_array_equal(K.repeat_elements(x, 2, 1), np.repeat(X, 2, 1))
    assert K.squeeze(cf.ones((2, 1, 3)), 1).shape == (2, 3)
    np.testing.assert_array_equal(K.reverse(x, 1), X[:, ::-1])
    assert K.tile(cf.constant([1, 2]), 2).numpy().tolist() == [1, 2, 1, 2]
    assert K.concatenate([x, x]).shape == (2, 6)
    assert K.one_hot(cf.constant([0, 2]), 3).numpy().tolist() == [[1, 0, 0], [0, 0, 1]]
    assert K.constant([1, 2]).dtype == cf.float32
    assert K.cast_to_floatx([1, 2]).dtype == np.float32
    assert isinstance(K.cast_to_floatx(cf.constant([1, 2])), cf.Tensor)


def test_dot_and_batch_dot_match_numpy():
    a = np.arange(24.0, dtype=np.float32).reshape(2, 3, 4)
    b = np.arange(40.0, dtype=np.float32).reshape(2, 4, 5)
    np.testing.assert_allclose(K.dot(cf.constant(a), cf.constant(b)), np.dot(a, b))
    np.testing.assert_allclose(K.batch_dot(cf.constant(a), cf.constant(b)), a @ b)
    np.testing.assert_allclose(K.batch_dot(cf.constant(X), cf.constant(X), axes=1),
                               (X * X).sum(1, keepdims=True))
    a4 = np.arange(48.0, dtype=np.float32).reshape(2, 4, 3, 2)
    np.testing.assert_allclose(K.batch_dot(cf.constant(a), cf.constant(a4), axes=(2, 1)),
                               np.einsum("bik,bkjl->bijl", a, a4))
    np.testing.assert_allclose(K.batch_dot(cf.constant(a), cf.constant(a), axes=(1, 1)),
                               np.einsum("bki,bkj->bij", a, a))
    assert K.batch_dot(cf.constant(a), cf.ones((2, 4)), axes=(2, 1)).shape == (2, 3)
    with pytest.raises(ValueError, match="axis 0"):
        K.batch_dot(cf.constant(a), cf.constant(a), axes=0)
    with pytest.raises(ValueError, match="different batch sizes"):
        K.batch_dot(cf.constant(a), cf.ones((3, 4, 2)))


def test_switch():
    x, b = cf.constant(X), cf.constant([[True, False, True], [False, False, True]])
    np.testing.assert_array_equal(K.switch(b, x, -x), np.where(b.numpy(), X, -X))
    np.testing.assert_array_equal(K.switch(cf.constant(0), lambda: x, lambda: -x), -X)
    out = K.switch(b, cf.ones((2, 3, 2)), cf.zeros((2, 3, 2)))
    np.testing.assert_array_equal(out, np.broadcast_to(b.numpy()[..., None], (2, 3, 2)))
    with pytest.raises(ValueError, match="Rank of `condition`"):
        K.switch(cf.ones((2, 3, 1)) > 0, x, -x)


def test_variables_and_values():
    v = K.variable([[1.0, 2.0]])
    assert isinstance(v, cf.Variable) and v.dtype == cf.float32
    K.set_value(v, [[3, 4]])
    assert K.get_value(v).tolist() == [[3.0, 4.0]]
    K.batch_set_value([(v, [[5.0, 6.0]])])
    assert K.batch_get_value([v])[0].tolist() == [[5.0, 6.0]]
    K.update_add(v, [[1.0, 1.0]])
    K.update_sub(v, [[2.0, 2.0]])
    assert K.eval(v).tolist() == [[4.0, 5.0]]
    K.moving_average_update(v, cf.constant([[0.0, 0.0]]), 0.9)
    np.testing.assert_allclose(v.numpy(), [[3.6, 4.5]], rtol=1e-6)
    assert isinstance(K.zeros((2, 3)), cf.Variable)
    assert not isinstance(K.zeros((0, 3)), cf.Variable)  # zero-size: a plain tensor
    assert isinstance(K.eye(2), cf.Variable) and K.eye(2, dtype="int32").dtype == cf.int32
    assert K.get_value(np.ones(2)).tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="GradientTape"):
        K.gradients(cf.constant(1.0), [v])
    w = cf.Variable(2.0)

    @cf.function
    def symbolic():  # TF1's symbolic gradients work inside a tf.function, as in TF
        return K.gradients(w * w * 3.0, [w])
    assert float(symbolic()[0]) == pytest.approx(12.0)


def test_random_functions_are_seedable():
    a = K.random_uniform((2, 3), seed=1).numpy()
    assert a.shape == (2, 3) and ((0 <= a) & (a < 1)).all()
    assert K.random_normal((2,), dtype="float64", seed=1).dtype == cf.float64
    assert K.random_bernoulli((3, 3), p=1.0, seed=2).numpy().sum() == 9
    assert K.random_bernoulli((2,), p=0.0).numpy().sum() == 0
    assert isinstance(K.random_uniform_variable((2, 2), 0, 1, seed=1), cf.Variable)


def test_losses_match_formulas():
    t = np.array([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], np.float32)
    p = np.array([[0.2, 0.3, 0.5], [0.7, 0.2, 0.1]], np.float32)
    eps = 1e-7
    pc = np.clip(p, eps, 1 - eps)
    bce = -(t * np.log(pc + eps) + (1 - t) * np.log(1 - pc + eps))
    np.testing.assert_allclose(K.binary_crossentropy(cf.constant(t), cf.constant(p)), bce,
                               rtol=1e-5)
    np.testing.assert_allclose(K.categorical_crossentropy(cf.constant(t), cf.constant(p)),
                               -(t * np.log(p)).sum(-1), rtol=1e-5)
    np.testing.assert_allclose(K.sparse_categorical_crossentropy(cf.constant([2, 0]),
                                                                 cf.constant(p)),
                               [-np.log(0.5), -np.log(0.7)], rtol=1e-5)
    # TF 2.21 values
    np.testing.assert_allclose(K.binary_focal_crossentropy(cf.constant(t), cf.constant(p)),
                               [[0.0089, 0.0321, 0.1733], [0.0321, 0.0089, 0.0011]], atol=1e-4)
    np.testing.assert_allclose(K.categorical_focal_crossentropy(cf.constant(t), cf.constant(p)),
                               [0.0433, 0.008], atol=1e-4)
    out = K.sparse_categorical_crossentropy(cf.constant([2, -1]), cf.constant(p),
                                            ignore_class=-1)
    np.testing.assert_allclose(out, [0.6931, 0.0], atol=1e-4)
    with pytest.raises(ValueError):
        K.categorical_crossentropy(cf.constant(t), cf.ones((2, 4)))


def test_conv_pool_padding():
    rng = np.random.RandomState(0)
    img = rng.rand(2, 5, 5, 3).astype(np.float32)
    k = rng.rand(3, 3, 3, 4).astype(np.float32)
    ref = cf.nn.conv2d(img, k, 1, "VALID")
    np.testing.assert_allclose(K.conv2d(cf.constant(img), cf.constant(k)), ref, rtol=1e-5)
    assert K.conv2d(cf.constant(img), cf.constant(k), strides=(2, 2),
                    padding="same").shape == (2, 3, 3, 4)
    with pytest.raises(ValueError, match="Invalid padding"):
        K.conv2d(cf.constant(img), cf.constant(k), padding="full")
    seq = cf.constant(rng.rand(2, 6, 3).astype(np.float32))
    k1 = cf.constant(rng.rand(3, 3, 2).astype(np.float32))
    assert K.conv1d(seq, k1, padding="causal", dilation_rate=2).shape == (2, 6, 2)
    assert K.pool2d(cf.constant(img), (2, 2)).shape == (2, 4, 4, 3)
    np.testing.assert_allclose(K.pool2d(cf.constant(img), (5, 5), pool_mode="avg"),
                               img.mean((1, 2), keepdims=True), rtol=1e-6)
    with pytest.raises(ValueError, match="pooling mode"):
        K.pool2d(cf.constant(img), (2, 2), pool_mode="sum")
    assert K.spatial_2d_padding(cf.constant(img), ((1, 0), (0, 2))).shape == (2, 6, 7, 3)
    assert K.temporal_padding(seq, (1, 2)).shape == (2, 9, 3)
    assert K.bias_add(cf.constant(img), cf.ones((5, 5, 3))).shape == (2, 5, 5, 3)
    small = cf.reshape(cf.range(8.0), (1, 2, 2, 2))
    np.testing.assert_array_equal(K.resize_images(small, 2, 3, "channels_last"),
                                  np.repeat(np.repeat(small.numpy(), 2, 1), 3, 2))
    assert K.resize_volumes(cf.ones((1, 2, 2, 2, 1)), 2, 1, 2,
                            "channels_last").shape == (1, 4, 2, 4, 1)


def _ctc_inputs():
    rng = np.random.RandomState(0)
    probs = rng.rand(2, 5, 4).astype(np.float32)
    return probs / probs.sum(-1, keepdims=True)


def test_ctc():
    probs = _ctc_inputs()
    labels = np.array([[0, 1, 1], [2, 0, 3]])
    st = K.ctc_label_dense_to_sparse(cf.constant(labels), cf.constant([3, 1]))
    assert st.indices.numpy().tolist() == [[0, 0], [0, 1], [0, 2], [1, 0]]
    assert st.values.numpy().tolist() == [0, 1, 1, 2]
    cost = K.ctc_batch_cost(labels, probs, np.array([[5], [4]]), np.array([[3], [1]]))
    assert cost.shape == (2, 1)
    np.testing.assert_allclose(cost.numpy().ravel(), [5.218096733, 3.686357975], rtol=1e-5)  # TF
    decoded, log_prob = K.ctc_decode(probs, np.array([5, 3]))
    assert decoded[0].numpy().tolist() == [[1, 0, 1, -1, -1], [0, -1, -1, -1, -1]]  # TF 2.21
    np.testing.assert_allclose(log_prob.numpy().ravel(), [4.85844326, 2.73345995], rtol=1e-5)


def test_rnn_masked_matches_tf():
    rng = np.random.RandomState(0)
    rng.rand(2, 5, 4)  # the TF run drew the CTC inputs first
    inp = rng.rand(2, 4, 3).astype(np.float32)
    W, U = rng.rand(3, 2).astype(np.float32), rng.rand(2, 2).astype(np.float32)

    def step(x_t, states):
        h = cf.tanh(cf.matmul(x_t, W) + cf.matmul(states[0], U))
        return h, [h]

    mask = cf.constant([[True, True, False, True], [True, False, False, False]])
    last, outs, states = K.rnn(step, cf.constant(inp), [cf.zeros((2, 2))], mask=mask)
    ref = [[[0.76743186, 0.23741905], [0.97059578, 0.57479697], [0.97059578, 0.57479697],
            [0.98419553, 0.77557111]], [[0.42444569, 0.37516418]] * 4]  # TF 2.21
    np.testing.assert_allclose(outs, ref, rtol=1e-5)
    np.testing.assert_allclose(last, np.array(ref)[:, -1], rtol=1e-5)
    assert isinstance(states, tuple)
    last, outs, states = K.rnn(step, cf.constant(inp), [cf.zeros((2, 2))], go_backwards=True,
                               mask=mask, zero_output_for_mask=True)
    ref = [[[0.71976191, 0.2275698], [0.0, 0.0], [0.9671573, 0.5555405], [0.98664266, 0.77443433]],
           [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.42444569, 0.37516418]]]  # TF 2.21
    np.testing.assert_allclose(outs, ref, rtol=1e-5)
    np.testing.assert_allclose(states[0], [[0.98664266, 0.77443433], [0.42444569, 0.37516418]],
                               rtol=1e-5)
    _, outs, _ = K.rnn(step, cf.constant(inp), [cf.zeros((2, 2))], return_all_outputs=False)
    assert outs.shape == (2, 1, 2)
    _, _, states = K.rnn(step, cf.constant(inp), [cf.zeros((2, 2))], unroll=True)
    assert isinstance(states, list)  # the step function's structure when unrolled, as in TF


def test_tf_keras_backend_names_present():
    names = """abs all any arange argmax argmin batch_dot batch_flatten batch_get_value batch_normalization
    batch_set_value bias_add binary_crossentropy binary_focal_crossentropy cast cast_to_floatx categorical_crossentropy categorical_focal_crossentropy clip concatenate
    constant conv1d conv2d conv2d_transpose conv3d cos count_params ctc_batch_cost ctc_decode ctc_label_dense_to_sparse
    cumprod cumsum depthwise_conv2d dot dropout dtype elu equal eval exp
    expand_dims eye flatten foldl foldr gather gradients greater greater_equal hard_sigmoid
    in_top_k is_sparse l2_normalize less less_equal log map_fn max maximum mean
    min minimum moving_average_update name_scope ndim not_equal one_hot ones ones_like permute_dimensions
    pool2d pool3d pow prod random_bernoulli random_normal random_normal_variable random_uniform random_uniform_variable relu
    repeat repeat_elements reshape resize_images resize_volumes reverse rnn round separable_conv2d shape
    sigmoid sign sin softmax softplus softsign sparse_categorical_crossentropy spatial_2d_padding spatial_3d_padding sqrt
    square squeeze stack std stop_gradient sum switch tanh temporal_padding tile
    to_dense transpose truncated_normal update update_add update_sub var variable zeros zeros_like""".split()
    assert [n for n in names if not callable(getattr(K, n, None))] == []


def test_ctc_decode_beam_search_matches_tf():
    """K.ctc_decode(greedy=False): TF1's merge-repeated beam search (values from TF 2.21)."""
    K = cf.keras.backend
    y = np.random.default_rng(0).random((2, 6, 4)).astype("float32")
    y = y / y.sum(-1, keepdims=True)
    decoded, log_prob = K.ctc_decode(y, np.array([6, 5]), greedy=False, beam_width=4,
                                     top_paths=2)
    assert [d.numpy().tolist() for d in decoded] == [
        [[0, 2, 0, 2, -1, -1], [2, 1, 2, -1, -1, -1]],
        [[0, 2, 0, -1, -1, -1], [2, 1, -1, -1, -1, -1]]]
    np.testing.assert_allclose(log_prob.numpy(), [[-3.2856, -3.2865], [-3.0877, -3.3919]],
                               atol=1e-3)
