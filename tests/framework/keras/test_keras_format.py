"""Keras 3's own files: fixtures written by real Keras load in cuflow with Keras's
predictions, and cuflow's files load in real Keras (when /work/tfenv is present)."""
import os
import subprocess
import sys

import cuflow as cf
import numpy as np
import pytest

keras = cf.keras
L = keras.layers
FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")
TF_PYTHON = os.environ.get("CUFLOW_TF_PYTHON", "/work/tfenv/bin/python")


sys.path.insert(0, FIXTURES)
import keras_cases

Scale, TwoTower = keras_cases.subclassed_classes(keras)
BREADTH = ["dense_acts", "conv1d", "conv2d", "conv3d", "rnn_more", "norm", "aug", "merge",
           "nested_shared", "branches", "subclassed"]


def _fixture(name):
    data = np.load(os.path.join(FIXTURES, f"{name}.npz"))
    count = {p: sum(k.startswith(p) for k in data.files) for p in "xy"}
    return [data[f"x{i}"] for i in range(count["x"])], [data[f"y{i}"] for i in range(count["y"])]


def _predict(model, feed):
    out = model.predict(feed, verbose=0)
    return out if isinstance(out, list) else [out]


@pytest.mark.parametrize("name", ["sequential", "functional_multi", "conv_bn", "recurrent",
                                  "embedding", "attention"] +
                         [f"breadth_{n}" for n in BREADTH])
def test_keras_written_files_predict_as_keras(name):
    model = keras.models.load_model(os.path.join(FIXTURES, f"{name}.keras"))
    xs, ys = _fixture(name)
    feed = {"a": xs[0], "b": xs[1]} if name == "functional_multi" else \
        xs[0] if len(xs) == 1 else xs
    for got, want in zip(_predict(model, feed), ys):
        np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)


def test_keras_compile_config_and_optimizer_state_restored():
    seq = keras.models.load_model(os.path.join(FIXTURES, "sequential.keras"))
    assert isinstance(seq.optimizer, keras.optimizers.Adam)
    assert int(seq.optimizer.iterations.numpy()) == 4  # 2 epochs x 2 batches in Keras
    assert seq.loss == "categorical_crossentropy"
    assert any(float(np.abs(v.numpy()).sum()) > 0 for v in seq.optimizer.variables[2:])
    func = keras.models.load_model(os.path.join(FIXTURES, "functional_multi.keras"))
    assert isinstance(func.optimizer, keras.optimizers.SGD) and func.optimizer.momentum == 0.9
    assert func.loss_weights == [1.0, 0.5]
    xs, _ = _fixture("functional_multi")
    logs = func.evaluate({"a": xs[0], "b": xs[1]}, [np.zeros((8, 1)), np.zeros((8,), "int32")],
                         verbose=0, return_dict=True)
    assert {"reg_mae", "cls_accuracy"} <= set(logs)
    assert func.metrics_names[:2] == ["loss", "compile_metrics"]  # Keras 3's names
    raw = keras.models.load_model(os.path.join(FIXTURES, "sequential.keras"), compile=False)
    assert not getattr(raw, "compiled", False)


def test_keras_compiled_objects_evaluate_as_keras():
    model = keras.models.load_model(os.path.join(FIXTURES, "compiled_objects.keras"))
    data = np.load(os.path.join(FIXTURES, "compiled_objects.npz"))
    assert isinstance(model.optimizer, keras.optimizers.Nadam)
    assert isinstance(model.loss, keras.losses.BinaryCrossentropy)
    logs = model.evaluate(data["x0"], data["t0"], verbose=0, return_dict=True)
    assert sorted(logs) == [str(n) for n in data["names"]]
    np.testing.assert_allclose([logs[str(n)] for n in data["names"]], data["values"],
                               rtol=1e-5, atol=1e-6)


def test_keras_weights_h5_into_a_cuflow_model():
    model = keras.Sequential([keras.Input((3,), dtype="int32"), L.Embedding(10, 2),
                              L.Flatten(), L.Dense(2)])
    model.load_weights(os.path.join(FIXTURES, "embedding.weights.h5"))
    xs, ys = _fixture("embedding")
    np.testing.assert_allclose(model.predict(xs[0], verbose=0), ys[0], atol=1e-5)


def test_keras_loss_scale_optimizer_state():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = keras.models.load_model(os.path.join(FIXTURES, "mixed.keras"))
        opt = model.optimizer
        assert type(opt).__name__ == "LossScaleOptimizer"
        assert int(opt.iterations.numpy()) > 0 and float(opt.dynamic_scale.numpy()) > 0
        assert int(opt.step_counter.numpy()) == int(opt.iterations.numpy())
        xs, ys = _fixture("mixed")
        np.testing.assert_allclose(model.predict(xs[0], verbose=0), ys[0], atol=1e-2)
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_keras_lambda_refused_in_safe_mode():
    path = os.path.join(FIXTURES, "lambda.keras")
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(path)
    if sys.version_info[:2] != (3, 11):  # Keras wrote it with Python 3.11's bytecode
        pytest.skip("the fixture's Lambda bytecode is Python 3.11's")
    model = keras.models.load_model(path, safe_mode=False)
    np.testing.assert_allclose(model.predict(np.ones((1, 2), "float32"), verbose=0),
                               [[3.0, 3.0]])


def _build_models():
    """cuflow models of the kinds the fixtures hold: (name, model, inputs, input names)."""
    rng = np.random.RandomState(0)
    keras.utils.set_random_seed(0)
    out = []
    m = keras.Sequential([L.Dense(3, activation="relu", input_shape=(4,),
                                  kernel_regularizer="l2"), L.BatchNormalization(),
                          L.Dropout(0.1), Scale(0.5), L.Dense(2, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    x = rng.rand(8, 4).astype("float32")
    m.fit(x, np.eye(2, dtype="float32")[rng.randint(0, 2, 8)], epochs=2, verbose=0)
    out.append(("seq", m, [x], None))
    inner = keras.Sequential([keras.Input((4,)), L.Dense(3, activation="tanh")], name="inner")
    a, b = keras.Input((4,), name="a"), keras.Input((2,), name="b")
    h = L.Dense(4, activation="gelu")(L.Concatenate()([inner(a), b]))
    m = keras.Model({"a": a, "b": b}, [L.Dense(1, name="reg")(h * 2.0),
                                       L.Dense(3, activation="softmax", name="cls")(
                                           L.Add()([h, 1.0 - h]))])
    m.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
              loss=["mse", "sparse_categorical_crossentropy"], loss_weights=[1.0, 0.5])
    xa, xb = rng.rand(8, 4).astype("float32"), rng.rand(8, 2).astype("float32")
    m.fit({"a": xa, "b": xb}, [rng.rand(8, 1).astype("float32"), rng.randint(0, 3, (8,))],
          epochs=1, verbose=0)
    out.append(("func", m, [xa, xb], ["a", "b"]))
    m = keras.Sequential([keras.Input((6, 6, 2)), L.Conv2D(3, 3, padding="same"),
                          L.BatchNormalization(), L.MaxPooling2D(), L.DepthwiseConv2D(2),
                          L.SeparableConv2D(2, 2), L.GlobalAveragePooling2D(), L.Dense(2)])
    m.compile("rmsprop", "mse")
    x = rng.rand(4, 6, 6, 2).astype("float32")
    m.fit(x, rng.rand(4, 2).astype("float32"), verbose=0)
    out.append(("conv", m, [x], None))
    inp = keras.Input((5,), dtype="int32")
    h = L.LSTM(3, return_sequences=True)(L.Embedding(12, 4, mask_zero=True)(inp))
    h = L.Bidirectional(L.GRU(2, return_sequences=True))(h)
    h = L.Bidirectional(L.SimpleRNN(2), merge_mode="sum")(h)
    x = rng.randint(0, 12, (4, 5)).astype("int32")
    x[0, 3:] = 0
    out.append(("rnn", keras.Model(inp, L.Dense(1)(h)), [x], None))
    q, v = keras.Input((3, 4)), keras.Input((5, 4))
    h = L.LayerNormalization()(L.Add()([q, L.MultiHeadAttention(2, 3)(q, v)]))
    out.append(("mha", keras.Model([q, v], L.Dense(2)(h)),
                [rng.rand(2, 3, 4).astype("float32"), rng.rand(2, 5, 4).astype("float32")],
                None))
    for name, (model, xs) in keras_cases.build(keras).items():
        out.append((f"breadth_{name}", model, xs, None))
    return out


def test_subclassed_model_restores_its_structure():
    model = keras.models.load_model(os.path.join(FIXTURES, "breadth_subclassed.keras"))
    assert isinstance(model, TwoTower) and model.units == 3
    assert isinstance(model.blocks[1], Scale) and model.blocks[1].factor == 0.5


def _tf_available():
    if not os.path.exists(TF_PYTHON):
        return False
    probe = subprocess.run([TF_PYTHON, "-c", "import keras, h5py"], capture_output=True,
                           timeout=120, check=False)
    return probe.returncode == 0


def test_real_keras_loads_cuflow_files(tmp_path):
    if not _tf_available():
        pytest.skip(f"no TensorFlow/Keras at {TF_PYTHON}")
    models = _build_models()
    expected = {}
    for name, model, xs, names in models:
        feed = dict(zip(names, xs)) if names else xs[0] if len(xs) == 1 else xs
        expected[name] = _predict(model, feed)
        model.save(str(tmp_path / f"{name}.keras"))
        np.savez(tmp_path / f"{name}.npz", **{f"x{i}": x for i, x in enumerate(xs)},
                 **({"names": np.array(names)} if names else {}))
    script = os.path.join(FIXTURES, "keras_predict.py")
    run = subprocess.run([TF_PYTHON, script, str(tmp_path)] + [m[0] for m in models],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    for name, model, _, _ in models:
        got = np.load(tmp_path / f"{name}.out.npz")
        for i, want in enumerate(expected[name]):
            np.testing.assert_allclose(got[f"y{i}"], want, atol=1e-5, rtol=1e-5)
        opt = getattr(model, "optimizer", None)
        if opt is not None and opt.built:  # Keras restored the optimizer state too
            assert int(got["iterations"]) == int(opt.iterations.numpy())
            from cuflow.keras.weights_h5 import keras_optimizer_order
            for i, v in enumerate(keras_optimizer_order(opt, model)):
                np.testing.assert_allclose(got[f"opt{i}"], v.numpy(), rtol=1e-6)


def test_keras_lookup_vocabularies_from_assets():
    """A real Keras 3.15 file keeps TextVectorization/IntegerLookup vocabularies in
    assets/<layer path>/vocabulary.txt (config vocabulary None); loading reads them. An
    un-adapted lookup called eagerly is TF's FailedPreconditionError."""
    model = keras.models.load_model(os.path.join(FIXTURES, "lookup_assets.keras"))
    words, ids = model({"txt": cf.constant([["a b c"], ["f z"]]),
                        "ids": cf.constant([[9, 3], [7, 4]], "int64")})
    np.testing.assert_array_equal(words.numpy(), [[4, 3, 2, 0], [5, 1, 0, 0]])
    np.testing.assert_array_equal(ids.numpy(), [[1, 3], [2, 0]])
    with pytest.raises(cf.errors.FailedPreconditionError, match="Table not initialized"):
        keras.layers.StringLookup()(np.array([["a"]]))
