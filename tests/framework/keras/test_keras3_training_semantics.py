"""Keras 3 training semantics found by the TF parity run (bench/keras_parity.py), checked
here without TensorFlow: expected values follow Keras 3.15's source."""
import numpy as np
import pytest

import cuflow as cf

K, L = cf.keras, cf.keras.layers


def _two_outputs(first="zeta", second="alpha"):
    inp = K.Input((3,))
    h = L.Dense(4, activation="relu")(inp)
    return K.Model(inp, [L.Dense(2, activation="softmax", name=first)(h),
                         L.Dense(1, name=second)(h)])


def _xy():
    rng = np.random.default_rng(0)
    x = rng.random((32, 3), dtype=np.float32)
    return x, np.eye(2, dtype=np.float32)[(x[:, 0] > 0.5).astype(int)], x[:, :1] * 2


def test_per_output_losses_and_dicts_follow_output_names():
    """Dict losses/weights/targets go by output name, not alphabetically; History has
    '<output>_loss' (unweighted) after the compiled metrics, as Keras 3."""
    K.utils.set_random_seed(0)
    x, y_cls, y_reg = _xy()
    model = _two_outputs()  # outputs: zeta (classes) then alpha (regression)
    model.compile("sgd", loss={"alpha": "mse", "zeta": "categorical_crossentropy"},
                  loss_weights={"alpha": 0.5, "zeta": 1.0},
                  metrics={"zeta": "accuracy", "alpha": ["mae"]})
    h = model.fit(x, {"alpha": y_reg, "zeta": y_cls}, epochs=1, batch_size=32, verbose=0)
    # Keras 3 sorts the logs by key (pythonify_logs); checked against Keras 3.15 on TF
    assert list(h.history) == ["alpha_loss", "alpha_mae", "loss", "zeta_accuracy",
                               "zeta_loss"]
    logs = model.evaluate(x, {"alpha": y_reg, "zeta": y_cls}, verbose=0, return_dict=True)
    p_cls, p_reg = model.predict(x, verbose=0)
    cce = float(np.mean(-np.sum(y_cls * np.log(np.clip(p_cls, 1e-7, 1)), -1)))
    mse = float(np.mean((y_reg - p_reg) ** 2))
    np.testing.assert_allclose(logs["zeta_loss"], cce, rtol=1e-5)
    np.testing.assert_allclose(logs["alpha_loss"], mse, rtol=1e-5)
    np.testing.assert_allclose(logs["loss"], cce + 0.5 * mse, rtol=1e-5)


def test_single_loss_serves_every_output():
    x, y_cls, y_reg = _xy()
    model = _two_outputs()
    model.compile("sgd", loss="mse")
    logs = model.evaluate(x, [y_cls, y_reg], verbose=0, return_dict=True)
    assert set(logs) == {"loss", "zeta_loss", "alpha_loss"}
    np.testing.assert_allclose(logs["loss"], logs["zeta_loss"] + logs["alpha_loss"],
                               rtol=1e-6)


def test_metrics_ignore_sample_weight_weighted_metrics_do_not():
    x, y, _ = _xy()
    model = K.Sequential([L.Input((3,)), L.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy", metrics=["accuracy"],
                  weighted_metrics=["accuracy"])
    sw = np.where(np.arange(32) < 16, 0.0, 1.0).astype(np.float32)
    logs = model.evaluate(x, y, sample_weight=sw, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "loss", "weighted_accuracy"]
    assert model.evaluate(x, y, sample_weight=sw, verbose=0)[0] == logs["loss"]
    pred = model.predict(x, verbose=0).argmax(1) == y.argmax(1)
    np.testing.assert_allclose(logs["accuracy"], pred.mean(), rtol=1e-6)
    np.testing.assert_allclose(logs["weighted_accuracy"], pred[16:].mean(), rtol=1e-6)


def test_metric_strings_by_snake_case_name():
    model = K.Sequential([L.Input((3,)), L.Dense(2, activation="softmax")])
    model.compile("sgd", "categorical_crossentropy",
                  metrics=["poisson", "kl_divergence", "categorical_hinge", "accuracy",
                           "accuracy"])
    x, y, _ = _xy()
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert list(logs) == ["accuracy", "accuracy_1", "categorical_hinge", "kl_divergence",
                          "loss", "poisson"]
    # a list in metrics order, loss first; as Keras 3.15, the repeated metric's plain name
    # repeats 'accuracy' and its own key follows among the rest
    values = model.evaluate(x, y, verbose=0)
    assert values == [logs[k] for k in ["loss", "poisson", "kl_divergence",
                                        "categorical_hinge", "accuracy", "accuracy",
                                        "accuracy_1"]]
    with pytest.raises(ValueError, match="Could not interpret metric"):
        model.compile("sgd", "mse", metrics=["no_such_metric"])
        model.evaluate(x, y, verbose=0)


def test_ema_starts_at_the_first_update_and_is_written_back_after_fit():
    """Keras 3: average momentum is 0 on the first step; fit ends with
    finalize_variable_values (the model holds the averages)."""
    v = cf.Variable(np.array([1.0, 2.0], np.float32))
    opt = K.optimizers.SGD(0.1, use_ema=True, ema_momentum=0.9)
    opt.apply_gradients([(cf.constant([1.0, 1.0]), v)])
    ema = opt._slots[id(v)]["ema"]
    np.testing.assert_allclose(ema.numpy(), [0.9, 1.9], rtol=1e-6)
    opt.apply_gradients([(cf.constant([1.0, 1.0]), v)])
    np.testing.assert_allclose(ema.numpy(), 0.9 * np.array([0.9, 1.9]) + 0.1 * v.numpy(),
                               rtol=1e-6)

    x, y, _ = _xy()
    model = K.Sequential([L.Input((3,)), L.Dense(2, activation="softmax")])
    model.compile(K.optimizers.Adam(0.05, use_ema=True), "categorical_crossentropy")
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    for w in model.trainable_weights:
        np.testing.assert_array_equal(w.numpy(), model.optimizer._slots[id(w)]["ema"].numpy())


@pytest.mark.parametrize("loss,act", [("categorical_crossentropy", "softmax"),
                                      ("sparse_categorical_crossentropy", "softmax"),
                                      ("binary_crossentropy", "sigmoid")])
@pytest.mark.parametrize("eager", [True, False])
def test_crossentropy_uses_the_logits_behind_a_softmax_or_sigmoid(loss, act, eager):
    """Keras 3 on TF caches an activation's logits on its output (``_keras_logits``; in a
    graph also the producing op): the loss is then exact where probabilities would clip.
    Expected values printed by Keras 3.15 on TF 2.21 for this model."""
    x = np.array([[30., -30.], [1., 2.]], np.float32)
    y = np.array([[0., 1.], [1., 0.]], np.float32)
    want = {"softmax": 30.656631469726562, "sigmoid": 15.610047340393066}[act]
    for layers in ([L.Dense(2, activation=act, kernel_initializer="identity")],
                   [L.Dense(2, kernel_initializer="identity"), L.Activation(act)]):
        model = K.Sequential([K.Input((2,))] + layers)
        model.compile("sgd", loss, run_eagerly=eager)
        yy = np.argmax(y, -1) if loss.startswith("sparse") else y
        np.testing.assert_allclose(model.evaluate(x, yy, verbose=0), want, rtol=1e-5)
    # the plain function on a softmax tensor too; from_logits=True on it warns, as Keras
    probs = K.activations.softmax(cf.constant(x))
    np.testing.assert_allclose(K.losses.categorical_crossentropy(y, probs).numpy(),
                               [60.0, 1.3132616], rtol=1e-5)
    with pytest.warns(UserWarning, match="from_logits=True"):
        K.losses.categorical_crossentropy(y, probs, from_logits=True)


def test_a_model_without_call_trains_through_its_own_train_step():
    """Keras's VAE/GAN pattern: no call(), a custom train_step using sublayers, fit(x)
    hands the step x itself, and History holds the dict the step returns."""
    seen = []

    class Auto(K.Model):
        def __init__(self):
            super().__init__()
            self.enc = K.Sequential([K.Input((4,)), L.Dense(2)])
            self.dec = K.Sequential([K.Input((2,)), L.Dense(4)])
            self.tracker = K.metrics.Mean(name="total")

        @property
        def metrics(self):
            return [self.tracker]

        def train_step(self, data):
            seen.append(type(data).__name__)
            with cf.GradientTape() as tape:
                loss = cf.reduce_mean(cf.square(self.dec(self.enc(data)) - data))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.tracker.update_state(loss)
            return {"reconstruction": self.tracker.result(), "a_loss": loss}

    model = Auto()
    model.compile(optimizer="adam")
    x = np.random.default_rng(0).random((32, 4)).astype("float32")
    hist = model.fit(x, epochs=2, batch_size=8, verbose=0)
    assert list(hist.history) == ["a_loss", "reconstruction"]   # sorted, as TF's logs
    assert hist.history["reconstruction"][1] < hist.history["reconstruction"][0]
    assert set(seen) <= {"Tensor", "SymbolicTensor"}  # x alone, not (x, None, None)


def test_train_step_receives_keras_packed_batches():
    got = []

    class Probe(K.Sequential):
        def train_step(self, data):
            got.append(len(data) if isinstance(data, tuple) else "x")
            return super().train_step(data)

    model = Probe([K.Input((2,)), L.Dense(1)])
    model.compile("sgd", "mse", run_eagerly=True)
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    model.fit(x, y, batch_size=4, verbose=0)
    model.fit(x, y, sample_weight=np.ones(4, "float32"), batch_size=4, verbose=0)
    assert got == [2, 3]


def _reg_cls_model():
    inp = K.Input((4,), name="x")
    h = L.Dense(3, activation="relu", name="h")(inp)
    return K.Model(inp, {"reg": L.Dense(1, name="reg")(h),
                         "cls": L.Dense(2, activation="softmax", name="cls")(h)})


def test_per_output_loss_trackers_average_batches_unweighted_when_compiled():
    """Keras weights each output's loss tracker by the static batch dim, None in TF's
    traced step: compiled evaluate averages per-batch losses unweighted, while the total
    'loss' is weighted by the batch size (checked against Keras 3.15 on TF)."""
    rng = np.random.default_rng(0)
    x = rng.random((20, 4), dtype=np.float32)
    y1 = rng.random((20, 1), dtype=np.float32)
    y2 = rng.integers(0, 2, (20,))
    model = _reg_cls_model()
    model.compile("sgd", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"})
    pred = model.predict(x, verbose=0)["reg"]
    per_batch = [np.mean((pred[a:b] - y1[a:b]) ** 2) for a, b in ((0, 8), (8, 16), (16, 20))]
    logs = model.evaluate(x, {"reg": y1, "cls": y2}, batch_size=8, verbose=0,
                          return_dict=True)
    np.testing.assert_allclose(logs["reg_loss"], np.mean(per_batch), rtol=1e-5)
    model.compile("sgd", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"},
                  run_eagerly=True)     # eagerly the batch dim is known: weighted
    logs = model.evaluate(x, {"reg": y1, "cls": y2}, batch_size=8, verbose=0,
                          return_dict=True)
    np.testing.assert_allclose(logs["reg_loss"], np.mean((pred - y1) ** 2), rtol=1e-5)


def test_dict_loss_order_sets_output_loss_tracker_order():
    """With dict outputs and a dict loss, Keras builds the per-output losses in the loss
    dict's order: model.metrics and evaluate()'s list follow it."""
    rng = np.random.default_rng(1)
    x = rng.random((6, 4), dtype=np.float32)
    y = {"reg": rng.random((6, 1), dtype=np.float32), "cls": rng.integers(0, 2, (6,))}
    model = _reg_cls_model()
    model.compile("sgd", loss={"reg": "mse", "cls": "sparse_categorical_crossentropy"})
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert [m.name for m in model.metrics] == ["loss", "reg_loss", "cls_loss"]
    values = model.evaluate(x, y, verbose=0)
    np.testing.assert_allclose(values, [logs["loss"], logs["reg_loss"], logs["cls_loss"]],
                               rtol=1e-6)
    model.compile("sgd", loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"})
    model.evaluate(x, y, verbose=0)
    assert [m.name for m in model.metrics] == ["loss", "cls_loss", "reg_loss"]


def test_custom_train_step_updates_compile_metrics_container():
    """keras.io's custom train_step loops over self.metrics: 'compile_metrics' takes
    update_state(y, y_pred, sw) and its dict result is flattened into the logs."""
    class M(K.Model):
        def train_step(self, data):
            x, y, sw = K.utils.unpack_x_y_sample_weight(data)
            with cf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred, sample_weight=sw)
            self.optimizer.apply_gradients(zip(tape.gradient(loss, self.trainable_variables),
                                               self.trainable_variables))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred, sw)
            return {m.name: m.result() for m in self.metrics}

    rng = np.random.default_rng(0)
    x = rng.random((16, 4), dtype=np.float32)
    y = x.sum(1, keepdims=True)
    inp = K.Input((4,))
    model = M(inp, L.Dense(1, kernel_initializer="zeros")(inp))
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    hist = model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert sorted(hist.history) == ["loss", "mae"]
    np.testing.assert_allclose(hist.history["mae"][0], np.mean(np.abs(y)), rtol=1e-5)


def test_losses_cleared_per_outer_call_and_ordered_as_keras():
    """add_loss losses of this call only (the outermost call clears the last ones), all
    add_loss losses first, then the trainable weights' regularization."""
    class Act(L.Layer):
        def call(self, x):
            self.add_loss(cf.reduce_sum(x))
            return x

    model = K.Sequential([K.Input((2,)), L.Dense(2, kernel_initializer="ones",
                                                  kernel_regularizer=K.regularizers.L2(0.5)),
                          Act()])
    model(np.ones((1, 2), np.float32))
    model(np.ones((1, 2), np.float32))
    values = [float(v) for v in model.losses]
    assert values == [4.0, 2.0]     # one activity loss (sum of [2, 2]), then 0.5 * 4


def test_tensor_keras_mask_attribute():
    out = L.Embedding(10, 2, mask_zero=True)(np.array([[1, 0]]))
    assert out._keras_mask.numpy().tolist() == [[True, False]]
    assert getattr(cf.constant(1.0), "_keras_mask", None) is None


def test_history_order_of_a_custom_step_returning_compile_metrics():
    """A train_step returning {m.name: m.result() for m in self.metrics} hands fit
    {'loss': ..., 'compile_metrics': {'mae': ...}}; Keras sorts and flattens level by level,
    so History lists mae (from compile_metrics) before loss (TF 2.21 / Keras 3.15)."""
    import cuflow as cf
    keras = cf.keras

    class M(keras.Model):
        def train_step(self, data):
            x, y = data
            with cf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(y=y, y_pred=y_pred)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            for metric in self.metrics:
                if metric.name == "loss":
                    metric.update_state(loss)
                else:
                    metric.update_state(y, y_pred)
            return {m.name: m.result() for m in self.metrics}

    x = np.linspace(0, 1, 32, dtype="float32").reshape(8, 4)
    y = x.sum(1, keepdims=True)
    inp = keras.Input((4,))
    m = M(inp, keras.layers.Dense(1)(inp))
    m.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    h = m.fit(x, y, epochs=2, batch_size=4, verbose=0)
    assert list(h.history) == ["mae", "loss"] and len(h.history["loss"]) == 2
