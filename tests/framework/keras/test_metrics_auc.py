"""AUC on the shared confusion counts against Keras 3.15 on TensorFlow 2.21: per-sample
weights on (N, 1) predictions, labels counted when non-zero, Keras's bucket path on grid
predictions, multi-label and label weights.

EXPECTED holds what this snippet printed in /work/tfenv (same CASES and _update):

    import keras
    for cls, kw, batches in CASES:
        m = getattr(keras.metrics, cls)(**kw)
        for yt, yp, sw in batches:
            _update(m, yt, yp, sw)
        v = np.asarray(m.result())
        print((v.dtype.name, np.round(v.astype("float64"), 7).tolist()))
"""


import numpy as np
import pytest

from .metric_cases import assert_matches_keras

r = np.random.default_rng(2)
Y = r.integers(0, 2, 30).tolist()
P = np.round(r.random(30), 2).tolist()
YM = r.integers(0, 2, (20, 3)).tolist()
PM = np.round(r.random((20, 3)), 1).tolist()
GRID = [i / 10 for i in range(11)] * 2
YG = r.integers(0, 2, 22).tolist()
CASES = [
    ("AUC", {}, [([0, 1, 1, 0], [[0.2], [0.7], [0.4], [0.5]], [1.0, 2.0, 3.0, 4.0])]),
    ("AUC", {}, [([0, 1, 0.5, 0], [0.2, 0.7, 0.4, 0.5], None)]),
    ("AUC", {"num_thresholds": 11}, [(YG, GRID, None)]),
    ("AUC", {"num_thresholds": 11, "curve": "PR"}, [(YG, GRID, None)]),
    ("AUC", {"thresholds": [0.25, 0.5, 0.75]}, [(YG, GRID, None)]),
    ("AUC", {"thresholds": [0.3, 0.5, 0.9]}, [(YG, GRID, np.linspace(0, 1, 22).tolist())]),
    ("AUC", {"multi_label": True}, [(YM, PM, None)]),
    (
        "AUC",
        {"multi_label": True, "label_weights": [0.2, 0.3, 0.5], "curve": "PR"},
        [(YM, PM, np.linspace(0.5, 1, 20).tolist())],
    ),
    ("AUC", {"label_weights": [0.2, 0.3, 0.5], "summation_method": "minoring"}, [(YM, PM, None)]),
    (
        "AUC",
        {"multi_label": True, "thresholds": [0.1, 0.55, 0.7]},
        [(YM, PM, None), (YM[:5], PM[:5], None)],
    ),
    (
        "AUC",
        {"from_logits": True, "num_thresholds": 50},
        [(Y, (np.array(P) * 6 - 3).tolist(), None)],
    ),
    ("AUC", {"curve": "PRGAIN"}, [(Y, P, np.linspace(0, 2, 30).tolist())]),
    ("AUC", {}, [([], [], None)]),
]


def _update(m, yt, yp, sw):
    m.update_state(
        np.array(yt, "float32"),
        np.array(yp, "float32"),
        sample_weight=None if sw is None else np.array(sw, "float32"),
    )


EXPECTED = [  # (result dtype, value) per case, printed by Keras 3.15 on TF 2.21
    ("float32", 0.52),
    ("float32", 0.75),
    ("float32", 0.392562),
    ("float32", 0.4358066),
    ("float32", 0.4173554),
    ("float32", 0.4421458),
    ("float32", 0.5916772),
    ("float32", 0.6214474),
    ("float32", 0.5131143),
    ("float32", 0.6105128),
    ("float32", 0.4397322),
    ("float32", -0.117528),
    ("float32", 0.0),
]


@pytest.mark.parametrize(
    "case,expected", list(zip(CASES, EXPECTED)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_matches_keras(case, expected):
    assert_matches_keras(case, expected, _update)
