"""RNN layers vs NumPy float64 step equations; masking, configs, gradients, training."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras
L = K.layers


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _lstm_ref(x, w, u, b, mask=None):
    n = u.shape[0]
    h = c = np.zeros((x.shape[0], n))
    hs = []
    for t in range(x.shape[1]):
        z = x[:, t] @ w + h @ u + b
        i, f, cc, o = (z[:, k * n:(k + 1) * n] for k in range(4))
        c2 = _sig(f) * c + _sig(i) * np.tanh(cc)
        h2 = _sig(o) * np.tanh(c2)
        if mask is not None:
            m = mask[:, t:t + 1]
            h2, c2 = np.where(m, h2, h), np.where(m, c2, c)
        h, c = h2, c2
        hs.append(h)
    return np.stack(hs, 1), h, c


def _gru_ref(x, w, u, b):
    n = u.shape[0]
    h = np.zeros((x.shape[0], n))
    for t in range(x.shape[1]):
        xw = x[:, t] @ w + b[0]
        inner = h @ u + b[1]
        z = _sig(xw[:, :n] + inner[:, :n])
        r = _sig(xw[:, n:2 * n] + inner[:, n:2 * n])
        hh = np.tanh(xw[:, 2 * n:] + r * inner[:, 2 * n:])
        h = z * h + (1 - z) * hh
    return h


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def test_lstm_matches_step_equations_and_weights():
    x = _x(3, 5, 4)
    layer = L.LSTM(6, return_sequences=True, return_state=True)
    seq, h, c = layer(x)
    names = [w.name for w in layer.weights]
    assert names == ["kernel", "recurrent_kernel", "bias"]
    assert [tuple(w.shape) for w in layer.weights] == [(4, 24), (6, 24), (24,)]
    w, u, b = (v.astype(np.float64) for v in layer.get_weights())
    np.testing.assert_array_equal(b[6:12], 1.0)     # unit_forget_bias
    rseq, rh, rc = _lstm_ref(x.astype(np.float64), w, u, b)
    np.testing.assert_allclose(seq.numpy(), rseq, atol=1e-5)
    np.testing.assert_allclose(h.numpy(), rh, atol=1e-5)
    np.testing.assert_allclose(c.numpy(), rc, atol=1e-5)


def test_gru_reset_after_and_simple_rnn():
    x = _x(2, 4, 3)
    gru = L.GRU(5)
    out = gru(x)
    w, u, b = (v.astype(np.float64) for v in gru.get_weights())
    assert b.shape == (2, 15)
    np.testing.assert_allclose(out.numpy(), _gru_ref(x.astype(np.float64), w, u, b), atol=1e-5)
    rnn = L.SimpleRNN(3, go_backwards=True)
    out = rnn(x)
    w, u, b = (v.astype(np.float64) for v in rnn.get_weights())
    h = np.zeros((2, 3))
    for t in range(3, -1, -1):
        h = np.tanh(x[:, t] @ w + h @ u + b)
    np.testing.assert_allclose(out.numpy(), h, atol=1e-5)
    old = L.GRU(2, reset_after=False)
    old(x)
    assert tuple(old.weights[2].shape) == (6,)


def test_masking_from_embedding_carries_state():
    ids = np.array([[3, 1, 0, 0], [2, 5, 4, 0]])
    emb = L.Embedding(8, 4, mask_zero=True)
    lstm = L.LSTM(3, return_sequences=True)
    model = K.Sequential([emb, lstm])
    out = model(ids).numpy()
    e = emb.embeddings.numpy().astype(np.float64)[ids]
    w, u, b = (v.astype(np.float64) for v in lstm.get_weights())
    rseq, _, _ = _lstm_ref(e, w, u, b, mask=ids != 0)
    np.testing.assert_allclose(out, rseq, atol=1e-5)   # masked steps repeat the last output
    last = K.Sequential([emb, L.GRU(2)])(ids)
    assert tuple(last.shape) == (2, 2)


def test_bidirectional_time_distributed_and_config_round_trip():
    x = _x(2, 5, 3)
    bi = L.Bidirectional(L.LSTM(4, return_sequences=True), merge_mode="sum")
    y = bi(x)
    assert tuple(y.shape) == (2, 5, 4)
    fw = bi.forward_layer(x).numpy()
    bw = bi.backward_layer(x).numpy()[:, ::-1]
    np.testing.assert_allclose(y.numpy(), fw + bw, atol=1e-6)
    assert tuple(L.Bidirectional(L.GRU(2))(x).shape) == (2, 4)
    td = L.TimeDistributed(L.Dense(7))
    assert tuple(td(x).shape) == (2, 5, 7)
    for layer in (L.LSTM(4, dropout=0.1, go_backwards=True), L.GRU(3, reset_after=False),
                  L.SimpleRNN(2, return_sequences=True)):
        again = type(layer).from_config(layer.get_config())
        assert again.get_config() == layer.get_config() | {"name": again.name}
    cfg = K.saving.serialize_keras_object(bi)
    again = K.saving.deserialize_keras_object(cfg)
    assert tuple(again(x).shape) == (2, 5, 4)


def test_stateful_and_initial_state():
    x = _x(2, 3, 2)
    layer = L.GRU(3, stateful=True)
    a = layer(x).numpy()
    b = layer(x).numpy()
    assert not np.allclose(a, b)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), a, atol=1e-6)
    lstm = L.LSTM(3)
    h0 = [cf.ones((2, 3)), cf.zeros((2, 3))]
    assert not np.allclose(lstm(x, initial_state=h0).numpy(), lstm(x).numpy())


@pytest.mark.parametrize("cls", [L.SimpleRNN, L.LSTM, L.GRU])
def test_gradients_reach_every_weight(cls):
    layer = cls(3, dropout=0.2, recurrent_dropout=0.2)
    x = cf.constant(_x(2, 4, 3))
    with cf.GradientTape() as tape:
        y = cf.reduce_sum(layer(x, training=True) ** 2)
    grads = tape.gradient(y, layer.trainable_weights)
    assert len(grads) == 3 and all(g is not None for g in grads)


def test_lstm_model_fits_sequence_sum_sign():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(128, 6, 1)).astype("float32")
    y = (x.sum(axis=(1, 2)) > 0).astype("float32")[:, None]
    inp = K.Input((6, 1))
    out = L.Dense(1, activation="sigmoid")(L.LSTM(8)(inp))
    model = K.Model(inp, out)
    model.compile(optimizer=K.optimizers.Adam(0.02), loss="binary_crossentropy")
    hist = model.fit(x, y, epochs=8, batch_size=32, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0] * 0.7


def test_generic_rnn_with_custom_and_stacked_cells():
    class MinimalCell(L.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units, self.state_size = units, units

        def build(self, input_shape):
            self.kernel = self.add_weight("kernel", (input_shape[-1], self.units))
            self.recurrent_kernel = self.add_weight("recurrent_kernel",
                                                    (self.units, self.units))

        def call(self, inputs, states):
            h = cf.matmul(inputs, self.kernel) + cf.matmul(states[0], self.recurrent_kernel)
            return h, [h]

    x = _x(2, 4, 3)
    cell = MinimalCell(5)
    out = L.RNN(cell)(x).numpy()
    w, u = (v.astype(np.float64) for v in cell.get_weights())
    h = np.zeros((2, 5))
    for t in range(4):
        h = x[:, t] @ w + h @ u
    np.testing.assert_allclose(out, h, atol=1e-5)
    stacked = L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_state=True)
    outs = stacked(x)
    # Keras: the output, then one list of states per cell
    assert tuple(outs[0].shape) == (2, 3) and len(outs) == 3
    assert [[tuple(s.shape) for s in c] for c in outs[1:]] == [[(2, 4), (2, 4)], [(2, 3)]]
    np.testing.assert_array_equal(outs[0].numpy(), outs[2][0].numpy())
    assert len(stacked.weights) == 6
    again = K.saving.deserialize_keras_object(K.saving.serialize_keras_object(stacked))
    assert tuple(again(x)[0].shape) == (2, 3)


def test_keras3_structures_state_sizes_and_tuples():
    """Keras 3: int state_size for GRU / SimpleRNN cells, output_size, nested stacked
    state_size, tuples from return_state and Bidirectional, a bare state in gives a bare
    state out, ``states`` of a stateful layer."""
    assert L.GRUCell(2).state_size == 2 and L.SimpleRNNCell(2).state_size == 2
    assert L.LSTMCell(2).state_size == [2, 2] and L.LSTMCell(2).output_size == 2
    st = L.StackedRNNCells([L.GRUCell(2), L.LSTMCell(3)])
    assert st.state_size == [2, [3, 3]] and st.output_size == 3
    x = _x(2, 4, 3)
    assert isinstance(L.LSTM(2, return_state=True)(x), tuple)
    out = L.Bidirectional(L.LSTM(2, return_state=True))(x)
    assert isinstance(out, tuple) and len(out) == 5
    out = L.Bidirectional(L.SimpleRNN(2, return_sequences=True), merge_mode=None)(x)
    assert isinstance(out, tuple) and [tuple(o.shape) for o in out] == [(2, 4, 2)] * 2
    inp = K.Input((4, 3))
    sym = L.Bidirectional(L.GRU(2, return_state=True), merge_mode=None)(inp)
    assert isinstance(sym, tuple) and len(sym) == 4
    cell = L.GRUCell(2)
    _, h = cell(x[:, 0], np.zeros((2, 2), "float32"))
    assert not isinstance(h, (list, tuple))
    _, h = cell(x[:, 0], [np.zeros((2, 2), "float32")])
    assert isinstance(h, list) and len(h) == 1
    r = L.RNN(L.GRUCell(2), stateful=True)
    assert r.states is None and L.LSTM(2).states is None
    r(x)
    assert len(r.states) == 1 and tuple(r.states[0].shape) == (2, 2)
    assert len(L.ConvLSTM1D(2, 3, return_state=True)(np.ones((2, 4, 5, 3), "float32"))) == 3


def test_stateful_states_untouched_by_fit_and_evaluate_shape_probes():
    """evaluate/fit build the model on a probe batch first; a stateful RNN's state must
    only advance on the real batches (Keras builds symbolically)."""
    inp = K.Input(batch_shape=(4, 3, 2))
    r = L.SimpleRNN(3, stateful=True)
    m = K.Model(inp, L.Dense(1)(r(inp)))
    m.set_weights([np.linspace(-0.5, 0.5, w.size).reshape(w.shape).astype("float32")
                   for w in m.get_weights()])
    x = np.random.default_rng(0).standard_normal((4, 3, 2)).astype("float32")
    y = np.ones((4, 1), "float32")
    direct = m(x).numpy()
    after_call = r.states[0].numpy().copy()
    r.reset_states()
    m.compile("sgd", "mse")
    loss = m.evaluate(x, y, batch_size=4, verbose=0)
    assert loss == pytest.approx(float(np.mean((direct - y) ** 2)), rel=1e-5)
    np.testing.assert_allclose(r.states[0].numpy(), after_call, atol=1e-6)


@pytest.mark.parametrize("make", [lambda: L.LSTM(3), lambda: L.GRU(3, reset_after=False),
                                  lambda: L.SimpleRNN(3), lambda: L.LSTM(3, activation="relu")])
def test_recurrent_layers_under_mixed_float16(make):
    """float32 weights read as float16 in the step (strict dtypes: no implicit mixing)."""
    K.mixed_precision.set_global_policy("mixed_float16")
    try:
        layer = make()
        out = layer(_x(2, 4, 3))
        assert out.dtype == cf.float16 and layer.weights[0].dtype == cf.float32
        inp = K.Input((4, 3))
        assert make()(inp).dtype == "float16"
    finally:
        K.mixed_precision.set_global_policy("float32")
