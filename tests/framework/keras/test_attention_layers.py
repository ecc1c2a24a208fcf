"""MultiHeadAttention and Attention against NumPy formulas."""
import numpy as np

import cuflow as cf

L = cf.keras.layers


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_multi_head_attention_matches_formula_and_masks():
    rng = np.random.default_rng(0)
    q = rng.normal(size=(2, 3, 4)).astype("float32")
    v = rng.normal(size=(2, 5, 4)).astype("float32")
    mha = L.MultiHeadAttention(num_heads=2, key_dim=3)
    out, scores = mha(q, v, return_attention_scores=True)
    assert tuple(out.shape) == (2, 3, 4) and tuple(scores.shape) == (2, 2, 3, 5)
    wq, bq, wk, bk, wv, bv, wo, bo = (w.numpy().astype(np.float64) for w in mha.weights)
    qq = np.einsum("btd,dhk->bthk", q, wq) + bq
    kk = np.einsum("btd,dhk->bthk", v, wk) + bk
    vv = np.einsum("btd,dhk->bthk", v, wv) + bv
    att = _softmax(np.einsum("bqhk,bvhk->bhqv", qq / np.sqrt(3), kk))
    ref = np.einsum("bqhk,hko->bqo", np.einsum("bhqv,bvhk->bqhk", att, vv), wo) + bo
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), att, rtol=1e-4, atol=1e-6)
    causal = mha(q, q, use_causal_mask=True, return_attention_scores=True)[1].numpy()
    assert np.allclose(np.triu(causal[0, 0], 1), 0)


def test_dot_attention_layer_and_functional_use():
    rng = np.random.default_rng(1)
    q = rng.normal(size=(2, 3, 4)).astype("float32")
    v = rng.normal(size=(2, 5, 4)).astype("float32")
    out = L.Attention()([q, v]).numpy()
    ref = _softmax(q @ v.transpose(0, 2, 1)) @ v
    np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)
    qi, vi = cf.keras.Input((3, 4)), cf.keras.Input((5, 4))
    model = cf.keras.Model([qi, vi], L.MultiHeadAttention(2, 2)(qi, vi))
    assert tuple(model([q, v]).shape) == (2, 3, 4)


def test_mha_builds_its_softmax_and_dropout_like_keras():
    """Keras's MHA makes a Softmax and a Dropout layer when built (they take the auto
    names, so a later Dropout is dropout_1), and a fully masked query row attends nowhere
    (zeros), as Keras 3.15's Softmax layer."""
    cf.keras.backend.clear_session()
    mha = cf.keras.layers.MultiHeadAttention(num_heads=2, key_dim=2)
    q = np.ones((1, 2, 4), "float32")
    mask = np.array([[[True, True], [False, False]]])
    _, scores = mha(q, q, attention_mask=mask, return_attention_scores=True)
    np.testing.assert_array_equal(scores.numpy()[0, :, 1], 0.0)
    np.testing.assert_allclose(scores.numpy()[0, :, 0], 0.5, rtol=1e-6)
    assert cf.keras.layers.Dropout(0.1).name == "dropout_1"
