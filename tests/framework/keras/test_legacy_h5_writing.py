"""``model.save('m.h5')`` writes Keras 3's legacy H5 layout (save_model_to_hdf5), which
cuflow reads back with its optimizer state; ``overwrite=False`` asks as Keras does and
never blocks without a terminal. (Checked by hand: real Keras 3.15 loads these files and
predicts the same.)"""
import io
import json
import os

import cuflow as cf
import h5py
import numpy as np
import pytest

keras = cf.keras
L = keras.layers


def _trained_sequential():
    keras.backend.clear_session()   # the optimizer's auto name is part of the layout
    model = keras.Sequential([keras.Input((6, 6, 2)), L.Conv2D(3, 3, name="c"),
                              L.BatchNormalization(name="bn"), L.Flatten(name="f"),
                              L.Dense(2, activation="softmax", name="d")])
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    x = np.random.RandomState(0).rand(16, 6, 6, 2).astype("float32")
    model.fit(x, np.arange(16) % 2, epochs=2, verbose=0)
    return model, x


def _text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def test_h5_layout_matches_keras(tmp_path, capsys, caplog):
    model, _ = _trained_sequential()
    path = str(tmp_path / "m.h5")
    model.save(path)
    # Keras logs it through absl: stderr, or the 'absl' logger when one is configured
    assert "This file format is considered legacy" in capsys.readouterr().err + caplog.text
    assert os.listdir(tmp_path) == ["m.h5"]  # written through a temp file, renamed
    with h5py.File(path, "r") as f:
        assert _text(f.attrs["backend"]) == "tensorflow"
        assert _text(f.attrs["keras_version"]).startswith("3.")
        config = json.loads(_text(f.attrs["model_config"]))
        assert config["class_name"] == "Sequential"
        layers = config["config"]["layers"]
        assert [entry["class_name"] for entry in layers] == \
            ["InputLayer", "Conv2D", "BatchNormalization", "Flatten", "Dense"]
        assert config["config"]["dtype"]["class_name"] == "DTypePolicy"
        training = json.loads(_text(f.attrs["training_config"]))
        assert training["loss"] == "sparse_categorical_crossentropy"
        assert training["optimizer_config"]["class_name"] == "Adam"
        assert "optimizer" not in training
        weights = f["model_weights"]
        assert [_text(n) for n in weights.attrs["layer_names"]] == ["c", "bn", "f", "d"]
        bn = [_text(n) for n in weights["bn"].attrs["weight_names"]]
        assert [n.rsplit("/", 1)[1] for n in bn] == \
            ["gamma", "beta", "moving_mean", "moving_variance"]
        np.testing.assert_array_equal(weights["bn"][bn[2]][()],
                                      model.get_layer("bn").moving_mean.numpy())
        assert list(weights["f"].attrs["weight_names"]) == []
        assert "top_level_model_weights" in weights
        opt_names = [_text(n) for n in f["optimizer_weights"].attrs["weight_names"]]
        name = model.optimizer.name  # 'adam', 'adam_1', ... as Keras names optimizers
        assert opt_names[:2] == [f"{name}/iteration", f"{name}/learning_rate"]
        assert len(opt_names) == 2 + 2 * len(model.trainable_variables)
        assert f["optimizer_weights"][opt_names[0]][()] == 2


def test_h5_round_trip_restores_weights_compile_and_optimizer(tmp_path):
    model, x = _trained_sequential()
    path = str(tmp_path / "m.h5")
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.loss == "sparse_categorical_crossentropy"
    assert int(loaded.optimizer.iterations.numpy()) == 2
    for a, b in zip(loaded.optimizer.variables, model.optimizer.variables):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    loaded.fit(x, np.arange(16) % 2, verbose=0)  # training goes on from the saved state
    assert int(loaded.optimizer.iterations.numpy()) == 3


def test_functional_hdf5_without_optimizer(tmp_path):
    inp = keras.Input((5,), name="inp")
    h = L.Dense(4, activation="relu")(inp)
    model = keras.Model(inp, L.Dense(1)(L.Concatenate()([h, inp])))
    path = str(tmp_path / "f.hdf5")
    model.save(path, include_optimizer=False)
    with h5py.File(path, "r") as f:
        assert "training_config" not in f.attrs and "optimizer_weights" not in f
        assert json.loads(_text(f.attrs["model_config"]))["class_name"] == "Functional"
    x = np.random.RandomState(1).rand(3, 5).astype("float32")
    np.testing.assert_array_equal(keras.models.load_model(path).predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_save_rejects_unknown_arguments(tmp_path):
    model = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    with pytest.raises(ValueError, match="not supported"):
        model.save(str(tmp_path / "m.h5"), foo=1)


def test_save_weights_needs_weights_h5_name(tmp_path):
    model = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    with pytest.raises(ValueError, match=r"must end in `\.weights\.h5`"):
        model.save_weights(str(tmp_path / "w.h5"))


class _Stdin(io.StringIO):
    def __init__(self, text, tty):
        super().__init__(text)
        self._tty = tty

    def isatty(self):
        return self._tty


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "w.weights.h5"])
def test_overwrite_false_keeps_the_file_without_a_terminal(tmp_path, monkeypatch, capsys,
                                                            name):
    model = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    path = tmp_path / name
    path.write_bytes(b"old")
    monkeypatch.setattr("sys.stdin", _Stdin("", tty=False))
    save = model.save_weights if name.endswith(".weights.h5") else model.save
    save(str(path), overwrite=False)
    assert path.read_bytes() == b"old"
    assert "already exists" in capsys.readouterr().err


def test_overwrite_false_asks_on_a_terminal(tmp_path, monkeypatch, capsys):
    model = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    path = tmp_path / "m.keras"
    path.write_bytes(b"old")
    monkeypatch.setattr("sys.stdin", _Stdin("maybe\nn\n", tty=True))
    model.save(str(path), overwrite=False)
    assert path.read_bytes() == b"old"
    monkeypatch.setattr("sys.stdin", _Stdin("y\n", tty=True))
    model.save(str(path), overwrite=False)
    assert path.read_bytes() != b"old"
    assert "[TIP] Next time specify overwrite=True!" in capsys.readouterr().out


def test_h5_save_drops_the_optimizer_from_the_compile_config_as_keras_does(tmp_path):
    # Keras 3.15's save_model_to_hdf5 pops "optimizer" from the model's own compile
    # config: a later .keras file reloads with compile()'s default optimizer (RMSprop)
    model, _ = _trained_sequential()
    assert model.get_compile_config()["optimizer"]["class_name"] == "Adam"
    model.save(str(tmp_path / "m.h5"))
    assert "optimizer" not in model.get_compile_config()
    model.save(str(tmp_path / "m.keras"))
    with pytest.warns(UserWarning, match="Skipping variable loading for optimizer"):
        loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    assert type(loaded.optimizer).__name__ == "RMSprop"
    model.compile(keras.optimizers.SGD(0.1), "mse")  # a new compile has its optimizer
    assert model.get_compile_config()["optimizer"]["class_name"] == "SGD"


def test_compile_from_config_round_trip():
    model, x = _trained_sequential()
    config = model.get_compile_config()
    assert list(config) == ["optimizer", "loss", "loss_weights", "metrics",
                            "weighted_metrics", "run_eagerly", "steps_per_execution",
                            "jit_compile"]
    other = keras.Sequential([keras.Input((6, 6, 2)), L.Conv2D(3, 3), L.Flatten(),
                              L.Dense(2, activation="softmax")])
    assert other.get_compile_config() == {}
    other.compile_from_config(config)
    assert type(other.optimizer).__name__ == "Adam" and other.loss == \
        "sparse_categorical_crossentropy"
    other.fit(x, np.arange(16) % 2, verbose=0)
