"""fit parity with Keras 3 on TensorFlow (bench/keras_parity.py's cases).

TensorFlow may live in another interpreter ($CUFLOW_TF_PYTHON, or /work/tfenv here): its
half runs in a subprocess. Skipped when none is found. The issue's minimum (SGD with
nesterov momentum, Adam) plus class weights and sparse logits run by default; every other
case (all optimizers, losses, metrics, sample weights, validation_split, conv/RNN/attention
layers) is `slow` (TensorFlow's start-up and tracing dominate: 2-3 min for all 56 cases).
"""
import pytest

import cuflow as cf
from bench import keras_parity as kp

DEFAULT = ("sgd_nesterov", "adam", "class_weight", "sparse_cce_from_logits")
SLOW = tuple(c for c in kp.CASES if c not in DEFAULT)


def _reference(names):
    python = kp.tf_python()
    if python is None:
        pytest.skip("no interpreter with TensorFlow (set CUFLOW_TF_PYTHON)")
    ref, errors, _ = kp.run_tf(list(names), python)
    return ref, errors


@pytest.fixture(scope="module")
def tf_default():
    return _reference(DEFAULT)


@pytest.fixture(scope="module")
def tf_slow():
    return _reference(SLOW)


def _check(name, reference):
    ref, errors = reference
    assert name not in errors, errors.get(name)
    wdiff, hdiff, problems = kp.compare(kp.run_case(cf.keras, name), ref[name])
    assert not problems, f"{name}: " + "; ".join(problems)
    assert wdiff <= kp.TOL and hdiff <= kp.TOL


@pytest.mark.parametrize("name", DEFAULT)
def test_fit_matches_keras_tf(name, tf_default):
    _check(name, tf_default)


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_fit_matches_keras_tf_all_cases(name, tf_slow):
    _check(name, tf_slow)


def test_compare_flags_differences():
    """The comparison itself can fail: a changed weight, value or key is reported."""
    import numpy as np
    w = [np.zeros(3, np.float32)]
    ok = kp.compare((w, {"loss": [1.0]}), (w, {"loss": [1.0]}))
    assert ok[2] == []
    assert kp.compare(([w[0] + 1e-3], {"loss": [1.0]}), (w, {"loss": [1.0]}))[2]
    assert kp.compare((w, {"loss": [1.001]}), (w, {"loss": [1.0]}))[2]
    assert kp.compare((w, {"loss": [1.0], "acc": [1]}), (w, {"loss": [1.0]}))[2]
