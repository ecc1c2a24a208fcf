"""LSTM / GRU / SimpleRNN step equations vs NumPy; masking, Bidirectional, TimeDistributed."""
import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers


def _sig(z):
    return 1 / (1 + np.exp(-z))


def _x():
    return np.random.default_rng(0).random((4, 5, 3)).astype("float32")


def test_lstm_matches_keras_equations_and_weight_layout():
    x = _x()
    lstm = L.LSTM(6, return_sequences=True, return_state=True)
    seq, h, c = lstm(x)
    assert [w.name for w in lstm.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [tuple(w.shape) for w in lstm.weights] == [(3, 24), (6, 24), (24,)]
    w, u, b = (v.numpy().astype(np.float64) for v in lstm.weights)
    np.testing.assert_array_equal(b[6:12], 1.0)  # unit_forget_bias
    hh, cc = np.zeros((4, 6)), np.zeros((4, 6))
    for t in range(5):
        i, f, g, o = np.split(x[:, t] @ w + hh @ u + b, 4, axis=-1)
        cc = _sig(f) * cc + _sig(i) * np.tanh(g)
        hh = _sig(o) * np.tanh(cc)
        np.testing.assert_allclose(seq.numpy()[:, t], hh, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(c.numpy(), cc, rtol=1e-5, atol=1e-6)


def test_gru_reset_after_matches_keras_equations():
    x = _x()
    gru = L.GRU(4, go_backwards=True)
    out = gru(x)
    w, u, b = (v.numpy().astype(np.float64) for v in gru.weights)
    assert b.shape == (2, 12)
    hh = np.zeros((4, 4))
    for t in reversed(range(5)):
        xz, xr, xh = np.split(x[:, t] @ w + b[0], 3, -1)
        rz, rr, rh = np.split(hh @ u + b[1], 3, -1)
        z, r = _sig(xz + rz), _sig(xr + rr)
        hh = z * hh + (1 - z) * np.tanh(xh + r * rh)
    np.testing.assert_allclose(out.numpy(), hh, rtol=1e-5, atol=1e-6)


def test_masked_steps_are_skipped_through_sequential():
    model = cf.keras.Sequential([L.Embedding(10, 4, mask_zero=True), L.SimpleRNN(3)])
    padded = model(np.array([[3, 5, 0, 0]])).numpy()
    short = model(np.array([[3, 5]])).numpy()
    np.testing.assert_allclose(padded, short, rtol=1e-6)


def test_bidirectional_and_time_distributed_shapes_and_gradients():
    x = _x()
    bi = L.Bidirectional(L.LSTM(3, return_sequences=True))
    td = L.TimeDistributed(L.Dense(2))
    with cf.GradientTape() as tape:
        y = td(bi(x))
        loss = cf.reduce_sum(y * y)
    assert tuple(y.shape) == (4, 5, 2)
    grads = tape.gradient(loss, bi.trainable_weights + td.trainable_weights)
    assert len(grads) == 8 and all(g is not None for g in grads)


def test_stateful_lstm_carries_state_between_calls():
    layer = L.LSTM(2, stateful=True)
    x = _x()[:, :2]
    first = layer(x).numpy()
    second = layer(x).numpy()
    assert not np.allclose(first, second)
    layer.reset_states()
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"go_backwards": True, "return_sequences": True},
                                {"return_state": True}, {"zero_output_for_mask": True,
                                                         "return_sequences": True}])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_fused_rnn_equals_the_step_by_step_cell(kind, kw, masked):
    """The fused sequence op (standard activations) against the same layer run step by step
    (an equivalent recurrent activation that is not Keras's sigmoid disables fusion)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 5, 4)).astype("float32")
    mask = np.ones((3, 5), bool)
    if masked:
        mask[0, 3:] = False
        mask[2, 0] = False

    def run(recurrent_activation):
        layer = getattr(cf.keras.layers, kind)(6, recurrent_activation=recurrent_activation,
                                               **kw)
        layer.build((3, 5, 4))
        r = np.random.default_rng(1)
        layer.set_weights([r.normal(size=w.shape).astype("float32") * 0.5
                           for w in layer.get_weights()])
        xt = cf.constant(x)
        with cf.GradientTape() as tape:
            tape.watch(xt)
            out = layer(xt, mask=cf.constant(mask) if masked else None)
            loss = sum(cf.reduce_sum(o * o) for o in cf.nest.flatten(out))
        grads = tape.gradient(loss, [xt] + layer.trainable_weights)
        return [o.numpy() for o in cf.nest.flatten(out)], [g.numpy() for g in grads]

    rnn = getattr(cf.keras.layers, kind)
    assert rnn(2).cell.fusable
    assert not rnn(2, recurrent_activation=lambda z: cf.sigmoid(z)).cell.fusable
    fused = run("sigmoid")
    stepwise = run(lambda z: cf.sigmoid(z))
    for a, b in zip(fused[0] + fused[1], stepwise[0] + stepwise[1]):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-5)
