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
