"""Without a C compiler (CUFLOW_NATIVE=0) every CPU path that uses cuflow's C kernels
falls back to NumPy/Numba with the same results: a Keras fit (fused Adam, softmax and
cross-entropy overrides, C-fused groups of the compiled step), an LSTM and a convnet
(the direct C convolution)."""
import json
import os
import subprocess
import sys

import numpy as np

_PROGRAM = r"""
import json, sys
import numpy as np
import cuflow as cf
K = cf.keras
rng = np.random.default_rng(0)
x = rng.normal(size=(64, 12)).astype("float32")
y = np.eye(4, dtype="float32")[rng.integers(0, 4, 64)]
m = K.Sequential([K.Input((12,)), K.layers.Dense(16, activation="relu"),
                  K.layers.Dense(4, activation="softmax")])
m.set_weights([rng.normal(size=w.shape).astype("float32") * 0.3 for w in m.get_weights()])
m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
h = m.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
s = rng.normal(size=(8, 5, 3)).astype("float32")
r = K.Sequential([K.Input((5, 3)), K.layers.LSTM(4), K.layers.Dense(1)])
r.set_weights([rng.normal(size=w.shape).astype("float32") * 0.3 for w in r.get_weights()])
r.compile(optimizer="sgd", loss="mse")
r.fit(s, np.ones((8, 1), "float32"), batch_size=4, epochs=1, shuffle=False, verbose=0)
c = K.Sequential([K.Input((10, 10, 3)), K.layers.Conv2D(8, 3, padding="same"),
                  K.layers.Conv2D(4, 3), K.layers.Flatten(), K.layers.Dense(1)])
c.set_weights([rng.normal(size=w.shape).astype("float32") * 0.3 for w in c.get_weights()])
c.compile(optimizer="sgd", loss="mse")
c.fit(rng.normal(size=(16, 10, 10, 3)).astype("float32"), np.ones((16, 1), "float32"),
      batch_size=16, epochs=2, shuffle=False, verbose=0)
from cuflow_kernels.cpu import native
print(json.dumps({"w": [w.ravel().tolist() for w in m.get_weights() + r.get_weights() +
                        c.get_weights()],
                  "loss": h.history["loss"], "native": native.available()}))
"""


def _run(env_extra):
    env = dict(os.environ, **env_extra)
    out = subprocess.run([sys.executable, "-c", _PROGRAM], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_fit_without_a_compiler_gives_the_same_weights(tmp_path):
    native = _run({"CUFLOW_CACHE_DIR": str(tmp_path)})
    plain = _run({"CUFLOW_NATIVE": "0", "CUFLOW_CACHE_DIR": str(tmp_path)})
    assert plain["native"] is False
    np.testing.assert_allclose(native["loss"], plain["loss"], rtol=1e-5)
    for a, b in zip(native["w"], plain["w"]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
