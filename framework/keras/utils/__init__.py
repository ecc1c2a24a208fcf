"""cf.keras.utils: to_categorical, normalize, set_random_seed."""
from __future__ import annotations

import numpy as np


def to_categorical(x, num_classes=None):
    """One-hot encodes integer labels (float32 output, as Keras)."""
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(x.max()) + 1
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1.0
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    x = np.asarray(x)
    n = np.linalg.norm(x, order, axis, keepdims=True)
    n[n == 0] = 1
    return x / n


def set_random_seed(seed):
    import random

    from .. import initializers
    random.seed(seed)
    np.random.seed(seed)
    initializers.set_seed(seed)
