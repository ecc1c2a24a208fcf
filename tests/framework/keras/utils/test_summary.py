"""model.summary() prints Keras 3's table: the expected texts are Keras 3.15's output on
TensorFlow 2.21 for the same models (80-column terminal)."""
import cuflow as cf
import pytest

k = cf.keras

SEQ = """Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 128)            │       100,480 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dropout (Dropout)               │ (None, 128)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 101,770 (397.54 KB)
 Trainable params: 101,770 (397.54 KB)
 Non-trainable params: 0 (0.00 B)
"""

FUNC = """Model: "func"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 32)        │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 16)        │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_2 (Dense)     │ (None, 8)         │        264 │ a[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_3 (Dense)     │ (None, 8)         │        136 │ b[0][0]           │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 16)        │          0 │ dense_2[0][0],    │
│ (Concatenate)       │                   │            │ dense_3[0][0]     │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ batch_normalization │ (None, 16)        │         64 │ concatenate[0][0] │
│ (BatchNormalizatio… │                   │            │                   │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 464 (1.81 KB)
 Trainable params: 432 (1.69 KB)
 Non-trainable params: 32 (128.00 B)
"""

UNBUILT = """Model: "sequential_1"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense_4 (Dense)                 │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
"""

TRAINABLE = """Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━┓
┃ Layer (type)          ┃ Output Shape     ┃ Param # ┃ Tr… ┃
┡━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━┩
│ dense (Dense)         │ (None, 128)      │ 100,480 │  Y  │
├───────────────────────┼──────────────────┼─────────┼─────┤
│ dropout (Dropout)     │ (None, 128)      │       0 │  -  │
├───────────────────────┼──────────────────┼─────────┼─────┤
│ dense_1 (Dense)       │ (None, 10)       │   1,290 │  Y  │
└───────────────────────┴──────────────────┴─────────┴─────┘
 Total params: 101,770 (397.54 KB)
 Trainable params: 101,770 (397.54 KB)
 Non-trainable params: 0 (0.00 B)
"""

NESTED = """Model: "sequential_2"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ sequential_1 (Sequential)       │ (None, 4)              │            20 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│    └ dense_4 (Dense)            │ (None, 4)              │            20 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_5 (Dense)                 │ (None, 3)              │            15 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 35 (140.00 B)
 Trainable params: 35 (140.00 B)
 Non-trainable params: 0 (0.00 B)
"""


@pytest.fixture(autouse=True)
def _columns(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    k.backend.clear_session()


def _text(model, **kw):
    out = []
    model.summary(print_fn=out.append, **kw)
    assert len(out) == 1
    return out[0]


def _seed():
    return k.Sequential([k.layers.Dense(128, activation="relu", input_shape=(784,)),
                         k.layers.Dropout(0.2), k.layers.Dense(10, activation="softmax")])


def test_sequential_table_matches_keras():
    assert _text(_seed()) == SEQ


def test_functional_graph_has_connected_to_column():
    a, b = k.Input((32,), name="a"), k.Input((16,), name="b")
    x, y = k.layers.Dense(8, name="dense_2")(a), k.layers.Dense(8, name="dense_3")(b)
    z = k.layers.BatchNormalization()(k.layers.Concatenate()([x, y]))
    assert _text(k.Model([a, b], [z, x], name="func")) == FUNC


def test_unbuilt_layers_and_line_length_with_trainable_column():
    assert _text(k.Sequential([k.layers.Dense(4, name="dense_4")], name="sequential_1")) \
        == UNBUILT
    assert _text(_seed(), line_length=60, show_trainable=True) == TRAINABLE


def test_expand_nested():
    inner = k.Sequential([k.layers.Dense(4, name="dense_4")], name="sequential_1")
    outer = k.Sequential([k.Input((4,)), inner, k.layers.Dense(3, name="dense_5")],
                         name="sequential_2")
    assert _text(outer, expand_nested=True) == NESTED


def test_subclassed_model_reports_shapes_of_its_last_call():
    class M(k.Model):
        def __init__(self):
            super().__init__()
            self.d = k.layers.Dense(5)

        def call(self, x):
            return self.d(x)

    m = M()
    m(cf.zeros((7, 3)))
    text = _text(m)
    assert "(7, 5)" in text and "20 (80.00 B)" in text


def test_optimizer_params_line_once_built():
    m = _seed()
    m.compile(optimizer="adam", loss="categorical_crossentropy")
    m.train_on_batch(cf.zeros((2, 784)), cf.one_hot([1, 2], 10))
    assert " Optimizer params: " in _text(m)


def test_layer_range_and_bad_range():
    text = _text(_seed(), layer_range=["dropout", "dense_1"])
    assert "dropout (Dropout)" in text and "dense (Dense)" not in text
    with pytest.raises(ValueError, match="do not match"):
        _seed().summary(layer_range=["nope", "nada"])


def test_chain_with_every_layer_as_output_has_no_connected_to_column():
    # Keras's sequential_like test counts graph depths, not outputs (Sequential guide's
    # feature extractor: outputs=[layer.output for layer in initial_model.layers])
    seq = k.Sequential([k.Input((8,)), k.layers.Dense(4), k.layers.Dense(2)])
    fe = k.Model(seq.inputs, [layer.output for layer in seq.layers])
    assert "Connected to" not in _text(fe)
    x = k.Input((8,))
    h = k.layers.Dense(4)(x)
    branched = k.Model(x, [k.layers.Dense(2)(h), k.layers.Dense(3)(h)])
    assert "Connected to" in _text(branched)


def test_sequential_built_by_a_call_keeps_that_batch_size():
    m = k.Sequential([k.layers.Dense(2), k.layers.Dense(3)])
    m(cf.ones((1, 4)))
    assert m.inputs[0].shape == (1, 4) and m.layers[0].output.shape == (1, 2)
    assert "(1, 2)" in _text(m)
    assert m(cf.ones((5, 4))).shape == (5, 3)
