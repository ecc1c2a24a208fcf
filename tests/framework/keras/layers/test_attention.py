"""Attention layers vs the NumPy float64 formula; masks, causal masks, configs, gradients."""
import numpy as np

import cuflow as cf

K = cf.keras
L = K.layers


def _softmax(x, mask=None):
    if mask is not None:
        x = x + (1.0 - mask) * -1e9
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _mha_ref(layer, q, v, mask=None):
    wq, bq, wk, bk, wv, bv, wo, bo = (w.astype(np.float64) for w in layer.get_weights())
    qh = np.einsum("btc,chd->bthd", q, wq) + bq
    kh = np.einsum("btc,chd->bthd", v, wk) + bk
    vh = np.einsum("btc,chd->bthd", v, wv) + bv
    s = np.einsum("bkhd,bqhd->bhqk", kh, qh / np.sqrt(wq.shape[-1]))
    p = _softmax(s, None if mask is None else mask[:, None].astype(np.float64))
    ctx = np.einsum("bhqk,bkhd->bqhd", p, vh)
    return np.einsum("bqhd,hde->bqe", ctx, wo) + bo, p


def test_multi_head_attention_matches_formula_and_weight_layout():
    q, v = _x(2, 3, 8), _x(2, 5, 6, seed=1)
    layer = L.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3,
                                 bias_initializer="random_normal")
    out, scores = layer(q, v, return_attention_scores=True)
    assert [w.name for w in layer.weights] == ["kernel", "bias"] * 4
    assert [tuple(w.shape) for w in layer.weights] == [
        (8, 2, 4), (2, 4), (6, 2, 4), (2, 4), (6, 2, 3), (2, 3), (2, 3, 8), (8,)]
    ref, p = _mha_ref(layer, q.astype(np.float64), v.astype(np.float64))
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), p, atol=1e-6)


def test_mha_causal_and_attention_mask():
    q = _x(2, 4, 6)
    layer = L.MultiHeadAttention(2, 3, output_shape=5)
    out = layer(q, q, use_causal_mask=True)
    assert tuple(out.shape) == (2, 4, 5)
    causal = np.tril(np.ones((4, 4)))[None].repeat(2, 0)
    ref, _ = _mha_ref(layer, q.astype(np.float64), q.astype(np.float64), causal)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)
    am = np.ones((2, 4, 4), bool)
    am[:, :, 2:] = False
    ref, _ = _mha_ref(layer, q.astype(np.float64), q.astype(np.float64), am)
    np.testing.assert_allclose(layer(q, q, attention_mask=am).numpy(), ref, atol=1e-5)


def test_mha_in_functional_model_trains_and_round_trips():
    inp = K.Input((4, 6))
    mha = L.MultiHeadAttention(2, 4)
    x = mha(inp, inp)
    out = L.Dense(1)(L.GlobalAveragePooling1D()(x))
    model = K.Model(inp, out)
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(64, 4, 6)).astype("float32")
    ys = xs[:, :, 0].mean(1, keepdims=True)
    model.compile(optimizer=K.optimizers.Adam(0.01), loss="mse")
    hist = model.fit(xs, ys, epochs=10, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    again = L.MultiHeadAttention.from_config(mha.get_config())
    assert again.get_config() == mha.get_config()
    with cf.GradientTape() as tape:
        y = cf.reduce_sum(mha(xs[:2], xs[:2], training=True) ** 2)
    assert all(g is not None for g in tape.gradient(y, mha.trainable_weights))


def test_dot_and_additive_attention_with_masks():
    q, v = _x(2, 3, 4), _x(2, 5, 4, seed=2)
    vmask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], bool)
    qmask = np.array([[1, 1, 0], [1, 1, 1]], bool)
    layer = L.Attention(use_scale=True)
    out, w = layer([q, v], mask=[qmask, vmask], return_attention_scores=True)
    s = np.einsum("bqd,bkd->bqk", q, v).astype(np.float64) * layer.get_weights()[0]
    p = _softmax(s, vmask[:, None].astype(np.float64))
    np.testing.assert_allclose(w.numpy(), p, atol=1e-6)
    np.testing.assert_allclose(out.numpy(), (p @ v) * qmask[..., None], atol=1e-5)
    add = L.AdditiveAttention()
    out = add([q, v], mask=[None, vmask])
    scale = add.get_weights()[0].astype(np.float64)
    s = (np.tanh(q[:, :, None] + v[:, None]) * scale).sum(-1)
    np.testing.assert_allclose(out.numpy(), _softmax(s, vmask[:, None]) @ v, atol=1e-5)
    concat = L.Attention(score_mode="concat")
    out = concat([q, q], use_causal_mask=True)
    s = np.tanh(q[:, :, None] + q[:, None]).sum(-1)
    p = _softmax(s, np.tril(np.ones((3, 3)))[None])
    np.testing.assert_allclose(out.numpy(), p @ q, atol=1e-5)
    assert L.Attention.from_config(concat.get_config()).score_mode == "concat"


def test_embedding_mask_reaches_mha():
    ids = np.array([[1, 2, 0], [3, 0, 0]])
    emb = L.Embedding(5, 4, mask_zero=True)
    mha = L.MultiHeadAttention(1, 4)
    e = emb(ids)
    _, p = mha(e, e, return_attention_scores=True)
    p = p.numpy()
    assert np.allclose(p[1, 0, 0, 1:], 0)            # padded keys get no weight
    assert np.allclose(p[0, 0, 0, 2], 0)
