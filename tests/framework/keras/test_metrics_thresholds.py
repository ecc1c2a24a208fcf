"""Threshold-count metrics (TruePositives..., Precision, Recall, SensitivityAtSpecificity...)
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

r = np.random.default_rng(3)
YB = [0, 1, 1, 0, 1, 0, 0, 1, 1, 0]
PB = [0.1, 0.9, 0.3, 0.7, 0.5, 0.0, 1.0, 0.45, 0.8, 0.2]
SW = [1.0, 0.5, 2.0, 0.0, 1.0, 3.0, 1.0, 0.25, 1.0, 2.0]
YM = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0]]
PM = [[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4], [0.4, 0.35, 0.25]]
YR = r.integers(0, 2, 40).tolist()
PR = np.round(r.random(40), 3).tolist()
CASES = [
    ("TruePositives", {}, [(YB, PB, None)]),
    ("FalsePositives", {}, [(YB, PB, SW)]),
    ("TrueNegatives", {"thresholds": [0.25, 0.5, 0.9]}, [(YB, PB, SW)]),
    ("FalseNegatives", {"thresholds": [0.0, 0.5, 1.0]}, [(YB, PB, None), (YB[:4], PB[:4], None)]),
    ("TruePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, [(YB, PB, SW)]),
    ("Precision", {}, [(YB, PB, None)]),
    ("Precision", {"thresholds": [0.3, 0.5, 0.7]}, [(YB, PB, SW)]),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0]}, [(YB, PB, None)]),
    ("Precision", {"top_k": 1}, [(YM, PM, None)]),
    ("Precision", {"top_k": 2, "class_id": 1}, [(YM, PM, None)]),
    ("Precision", {"class_id": 0}, [(YM, PM, [1.0, 2.0, 0.5, 1.0, 1.0])]),
    ("Precision", {"top_k": 2, "thresholds": [0.2, 0.35]}, [(YM, PM, None)]),
    ("Recall", {}, [(YB, PB, SW), (YB[::-1], PB, None)]),
    ("Recall", {"thresholds": 0.4}, [(YB, PB, None)]),
    ("Recall", {"top_k": 1}, [(YM, PM, None)]),
    ("Recall", {"top_k": 2, "class_id": 2}, [(YM, PM, [1.0, 2.0, 0.5, 1.0, 1.0])]),
    ("Recall", {"class_id": 1, "thresholds": [0.3, 0.5]}, [(YM, PM, None)]),
    ("Recall", {}, [([[0.0], [2.0], [0.5]], [0.6, 0.6, 0.6], None)]),
    ("Precision", {}, [([], [], None)]),
    ("Recall", {}, [([0, 0], [0.1, 0.9], None)]),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, [(YB, PB, None)]),
    ("SensitivityAtSpecificity", {"specificity": 0.8, "num_thresholds": 7}, [(YR, PR, None)]),
    ("SensitivityAtSpecificity", {"specificity": 0.6}, [(YR, PR, np.linspace(0, 2, 40).tolist())]),
    ("SpecificityAtSensitivity", {"sensitivity": 0.5}, [(YB, PB, SW)]),
    ("SpecificityAtSensitivity", {"sensitivity": 0.9, "num_thresholds": 1}, [(YR, PR, None)]),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "class_id": 1}, [(YM, PM, None)]),
    ("PrecisionAtRecall", {"recall": 0.5}, [(YB, PB, None), (YR, PR, None)]),
    ("PrecisionAtRecall", {"recall": 0.8, "num_thresholds": 11}, [(YR, PR, None)]),
    ("PrecisionAtRecall", {"recall": 1.0, "class_id": 0}, [(YM, PM, [1.0, 2.0, 0.5, 1.0, 1.0])]),
    ("RecallAtPrecision", {"precision": 0.6}, [(YB, PB, None)]),
    ("RecallAtPrecision", {"precision": 0.7, "num_thresholds": 3}, [(YR, PR, None)]),
    ("RecallAtPrecision", {"precision": 0.5}, [(YR, PR, np.linspace(0, 2, 40).tolist())]),
    ("RecallAtPrecision", {"precision": 1.0}, [([0, 0, 0], [0.2, 0.4, 0.9], None)]),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, [([], [], None)]),
]


def _update(m, yt, yp, sw):
    m.update_state(np.array(yt, "float32"), np.array(yp, "float32"),
                   sample_weight=None if sw is None else np.array(sw, "float32"))


EXPECTED = [  # (result dtype, value) per case, printed by Keras 3.15 on TF 2.21
    ('float32', 2.0),
    ('float32', 1.0),
    ('float32', [6.0, 6.0, 6.0]),
    ('float32', [0.0, 4.0, 7.0]),
    ('float32', [4.75, 4.75, 1.5, 1.5, 0.0]),
    ('float32', 0.5),
    ('float32', [0.7333333, 0.6, 0.6]),
    ('float32', [0.5555556, 0.5, 0.0]),
    ('float32', 0.6),
    ('float32', 0.25),
    ('float32', 1.0),
    ('float32', [0.4, 0.6]),
    ('float32', 0.3589744),
    ('float32', 0.8),
    ('float32', 0.6),
    ('float32', 1.0),
    ('float32', [0.5, 0.0]),
    ('float32', 1.0),
    ('float32', 0.0),
    ('float32', 0.0),
    ('float32', 1.0),
    ('float32', 0.0),
    ('float32', 0.1701632),
    ('float32', 0.8571429),
    ('float32', 0.0),
    ('float32', 0.0),
    ('float32', 0.5625),
    ('float32', 0.4864865),
    ('float32', 1.0),
    ('float32', 1.0),
    ('float32', 0.0),
    ('float32', 1.0000001),
    ('float32', 0.0),
    ('float32', 0.0),
]


@pytest.mark.parametrize("case,expected", list(zip(CASES, EXPECTED)),
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_matches_keras(case, expected):
    assert_matches_keras(case, expected, _update)



@pytest.fixture(autouse=True)
def _fresh_names():
    """Metrics built without a name take Keras's counted names (precision, precision_1...)."""
    cf.keras.backend.clear_session()

# get_config / variables / errors / reset / NaN, as printed by Keras 3.15 (facts script:
# `m.get_config()`, `[v.name for v in m.variables]`, `str(exception)` for each line below)
CONFIGS = [
    (("Precision", {"thresholds": [0.3, 0.6], "top_k": 2, "class_id": 1}),
     {"name": "precision", "dtype": "float32", "thresholds": [0.3, 0.6], "top_k": 2,
      "class_id": 1}, ["true_positives", "false_positives"]),
    (("Recall", {"thresholds": 0.3}),
     {"name": "recall", "dtype": "float32", "thresholds": 0.3, "top_k": None,
      "class_id": None}, ["true_positives", "false_negatives"]),
    (("TruePositives", {"thresholds": 0.3}),
     {"name": "true_positives", "dtype": "float32", "thresholds": 0.3}, ["accumulator"]),
    (("FalseNegatives", {"thresholds": [0.2, 0.7]}),
     {"name": "false_negatives", "dtype": "float32", "thresholds": [0.2, 0.7]},
     ["accumulator"]),
    (("SensitivityAtSpecificity", {"specificity": 0.4, "num_thresholds": 10, "class_id": 2}),
     {"name": "sensitivity_at_specificity", "dtype": "float32", "class_id": 2,
      "num_thresholds": 10, "specificity": 0.4},
     ["true_positives", "false_positives", "true_negatives", "false_negatives"]),
    (("SpecificityAtSensitivity", {"sensitivity": 0.4}),
     {"name": "specificity_at_sensitivity", "dtype": "float32", "class_id": None,
      "num_thresholds": 200, "sensitivity": 0.4}, None),
    (("PrecisionAtRecall", {"recall": 0.3, "name": "par"}),
     {"name": "par", "dtype": "float32", "class_id": None, "num_thresholds": 200,
      "recall": 0.3}, None),
    (("RecallAtPrecision", {"precision": 0.9, "num_thresholds": 1}),
     {"name": "recall_at_precision", "dtype": "float32", "class_id": None,
      "num_thresholds": 1, "precision": 0.9}, None),
]


@pytest.mark.parametrize("args,config,variables", CONFIGS, ids=[c[0][0] for c in CONFIGS])
def test_config_variables_and_round_trip(args, config, variables):
    cls = getattr(cf.keras.metrics, args[0])
    m = cls(**args[1])
    assert m.get_config() == config
    # Keras sets _direction on all but the plain counts
    counts = ("TruePositives", "FalseNegatives")
    assert getattr(m, "_direction", None) == (None if args[0] in counts else "up")
    if variables:
        assert [v.name.split(":")[0] for v in m.variables] == variables
    clone = cls.from_config(m.get_config())
    assert clone.get_config() == config and clone.thresholds == m.thresholds
    assert cf.keras.metrics.get({"class_name": args[0], "config": config}).get_config() == config


def test_thresholds_lists_as_keras():
    m = cf.keras.metrics.SensitivityAtSpecificity(0.4, num_thresholds=10)
    assert m.thresholds == [0.0] + [(i + 1) / 9 for i in range(8)] + [1.0]
    assert cf.keras.metrics.RecallAtPrecision(0.9, num_thresholds=1).thresholds == [0.5]
    assert cf.keras.metrics.Precision(top_k=2).thresholds == [-1e10]


@pytest.mark.parametrize("make,exc,message", [
    (lambda M: M.TruePositives(top_k=1), TypeError, "top_k"),
    (lambda M: M.Precision(thresholds=[0.5, 1.5]),
     ValueError, r"Threshold values must be in \[0, 1\]. Received: \[1.5\]"),
    (lambda M: M.Precision(thresholds=-0.1), ValueError, r"Received: \[-0.1\]"),
    (lambda M: M.SensitivityAtSpecificity(1.5), ValueError,
     r"Argument `specificity` must be in the range \[0, 1\]. Received: specificity=1.5"),
    (lambda M: M.RecallAtPrecision(-0.5), ValueError, "precision=-0.5"),
    (lambda M: M.PrecisionAtRecall(0.5, num_thresholds=0), ValueError,
     "Argument `num_thresholds` must be an integer > 0. Received: num_thresholds=0"),
    (lambda M: M.Precision(class_id=1).update_state([0, 1], [0.3, 0.6]), ValueError,
     (r"When class_id is provided, y_pred must be a 2D array with shape \(num_samples, "
      r"num_classes\), found shape: \(2,\)")),
])
def test_errors_as_keras(make, exc, message):
    with pytest.raises(exc, match=message):
        make(cf.keras.metrics)


def test_reset_state_and_float64_metric_keeps_float32_counts():
    M = cf.keras.metrics
    m = M.Precision(thresholds=[0.2, 0.8])
    m.update_state([0, 1], [0.3, 0.9])
    m.reset_state()
    assert np.asarray(m.result()).tolist() == [0.0, 0.0]
    m = M.PrecisionAtRecall(0.5)
    m.update_state([0, 1], [0.3, 0.9])
    m.reset_state()
    assert float(m.result()) == 0.0
    m = M.Precision(dtype="float64")  # Keras: variables and result stay float32
    m.update_state([1, 0], [0.7, 0.9])
    assert m.dtype == "float64" and m.result().dtype == cf.float32


def test_nan_predictions_count_as_negative():
    # Keras: Precision 0.5 (tp=1, fp=1), Recall on [0, .5, 1] -> [0.5, 0.5, 0.0],
    # SensitivityAtSpecificity(0.5) -> 0.5
    M = cf.keras.metrics
    m = M.Precision()
    m.update_state([1, 1, 0], [np.nan, 0.9, 0.8])
    assert float(m.result()) == 0.5
    assert [float(v.numpy()[0]) for v in m.variables] == [1.0, 1.0]
    m = M.Recall(thresholds=[0.0, 0.5, 1.0])
    m.update_state([1, 1, 0], [np.nan, 0.9, 0.8])
    assert np.asarray(m.result()).tolist() == [0.5, 0.5, 0.0]
    m = M.SensitivityAtSpecificity(0.5)
    m.update_state([1, 1, 0, 0], [np.nan, 0.9, 0.8, 0.1])
    assert float(m.result()) == 0.5


def test_sample_weight_shapes_as_keras():
    M = cf.keras.metrics
    m = M.Precision()
    m.update_state(np.array([1, 0, 1]), np.array([0.9, 0.8, 0.7]), sample_weight=2.0)
    assert float(m.result()) == pytest.approx(0.6666667) and m.true_positives.numpy()[0] == 4
    m = M.Recall()
    m.update_state(np.array([[1], [0], [1]]), np.array([0.9, 0.8, 0.3]),
                   sample_weight=np.array([[1.], [2.], [3.]]))
    assert float(m.result()) == 0.25
    m = M.Precision()
    m.update_state(np.array([[1, 0], [0, 1]]), np.array([[0.9, 0.8], [0.7, 0.2]]),
                   sample_weight=np.array([1., 3.]))
    assert float(m.result()) == pytest.approx(0.2)
    m = M.TruePositives()
    m.update_state(np.array([[1, 0], [1, 1]]), np.array([[0.9, 0.8], [0.7, 0.2]]),
                   sample_weight=np.array([[1., 3.], [2., 5.]]))
    assert float(m.result()) == 3.0


@pytest.mark.parametrize("name,cls", [
    ("precision_at_recall", "PrecisionAtRecall"), ("recall_at_precision", "RecallAtPrecision"),
    ("true_positives", "TruePositives"), ("false_negatives", "FalseNegatives")])
def test_string_aliases(name, cls):
    # Keras 3.15's metrics.get knows these names (ALL_OBJECTS_DICT); the operating-point
    # ones need their value, so get() fails in Keras too (TypeError: missing argument)
    if cls in ("PrecisionAtRecall", "RecallAtPrecision"):
        with pytest.raises(TypeError):
            cf.keras.metrics.get(name)
    else:
        assert type(cf.keras.metrics.get(name)).__name__ == cls


def test_counted_default_names_as_keras():
    # Keras 3.15 after clear_session(): Precision() twice, get("precision"), Precision(),
    # AUC() twice, MeanIoU(2), TruePositives(), R2Score() twice
    M = cf.keras.metrics
    names = [M.Precision().name, M.Precision().name]
    M.get("precision")  # compile's path: counted, then named by the string
    names += [M.Precision().name, M.AUC().name, M.AUC().name, M.MeanIoU(2).name,
              M.TruePositives().name, M.R2Score().name, M.R2Score().name]
    assert names == ["precision", "precision_1", "precision_3", "auc", "auc_1", "mean_io_u",
                     "true_positives", "r2_score", "r2_score"]
