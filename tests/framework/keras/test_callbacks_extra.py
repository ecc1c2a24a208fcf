"""SwapEMAWeights and RemoteMonitor (framework/keras/callbacks_extra.py).

Values marked "TF 2.21" came from /work/tfenv (TensorFlow 2.21, Keras 3.15)."""
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

import numpy as np
import pytest

import cuflow as cf

X = np.array([[1.0, 2.0], [3.0, 4.0], [0.5, -1.0], [2.0, 0.0]], "float32")
Y = np.array([[1.0], [2.0], [0.0], [1.0]], "float32")


def _model():
    model = cf.keras.Sequential([cf.keras.Input((2,)), cf.keras.layers.Dense(
        1, kernel_initializer="ones", bias_initializer="zeros")])
    model.compile(cf.keras.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.5), "mse")
    return model


@pytest.mark.parametrize("swap_on_epoch", [False, True])
def test_swap_ema_weights_matches_tf(swap_on_epoch):
    model = _model()
    cb = cf.keras.callbacks.SwapEMAWeights(swap_on_epoch=swap_on_epoch)
    h = model.fit(X, Y, batch_size=2, epochs=3, verbose=0, shuffle=False, callbacks=[cb],
                  validation_data=(X, Y))
    np.testing.assert_allclose(h.history["loss"], [9.68313, 28.55, 83.16681], rtol=1e-5)  # TF
    np.testing.assert_allclose(h.history["val_loss"], [28.64328, 27.52161, 98.65849], rtol=1e-5)
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(kernel.ravel(), [-1.15325, -2.77369], rtol=1e-5)  # TF 2.21
    np.testing.assert_allclose(bias, [-0.84153], rtol=1e-4)
    assert model.evaluate(X, Y, verbose=0, callbacks=[cb]) == pytest.approx(98.65849, rel=1e-5)
    np.testing.assert_allclose(model.predict(X[:1], verbose=0, callbacks=[cb]), [[-7.54216]],
                               rtol=1e-5)


def test_swap_ema_weights_needs_use_ema():
    model = cf.keras.Sequential([cf.keras.Input((2,)), cf.keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    with pytest.raises(ValueError, match="use_ema=True"):
        model.evaluate(X, Y, verbose=0, callbacks=[cf.keras.callbacks.SwapEMAWeights()])


def test_swap_moves_weights_both_ways():
    model = _model()
    model.fit(X, Y, epochs=1, verbose=0)
    cb = cf.keras.callbacks.SwapEMAWeights()
    cb.set_model(model)
    var = model.trainable_variables[0]
    ema = model.optimizer._slots[id(var)]["ema"]
    var.assign(np.zeros((2, 1), "float32"))
    ema.assign(np.ones((2, 1), "float32"))
    cb.on_test_begin()
    assert var.numpy().ravel().tolist() == [1.0, 1.0] and ema.numpy().ravel().tolist() == [0, 0]
    cb.on_test_end()
    assert var.numpy().ravel().tolist() == [0.0, 0.0]


class _Handler(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.received.append((self.path, self.headers.get("Content-Type"),
                              self.headers.get("X-Token"), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_remote_monitor_posts_epoch_logs():
    _Handler.received = []
    server = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    root = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        model = _model()
        model.fit(X, Y, epochs=2, verbose=0,
                  callbacks=[cf.keras.callbacks.RemoteMonitor(root=root)])
        model.fit(X, Y, epochs=1, verbose=0, callbacks=[cf.keras.callbacks.RemoteMonitor(
            root=root, path="/p", send_as_json=True, headers={"X-Token": "t"})])
    finally:
        server.shutdown()
        server.server_close()
    assert [r[0] for r in _Handler.received] == ["/publish/epoch/end/"] * 2 + ["/p"]
    form = json.loads(urllib.parse.parse_qs(_Handler.received[1][3])["data"][0])
    assert sorted(form) == ["epoch", "loss"] and form["epoch"] == 1
    path, ctype, token, body = _Handler.received[2]
    assert ctype == "application/json" and token == "t" and json.loads(body)["epoch"] == 0


def test_remote_monitor_unreachable_warns():
    cb = cf.keras.callbacks.RemoteMonitor(root="http://127.0.0.1:9")
    with pytest.warns(UserWarning, match="Could not reach RemoteMonitor"):
        cb.on_epoch_end(0, {"loss": np.float32(1.0)})
