"""Legacy Keras 2 (tf.keras 2.21) HDF5 files: full models and weights-only files load in
cuflow and predict as tf.keras did (fixtures from make_keras2_fixtures.py)."""
import gzip
import os
import shutil

import cuflow as cf
import numpy as np
import pytest

keras = cf.keras
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


def _unzip(name, tmp_path):
    path = tmp_path / name
    with gzip.open(os.path.join(FIXTURES, name + ".gz"), "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return str(path)


def _fixture(name):
    data = np.load(os.path.join(FIXTURES, f"{name}.npz"))
    count = {p: sum(k.startswith(p) for k in data.files) for p in "xy"}
    return [data[f"x{i}"] for i in range(count["x"])], [data[f"y{i}"] for i in range(count["y"])]


def test_keras2_sequential_with_training_config(tmp_path):
    model = keras.models.load_model(_unzip("keras2_sequential.h5", tmp_path))
    xs, ys = _fixture("keras2_sequential")
    np.testing.assert_allclose(model.predict(xs[0], verbose=0), ys[0], atol=1e-5)
    assert isinstance(model.optimizer, keras.optimizers.Adam)  # 'Custom>Adam' in the file
    assert model.optimizer.learning_rate.numpy() == pytest.approx(0.01)
    assert model.loss == "categorical_crossentropy"
    logs = model.evaluate(xs[0], np.eye(2)[[0, 1, 0, 1, 0, 1]], verbose=0, return_dict=True)
    assert set(logs) == {"loss", "accuracy"}
    assert not getattr(keras.models.load_model(str(tmp_path / "keras2_sequential.h5"),
                                               compile=False), "compiled", False)


def test_keras2_functional_and_weights_only_file(tmp_path):
    model = keras.models.load_model(_unzip("keras2_functional.h5", tmp_path))
    xs, ys = _fixture("keras2_functional")
    for got, want in zip(model.predict(xs, verbose=0), ys):
        np.testing.assert_allclose(got, want, atol=1e-5)
    for w in model.weights:
        w.assign(np.zeros(w.shape, w.dtype.np))
    model.load_weights(_unzip("keras2_functional_weights.h5", tmp_path))
    for got, want in zip(model.predict(xs, verbose=0), ys):
        np.testing.assert_allclose(got, want, atol=1e-5)


def test_keras2_weights_into_a_different_model_fail_clearly(tmp_path):
    path = _unzip("keras2_functional_weights.h5", tmp_path)
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(4,))])
    with pytest.raises(ValueError, match="Layer count mismatch"):
        model.load_weights(path)
