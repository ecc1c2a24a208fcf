"""In-memory get_config() follows Keras 3.15's schema, keys in Keras's order: DTypePolicy
dicts, initializers / regularizers with module and registered_name, Sequential with its
InputLayer, dtype and build_input_shape (expected values: fixtures/keras315_configs.json,
written by make_config_fixtures.py under real Keras)."""
import json
import os
import sys

import cuflow as cf
import numpy as np
import pytest

keras = cf.keras
L = keras.layers
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
sys.path.insert(0, FIXTURES)
from make_config_fixtures import configs

with open(os.path.join(FIXTURES, "keras315_configs.json")) as f:
    EXPECTED = json.load(f)
ACTUAL = configs(keras)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_get_config_matches_keras_315(name):
    # json.dumps keeps insertion order, so this compares key order as well as values
    assert json.dumps(ACTUAL[name], indent=1) == json.dumps(EXPECTED[name], indent=1)


def test_in_memory_values_keep_keras_types():
    assert L.Dense(2).get_config()["dtype"] == {
        "module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
        "registered_name": None}
    assert keras.initializers.serialize(keras.initializers.GlorotUniform())["module"] == \
        "keras.initializers"
    assert L.Reshape((2, 2)).get_config()["target_shape"] == (2, 2)
    model = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    assert model.get_config()["build_input_shape"] == (None, 3)
    assert model.get_config()["layers"][1]["build_config"] == {"input_shape": (None, 3)}


@pytest.mark.parametrize("layer", [L.Dense(3, kernel_regularizer="l2"), L.Conv2D(2, 3),
                                   L.LSTM(4), L.GRU(2), L.Embedding(5, 2),
                                   L.BatchNormalization(), L.Dropout(0.2), L.Flatten()])
def test_from_config_takes_new_and_old_forms(layer):
    config = layer.get_config()
    assert type(layer).from_config(config).get_config() == config
    old = dict(config, dtype="float32")  # cuflow's (and Keras 2's) earlier spelling
    for key, value in config.items():
        if isinstance(value, dict) and "module" in value:
            old[key] = {"class_name": value["class_name"], "config": value["config"]}
    assert type(layer).from_config(old).get_config() == config


def test_sequential_and_functional_round_trip_through_config():
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="relu"),
                              L.BatchNormalization(), L.Dense(1)])
    clone = keras.Sequential.from_config(model.get_config())
    assert [type(x).__name__ for x in clone.layers] == ["Dense", "BatchNormalization",
                                                        "Dense"]
    assert clone.built and clone.get_config() == model.get_config()
    inp = keras.Input((4,))
    fm = keras.Model(inp, L.Dense(2)(inp))
    again = keras.Model.from_config(fm.get_config())
    x = np.ones((2, 4), np.float32)
    again.set_weights(fm.get_weights())
    np.testing.assert_array_equal(again.predict(x, verbose=0), fm.predict(x, verbose=0))


def test_serialize_functions_give_keras_3_form():
    opt = keras.optimizers.Adam(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9),
                                name="o")
    config = keras.optimizers.serialize(opt)
    assert (config["module"], config["class_name"], config["registered_name"]) == \
        ("keras.optimizers", "Adam", None)
    assert list(config["config"])[3:6] == ["clipnorm", "global_clipnorm", "clipvalue"]
    assert config["config"]["learning_rate"]["module"] == "keras.optimizers.schedules"
    assert keras.optimizers.deserialize(config).learning_rate.numpy() == \
        pytest.approx(0.1)
    assert keras.losses.serialize(keras.losses.MeanSquaredError())["module"] == \
        "keras.losses"
    fn = keras.losses.serialize(keras.losses.mean_squared_error)
    assert fn == {"module": "builtins", "class_name": "function",
                  "config": "mean_squared_error", "registered_name": "function"}
    assert keras.losses.get(fn) is keras.losses.mean_squared_error
    auc = keras.metrics.serialize(keras.metrics.AUC())
    assert auc["module"] == "keras.metrics" and "thresholds" not in auc["config"]
    assert list(auc["config"])[:2] == ["name", "dtype"]
    assert keras.metrics.AUC(thresholds=[0.3, 0.6]).get_config()["thresholds"] == [0.3, 0.6]


def test_sequential_keeps_its_input_dtype():
    model = keras.Sequential([keras.Input((10,), dtype="int32"), L.Embedding(20, 4)])
    assert model.get_config()["layers"][0]["config"]["dtype"] == "int32"


def test_loaded_keras_file_builds_layers_from_build_config(tmp_path):
    # Keras builds each layer from its build_config as it is created (paths 'h/kernel');
    # the legacy H5 loader leaves that to the model (paths 'clf/h/kernel')
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, name="h")], name="clf")
    assert model.weights[0].path == "clf/h/kernel"
    model.save(str(tmp_path / "m.keras"))
    model.save(str(tmp_path / "m.h5"))
    assert keras.models.load_model(str(tmp_path / "m.keras")).weights[0].path == "h/kernel"
    assert keras.models.load_model(str(tmp_path / "m.h5")).weights[0].path == "clf/h/kernel"


def test_registered_class_from_main_has_no_module():
    from cuflow.keras.serialization import serialize

    class MainOnlyLayer(L.Layer):
        pass
    MainOnlyLayer.__module__ = "__main__"
    keras.saving.register_keras_serializable(package="fidelity_test")(MainOnlyLayer)
    config = serialize(MainOnlyLayer(name="sc"))
    assert (config["module"], config["registered_name"]) == \
        (None, "fidelity_test>MainOnlyLayer")
