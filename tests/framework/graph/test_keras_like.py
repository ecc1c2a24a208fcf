"""cf.function around a Keras-style training step: lazily built layers (variables created
on the first trace from random initializers), an Adam optimizer whose slots appear on the
first step, metric variables, a Python ``training`` flag and a smaller last batch."""
from __future__ import annotations

import cuflow as cf
import numpy as np


class Dense:
    def __init__(self, units, activation=None):
        self.units, self.activation = units, activation
        self.kernel = self.bias = None

    def __call__(self, x, training=False):
        if self.kernel is None:       # built on first call, like Keras
            self.kernel = cf.Variable(cf.random.stateless_normal([x.shape[-1], self.units],
                                                       seed=[1, self.units]) * 0.3)
            self.bias = cf.Variable(cf.zeros([self.units]))
        y = cf.matmul(x, self.kernel) + self.bias
        if self.activation == "relu":
            y = cf.maximum(y, 0.0)
        if training:
            y = y * 1.0
        return y

    @property
    def trainable_variables(self):
        return [self.kernel, self.bias]


class Adam:
    def __init__(self, lr=0.05, b1=0.9, b2=0.999, eps=1e-7):
        self.lr, self.b1, self.b2, self.eps = lr, b1, b2, eps
        self.iterations = cf.Variable(0, dtype=cf.int64, trainable=False)
        self.slots = {}

    def apply_gradients(self, pairs):
        self.iterations.assign_add(1)
        t = cf.cast(self.iterations, cf.float32)
        for g, v in pairs:
            if id(v) not in self.slots:
                self.slots[id(v)] = (cf.Variable(cf.zeros_like(v), trainable=False),
                                     cf.Variable(cf.zeros_like(v), trainable=False))
            m, s = self.slots[id(v)]
            m.assign(self.b1 * m + (1 - self.b1) * g)
            s.assign(self.b2 * s + (1 - self.b2) * g * g)
            mh = m / (1 - cf.pow(self.b1, t))
            sh = s / (1 - cf.pow(self.b2, t))
            v.assign_sub(self.lr * mh / (cf.sqrt(sh) + self.eps))


class Model:
    def __init__(self):
        self.layers = [Dense(16, "relu"), Dense(1)]
        self.optimizer = Adam()
        self.loss_sum = cf.Variable(0.0, trainable=False)
        self.count = cf.Variable(0.0, trainable=False)

    def __call__(self, x, training=False):
        for layer in self.layers:
            x = layer(x, training=training)
        return x

    @property
    def trainable_variables(self):
        return [v for layer in self.layers for v in layer.trainable_variables]

    def train_step(self, data):
        x, y = data
        with cf.GradientTape() as tape:
            pred = self(x, training=True)
            loss = cf.reduce_mean(cf.square(pred - y))
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.loss_sum.assign_add(loss)
        self.count.assign_add(1.0)
        return {"loss": loss}


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(100, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32) + 0.3).astype(np.float32)
    return [(cf.constant(x[i:i + 32]), cf.constant(y[i:i + 32])) for i in range(0, 100, 32)]


def _fit(step, model, epochs=8):
    losses = []
    for _ in range(epochs):
        for batch in _data():
            losses.append(float(step(batch)["loss"]))
    return losses


def test_compiled_train_step_matches_eager_and_traces_once_per_batch_shape():
    eager_model, graph_model = Model(), Model()
    eager = _fit(eager_model.train_step, eager_model)
    step = cf.function(graph_model.train_step)
    graph = _fit(step, graph_model)
    np.testing.assert_allclose(graph, eager, rtol=2e-4, atol=1e-6)
    assert graph[-1] < graph[0] * 0.2
    # batches of 32 and the last of 4; as TF, the first trace created the optimizer's
    # slot variables, so that call was traced twice
    assert step.experimental_get_tracing_count() == 3
    for a, b in zip(graph_model.trainable_variables, eager_model.trainable_variables):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=2e-3, atol=1e-5)
    assert int(graph_model.optimizer.iterations.numpy()) == 32
    assert float(graph_model.count.numpy()) == 32.0


def test_predict_function_with_relaxed_batch_dimension():
    model = Model()
    model(cf.zeros([1, 3]))                 # build eagerly
    predict = cf.function(lambda x: model(x), input_signature=[cf.TensorSpec([None, 3])])
    for n in (1, 7, 32):
        x = cf.constant(np.ones((n, 3), np.float32))
        np.testing.assert_allclose(predict(x).numpy(), model(x).numpy(), rtol=1e-6)
    assert predict.experimental_get_tracing_count() == 1
