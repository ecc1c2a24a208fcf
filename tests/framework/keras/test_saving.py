""".keras round trips, weights files, JSON configs, custom objects, no unpickling."""
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import cuflow as cf

keras = cf.keras
X = np.random.RandomState(0).rand(8, 784).astype(np.float32)


def seed_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(128, activation='relu', input_shape=(784,)),
                              keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    return model


def test_keras_round_trip_same_predictions(tmp_path):
    m = seed_model()
    m.fit(X, np.eye(10, dtype=np.float32)[np.arange(8)], epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    m.save(path)
    assert zipfile.is_zipfile(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(X, verbose=0), m.predict(X, verbose=0),
                               rtol=1e-6)
    assert isinstance(loaded.optimizer, keras.optimizers.Adam)
    loaded.fit(X, np.eye(10, dtype=np.float32)[np.arange(8)], epochs=1, verbose=0)
    with pytest.raises(ValueError):
        m.save(str(tmp_path / "m.txt"))


def test_functional_round_trip(tmp_path):
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(2,), name="b")
    h = keras.layers.Concatenate()([keras.layers.Dense(4, name="da")(a), b])
    out = keras.layers.Dense(1, name="out")(h)
    m = keras.Model([a, b], out)
    xa, xb = np.ones((2, 3), np.float32), np.ones((2, 2), np.float32)
    path = str(tmp_path / "f.keras")
    m.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict([xa, xb], verbose=0),
                               m.predict([xa, xb], verbose=0), rtol=1e-6)
    assert [l.name for l in loaded.layers] == [l.name for l in m.layers]


def test_weights_files(tmp_path):
    m = seed_model()
    path = str(tmp_path / "w.weights.h5")
    m.save_weights(path)
    m2 = seed_model()
    for v in m2.trainable_variables:
        v.assign(np.zeros(v.shape, np.float32))
    m2.load_weights(path)
    for a, b in zip(m.get_weights(), m2.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_json_round_trip():
    m = seed_model()
    js = m.to_json()
    cfg = json.loads(js)
    assert cfg["class_name"] == "Sequential"
    m2 = keras.models.model_from_json(js)
    assert m2.count_params() == m.count_params()
    assert [type(l).__name__ for l in m2.layers] == ["Dense", "Dense"]
    # Keras: a compiled model's JSON carries its compile config, and model_from_json
    # compiles with it (an uncompiled model's JSON carries {})
    assert cfg["compile_config"]["loss"] == "categorical_crossentropy"
    assert cfg["compile_config"]["optimizer"]["class_name"] == "Adam"
    assert m2.compiled and type(m2.optimizer).__name__ == "Adam"
    assert json.loads(m2.to_json())["compile_config"]["loss"] == "categorical_crossentropy"
    assert json.loads(keras.Sequential([keras.Input((2,))]).to_json())["compile_config"] == {}


@keras.saving.register_keras_serializable(package="Tests")
class Scale(keras.layers.Layer):
    def __init__(self, factor=2.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, x):
        return x * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def test_registered_custom_layer(tmp_path):
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,)), Scale(3.0)])
    path = str(tmp_path / "c.keras")
    m.save(path)
    loaded = keras.models.load_model(path)
    assert isinstance(loaded.layers[1], Scale) and loaded.layers[1].factor == 3.0
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), m.predict(x, verbose=0))


def test_lambda_refused_in_safe_mode(tmp_path):
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,)),
                          keras.layers.Lambda(lambda t: t * 2.0)])
    path = str(tmp_path / "l.keras")
    m.save(path)
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, safe_mode=False)
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(loaded.predict(x, verbose=0), m.predict(x, verbose=0))


def test_loading_never_unpickles(tmp_path, monkeypatch):
    m = seed_model()
    path = str(tmp_path / "p.keras")
    m.save(path)

    def boom(*a, **k):
        raise AssertionError("unpickling attempted")
    monkeypatch.setattr(pickle, "loads", boom)
    monkeypatch.setattr(pickle, "load", boom)
    keras.models.load_model(path)
    # a weights archive holding an object array is refused, not unpickled
    import io
    buf = io.BytesIO()
    np.savez(buf, w0=np.array([{"a": 1}], dtype=object))
    bad = tmp_path / "bad.weights.h5"
    bad.write_bytes(buf.getvalue())
    with pytest.raises(ValueError):
        m.load_weights(str(bad))


class _Times(keras.layers.Layer):     # deliberately not registered
    def __init__(self, k=2, **kwargs):
        super().__init__(**kwargs)
        self.k = k

    def call(self, x):
        return x * self.k

    def get_config(self):
        return {**super().get_config(), "k": self.k}


def test_adapted_normalization_survives_save_and_load(tmp_path):
    """Loading weights into an adapted Normalization must change what it computes."""
    norm = keras.layers.Normalization()
    norm.adapt(np.array([[1.0, 2.0], [3.0, 6.0]], "float32"))
    m = keras.Sequential([keras.Input((2,)), norm, keras.layers.Dense(1,
                                                                      kernel_initializer="ones")])
    x = np.array([[2.0, 4.0]], "float32")
    assert m.predict(x, verbose=0).tolist() == [[0.0]]
    path = str(tmp_path / "n.weights.h5")
    m.save_weights(path)
    m2 = keras.Sequential([keras.Input((2,)), keras.layers.Normalization(),
                           keras.layers.Dense(1)])
    m2.load_weights(path)
    assert m2.predict(x, verbose=0).tolist() == [[0.0]]
    m.save(str(tmp_path / "n.keras"))
    assert keras.models.load_model(str(tmp_path / "n.keras")).predict(
        x, verbose=0).tolist() == [[0.0]]


def test_unregistered_custom_layer_loading_follows_keras(tmp_path):
    m = keras.Sequential([keras.Input((2,)), _Times(3, name="times")])
    path = str(tmp_path / "c.keras")
    m.save(path)
    with pytest.raises(TypeError, match="Could not locate class"):
        keras.models.load_model(path)
    back = keras.models.load_model(path, custom_objects={"_Times": _Times})
    assert back.predict(np.ones((1, 2), "float32"), verbose=0).tolist() == [[3.0, 3.0]]
    assert keras.saving.get_registered_object("Custom>_Times") is None


def test_functions_serialize_by_registered_name_as_keras(tmp_path):
    """Keras 3: a function is {'module': 'builtins', 'class_name': 'function', 'config':
    <registered name>, 'registered_name': 'function'}; loading finds registered, custom
    and built-in functions; a model's config carries compile_config ({} uncompiled)."""
    import json
    K = cf.keras

    @K.saving.register_keras_serializable(package="t6")
    def abs_loss(y, p):
        return K.ops.mean(K.ops.abs(y - p), axis=-1)

    def plain(y, p):
        return K.ops.mean(y - p)
    assert K.saving.get_registered_name(abs_loss) == "t6>abs_loss"
    assert K.saving.get_registered_name(plain) == "plain"
    ser = K.saving.serialize_keras_object(abs_loss)
    assert ser == {"module": "builtins", "class_name": "function", "config": "t6>abs_loss",
                   "registered_name": "function"}
    assert K.saving.deserialize_keras_object(ser) is abs_loss
    with pytest.raises(TypeError, match="plain"):
        K.saving.deserialize_keras_object(K.saving.serialize_keras_object(plain))
    mse = K.saving.deserialize_keras_object({"module": "builtins", "class_name": "function",
                                             "config": "mean_squared_error",
                                             "registered_name": "function"})
    assert mse is K.losses.mean_squared_error
    with pytest.raises(ValueError, match="get_config"):
        K.saving.register_keras_serializable()(type("NoConfig", (), {}))
    inp = K.Input((2,))
    model = K.Model(inp, K.layers.Dense(1)(inp))
    assert json.loads(model.to_json())["compile_config"] == {}
    model.compile("sgd", loss=abs_loss, metrics=[plain])
    cc = model.get_compile_config()
    assert cc["loss"]["config"] == "t6>abs_loss" and cc["metrics"][0]["config"] == "plain"
    path = str(tmp_path / "f.keras")
    model.save(path)
    again = K.models.load_model(path, custom_objects={"plain": plain})
    x = np.ones((4, 2), "float32")
    assert again.evaluate(x, x[:, :1], verbose=0) == pytest.approx(
        model.evaluate(x, x[:, :1], verbose=0))


def test_unzipped_save_and_clone_model_as_keras(tmp_path):
    """zipped=False writes Keras 3's directory (not a .keras name) and loads back;
    clone_model applies clone_function to a Functional's layers, names the new Inputs after
    the old symbolic inputs and compiles the clone like the original."""
    K = cf.keras
    m = K.Sequential([K.Input((3,)), K.layers.Dense(2)])
    m.compile("adam", "mse")
    with pytest.raises(ValueError, match="zipped=False"):
        m.save(str(tmp_path / "u.keras"), zipped=False)
    d = tmp_path / "u_dir"
    m.save(str(d), zipped=False)
    assert sorted(os.listdir(d)) == ["assets", "config.json", "metadata.json",
                                     "model.weights.h5"]
    again = K.models.load_model(str(d))
    np.testing.assert_allclose(again.get_weights()[0], m.get_weights()[0])
    c = K.models.clone_model(m)
    assert c.compiled and type(c.optimizer).__name__ == "Adam"
    inp = K.Input((3,))
    f = K.Model(inp, K.layers.Dense(2, name="fd")(inp))
    g = K.models.clone_model(f, clone_function=lambda l: K.layers.Dense(5, name="new")
                             if isinstance(l, K.layers.Dense) else l)
    assert g.layers[1].name == "new" and tuple(g.output.shape) == (None, 5)
    assert g.layers[0].name == inp.name and not g.compiled
    with pytest.raises(ValueError, match="only supported"):
        class Sub(K.Model):
            def call(self, x):
                return x
        K.models.clone_model(Sub(), clone_function=lambda l: l)
    assert type(cf.train.Checkpoint().restore(None)).__name__ == "InitializationOnlyStatus"


def test_models_pickle_as_their_keras_archive_and_deepcopy_attribute_wise():
    """Keras 3 pickles models through the .keras format (KerasSaveable.__reduce__), after
    fit and predict too (cuflow's cached train/predict functions are not picklable)."""
    import copy
    K = cf.keras
    m = K.Sequential([K.Input((4,)), K.layers.Dense(3, activation="relu"),
                      K.layers.Dense(1)])
    m.compile("adam", "mse", metrics=["mae"])
    x = np.arange(32, dtype="float32").reshape(8, 4) / 32
    m.fit(x, np.ones((8, 1)), verbose=0)
    want = m.predict(x, verbose=0)
    back = pickle.loads(pickle.dumps(m))
    assert type(back) is type(m) and back.compiled
    np.testing.assert_allclose(back.predict(x, verbose=0), want, rtol=1e-6)
    assert int(back.optimizer.iterations.numpy()) == 1
    back.fit(x, np.ones((8, 1)), verbose=0)
    np.testing.assert_allclose(copy.deepcopy(m).predict(x, verbose=0), want, rtol=1e-6)
