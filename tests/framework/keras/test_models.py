"""Sequential / Functional / subclassed models: building, structure, summary, counts."""
import numpy as np
import pytest

import cuflow as cf

keras = cf.keras


def seed_model():
    model = keras.Sequential([keras.layers.Dense(128, activation='relu', input_shape=(784,)),
                              keras.layers.Dense(10, activation='softmax')])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    return model


def test_seed_snippet_structure():
    model = seed_model()
    assert model.count_params() == 784 * 128 + 128 + 128 * 10 + 10
    assert len(model.layers) == 2
    assert len(model.trainable_variables) == 4
    out = model.predict(np.random.rand(5, 784).astype(np.float32), verbose=0)
    assert out.shape == (5, 10)
    np.testing.assert_allclose(out.sum(1), 1.0, rtol=1e-5)


def test_summary_text():
    model = seed_model()
    lines = []
    model.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "Total params: 101,770" in text
    assert "Trainable params: 101,770" in text
    assert "Dense" in text and "(None, 128)" in text


def test_functional_multi_input_output_and_shared_layer():
    a = keras.Input(shape=(4,), name="a")
    b = keras.Input(shape=(4,), name="b")
    shared = keras.layers.Dense(3, name="shared")
    ha, hb = shared(a), shared(b)
    merged = keras.layers.Concatenate()([ha, hb])
    out1 = keras.layers.Dense(1, name="out1")(merged)
    out2 = keras.layers.Dense(2, name="out2")(merged)
    model = keras.Model(inputs=[a, b], outputs=[out1, out2])
    assert model.get_layer("shared") is shared
    assert model.count_params() == (4 * 3 + 3) + (6 + 1) + (6 * 2 + 2)
    xa, xb = np.ones((2, 4), np.float32), np.zeros((2, 4), np.float32)
    o1, o2 = model.predict([xa, xb], verbose=0)
    assert o1.shape == (2, 1) and o2.shape == (2, 2)
    # shared weights: same kernel applied to both inputs
    w, bias = shared.get_weights()
    ref = np.concatenate([xa @ w + bias, xb @ w + bias], 1)
    np.testing.assert_allclose(o1, ref @ model.get_layer("out1").get_weights()[0]
                               + model.get_layer("out1").get_weights()[1], rtol=1e-5)
    model.compile("sgd", loss=["mse", "mse"])
    hist = model.fit([xa, xb], [np.ones((2, 1)), np.ones((2, 2))], epochs=2, verbose=0)
    assert set(hist.history) >= {"loss"}


def test_nested_model_and_get_layer_index():
    inner = keras.Sequential([keras.layers.Dense(4, input_shape=(3,)),
                              keras.layers.Dense(2)], name="inner")
    x = keras.Input(shape=(3,))
    y = keras.layers.Dense(1)(inner(x))
    outer = keras.Model(x, y)
    assert outer.get_layer("inner") is inner
    assert outer.get_layer(index=1) is inner
    assert outer.count_params() == inner.count_params() + 3
    data = np.random.rand(3, 3).astype(np.float32)
    w = [l.get_weights() for l in inner.layers]
    h = (data @ w[0][0] + w[0][1]) @ w[1][0] + w[1][1]
    last = outer.layers[-1].get_weights()
    np.testing.assert_allclose(outer.predict(data, verbose=0), h @ last[0] + last[1],
                               rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError):
        outer.get_layer("nope")


class Sub(keras.Model):
    def __init__(self):
        super().__init__()
        self.d1 = keras.layers.Dense(8, activation="relu")
        self.d2 = keras.layers.Dense(1)

    def call(self, x, training=False):
        return self.d2(self.d1(x))


def test_subclassed_model_trains():
    m = Sub()
    x = np.random.RandomState(0).rand(64, 3).astype(np.float32)
    y = x.sum(1, keepdims=True)
    m.compile(keras.optimizers.SGD(0.1), "mse")
    h = m.fit(x, y, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert len(m.trainable_variables) == 4
    assert m.count_params() == 3 * 8 + 8 + 8 + 1


def test_sequential_add_pop_and_deferred_build():
    m = keras.Sequential()
    m.add(keras.layers.Dense(4))
    m.add(keras.layers.Dense(2))
    assert not m.built
    m.build((None, 3))
    assert m.count_params() == 3 * 4 + 4 + 4 * 2 + 2
    m.pop()
    assert len(m.layers) == 1


def test_functional_conv1d_on_unknown_sequence_length():
    """Input((None,)) -> Embedding -> Conv1D(kernel 3): the layer's output shape is probed
    with a sequence longer than the kernel (keras.io text classification)."""
    L = cf.keras.layers
    inputs = cf.keras.Input(shape=(None,), dtype="int64")
    x = L.Embedding(30, 8)(inputs)
    x = L.Conv1D(8, 3, padding="valid", activation="relu")(x)
    assert x.shape == (None, None, 8)
    model = cf.keras.Model(inputs, L.GlobalMaxPooling1D()(x))
    assert model(np.ones((4, 12), "int64")).shape == (4, 8)
    assert model.predict(np.ones((2, 5), "int64"), verbose=0).shape == (2, 8)


def test_output_names_only_on_functional_models_as_keras():
    # Keras 3.15: Functional sets output_names (the output layers' names, outputs flattened
    # with sorted dict keys); Sequential (unbuilt, built, compiled, fitted) and subclassed
    # models raise AttributeError, so hasattr() is False
    seq = keras.Sequential([keras.layers.Dense(2), keras.layers.Dense(1)])
    assert not hasattr(seq, "output_names")
    seq.compile("sgd", "mse")
    seq.fit(np.ones((4, 3), "float32"), np.ones((4, 1), "float32"), verbose=0)
    with pytest.raises(AttributeError, match="'Sequential' object has no attribute "
                                             "'output_names'"):
        seq.output_names
    built = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, name="out")])
    assert not hasattr(built, "output_names")

    class Sub(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)

        def call(self, x):
            return self.d(x)
    assert not hasattr(Sub(), "output_names")
    i = keras.Input((3,))
    a = keras.layers.Dense(1, name="la")(i)
    b = keras.layers.Dense(2, name="lb")(i)
    assert keras.Model(i, {"z": a, "y": b}).output_names == ["lb", "la"]
    assert keras.Model(i, [b, a]).output_names == ["lb", "la"]
    passthrough = keras.Input((3,), name="inp")
    assert keras.Model(passthrough, passthrough).output_names == ["inp"]
    seq.output_names = ["mine"]  # a plain attribute in Keras: assignable
    assert seq.output_names == ["mine"]


def test_sequential_symbolic_graph_for_feature_extraction():
    """keras.io's Sequential guide: Model(model.inputs, [l.output for l in model.layers])."""
    L = cf.keras.layers
    base = cf.keras.Sequential([cf.keras.Input((8, 8, 3)), L.Conv2D(4, 3, name="c1"),
                                L.MaxPooling2D(name="mp"), L.GlobalAveragePooling2D()])
    assert tuple(base.input.shape) == (None, 8, 8, 3) and len(base.inputs) == 1
    assert tuple(base.output.shape) == (None, 4)
    assert tuple(base.get_layer("c1").output.shape) == (None, 6, 6, 4)
    assert tuple(base.get_layer("mp").input.shape) == (None, 6, 6, 4)
    fe = cf.keras.Model(inputs=base.inputs, outputs=[l.output for l in base.layers])
    outs = fe(np.zeros((2, 8, 8, 3), "float32"))
    assert [tuple(o.shape) for o in outs] == [(2, 6, 6, 4), (2, 3, 3, 4), (2, 4)]
    base.add(L.Dense(2))            # rebuilt: each layer keeps one node of the new graph
    assert tuple(base.output.shape) == (None, 2)
    assert tuple(base.get_layer("c1").output.shape) == (None, 6, 6, 4)
    with pytest.raises(AttributeError, match="never been called"):
        L.Dense(3).output


def test_sequential_builds_consume_keras_auto_names():
    """Keras builds a Functional (and, without Input, an InputLayer) at every Sequential
    build: later auto names count them (checked against Keras 3.15)."""
    K, L = cf.keras, cf.keras.layers
    K.backend.clear_session()
    s = K.Sequential([K.Input((3,)), L.Dense(2)])
    s.add(L.Dense(1))
    s2 = K.Sequential([L.Dense(2)])
    i = K.Input((3,))
    m = K.Model(i, L.Dense(1)(i))
    s2(i)
    m2 = K.Model(i, s2(i))
    assert (s.name, s2.name, m.name, m2.name) == ("sequential", "sequential_1",
                                                   "functional_2", "functional_4")
    assert [layer.name for layer in m2.layers] == ["input_layer_1", "sequential_1"]


def test_keras_tensor_dtype_is_a_name_string_like_keras3():
    i = cf.keras.Input((3,), dtype="int32")
    assert str(i.dtype) == "int32" and repr(i.dtype) == "'int32'"
    assert i.dtype == "int32" and i.dtype == cf.int32 and i.dtype.is_integer
    assert repr(i).startswith("<KerasTensor shape=(None, 3), dtype=int32, sparse=False, "
                              "ragged=False")


def test_loss_is_none_until_compile_as_keras():
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    assert m.loss is None and not m.compiled
    m.compile("adam", "mse")
    assert m.loss == "mse" and m.compiled


def test_layer_output_of_first_call_nested_sequential_and_dict_inputs():
    """Keras 3: a shared layer's input/output are its first call's; a nested Sequential's
    output after being called is the outer graph's (feature extraction works); a model
    built on a dict of inputs refuses a list."""
    import pytest
    K = cf.keras
    inp = K.Input((6,), name="x")
    enc = K.Sequential([K.Input((6,)), K.layers.Dense(2, name="e1")], name="enc")
    shared = K.layers.Dense(3, name="shared")
    a = shared(enc(inp))
    b = shared(K.layers.Dense(2, name="side")(inp))
    m = K.Model(inp, K.layers.Add()([a, b]))
    assert shared.output is a and shared.input is enc.output
    feat = K.Model(m.input, [enc.output, m.output])
    x = np.ones((2, 6), "float32")
    np.testing.assert_allclose(feat(x)[1].numpy(), m(x).numpy(), atol=1e-6)
    with pytest.raises(AttributeError, match="never been called"):
        K.layers.Dense(1).output
    p, q = K.Input((2,), name="p"), K.Input((3,), name="q")
    mm = K.Model({"q": q, "p": p}, K.layers.Dense(1)(p))
    with pytest.raises(ValueError, match="structure of `inputs`"):
        mm([np.ones((1, 2)), np.ones((1, 3))])
