"""Losses (function and class forms) and metrics vs NumPy references."""
import numpy as np
import pytest

import cuflow as cf

L, M = cf.keras.losses, cf.keras.metrics
rng = np.random.RandomState(0)
YT = np.eye(4, dtype=np.float32)[rng.randint(0, 4, 6)]
LOGITS = rng.normal(0, 1, (6, 4)).astype(np.float32)
PROBS = np.exp(LOGITS) / np.exp(LOGITS).sum(1, keepdims=True)
SW = np.array([1.0, 0.5, 0.0, 2.0, 1.0, 1.5], np.float32)
EPS = 1e-7


def np_cce(yt, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(yt * np.log(p)).sum(-1)


def test_categorical_crossentropy_forms():
    ref = np_cce(YT, PROBS)
    np.testing.assert_allclose(L.categorical_crossentropy(YT, PROBS).numpy(), ref, rtol=1e-5)
    np.testing.assert_allclose(
        L.categorical_crossentropy(YT, LOGITS, from_logits=True).numpy(), ref, rtol=1e-4)
    np.testing.assert_allclose(L.CategoricalCrossentropy()(YT, PROBS).numpy(), ref.mean(),
                               rtol=1e-5)
    np.testing.assert_allclose(
        L.CategoricalCrossentropy(reduction="sum")(YT, PROBS).numpy(), ref.sum(), rtol=1e-5)
    np.testing.assert_allclose(
        L.CategoricalCrossentropy(reduction="none")(YT, PROBS).numpy(), ref, rtol=1e-5)
    np.testing.assert_allclose(
        L.CategoricalCrossentropy()(YT, PROBS, sample_weight=SW).numpy(),
        (ref * SW).sum() / 6, rtol=1e-5)
    smooth = YT * 0.9 + 0.1 / 4
    np.testing.assert_allclose(
        L.CategoricalCrossentropy(label_smoothing=0.1)(YT, PROBS).numpy(),
        np_cce(smooth, PROBS).mean(), rtol=1e-5)


def test_sparse_and_binary_crossentropy():
    labels = YT.argmax(1)
    np.testing.assert_allclose(
        L.SparseCategoricalCrossentropy(from_logits=True)(labels, LOGITS).numpy(),
        np_cce(YT, PROBS).mean(), rtol=1e-4)
    yb = (rng.rand(6, 3) > 0.5).astype(np.float32)
    z = rng.normal(0, 2, (6, 3)).astype(np.float32)
    p = 1 / (1 + np.exp(-z))
    pc = np.clip(p, EPS, 1 - EPS)
    ref = -(yb * np.log(pc) + (1 - yb) * np.log(1 - pc)).mean(-1)
    np.testing.assert_allclose(L.binary_crossentropy(yb, p).numpy(), ref, rtol=1e-4)
    ref_logits = (np.maximum(z, 0) - z * yb + np.log1p(np.exp(-np.abs(z)))).mean(-1)
    np.testing.assert_allclose(L.BinaryCrossentropy(from_logits=True)(yb, z).numpy(),
                               ref_logits.mean(), rtol=1e-5)
    ys = yb * 0.8 + 0.1
    ref_s = (np.maximum(z, 0) - z * ys + np.log1p(np.exp(-np.abs(z)))).mean(-1).mean()
    np.testing.assert_allclose(
        L.BinaryCrossentropy(from_logits=True, label_smoothing=0.2)(yb, z).numpy(), ref_s,
        rtol=1e-5)


@pytest.mark.parametrize("name,ref", [
    ("mean_squared_error", lambda t, p: ((t - p) ** 2).mean(-1)),
    ("mean_absolute_error", lambda t, p: np.abs(t - p).mean(-1)),
    ("mean_absolute_percentage_error",
     lambda t, p: 100 * (np.abs(t - p) / np.maximum(np.abs(t), EPS)).mean(-1)),
    ("mean_squared_logarithmic_error",
     lambda t, p: ((np.log1p(np.maximum(t, EPS)) - np.log1p(np.maximum(p, EPS))) ** 2)
     .mean(-1)),
    ("huber", lambda t, p: np.where(np.abs(t - p) <= 1, 0.5 * (t - p) ** 2,
                                    np.abs(t - p) - 0.5).mean(-1)),
    ("log_cosh", lambda t, p: np.log(np.cosh(p - t)).mean(-1)),
    ("hinge", lambda t, p: np.maximum(1 - t * p, 0).mean(-1)),
])
def test_regression_losses(name, ref):
    t = rng.rand(5, 3).astype(np.float32)
    p = rng.rand(5, 3).astype(np.float32) * 2
    np.testing.assert_allclose(L.get(name)(t, p).numpy(), ref(t, p), rtol=1e-4, atol=1e-6)


def test_metric_update_result_reset():
    m = M.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([4.0], sample_weight=[2.0])
    np.testing.assert_allclose(m.result().numpy(), (1 + 2 + 3 + 8) / 5)
    m.reset_state()
    np.testing.assert_allclose(m.result().numpy(), 0.0)
    acc = M.CategoricalAccuracy()
    acc.update_state(YT, PROBS)
    np.testing.assert_allclose(acc.result().numpy(),
                               (YT.argmax(1) == PROBS.argmax(1)).mean(), rtol=1e-6)
    sacc = M.SparseCategoricalAccuracy()
    sacc.update_state(YT.argmax(1), PROBS, sample_weight=SW)
    np.testing.assert_allclose(sacc.result().numpy(),
                               ((YT.argmax(1) == PROBS.argmax(1)) * SW).sum() / SW.sum(),
                               rtol=1e-6)
    b = M.BinaryAccuracy(threshold=0.5)
    b.update_state([[1], [0], [1]], [[0.7], [0.6], [0.2]])
    np.testing.assert_allclose(b.result().numpy(), 1 / 3, rtol=1e-6)
    top = M.TopKCategoricalAccuracy(k=2)
    top.update_state(YT, PROBS)
    ref = np.mean([YT[i].argmax() in np.argsort(-PROBS[i])[:2] for i in range(6)])
    np.testing.assert_allclose(top.result().numpy(), ref, rtol=1e-6)
    stop = M.SparseTopKCategoricalAccuracy(k=2)
    stop.update_state(YT.argmax(1), PROBS)
    np.testing.assert_allclose(stop.result().numpy(), ref, rtol=1e-6)


def test_precision_recall_f1():
    yt = np.array([1, 0, 1, 1, 0, 0, 1, 0], np.float32)
    yp = np.array([0.9, 0.6, 0.4, 0.8, 0.1, 0.7, 0.55, 0.2], np.float32)
    pred = yp > 0.5
    tp = np.sum(pred & (yt == 1)); fp = np.sum(pred & (yt == 0)); fn = np.sum(~pred & (yt == 1))
    p, r = M.Precision(), M.Recall()
    p.update_state(yt, yp)
    r.update_state(yt, yp)
    np.testing.assert_allclose(p.result().numpy(), tp / (tp + fp), rtol=1e-6)
    np.testing.assert_allclose(r.result().numpy(), tp / (tp + fn), rtol=1e-6)
    f1 = M.F1Score(average="micro", threshold=0.5)
    f1.update_state(yt[:, None], yp[:, None])
    prec, rec = tp / (tp + fp), tp / (tp + fn)
    np.testing.assert_allclose(f1.result().numpy(), 2 * prec * rec / (prec + rec), rtol=1e-5)


def test_auc_vs_numpy_trapezoid():
    yt = (rng.rand(200) > 0.5).astype(np.float32)
    yp = np.clip(yt * 0.3 + rng.rand(200) * 0.7, 0, 1).astype(np.float32)
    n = 200
    th = np.concatenate([[-EPS], (np.arange(1, n - 1) / (n - 1)), [1 + EPS]])
    tpr, fpr = [], []
    for t in th:
        pr = yp > t
        tp = np.sum(pr & (yt == 1)); fp = np.sum(pr & (yt == 0))
        tpr.append(tp / yt.sum()); fpr.append(fp / (1 - yt).sum())
    tpr, fpr = np.array(tpr), np.array(fpr)
    ref = np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)
    m = M.AUC(num_thresholds=n)
    m.update_state(yt[:100], yp[:100])
    m.update_state(yt[100:], yp[100:])
    np.testing.assert_allclose(m.result().numpy(), ref, rtol=1e-4)
    m.reset_state()
    m.update_state([1, 0], [0.9, 0.1])
    np.testing.assert_allclose(m.result().numpy(), 1.0, rtol=1e-5)


def test_get_by_name():
    assert isinstance(M.get("accuracy"), M.Metric)
    assert callable(L.get("categorical_crossentropy"))
    with pytest.raises(ValueError):
        L.get("not_a_loss")


@pytest.mark.parametrize("fn", ["categorical_crossentropy", "binary_crossentropy"])
def test_crossentropy_shape_mismatch_is_a_value_error_as_keras(fn):
    loss = getattr(cf.keras.losses, fn)
    with pytest.raises(ValueError, match="same shape"):
        loss(np.zeros((4, 1), "float32"), np.full((4, 3), 0.5, "float32"))
    with pytest.raises(ValueError, match="same rank"):
        loss(np.zeros((4, 3), "float32"), np.full((4, 3, 2), 0.5, "float32"))


def test_sparse_crossentropy_shape_checks_as_keras():
    f = cf.keras.losses.sparse_categorical_crossentropy
    assert f(np.zeros((4, 1), "int32"), np.full((4, 3), 0.5, "float32")).shape == (4,)
    with pytest.raises(ValueError, match="target.ndim - 1"):
        f(np.zeros((4, 2), "int32"), np.full((4, 3), 0.5, "float32"))
    with pytest.raises(ValueError, match="up until the last dimension"):
        f(np.zeros((5,), "int32"), np.full((4, 3), 0.5, "float32"))
