"""scikit-learn's bundled 8x8 digits (1797 images), offline: a cuflow addition."""
from __future__ import annotations

import numpy as np


def load_data(test_split=0.2, seed=113):
    """Returns ``(x_train, y_train), (x_test, y_test)``: uint8 images (N, 8, 8) in 0..16,
    int64 labels; shuffled with ``seed`` then split (last ``test_split`` is test)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as e:
        raise ImportError("cf.keras.datasets.digits needs scikit-learn "
                          "(pip install scikit-learn)") from e
    d = load_digits()
    x = d.images.astype(np.uint8)
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(seed).permutation(len(x))
    x, y = x[perm], y[perm]
    n_test = int(round(len(x) * test_split))
    return (x[:-n_test], y[:-n_test]), (x[-n_test:], y[-n_test:])
