"""FBetaScore / F1Score
against Keras 3.15 on TensorFlow 2.21.

EXPECTED holds what this snippet printed in /work/tfenv (same CASES and _update):

    import keras
    for cls, kw, batches in CASES:
        m = getattr(keras.metrics, cls)(**kw)
        for yt, yp, sw in batches:
            _update(m, yt, yp, sw)
        v = np.asarray(m.result())
        print((v.dtype.name, np.round(v.astype("float64"), 7).tolist()))
"""

import cuflow as cf
import numpy as np
import pytest

from .metric_cases import assert_matches_keras

r = np.random.default_rng(5)
YT = [[1, 1, 1], [1, 0, 0], [1, 1, 0]]
YP = [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]]
YC = np.eye(4)[r.integers(0, 4, 30)].tolist()
PC = np.round(r.random((30, 4)), 3).tolist()
SWC = np.round(r.random(30), 2).tolist()
Z = [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
CASES = [
    ("FBetaScore", {"beta": 2.0, "threshold": 0.5}, [(YT, YP, None)]),
    ("F1Score", {"threshold": 0.5}, [(YT, YP, None)]),
    ("F1Score", {}, [(YT, YP, None)]),
    ("F1Score", {"average": "micro"}, [(YC, PC, None)]),
    ("F1Score", {"average": "macro"}, [(YC, PC, SWC)]),
    (
        "F1Score",
        {"average": "weighted", "threshold": 0.4},
        [(YC[:10], PC[:10], None), (YC[10:], PC[10:], SWC[10:])],
    ),
    ("FBetaScore", {"beta": 0.5, "average": "weighted"}, [(YC, PC, None)]),
    ("FBetaScore", {"beta": 3.0, "average": "micro", "threshold": 0.3}, [(YC, PC, SWC)]),
    ("FBetaScore", {"beta": 0.5}, [(YC, PC, SWC), (YT, YP, None)][:1]),
    ("F1Score", {}, [(YT, Z + [[0.1, 0.0, 0.0]], None)]),
    ("F1Score", {"average": "macro"}, [(Z, Z, None)]),
    (
        "F1Score",
        {"average": "weighted", "threshold": 0.5},
        [(np.zeros((0, 3)).tolist(), np.zeros((0, 3)).tolist(), None)],
    ),
]


def _update(m, yt, yp, sw):
    yt = np.array(yt, "float32").reshape(-1, 3 if not len(yt) or len(yt[0]) == 3 else 4)
    m.update_state(
        yt,
        np.array(yp, "float32").reshape(yt.shape),
        sample_weight=None if sw is None else np.array(sw, "float32"),
    )


EXPECTED = [  # (result dtype, value) per case, printed by Keras 3.15 on TF 2.21
    ("float32", [0.3846154, 0.9090909, 0.8333332]),
    ("float32", [0.5, 0.8, 0.6666666]),
    ("float32", [0.0, 0.4999999, 0.6666666]),
    ("float32", 0.3666666),
    ("float32", 0.4009755),
    ("float32", 0.4335375),
    ("float32", 0.3492778),
    ("float32", 0.5961391),
    ("float32", [0.3098289, 0.4706124, 0.3122397, 0.5325443]),
    ("float32", [0.5, 0.0, 0.0]),
    ("float32", 0.0),
    ("float32", 0.0),
]


@pytest.mark.parametrize(
    "case,expected", list(zip(CASES, EXPECTED)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_matches_keras(case, expected):
    assert_matches_keras(case, expected, _update)


def test_config_round_trip_and_variables():
    M = cf.keras.metrics
    m = M.FBetaScore(average="macro", beta=2.0, threshold=0.3)
    want = {
        "name": "fbeta_score",
        "dtype": "float32",
        "average": "macro",
        "beta": 2.0,
        "threshold": 0.3,
    }
    assert m.get_config() == want and M.FBetaScore.from_config(want).get_config() == want
    f1 = M.F1Score(average="weighted")
    assert f1.get_config() == {
        "name": "f1_score",
        "dtype": "float32",
        "average": "weighted",
        "threshold": None,
    }
    assert isinstance(f1, M.FBetaScore) and f1.beta == 1.0 and f1._direction == "up"
    assert m.variables == []  # built by the first update_state, as Keras
    f1.update_state([[0, 1]], [[0.3, 0.6]])
    assert [v.name.split(":")[0] for v in f1.variables] == [
        "true_positives",
        "false_positives",
        "false_negatives",
        "intermediate_weights",
    ]
    micro = M.F1Score(average="micro")
    micro.update_state([[0, 1]], [[0.3, 0.6]])
    assert tuple(micro.true_positives.shape) == ()


def test_reset_state_and_float64():
    m = cf.keras.metrics.F1Score()
    m.update_state([[0, 1]], [[0.3, 0.6]])
    m.reset_state()
    assert np.asarray(m.result()).tolist() == [0.0, 0.0]
    m = cf.keras.metrics.F1Score(dtype="float64")
    m.update_state([[1, 0]], [[0.7, 0.9]])
    assert m.result().dtype == cf.float64 and m.variables[0].dtype == cf.float64


def test_nan_prediction_row():
    # Keras 3.15: F1Score(average="macro") on [[nan, .5], [.2, .9]] vs [[1, 0], [0, 1]]
    m = cf.keras.metrics.F1Score(average="macro")
    m.update_state([[1, 0], [0, 1]], [[np.nan, 0.5], [0.2, 0.9]])
    assert float(m.result()) == pytest.approx(0.4999999, abs=1e-7)


@pytest.mark.parametrize(
    "make,exc,message",
    [
        (
            lambda M: M.FBetaScore(beta=1),
            ValueError,
            (
                "Invalid `beta` argument value. It should be a Python float. "
                "Received: beta=1 of type '<class 'int'>'"
            ),
        ),
        (lambda M: M.FBetaScore(beta=-1.0), ValueError, "It should be > 0. Received: beta=-1.0"),
        (
            lambda M: M.FBetaScore(average="avg"),
            ValueError,
            (
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', "
                "'weighted'}. Received: average=avg"
            ),
        ),
        (lambda M: M.F1Score(threshold=1), ValueError, "It should be a Python float"),
        (
            lambda M: M.F1Score(threshold=1.5),
            ValueError,
            "It should verify 0 < threshold <= 1. Received: threshold=1.5",
        ),
        (
            lambda M: M.F1Score().update_state([0, 1], [0.3, 0.6]),
            ValueError,
            (
                r"FBetaScore expects 2D inputs with shape \(batch_size, output_dim\). "
                r"Received input shapes: y_pred.shape=\(2,\) and y_true.shape=\(2,\)."
            ),
        ),
        (lambda M: M.F1Score().result(), AttributeError, "F1Score"),
        # Keras's ops.max refuses an empty batch when no threshold is given
        (
            lambda M: M.F1Score().update_state(np.zeros((0, 3)), np.zeros((0, 3))),
            cf.errors.InvalidArgumentError,
            "Cannot compute the max of an empty tensor",
        ),
    ],
)
def test_errors_as_keras(make, exc, message):
    import re

    with pytest.raises(exc, match=re.escape(message) if "\\" not in message else message):
        make(cf.keras.metrics)


def test_string_aliases():
    M = cf.keras.metrics
    assert type(M.get("f1_score")) is M.F1Score
    assert type(M.get("f_beta_score")) is M.FBetaScore  # Keras's snake case of FBetaScore
    with pytest.raises(ValueError):
        M.get("fbeta_score")  # not a Keras alias either
