"""Attention layers as Keras 3: MultiHeadAttention over several attention axes (its
default for rank-4 inputs), use_gate, sliding_window, full config; dense attention with
list masks from the inputs' Keras masks, where-based query masking, seed in configs."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras
L = K.layers


def _ref_mha_2d(x, wq, bq, wk, bk, wv, bv, wo, bo):
    """Attention jointly over axes 1 and 2 of a (B, T1, T2, C) input, in NumPy."""
    b, t1, t2, c = x.shape
    q = np.einsum("abcd,dnh->abcnh", x, wq) + bq
    k = np.einsum("abcd,dnh->abcnh", x, wk) + bk
    v = np.einsum("abcd,dnh->abcnh", x, wv) + bv
    q = q / np.sqrt(wq.shape[-1])
    s = np.einsum("aefnh,abcnh->anbcef", k, q).reshape(b, -1, t1, t2, t1 * t2)
    w = np.exp(s - s.max(-1, keepdims=True))
    w = (w / w.sum(-1, keepdims=True)).reshape(b, -1, t1, t2, t1, t2)
    ctx = np.einsum("anbcef,aefnh->abcnh", w, v)
    return np.einsum("abcnh,nhd->abcd", ctx, wo) + bo, w


def test_mha_default_axes_of_a_rank4_input_attend_over_both():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 6)).astype("float32")
    mha = L.MultiHeadAttention(2, 3)
    out, scores = mha(x, x, return_attention_scores=True)
    assert tuple(scores.shape) == (2, 2, 3, 4, 3, 4)
    assert mha.get_config()["attention_axes"] == (1, 2)
    ref, ref_w = _ref_mha_2d(x, *[w.numpy() for w in mha.weights])
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)
    np.testing.assert_allclose(scores.numpy(), ref_w, atol=1e-6)
    m1 = L.MultiHeadAttention(2, 2, attention_axes=2)
    _, s1 = m1(x, x, return_attention_scores=True)
    assert tuple(s1.shape) == (2, 3, 2, 4, 4) and m1.get_config()["attention_axes"] == (2,)


def test_mha_gate_sliding_window_and_config():
    x = np.random.default_rng(1).standard_normal((1, 5, 4)).astype("float32")
    mha = L.MultiHeadAttention(1, 2, use_gate=True, output_shape=3, name="m")
    out = mha(x, x)
    assert [w.path for w in mha.weights][4:6] == ["m/gate/kernel", "m/gate/bias"]
    assert tuple(out.shape) == (1, 5, 3)
    cfg = mha.get_config()
    assert cfg["output_shape"] == (3,) and cfg["use_gate"] is True
    assert {"sliding_window", "activity_regularizer", "seed"} <= set(cfg)
    band = L.MultiHeadAttention(1, 2, sliding_window=2)
    _, s = band(x, x, return_attention_scores=True, use_causal_mask=True)
    allowed = (s.numpy()[0, 0] > 0)
    np.testing.assert_array_equal(allowed, np.eye(5, dtype=bool) | np.eye(5, k=-1, dtype=bool))
    with pytest.raises(ValueError, match="num_heads"):
        L.MultiHeadAttention(0, 2)
    with pytest.raises(ValueError, match="sliding_window"):
        L.MultiHeadAttention(1, 2, sliding_window=0)


def test_dense_attention_takes_the_list_of_input_masks():
    q = np.random.default_rng(2).standard_normal((2, 3, 4)).astype("float32")
    v = np.random.default_rng(3).standard_normal((2, 5, 4)).astype("float32")
    qi, vi = K.Input((3, 4)), K.Input((5, 4))
    res = L.Attention()([L.Masking()(qi), vi])
    model = K.Model([qi, vi], res)
    qz = q.copy()
    qz[0, 2] = 0.0
    out = model([qz, v]).numpy()
    plain = L.Attention()([qz, v]).numpy()
    np.testing.assert_allclose(out[0, :2], plain[0, :2], atol=1e-6)
    assert np.all(out[0, 2] == 0) and not np.signbit(out[0, 2]).any()  # where, not * 0
    assert L.Attention().get_config()["seed"] is None
    assert list(L.Attention().get_config())[-4:] == ["use_scale", "score_mode", "dropout",
                                                     "seed"]
    assert "seed" in L.AdditiveAttention().get_config()
    with pytest.raises(ValueError, match="mask must be a list"):
        L.Attention()([q, v], mask=np.ones((2, 3), bool))
