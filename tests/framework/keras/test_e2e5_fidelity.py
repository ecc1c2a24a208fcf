"""Fidelity fixes found by running keras.io example ports under TF 2.21 / Keras 3.15 and
cuflow side by side; every expected value below is what Keras printed."""
import numpy as np

import cuflow as cf

keras = cf.keras


def _mean_all(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - y_pred))


def test_custom_loss_sees_labels_of_the_predictions_rank():
    # a user's loss reducing over everything: (3,) labels vs (3, 1) predictions must not
    # broadcast to (3, 3) (the siamese example's contrastive loss)
    w = keras.losses.LossFunctionWrapper(_mean_all)
    yt = np.array([0., 1., 1.], "float32")
    yp = np.array([[0.5], [0.2], [0.9]], "float32")
    assert np.isclose(float(w(yt, yp)), 0.30000001192092896)
    assert np.isclose(float(w(yp, yt)), 0.30000001192092896)
    m = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile("sgd", _mean_all)
    assert np.isclose(m.evaluate(yp, yt, verbose=0), 0.30000001192092896)


def test_builtin_loss_squeezes_a_trailing_one_like_keras():
    yt3 = np.zeros((2, 3), "float32")
    yp3 = np.ones((2, 3, 1), "float32") * 0.5
    assert keras.losses.mean_squared_error(yt3, yp3).shape == (2,)
    assert keras.losses.mean_squared_error(yp3, yt3).shape == (2,)
    yp = np.array([[0.5], [0.2], [0.9]], "float32")
    assert keras.losses.mean_squared_error(yp, np.zeros(3, "float32")).shape == (3,)


def euclid(v):
    return v[0] - v[1]


def test_lambda_config_names_a_function_and_keeps_output_shape(tmp_path):
    # Keras 3.15: {'module': 'builtins', 'class_name': 'function', 'config': 'euclid',
    # 'registered_name': 'function'}, output_shape (3,), arguments {}
    a, b = keras.Input((3,)), keras.Input((3,))
    o = keras.layers.Lambda(euclid, output_shape=(3,))([a, b])
    m = keras.Model([a, b], o)
    c = m.layers[2].get_config()
    assert c["function"] == {"module": "builtins", "class_name": "function",
                             "config": "euclid", "registered_name": "function"}
    assert c["output_shape"] == (3,) and c["arguments"] == {}
    lam = keras.layers.Lambda(lambda v, s=3.0: v * s, output_shape=lambda s: s)
    c = lam.get_config()
    assert c["function"]["class_name"] == "__lambda__"
    assert c["function"]["config"]["defaults"] == (3.0,)
    assert c["output_shape"]["class_name"] == "__lambda__"
    fn = str(tmp_path / "m.keras")
    m.save(fn)
    x = np.ones((2, 3), "float32")
    m2 = keras.models.load_model(fn, custom_objects={"euclid": euclid})
    np.testing.assert_allclose(m2.predict([x, 2 * x], verbose=0), -x)
    assert m2.layers[2].function is euclid
    l2 = keras.layers.Lambda.from_config(lam.get_config(), safe_mode=False)
    np.testing.assert_allclose(l2(x), 3 * x)


def test_get_metrics_result_keeps_model_metrics_order():
    # Keras 3.15: ['loss', 'binary_accuracy', 'auc_flat'] (insertion, not sorted);
    # History and evaluate(return_dict=True) stay sorted
    m = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="sigmoid")])
    m.compile("adam", "binary_crossentropy",
              metrics=["binary_accuracy", keras.metrics.AUC(name="auc_flat")])
    x = np.ones((4, 3), "float32")
    y = np.ones((4, 2), "float32")
    h = m.fit(x, y, verbose=0)
    assert list(m.get_metrics_result()) == ["loss", "binary_accuracy", "auc_flat"]
    assert list(h.history) == ["auc_flat", "binary_accuracy", "loss"]
    assert list(m.evaluate(x, y, verbose=0, return_dict=True)) == \
        ["auc_flat", "binary_accuracy", "loss"]


class _OldStyleLoss(keras.Model):
    """compute_loss overridden without `training` (keras.io's knowledge distillation)."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1, kernel_initializer="ones")

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                     allow_empty=False):
        return keras.ops.mean(keras.ops.square(y - y_pred)) * 2.0

    def call(self, x):
        return self.dense(x)


def test_compute_loss_override_without_training_argument():
    m = _OldStyleLoss()
    m.compile("sgd")
    x = np.ones((4, 2), "float32")
    y = np.zeros((4, 1), "float32")
    h = m.fit(x, y, batch_size=4, epochs=1, verbose=0)
    assert np.isclose(h.history["loss"][0], 8.0)     # (1 + 1)^2 * 2
    assert np.isclose(m.evaluate(x, y, verbose=0), m.evaluate(x, y, verbose=0))


def test_metric_variables_are_keras_variables():
    # Keras 3.15: [('total', 'mean/total'), ('count', 'mean/count')], str dtype; a second
    # Precision in one session would be precision_1 (Keras's global names), so start one
    keras.backend.clear_session()
    m = keras.metrics.Mean()
    assert [(v.name, v.path) for v in m.variables] == [("total", "mean/total"),
                                                      ("count", "mean/count")]
    assert m.variables[0].dtype == "float32"
    p = keras.metrics.Precision()
    assert [v.path for v in p.variables] == ["precision/true_positives",
                                             "precision/false_positives"]
    m.update_state([1.0, 2.0, 3.0], sample_weight=[1, 0, 1])
    assert float(m.result()) == 2.0
    m.reset_state()
    assert float(m.variables[1].numpy()) == 0.0


def test_keras_tensor_shape_is_a_tuple():
    # Keras 3.15: <class 'tuple'> (None, 3) (None, 2)
    i = keras.Input((3,))
    o = keras.layers.Dense(2)(i)
    assert isinstance(i.shape, tuple) and repr(i.shape) == "(None, 3)"
    assert o.shape == (None, 2) and str(o.shape) == "(None, 2)"
    assert repr(i.shape[1:]) == "(3,)"
    # TensorShape's questions still answered for tf.keras 2 style code
    assert i.shape.rank == 2 and i.shape.as_list() == [None, 3]
    assert i.shape == cf.TensorShape([None, 3])


def test_transposed_conv_compute_output_shape_is_a_list():
    # Keras 3.15: [None, 10, 11, 3] / [None, 10, 2]; Conv2D a tuple (None, 6, 7, 3)
    assert keras.layers.Conv2DTranspose(3, 3).compute_output_shape((None, 8, 9, 2)) == \
        [None, 10, 11, 3]
    assert keras.layers.Conv1DTranspose(2, 3).compute_output_shape((None, 8, 2)) == \
        [None, 10, 2]
    assert keras.layers.Conv2D(3, 3).compute_output_shape((None, 8, 9, 2)) == (None, 6, 7, 3)
    inp = keras.Input((7, 9, 2))
    out = keras.layers.Conv2DTranspose(3, (2, 3), strides=(2, 1), padding="same",
                                       output_padding=(1, 0))(inp)
    assert out.shape == (None, 13, 9, 3)


# TF gives a variable read only by row gathers an IndexedSlices gradient, and Keras's
# optimizers square its slices before summing duplicate rows. Values from Keras 3.15.
_EMB_W = np.array([[1., 2.], [3., -1.], [0.5, 0.5], [1., 1.]], "float32")
_EMB_AFTER_2 = {  # rows 1 (id three times) and 2 (once) after two steps at lr 0.1
    "Adam": ([0.71889, 0.86907], [0.8, 0.8]),
    "SGD": ([-0.305, 0.565], [0.71, 0.71]),   # momentum 0.9
    "RMSprop": ([0.23306, 0.64279], [0.45436, 0.45436]),
    "Adagrad": ([0.76098, 0.88908], [0.83565, 0.83565]),
    "Nadam": ([0.74189, 0.87978], [0.81636, 0.81636]),
    "Adamax": ([0.8, 0.91429], [0.8, 0.8]),
}


def _two_steps(opt, lookup, compiled):
    e = keras.layers.Embedding(4, 2, embeddings_initializer="ones")
    ids = np.array([1, 1, 1, 2], "int32")
    e(ids)

    def step():
        with cf.GradientTape() as t:
            out = e(ids) if lookup == "layer" else cf.gather(e.embeddings, ids)
            loss = cf.reduce_sum(out * _EMB_W)
        g = t.gradient(loss, e.trainable_variables)
        opt.apply_gradients(zip(g, e.trainable_variables))
    step = cf.function(step) if compiled else step
    step()
    step()
    return e.embeddings.numpy()


def test_embedding_gradient_rows_squared_before_summing_like_tf():
    for name, (row1, row2) in _EMB_AFTER_2.items():
        for lookup, compiled in (("layer", False), ("gather", False), ("layer", True)):
            kw = {"momentum": 0.9} if name == "SGD" else {}
            w = _two_steps(getattr(keras.optimizers, name)(0.1, **kw), lookup, compiled)
            np.testing.assert_allclose(w[1], row1, atol=2e-5, err_msg=f"{name} {lookup}")
            np.testing.assert_allclose(w[2], row2, atol=2e-5, err_msg=f"{name} {lookup}")
            np.testing.assert_allclose(w[0], [1.0, 1.0])


def test_embedding_model_fit_with_adam_matches_keras():
    ids = np.array([[1, 1, 2], [1, 3, 3], [2, 2, 2], [0, 1, 3]], "int32")
    y = np.array([[1.0], [0.0], [1.0], [0.0]], "float32")
    m = keras.Sequential([keras.Input((3,), dtype="int32"),
                          keras.layers.Embedding(4, 2, embeddings_initializer="ones"),
                          keras.layers.Flatten(),
                          keras.layers.Dense(1, kernel_initializer="ones")])
    m.compile(keras.optimizers.Adam(0.1), "mse")
    h = m.fit(ids, y, batch_size=4, epochs=3, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [30.5, 14.800177, 6.098832], rtol=1e-5)
    np.testing.assert_allclose(m.get_weights()[0][:, 0], [0.71103, 0.43219, 0.43604, 0.50105],
                               atol=2e-5)


class _SigmoidOut(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = keras.layers.Dense(1, kernel_initializer="ones")

    def call(self, x):
        return cf.nn.sigmoid(self.d(x))


def test_subclassed_tf_sigmoid_output_trains_in_compiled_and_eager_fit():
    # Keras 3.15: losses 0.8780777 then 0.8504343, kernel 0.8362598 after two steps (the
    # compiled loss reads the sigmoid's logits; the unbuilt eager model trains from step 1)
    x = np.linspace(-1, 1, 8).reshape(4, 2).astype("float32")
    y = np.array([0, 1, 1, 0], "float32")
    for eager in (False, True):
        m = _SigmoidOut()
        m.compile(keras.optimizers.SGD(0.5), keras.losses.BinaryCrossentropy(),
                  run_eagerly=eager)
        assert np.isclose(m.train_on_batch(x, y), 0.8780777454376221)
        assert np.isclose(m.train_on_batch(x, y), 0.8504343032836914)
        np.testing.assert_allclose(m.get_weights()[0].ravel(), [0.8362598] * 2, rtol=1e-6)


def test_embedding_gradient_clipping_like_tf_indexed_slices():
    # Keras 3.15 rows 1 and 2 after two steps (clip per gathered row / by the rows' norm;
    # the global norm densifies)
    cases = [
        (keras.optimizers.Adam(0.1, clipnorm=0.5), [0.71889, 0.86907], [0.80001, 0.80001]),
        (keras.optimizers.Adam(0.1, clipvalue=0.5), [0.65359, 0.88453], [0.8, 0.8]),
        (keras.optimizers.Adam(0.1, global_clipnorm=0.5), [0.8, 0.8], [0.80001, 0.80001]),
        (keras.optimizers.SGD(0.1, clipnorm=0.5), [0.89243, 0.96414], [0.9761, 0.9761]),
    ]
    for opt, row1, row2 in cases:
        w = _two_steps(opt, "layer", False)
        np.testing.assert_allclose(w[1], row1, atol=2e-5)
        np.testing.assert_allclose(w[2], row2, atol=2e-5)


class _SoftmaxOut(keras.Model):
    def __init__(self):
        super().__init__()
        self.d = keras.layers.Dense(3, kernel_initializer="ones")

    def call(self, x):
        return cf.nn.softmax(self.d(x) * cf.constant([[1.0, 2.0, 3.0]]))


def test_subclassed_tf_softmax_output_trains_in_compiled_fit():
    # Keras 3.15: losses [1.52123, 1.23919, 1.15796]
    x = np.linspace(-1, 1, 8).reshape(4, 2).astype("float32")
    y = np.array([0, 1, 2, 0])
    m = _SoftmaxOut()
    m.compile(keras.optimizers.SGD(0.5), keras.losses.SparseCategoricalCrossentropy())
    h = m.fit(x, y, epochs=3, verbose=0, batch_size=2, shuffle=False)
    np.testing.assert_allclose(h.history["loss"], [1.52123, 1.23919, 1.15796], atol=2e-5)
    np.testing.assert_allclose(m.get_weights()[0][0], [1.3624, 0.5358, 0.609], atol=2e-4)


def test_embedding_rows_adadelta_ftrl_lamb_like_tf():
    cases = [
        (keras.optimizers.Adadelta(1.0), [0.996, 0.99814], [0.99715, 0.99715]),
        (keras.optimizers.Ftrl(0.1), [0.66268, 0.75236], [0.53414, 0.53414]),
        (keras.optimizers.Lamb(0.1), [0.63355, 0.82932], [0.73928, 0.73928]),
        (keras.optimizers.Lion(0.1), [0.8, 0.8], [0.8, 0.8]),   # sign: rows don't matter
    ]
    for opt, row1, row2 in cases:
        w = _two_steps(opt, "layer", False)
        np.testing.assert_allclose(w[1], row1, atol=2e-5)
        np.testing.assert_allclose(w[2], row2, atol=2e-5)
