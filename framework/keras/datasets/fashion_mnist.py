"""Fashion-MNIST from Keras's cache (``~/.keras/datasets/fashion-mnist/*.gz``)."""
from __future__ import annotations

import gzip
import os

import numpy as np

from ._cache import ORIGIN, cached

FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz",
         "t10k-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz")


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 (n, 28, 28) images, uint8 labels."""
    subdir = os.path.join("datasets", "fashion-mnist")
    paths = [cached(f, ORIGIN + f, cache_subdir=subdir) for f in FILES]
    out = []
    for labels_path, images_path in (paths[:2], paths[2:]):
        with gzip.open(labels_path, "rb") as f:
            y = np.frombuffer(f.read(), np.uint8, offset=8)
        with gzip.open(images_path, "rb") as f:
            x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y), 28, 28)
        out.append((x, y))
    return tuple(out)
