"""End-to-end: small TensorFlow 2 programs, written as TF users write them (only the import
line changed), run across cf.data, cf.function, GradientTape, Keras and cf.summary."""
import numpy as np

import cuflow as tf


def test_custom_training_loop_with_dataset_function_and_summary(tmp_path):
    tf.random.set_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 3)).astype("float32")
    true_w = np.array([[1.5], [-2.0], [0.5]], np.float32)
    y = x @ true_w + 0.3
    ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(256, seed=1).batch(32)
    w = tf.Variable(tf.zeros([3, 1]))
    b = tf.Variable(0.0)
    opt = tf.keras.optimizers.SGD(learning_rate=0.1)
    writer = tf.summary.create_file_writer(str(tmp_path))

    @tf.function
    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            pred = tf.matmul(xb, w) + b
            loss = tf.reduce_mean(tf.square(pred - yb))
        grads = tape.gradient(loss, [w, b])
        opt.apply_gradients(zip(grads, [w, b]))
        return loss

    step = 0
    with writer.as_default():
        for epoch in range(20):
            for xb, yb in ds:
                loss = train_step(xb, yb)
                tf.summary.scalar("loss", loss, step=step)
                step += 1
    writer.flush()
    np.testing.assert_allclose(w.numpy(), true_w, atol=1e-2)
    np.testing.assert_allclose(float(b.numpy()), 0.3, atol=1e-2)
    assert train_step.experimental_get_tracing_count() == 1
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    acc = EventAccumulator(str(tmp_path), size_guidance={"tensors": 0})
    acc.Reload()
    assert len(acc.Tensors("loss")) == step


def test_keras_functional_two_inputs_trains_from_a_dataset():
    tf.keras.utils.set_random_seed(1)
    a_in = tf.keras.Input(shape=(4,), name="a")
    b_in = tf.keras.Input(shape=(2,), name="b")
    h = tf.keras.layers.Concatenate()([tf.keras.layers.Dense(8, activation="relu")(a_in),
                                       b_in])
    out = tf.keras.layers.Dense(1, activation="sigmoid")(h)
    model = tf.keras.Model(inputs=[a_in, b_in], outputs=out)
    model.compile(optimizer=tf.keras.optimizers.Adam(0.01), loss="binary_crossentropy",
                  metrics=["accuracy"])
    rng = np.random.default_rng(2)
    a = rng.normal(size=(512, 4)).astype("float32")
    b = rng.normal(size=(512, 2)).astype("float32")
    y = ((a[:, 0] + b[:, 1]) > 0).astype("float32")[:, None]
    ds = tf.data.Dataset.from_tensor_slices(((a, b), y)).batch(32)
    hist = model.fit(ds, epochs=15, verbose=0)
    assert set(hist.history) == {"loss", "accuracy"}
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert hist.history["accuracy"][-1] > 0.9
    preds = model.predict((a[:5], b[:5]), verbose=0)
    assert preds.shape == (5, 1)


def test_seed_model_snippet_trains_and_round_trips(tmp_path):
    tf.keras.utils.set_random_seed(3)
    model = tf.keras.Sequential([
        tf.keras.layers.Dense(128, activation='relu', input_shape=(784,)),
        tf.keras.layers.Dense(10, activation='softmax')
    ])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    rng = np.random.default_rng(4)
    centers = rng.normal(size=(10, 784)).astype("float32")
    labels = rng.integers(0, 10, 600)
    x = centers[labels] + 0.5 * rng.normal(size=(600, 784)).astype("float32")
    y = tf.keras.utils.to_categorical(labels, 10)
    hist = model.fit(x, y, epochs=3, batch_size=32, validation_split=0.2, verbose=0)
    assert set(hist.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert hist.history["val_accuracy"][-1] > 0.9
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = tf.keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(x[:8], verbose=0), model.predict(x[:8], verbose=0),
                               rtol=1e-6)
