"""keras.metrics.AUC against Keras 3.15 on TensorFlow 2.21 (numbers recorded from it for
the same data)."""
import cuflow as cf
import numpy as np
import pytest

rng = np.random.default_rng(0)
Y = rng.integers(0, 2, 100).astype("float32")
P = rng.random(100).astype("float32")
P2 = np.clip(P * 0.1 + 0.45, 0, 1)
Y2 = np.stack([Y, 1 - Y], 1)
PP = np.stack([P, P2], 1)

# (kwargs, AUC on P, AUC on P2) as Keras-TF computed them
BINARY = [
    ({}, 0.479708, 0.480519),
    ({"curve": "PR"}, 0.530985, 0.5327),
    ({"summation_method": "minoring"}, 0.477679, 0.45414),
    ({"summation_method": "majoring"}, 0.481737, 0.506899),
    ({"num_thresholds": 7}, 0.480722, 0.49513),
    ({"from_logits": True}, 0.480925, 0.473011),
]
TWO_COLUMNS = [
    ({"curve": "PRGAIN"}, -0.039339),
    ({"label_weights": [0.3, 0.7], "multi_label": True}, 0.507549),
    ({"label_weights": [0.3, 0.7]}, 0.510404),
    ({"thresholds": [0.2, 0.5, 0.55]}, 0.5097),
    ({"multi_label": True, "num_labels": 2}, 0.499594),
]


@pytest.mark.parametrize("kwargs,want_p,want_p2", BINARY)
def test_binary_auc_matches_keras(kwargs, want_p, want_p2):
    for pred, want in ((P, want_p), (P2, want_p2)):
        m = cf.keras.metrics.AUC(**kwargs)
        m.update_state(Y, pred)
        assert float(m.result()) == pytest.approx(want, abs=2e-6)


@pytest.mark.parametrize("kwargs,want", TWO_COLUMNS)
def test_two_column_auc_matches_keras(kwargs, want):
    m = cf.keras.metrics.AUC(**kwargs)
    m.update_state(Y2, PP)
    assert float(m.result()) == pytest.approx(want, abs=2e-6)


def test_streaming_weights_reset_and_config():
    m = cf.keras.metrics.AUC()
    m.update_state(Y[:50], P2[:50])
    m.update_state(Y[50:], P2[50:])
    assert float(m.result()) == pytest.approx(0.480519, abs=2e-6)
    m.reset_state()
    m.update_state(Y, P, sample_weight=np.linspace(0, 1, 100))
    assert float(m.result()) == pytest.approx(0.493904, abs=2e-6)
    clone = cf.keras.metrics.AUC.from_config(
        cf.keras.metrics.AUC(curve="PR", num_thresholds=7).get_config())
    assert clone.curve == "PR" and clone.num_thresholds == 7


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="num_thresholds"):
        cf.keras.metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        cf.keras.metrics.AUC(curve="XYZ")
    with pytest.raises(ValueError, match="num_labels"):
        cf.keras.metrics.AUC(num_labels=3)
    with pytest.raises(ValueError, match="rank 2"):
        cf.keras.metrics.AUC(multi_label=True).update_state(Y, P)
