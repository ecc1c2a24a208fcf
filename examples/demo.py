"""`make demo`: the seed Keras model, unchanged, trained on real handwritten digits.

scikit-learn's bundled 8x8 digits (1797 images, offline) are upsampled to MNIST's 28x28
and flattened to 784 features; 80/20 train/test split. Prints the progress bar and the
test accuracy, saves the model to artifacts/model.keras, its training curves to
artifacts/history.png and its graph to artifacts/model.png, and TensorBoard logs to logs/
(view them with `.venv/bin/tensorboard --logdir logs`). Exits non-zero below 97%.
To train on real MNIST instead, pass the folder holding its four IDX files:
`python examples/demo.py --mnist path/to/mnist`.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

import cuflow as cf


def load(mnist_dir=None):
    if mnist_dir:
        (x_train, y_train), (x_test, y_test) = cf.keras.datasets.mnist.load_data(mnist_dir)
    else:
        (x_train, y_train), (x_test, y_test) = cf.keras.datasets.digits.load_data(
            test_split=0.2, image_size=28)
    prep = lambda x: (x.reshape(len(x), 784) / 255.0).astype("float32")  # noqa: E731
    return (prep(x_train), cf.keras.utils.to_categorical(y_train, 10),
            prep(x_test), cf.keras.utils.to_categorical(y_test, 10))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--mnist", default=None, help="folder with the MNIST IDX files")
    parser.add_argument("--out", default="artifacts")
    parser.add_argument("--logdir", default="logs")
    args = parser.parse_args(argv)

    cf.keras.utils.set_random_seed(0)
    x_train, y_train, x_test, y_test = load(args.mnist)
    print(f"train {x_train.shape}, test {x_test.shape}, device {cf.constant(0.0).device}")

    # The seed snippet, exactly as a TensorFlow user writes it:
    model = cf.keras.Sequential([
        cf.keras.layers.Dense(128, activation='relu', input_shape=(784,)),
        cf.keras.layers.Dense(10, activation='softmax')
    ])
    model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])
    model.summary()

    callbacks = []
    try:
        callbacks.append(cf.keras.callbacks.TensorBoard(log_dir=args.logdir))
    except (ImportError, AttributeError) as e:  # the tensorboard extra is optional
        print(f"(no TensorBoard logs: {e})")
    history = model.fit(x_train, y_train, epochs=args.epochs, batch_size=args.batch_size,
                        validation_split=0.1, callbacks=callbacks, verbose=1)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "model.keras")
    model.save(path)
    print(f"test loss {loss:.4f}, test accuracy {acc:.4f}; model saved to {path}")
    try:  # the pictures: training curves and the model graph (matplotlib, cuflow[demo])
        plots = [cf.keras.utils.plot_history(history, os.path.join(args.out, "history.png"))]
        plots.append(os.path.join(args.out, "model.png"))
        cf.keras.utils.plot_model(model, to_file=plots[1], show_shapes=True,
                                  show_layer_names=True, show_layer_activations=True)
        print("plots: " + ", ".join(plots))
    except ImportError as e:
        print(f"(no plots: {e})")
    if callbacks:
        print(f"TensorBoard logs in {args.logdir}/: .venv/bin/tensorboard --logdir "
              f"{args.logdir}")
    return 0 if acc >= 0.97 else 1


if __name__ == "__main__":
    sys.exit(main())
