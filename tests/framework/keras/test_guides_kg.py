"""Gaps found by running the keras.io developer guides as programs under TF 2.21 /
Keras 3.15 and cuflow (expected values are Keras 3.15's output)."""
import numpy as np

import cuflow as cf

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
