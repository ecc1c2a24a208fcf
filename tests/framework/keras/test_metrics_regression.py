"""R2Score, PearsonCorrelation, ConcordanceCorrelation
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

r = np.random.default_rng(11)
YT = np.round(r.normal(size=(12, 3)), 3).tolist()
YP = np.round(np.array(YT) * 0.8 + r.normal(size=(12, 3)) * 0.3, 3).tolist()
SW = np.round(r.random(12), 2).tolist()
Y1 = np.round(r.normal(size=20), 3).tolist()
P1 = np.round(np.array(Y1) + r.normal(size=20) * 0.5, 3).tolist()
Y3 = np.round(r.normal(size=(2, 4, 5)), 3).tolist()
P3 = np.round(np.array(Y3) * 0.5 + r.normal(size=(2, 4, 5)) * 0.4, 3).tolist()
CASES = [
    ("R2Score", {}, [([[1], [4], [3]], [[2], [4], [4]], None)]),
    ("R2Score", {}, [(YT, YP, None)]),
    ("R2Score", {"class_aggregation": None}, [(YT, YP, SW)]),
    (
        "R2Score",
        {"class_aggregation": "variance_weighted_average"},
        [(YT[:5], YP[:5], None), (YT[5:], YP[5:], SW[5:])],
    ),
    ("R2Score", {"num_regressors": 2}, [(YT, YP, None)]),
    ("R2Score", {"num_regressors": 11, "class_aggregation": None}, [(Y1, [[p] for p in P1], None)]),
    (
        "R2Score",
        {"class_aggregation": None},
        [([[1.0, 2.0], [1.0, 3.0]], [[0.5, 2.0], [1.5, 3.0]], None)],
    ),
    (
        "R2Score",
        {"class_aggregation": None},
        [([[1.0, 2.0], [1.0, 3.0]], [[1.0, 2.0], [1.0, 3.0]], None)],
    ),
    ("R2Score", {}, [([[2.0], [4.0], [6.0]], [[2.0], [5.0], [6.0]], 3.0)]),
    (
        "R2Score",
        {"class_aggregation": None},
        [(YT, YP, np.array(SW)[:, None].repeat(3, 1).tolist())],
    ),
    (
        "PearsonCorrelation",
        {},
        [([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]], None)],
    ),
    ("PearsonCorrelation", {}, [(YT, YP, None), (YT[:4], YP[:4], None)]),
    ("PearsonCorrelation", {}, [(YT, YP, SW)]),
    ("PearsonCorrelation", {"axis": 0}, [(YT, YP, None)]),
    ("PearsonCorrelation", {}, [(Y1, P1, None)]),
    ("PearsonCorrelation", {"axis": (1, 2)}, [(Y3, P3, None)]),
    ("PearsonCorrelation", {}, [(Y3, P3, [1.0, 2.0])]),
    (
        "PearsonCorrelation",
        {},
        [([[1.0, 1.0, 1.0], [0.0, 1.0, 2.0]], [[0.2, 0.5, 0.1], [0.0, 1.0, 2.5]], None)],
    ),
    (
        "ConcordanceCorrelation",
        {},
        [([[0, 1, 0.5], [1, 1, 0.2]], [[0.1, 0.9, 0.5], [1, 0.9, 0.2]], None)],
    ),
    ("ConcordanceCorrelation", {}, [(YT, YP, SW), (YT[:4], YP[:4], None)]),
    ("ConcordanceCorrelation", {"axis": 0}, [(YT, YP, None)]),
    ("ConcordanceCorrelation", {}, [(Y1, P1, None)]),
    ("ConcordanceCorrelation", {"axis": [1, 2]}, [(Y3, P3, None)]),
    (
        "ConcordanceCorrelation",
        {},
        [([[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], [[1.0, 1.0, 1.0], [0.0, 0.0, 0.0]], None)],
    ),
]


def _update(m, yt, yp, sw):
    m.update_state(
        np.array(yt, "float32"),
        np.array(yp, "float32"),
        sample_weight=None if sw is None else np.array(sw, "float32"),
    )


NAN = float("nan")
EXPECTED = [  # (result dtype, value) per case, printed by Keras 3.15 on TF 2.21
    ("float32", 0.5714285),
    ("float32", 0.8334591),
    ("float32", [0.9541361, 0.7781648, 0.5844508]),
    ("float32", 0.8736408),
    ("float32", 0.8233657),
    ("float32", [0.2773077]),
    ("float32", [0.0, 1.0]),
    ("float32", [NAN, 1.0]),
    ("float32", 0.875),
    ("float32", [0.9541361, 0.7781648, 0.5844508]),
    ("float32", 0.9966996),
    ("float32", 0.9067417),
    ("float32", 0.9100567),
    ("float32", 0.9349201),
    ("float32", 0.8589441),
    ("float32", 0.8352629),
    ("float32", 0.7003648),
    ("float32", NAN),
    ("float32", 0.9816317),
    ("float32", 0.8052412),
    ("float32", 0.8965356),
    ("float32", 0.8570088),
    ("float32", 0.7169095),
    ("float32", 0.0),
]


@pytest.mark.parametrize(
    "case,expected", list(zip(CASES, EXPECTED)), ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_matches_keras(case, expected):
    assert_matches_keras(case, expected, _update)


# get_config / variables / errors / warnings / reset, as printed by Keras 3.15
CONFIGS = [
    (
        ("R2Score", {}),
        {
            "name": "r2_score",
            "dtype": "float32",
            "class_aggregation": "uniform_average",
            "num_regressors": 0,
        },
        ["num_samples"],
    ),
    (
        ("R2Score", {"class_aggregation": None, "num_regressors": 3, "name": "r2"}),
        {"name": "r2", "dtype": "float32", "class_aggregation": None, "num_regressors": 3},
        ["num_samples"],
    ),
    (
        ("PearsonCorrelation", {"axis": 0}),
        {"name": "pearson_correlation", "dtype": "float32", "axis": 0},
        ["total", "count"],
    ),
    (
        ("ConcordanceCorrelation", {"name": "ccc", "dtype": "float64"}),
        {"name": "ccc", "dtype": "float64", "axis": -1},
        ["total", "count"],
    ),
]


@pytest.mark.parametrize("args,config,variables", CONFIGS, ids=[c[0][0] for c in CONFIGS])
def test_config_variables_and_round_trip(args, config, variables):
    cls = getattr(cf.keras.metrics, args[0])
    m = cls(**args[1])
    assert m.get_config() == config and m._direction == "up"
    assert [v.name.split(":")[0] for v in m.variables] == variables
    assert cls.from_config(config).get_config() == config
    assert cf.keras.metrics.get({"class_name": args[0], "config": config}).get_config() == config


def test_r2_builds_per_output_variables():
    m = cf.keras.metrics.R2Score()
    m.update_state(np.ones((4, 3), "float32"), np.ones((4, 3), "float32"))
    assert [(v.name.split(":")[0], tuple(v.shape)) for v in m.variables] == [
        ("num_samples", ()),
        ("squared_sum", (3,)),
        ("sum", (3,)),
        ("residual", (3,)),
        ("count", (3,)),
    ]
    assert float(m.num_samples.numpy()) == 12.0  # Keras counts every element


@pytest.mark.parametrize(
    "make,exc,message",
    [
        (
            lambda M: M.R2Score(class_aggregation="mean"),
            ValueError,
            (
                "Invalid value for argument `class_aggregation`. Expected one of (None, "
                "'uniform_average', 'variance_weighted_average'). Received: class_aggregation=mean"
            ),
        ),
        (
            lambda M: M.R2Score(num_regressors=-1),
            ValueError,
            (
                "Invalid value for argument `num_regressors`. Expected a value >= 0. Received: "
                "num_regressors=-1"
            ),
        ),
        (
            lambda M: M.R2Score().update_state([1.0, 2.0], [1.0, 2.0]),
            ValueError,
            (
                "R2Score expects 2D inputs with shape (batch_size, output_dim). "
                "Received input shapes: y_pred.shape=(2,) and y_true.shape=(2,)."
            ),
        ),
        (lambda M: M.R2Score().result(), AttributeError, "R2Score"),
    ],
)
def test_errors_as_keras(make, exc, message):
    import re

    with pytest.raises(exc, match=re.escape(message)):
        make(cf.keras.metrics)


@pytest.mark.parametrize(
    "regressors,want,warning",
    [
        (
            4,
            0.96999997,
            ("Division by zero in Adjusted R2 score. Falling back to standard R2 score."),
        ),
        (
            6,
            0.96999997,
            (
                "More independent predictors than datapoints in adjusted R2 score. "
                "Falling back to standard R2 score."
            ),
        ),
        (3, 0.8799999, None),
    ],
)
def test_adjusted_r2_and_its_fallbacks(regressors, want, warning):
    y = np.arange(5, dtype="float32")[:, None]
    m = cf.keras.metrics.R2Score(num_regressors=regressors)
    m.update_state(y, y * 0.9)
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = float(m.result())
    assert got == pytest.approx(want, abs=1e-7)
    assert [str(w.message) for w in caught] == ([warning] if warning else [])


def test_reset_state_and_dtypes():
    M = cf.keras.metrics
    y = np.arange(5, dtype="float32")[:, None]
    m = M.R2Score()
    m.update_state(y, y * 0.9)
    m.reset_state()
    assert np.isnan(float(m.result()))  # Keras: 0 / 0 once reset
    assert [v.numpy().tolist() for v in m.variables] == [0.0, [0.0], [0.0], [0.0], [0.0]]
    p = M.PearsonCorrelation()
    p.update_state(y.T, y.T * 0.9)
    p.reset_state()
    assert float(p.result()) == 0.0
    m = M.R2Score(dtype="float64")  # Keras: float32 state and result
    m.update_state(y, y * 0.9)
    assert m.result().dtype == cf.float32 and m.variables[0].dtype == cf.float32
    p = M.PearsonCorrelation(dtype="float64")
    p.update_state(y.T, y.T * 0.9)
    assert p.result().dtype == cf.float64
    assert (
        M.pearson_correlation(np.array([[1.0, 2, 3]]), np.array([[1.0, 2, 4]])).dtype == cf.float64
    )


def test_string_aliases():
    M = cf.keras.metrics
    for name, cls in (
        ("r2_score", M.R2Score),
        ("pearson_correlation", M.PearsonCorrelation),
        ("concordance_correlation", M.ConcordanceCorrelation),
    ):
        m = M.get(name)
        assert type(m) is cls and m.name == name
