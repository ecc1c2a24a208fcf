"""scikit-learn's bundled 8x8 handwritten digits (1797 images), the offline default."""
from __future__ import annotations

import numpy as np


def load_data(test_split=0.2, seed=113, image_size=8):
    """((x_train, y_train), (x_test, y_test)) with uint8 images in [0, 255]; ``image_size=28``
    upsamples to MNIST's size (each pixel a 3x3 block, padded by 2)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("cf.keras.datasets.digits needs scikit-learn: pip install "
                          "scikit-learn") from e
    d = load_digits()
    images = (d.images * (255.0 / 16.0)).round().astype(np.uint8)
    if image_size == 28:
        images = np.kron(images, np.ones((1, 3, 3), np.uint8))
        images = np.pad(images, ((0, 0), (2, 2), (2, 2)))
    elif image_size != 8:
        raise ValueError("image_size must be 8 or 28")
    labels = d.target.astype(np.uint8)
    order = np.random.RandomState(seed).permutation(len(images))
    images, labels = images[order], labels[order]
    cut = int(len(images) * (1 - test_split))
    return (images[:cut], labels[:cut]), (images[cut:], labels[cut:])
