"""The newer Keras 3 metrics inside model.compile / fit / evaluate and in saved .keras
files, against Keras 3.15 on TensorFlow 2.21.

HISTORY holds what this program printed under Keras (tf) and prints under cuflow (the
same weights, no shuffling, so both train identically):

    m = _model(keras, n_out, activation); m.compile(...as below...)
    h = m.fit(...as below...)
    {k: np.round(np.asarray(v, "float64"), 5).tolist() for k, v in h.history.items()}
"""
import json
import os
import zipfile

import cuflow as cf
import numpy as np
import pytest

keras = cf.keras
M = keras.metrics
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")

rng = np.random.default_rng(0)
X = rng.random((48, 4)).astype("float32")
LABELS = (X[:, 0] + X[:, 1] > X[:, 2] + 0.3).astype("int64") + (X[:, 3] > 0.7)
Y = np.eye(3, dtype="float32")[LABELS]


def _model(n_out, activation):
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="tanh"),
                          keras.layers.Dense(n_out, activation=activation)])
    m.set_weights([np.linspace(-1, 1, 20, dtype="float32").reshape(4, 5),
                   np.zeros(5, "float32"),
                   np.linspace(-0.5, 0.7, 5 * n_out, dtype="float32").reshape(5, n_out),
                   np.zeros(n_out, "float32")])
    return m


@pytest.fixture(autouse=True)
def _fresh_names():
    keras.backend.clear_session()


CLASSIFIER_HISTORY = {
    "f1_score": [0.1716, 0.2381],
    "f1_score_1": [[0.19048, 0.32432, 0.0], [0.0, 0.71429, 0.0]],
    "fbeta_score": [0.22841, 0.47893], "loss": [0.94218, 0.87237],
    "one_hot_io_u": [0.05263, 0.0], "one_hot_mean_io_u": [0.0996, 0.18519],
    "precision": [0.22222, 0.55556], "precision_at_recall": [0.55556, 0.57143],
    "recall": [0.0, 0.0], "sensitivity_at_specificity": [0.05295, 0.05295],
    "val_f1_score": [0.16667, 0.16667],
    "val_f1_score_1": [[0.0, 0.5, 0.0], [0.0, 0.5, 0.0]],
    "val_fbeta_score": [0.2381, 0.2381], "val_loss": [1.69522, 1.87987],
    "val_one_hot_io_u": [0.0, 0.0], "val_one_hot_mean_io_u": [0.11111, 0.11111],
    "val_precision": [0.33333, 0.33333], "val_precision_at_recall": [0.5, 0.6],
    "val_recall": [0.0, 0.0], "val_sensitivity_at_specificity": [1.0, 0.0],
}
REGRESSION_HISTORY = {
    "concordance_correlation": [0.18616, 0.23431], "loss": [0.58405, 0.44523],
    "pearson_correlation": [0.25, 0.83333], "pearson_correlation_1": [0.25, 0.83333],
    "r2_score": [-0.99629, -0.5338], "r2w": [-0.9419, -0.48033],
}


def _check(history, want):
    assert list(history) == list(want)  # Keras's keys, in Keras's (sorted) order
    for key, values in want.items():
        np.testing.assert_allclose(np.asarray(history[key], "float64"), values, atol=2e-5,
                                   err_msg=key)


def test_classifier_fit_history_matches_keras():
    m = _model(3, "softmax")
    m.compile(keras.optimizers.SGD(0.5), "categorical_crossentropy",
              metrics=[M.F1Score(average="macro"), M.FBetaScore(beta=2.0, average="weighted"),
                       M.OneHotMeanIoU(3), M.OneHotIoU(3, [0, 2]), M.Precision(top_k=1),
                       M.Recall(class_id=2), M.PrecisionAtRecall(0.5, class_id=1),
                       "f1_score"],
              weighted_metrics=[M.SensitivityAtSpecificity(0.5, num_thresholds=20,
                                                           class_id=0)])
    h = m.fit(X, Y, batch_size=16, epochs=2, verbose=0, validation_split=0.25, shuffle=False,
              sample_weight=np.linspace(0.5, 1.5, 48).astype("float32"))
    _check(h.history, CLASSIFIER_HISTORY)
    logs = m.evaluate(X, Y, verbose=0, return_dict=True)
    assert logs["precision_at_recall"] == pytest.approx(0.7058823704719543, abs=2e-5)
    assert logs["sensitivity_at_specificity"] == pytest.approx(0.1666666716337204, abs=2e-5)
    np.testing.assert_allclose(logs["f1_score_1"], [0.0, 0.6666666, 0.0], atol=2e-5)


def test_regression_fit_history_matches_keras():
    y = X @ np.array([[1.0, -1.0], [2.0, 0.5], [-1.0, 0.3], [0.5, 0.2]], "float32")
    m = _model(2, None)
    m.compile(keras.optimizers.SGD(0.05), "mse",
              metrics=[M.R2Score(), M.PearsonCorrelation(), M.ConcordanceCorrelation(axis=0),
                       M.R2Score(class_aggregation="variance_weighted_average", name="r2w"),
                       "pearson_correlation"])
    _check(m.fit(X, y, batch_size=16, epochs=2, verbose=0, shuffle=False).history,
           REGRESSION_HISTORY)


def test_binary_and_sparse_fit_keys_match_keras():
    # Keras counts default names across models: the second Precision() is precision_1
    M.Precision()
    yb = Y[:, :1] + Y[:, 2:]
    m = _model(1, "sigmoid")
    m.compile(keras.optimizers.SGD(0.5), "binary_crossentropy",
              metrics=[M.BinaryIoU(), M.RecallAtPrecision(0.6),
                       M.SpecificityAtSensitivity(0.5), M.TruePositives(),
                       M.Precision(thresholds=0.4), "binary_io_u"])
    h = m.fit(X, yb, batch_size=16, epochs=2, verbose=0, shuffle=False,
              validation_data=(X[:16], yb[:16]))
    _check(h.history, {
        "binary_io_u": [0.30214, 0.39286], "binary_io_u_1": [0.30214, 0.39286],
        "loss": [0.72468, 0.69959], "precision_1": [0.5, 0.5],
        "recall_at_precision": [0.0, 0.0], "specificity_at_sensitivity": [0.41667, 0.5],
        "true_positives": [22.0, 20.0], "val_binary_io_u": [0.32867, 0.39015],
        "val_binary_io_u_1": [0.32867, 0.39015], "val_loss": [0.70463, 0.67809],
        "val_precision_1": [0.3125, 0.33333], "val_recall_at_precision": [0.4, 0.6],
        "val_specificity_at_sensitivity": [0.72727, 0.81818],
        "val_true_positives": [5.0, 4.0]})
    m = _model(3, "softmax")
    m.compile(keras.optimizers.SGD(0.5), "sparse_categorical_crossentropy",
              metrics=[M.MeanIoU(3, sparse_y_pred=False),
                       M.IoU(3, [1], sparse_y_pred=False, ignore_class=0)])
    _check(m.fit(X, LABELS, batch_size=16, epochs=2, verbose=0, shuffle=False).history,
           {"io_u": [0.37143, 0.66667], "loss": [1.08822, 1.04981],
            "mean_io_u": [0.13411, 0.17021]})


def test_keras_saved_model_with_new_metrics_evaluates_as_keras():
    # fixtures/make_metrics_fixture.py: saved and evaluated by Keras 3.15
    model = keras.models.load_model(os.path.join(FIXTURES, "new_metrics.keras"))
    data = np.load(os.path.join(FIXTURES, "new_metrics.npz"))
    logs = model.evaluate(data["x0"], data["t0"], verbose=0, return_dict=True)
    want = {k[4:]: data[k] for k in data.files if k.startswith("log_")}
    assert sorted(logs) == sorted(want)
    for key, value in want.items():
        np.testing.assert_allclose(np.asarray(logs[key]), value, rtol=1e-5, atol=1e-6,
                                   err_msg=key)


def test_save_load_round_trip_writes_keras_configs(tmp_path):
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="softmax")])
    m.compile("adam", "categorical_crossentropy",
              metrics=[M.F1Score(average="macro"), M.FBetaScore(beta=0.5, threshold=0.4),
                       M.OneHotMeanIoU(3), M.OneHotIoU(3, [0, 2], name="iou02"),
                       M.Precision(top_k=2), M.Recall(class_id=1, thresholds=[0.3, 0.6]),
                       M.PrecisionAtRecall(0.4, num_thresholds=50, class_id=0),
                       M.SpecificityAtSensitivity(0.5, class_id=2), M.R2Score(),
                       M.PearsonCorrelation(), M.ConcordanceCorrelation(axis=0),
                       "f1_score"])
    m.fit(X[:12], Y[:12], verbose=0)
    before = m.evaluate(X, Y, verbose=0, return_dict=True)
    path = str(tmp_path / "m.keras")
    m.save(path)

    def metrics_config(p):
        with zipfile.ZipFile(p) as z:
            return json.loads(z.read("config.json"))["compile_config"]["metrics"]

    # the same compile call saved by Keras 3.15 writes the same metric entries
    assert metrics_config(path) == metrics_config(os.path.join(FIXTURES, "new_metrics.keras"))
    loaded = keras.models.load_model(path)
    after = loaded.evaluate(X, Y, verbose=0, return_dict=True)
    assert sorted(after) == sorted(before)
    for key in before:
        np.testing.assert_allclose(np.asarray(after[key]), np.asarray(before[key]),
                                   rtol=1e-6, atol=1e-7, err_msg=key)
    assert [type(x).__name__ for x in loaded._compiled_metrics[0]][:4] == [
        "F1Score", "FBetaScore", "OneHotMeanIoU", "OneHotIoU"]


def test_adjusted_r2_in_a_compiled_fit():
    # Keras 3.15 can only run this eagerly (its fallback test is a Python `if` on a tensor:
    # OperatorNotAllowedInGraphError in a compiled fit); cuflow traces it as a select.
    # History from Keras with run_eagerly=True:
    want = {"loss": [1.202491, 0.570235], "r2_fallback": [-4.242486, -1.595872],
            "r2_score": [-2.134095, -0.55188]}
    y = X @ np.array([[1.0, -1.0], [2.0, 0.5], [-1.0, 0.3], [0.5, 0.2]], "float32")
    m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    m.set_weights([np.linspace(-1, 1, 8, dtype="float32").reshape(4, 2), np.zeros(2, "float32")])
    m.compile(keras.optimizers.SGD(0.1), "mse",
              metrics=[M.R2Score(num_regressors=3), M.R2Score(num_regressors=40,
                                                              name="r2_fallback")])
    _check(m.fit(X, y, batch_size=16, epochs=2, verbose=0, shuffle=False).history, want)
