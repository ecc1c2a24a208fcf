"""cuflow demo: the classic Keras MLP, unchanged, trained on scikit-learn's digits.

The 8x8 digits are upsampled to 28x28 (np.kron to 24x24, zero-padded by 2) so the
seed snippet's ``input_shape=(784,)`` runs as written. Prints the test accuracy, saves
the model to ``demo_model.keras`` and, when cf.summary is available, TensorBoard logs.
"""
import os
import sys
import time

import numpy as np

import cuflow as cf


def load_digits_784():
    (x_train, y_train), (x_test, y_test) = cf.keras.datasets.digits.load_data(test_split=0.2)

    def to784(x):
        big = np.kron(x.astype(np.float32) / 16.0, np.ones((3, 3), np.float32))
        return np.pad(big, ((0, 0), (2, 2), (2, 2))).reshape(len(x), 784)
    return (to784(x_train), y_train), (to784(x_test), y_test)


def main(out_dir="."):
    cf.keras.utils.set_random_seed(0)
    (x_train, y_train), (x_test, y_test) = load_digits_784()
    y_train = cf.keras.utils.to_categorical(y_train, 10)
    y_test = cf.keras.utils.to_categorical(y_test, 10)

    model = cf.keras.Sequential([
        cf.keras.layers.Dense(128, activation='relu', input_shape=(784,)),
        cf.keras.layers.Dense(10, activation='softmax')
    ])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    model.summary()

    callbacks = []
    try:
        callbacks.append(cf.keras.callbacks.TensorBoard(os.path.join(out_dir, "logs")))
    except (ImportError, AttributeError) as e:
        print(f"(TensorBoard logging off: {e})")

    t0 = time.perf_counter()
    model.fit(x_train, y_train, batch_size=32, epochs=30, validation_split=0.1,
              callbacks=callbacks, verbose=2)
    print(f"trained in {time.perf_counter() - t0:.1f}s")
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"test loss {loss:.4f} - test accuracy {acc:.4f}")
    path = os.path.join(out_dir, "demo_model.keras")
    model.save(path)
    again = cf.keras.models.load_model(path)
    same = np.allclose(again.predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    print(f"saved {path} (reloaded, same predictions: {same})")
    if acc < 0.97:
        print("test accuracy below 97%", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
