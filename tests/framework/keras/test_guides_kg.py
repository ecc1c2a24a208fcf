"""Gaps found by running the keras.io developer guides as programs under TF 2.21 /
Keras 3.15 and cuflow (expected values are Keras 3.15's output)."""
import cuflow as cf
import numpy as np

k = cf.keras


def test_unnamed_weights_share_keras_variable_counter():
    k.backend.clear_session()
    v0, v1 = k.Variable(1.0), k.Variable(2.0)

    class L(k.layers.Layer):
        def build(self, shape):
            self.a = self.add_weight(shape=(2,))
            self.b = self.add_weight(shape=(2,), name="b")
            self.c = self.add_weight(shape=(2,))

        def call(self, x):
            return x

    layer = L()
    layer(np.ones((1, 2), "float32"))
    assert (v0.name, v1.name) == ("variable", "variable_1")
    assert [w.path for w in layer.weights] == ["l/variable_2", "l/b", "l/variable_3"]


def test_auto_config_of_user_layers_and_models():
    class L(k.layers.Layer):
        def __init__(self, a, b=2, *, c="x", **kw):
            super().__init__(**kw)

        def call(self, x):
            return x

    # Keras records plain constructor arguments; 'name' is dropped without **kwargs
    cfg = L(1, c="y", name="q").get_config()
    assert list(cfg) == ["a", "b", "c", "trainable", "dtype"] and cfg["c"] == "y"
    try:
        L(k.layers.Dense(2)).get_config()
        raise AssertionError("expected NotImplementedError")
    except NotImplementedError as e:
        assert "non-serializable argument values" in str(e)

    class Drop(k.layers.Layer):
        def __init__(self, rate, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate

    assert list(Drop(0.5).get_config()) == ["name", "rate", "trainable", "dtype"]

    class M(k.Model):   # Model.__new__ drops the arguments: defaults only, as Keras
        def __init__(self, units=4, name=None):
            super().__init__(name=name)

    assert M(7, name="zz").get_config()["units"] == 4

    class Req(k.Model):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)

    try:
        Req(3).get_config()
        raise AssertionError("expected NotImplementedError")
    except NotImplementedError:
        pass
    assert "rate" in k.layers.Dropout(0.5).get_config()


def test_compile_without_loss_keeps_the_compiled_loss_and_metrics():
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    m = k.Sequential([k.Input((2,)), k.layers.Dense(1, kernel_initializer="ones")])
    m.compile("sgd", "mse", metrics=["mae"])
    m.fit(x, y, verbose=0)
    m.compile("adam")
    assert sorted(m.fit(x, y, verbose=0).history) == ["loss", "mae"]
    assert m.loss == "mse"
    m.compile("adam", metrics=["mse"])
    assert sorted(m.fit(x, y, verbose=0).history) == ["loss", "mse"]


def test_summary_of_user_layer_without_compute_output_shape_shows_question_mark():
    class Block(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = k.layers.Dense(3)

        def call(self, x):
            return self.d(x), self.d(x)

    class M(k.Model):
        def __init__(self):
            super().__init__()
            self.block = Block()
            self.out = k.layers.Dense(2)

        def call(self, x):
            return self.out(self.block(x)[0])

    m = M()
    m(np.ones((5, 4), "float32"))
    lines = []
    m.summary(print_fn=lines.append)
    text = "".join(lines)
    block_line = next(line for line in text.splitlines() if "(Block)" in line)
    assert block_line.split("│")[2].strip() == "?"
    assert "(5, 2)" in text


def test_loss_dict_must_name_every_output_of_a_list_output_model():
    a = k.Input((3,), name="a")
    m = k.Model(a, [k.layers.Dense(1, name="s")(a), k.layers.Dense(2, name="c")(a)])
    m.compile("sgd", loss={"c": "mse"})
    x = np.ones((4, 3), "float32")
    try:
        m.fit(x, [np.ones((4, 1)), np.ones((4, 2))], verbose=0)
        raise AssertionError("expected ValueError")
    except ValueError as e:
        assert "Expected keys ['s', 'c'] in loss dict" in str(e)
    m.compile("sgd", loss={"c": "mse", "s": "mse"})
    assert sorted(m.fit(x, [np.ones((4, 1)), np.ones((4, 2))], verbose=0).history) == \
        ["c_loss", "loss", "s_loss"]


def test_model_subclass_built_from_inputs_outputs_lists_its_input_layer():
    class CustomModel(k.Model):
        def train_step(self, data):
            return super().train_step(data)

    inputs = k.Input(shape=(32,))
    model = CustomModel(inputs, k.layers.Dense(1)(inputs))
    assert [type(layer).__name__ for layer in model.layers] == ["InputLayer", "Dense"]
    lines = []
    model.summary(print_fn=lines.append)
    assert "(InputLayer)" in "".join(lines) and "Total params: 33" in "".join(lines)


def test_progress_bar_runs_after_user_callbacks(capsys):
    class Tell(k.callbacks.Callback):
        def on_predict_batch_end(self, batch, logs=None):
            print(f"<user {batch}>")

        def on_predict_end(self, logs=None):
            print("<user end>")

    m = k.Sequential([k.Input((2,)), k.layers.Dense(1)])
    capsys.readouterr()
    m.predict(np.ones((4, 2), "float32"), batch_size=4, callbacks=[Tell()], verbose=1)
    out = capsys.readouterr().out
    assert out.index("<user 0>") < out.index("1/1") and out.index("<user end>") < out.rindex("1/1")


def test_layer_built_by_a_run_uses_keras_tensor_names_like_keras():
    class Two(k.layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.d, self.e = k.layers.Dense(3), k.layers.Dense(2)

        def call(self, x):
            return self.d(x), self.e(x)

    k.backend.clear_session()
    assert k.Input((1,)).name == "keras_tensor"
    Two()(np.ones((2, 4), "float32"))       # Keras: a symbolic build run, two outputs
    assert k.Input((1,)).name == "keras_tensor_3"
    k.layers.Dense(3)(np.ones((2, 4), "float32"))   # own build(): no run
    assert k.Input((1,)).name == "keras_tensor_4"


def test_direct_build_opens_the_layer_scope_and_builds_wrapped_layers():
    k.backend.clear_session()
    lstm = k.layers.LSTM(4)
    lstm.build((None, 3, 2))
    assert lstm.weights[0].path == "lstm/lstm_cell/kernel"
    bi = k.layers.Bidirectional(k.layers.LSTM(4))
    bi.build((None, 3, 2))
    assert len(bi.weights) == 6 and bi.weights[0].path.startswith("bidirectional/forward_")
    td = k.layers.TimeDistributed(k.layers.Dense(2))
    td.build((None, 4, 3))
    assert [tuple(w.shape) for w in td.weights] == [(3, 2), (2,)]
    assert td.weights[0].path.startswith("time_distributed/dense")

    class Outer(k.layers.Layer):
        def __init__(self):
            super().__init__()
            self.d = k.layers.Dense(2)

        def build(self, shape):
            self.d.build(shape)

    o = Outer()
    o.build((None, 3))
    assert o.built and o.weights[0].path == f"outer/{o.d.name}/kernel"


def test_lookup_configs_hold_python_values_and_text_vectorization_symbolic_length():
    assert k.layers.StringLookup(vocabulary=["a", "b"]).get_config()["vocabulary"] == ["a", "b"]
    assert type(k.layers.IntegerLookup(vocabulary=[3]).get_config()["vocabulary"][0]) is int
    tv = k.layers.TextVectorization()
    tv.adapt(["a b c", "d e"])
    assert tuple(tv(k.Input((1,), dtype="string")).shape) == (None, None)
    assert tuple(k.layers.TextVectorization(output_sequence_length=4)(
        k.Input((1,), dtype="string")).shape) == (None, 4)


def test_sequential_restated_on_a_symbolic_batch_keeps_its_input_layer_name():
    k.backend.clear_session()
    aug = k.Sequential([k.layers.RandomFlip("horizontal")])
    aug(k.Input((8, 8, 3)))
    # Input -> input_layer, the Sequential's own Input -> input_layer_1, nothing more
    assert k.layers.InputLayer(shape=(2,)).name == "input_layer_2"


def test_registered_activation_round_trip_and_unregistered_names_fail(tmp_path):
    @k.saving.register_keras_serializable(package="kg_pkg", name="kg_sq")
    def kg_sq(x):
        return x ** 2

    inp = k.Input((4,))
    model = k.Model(inp, k.layers.Dense(1, activation=kg_sq)(inp))
    path = str(tmp_path / "m.keras")
    model.save(path)
    assert k.models.load_model(path).layers[1].activation is kg_sq
    assert "kg_sq" not in k.saving.get_custom_objects()   # only 'kg_pkg>kg_sq', as Keras

    class Unregistered(k.layers.Layer):
        def __init__(self, factor):
            super().__init__()
            self.factor = factor

        def get_config(self):
            return {"factor": self.factor}

    inp = k.Input((4,))
    k.Model(inp, Unregistered(0.5)(inp)).save(path)
    try:
        k.models.load_model(path)
        raise AssertionError("expected TypeError")
    except TypeError:
        pass
    assert k.models.load_model(path, custom_objects={"Unregistered": Unregistered})


def test_sequential_config_keeps_its_input_layer_name():
    k.backend.clear_session()
    k.layers.InputLayer(shape=(1,))                      # input_layer
    m = k.Sequential([k.Input((3,)), k.layers.Dense(1)])  # input_layer_1
    cfg = m.get_config()
    assert cfg["layers"][0]["config"]["name"] == "input_layer_1"
    assert k.Sequential.from_config(cfg).get_config()["layers"][0]["config"]["name"] == \
        "input_layer_1"


def test_subclassed_model_loads_a_sequential_weights_file_through_its_layers(tmp_path):
    class Sub(k.Model):
        def __init__(self):
            super().__init__()
            self.dense_1 = k.layers.Dense(4)
            self.dense_2 = k.layers.Dense(2)

        def call(self, x):
            return self.dense_2(self.dense_1(x))

    seq = k.Sequential([k.Input((3,)), k.layers.Dense(4), k.layers.Dense(2)])
    path = str(tmp_path / "s.weights.h5")
    seq.save_weights(path)
    sub = Sub()
    sub(np.ones((1, 3), "float32"))
    sub.load_weights(path)   # 'dense_1' finds nothing, then 'layers/dense' loads (Keras)
    np.testing.assert_allclose(sub.get_weights()[0], seq.get_weights()[0])


def test_keras_variable_attributes_are_weights_and_saving_hooks_run(tmp_path):
    class WithVar(k.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.extra = k.Variable(np.ones(2, "float32"), name="extra")
            self.saved = None

        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1], 2), name="w")

        def call(self, x):
            return x @ self.w + self.extra

        def save_own_variables(self, store):
            super().save_own_variables(store)
            store["marker"] = np.array([7.0])

        def load_own_variables(self, store):
            self.saved = float(store["marker"][0])
            for i, v in enumerate(self.weights):
                v.assign(store[str(i)])

    layer = WithVar()
    m = k.Sequential([k.Input((3,)), layer])
    assert [w.name for w in layer.weights] == ["extra", "w"]   # tracked first, as Keras
    path = str(tmp_path / "w.weights.h5")
    m.save_weights(path)
    other = WithVar()
    m2 = k.Sequential([k.Input((3,)), other])
    m2.load_weights(path)
    assert other.saved == 7.0
    np.testing.assert_allclose(other.w.numpy(), layer.w.numpy())


def test_dense_saves_kernel_and_bias_only():
    d = k.layers.Dense(2)
    d.build((None, 3))
    d.extra = k.Variable(np.zeros(2, "float32"))
    store = {}
    d.save_own_variables(store)
    assert list(store) == ["0", "1"] and len(d.weights) == 3


def test_custom_compile_config_round_trip(tmp_path):
    class Custom(k.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.d = k.layers.Dense(2)

        def call(self, x):
            return self.d(x)

        def compile(self, optimizer, loss_fn):
            super().compile(optimizer=optimizer, loss=loss_fn)
            self.loss_fn = loss_fn

        def get_compile_config(self):
            return {"opt": "SGD", "loss_fn": self.loss_fn, "metric": ["mse"]}

        def compile_from_config(self, config):
            assert k.utils.deserialize_keras_object(config["metric"]) == ["mse"]
            self.compile(optimizer=config["opt"], loss_fn=config["loss_fn"])

    k.saving.get_custom_objects()["kg>Custom"] = Custom
    try:
        m = Custom()
        m.compile(optimizer="SGD", loss_fn="mse")
        m(np.ones((1, 3), "float32"))
        path = str(tmp_path / "c.keras")
        m.save(path)
        restored = k.models.load_model(path, custom_objects={"Custom": Custom})
        assert restored.loss_fn == "mse" and type(restored.optimizer).__name__ == "SGD"
    finally:
        k.saving.get_custom_objects().pop("kg>Custom")


def test_stateless_layers_are_built_at_construction_as_in_keras():
    L = k.layers
    for layer in (L.Dropout(0.5), L.Activation("relu"), L.Reshape((2,)), L.MaxPooling2D(),
                  L.GlobalAveragePooling2D(), L.Masking(), L.SpatialDropout2D(0.1)):
        assert layer.built, type(layer).__name__
    for layer in (L.Dense(2), L.Flatten(), L.Permute((1,)), L.RepeatVector(2)):
        assert not layer.built, type(layer).__name__
    assert repr(L.Dropout(0.5)).endswith("built=True>")


def test_seed_generator_state_is_a_keras_int64_variable_listed_in_layer_variables():
    k.backend.clear_session()
    gen = k.random.SeedGenerator(1337)
    assert gen.state.dtype == "int64" and tuple(gen.state.shape) == (2,)
    assert gen.state.path == "seed_generator/seed_generator_state"
    a = k.random.normal((3,), seed=gen)
    assert gen.state.numpy().tolist() == [1337, 1]          # each draw advances it
    gen.state.assign(np.array([1337, 0], np.int64))          # the state decides the draws
    np.testing.assert_array_equal(k.random.normal((3,), seed=gen).numpy(), a.numpy())

    class Drop(k.layers.Layer):
        def __init__(self):
            super().__init__()
            self.seed_generator = k.random.SeedGenerator(1)

        def call(self, x):
            return k.random.dropout(x, 0.5, seed=self.seed_generator)

    layer = Drop()
    layer(np.ones((2, 2), "float32"))
    assert [v.path for v in layer.variables] == ["seed_generator_1/seed_generator_state"]
    assert layer.weights == []

    @cf.function
    def draw():
        return k.random.uniform((2,), seed=gen)

    first, second = draw().numpy(), draw().numpy()
    assert not np.array_equal(first, second)
