"""CIFAR-10 from Keras's cache (``~/.keras/datasets/cifar-10-batches-py-target``, the
extracted python-version archive, or the archive itself)."""
from __future__ import annotations

import os

import numpy as np

from ._cache import RestrictedUnpickler, cached

ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
SHA256 = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"


def load_batch(fpath, label_key="labels"):
    """(data (n, 3, 32, 32) uint8, labels list) of one pickled CIFAR batch."""
    with open(fpath, "rb") as f:
        d = RestrictedUnpickler(f, encoding="bytes").load()
    d = {k.decode("utf8") if isinstance(k, bytes) else k: v for k, v in d.items()}
    data = d["data"]
    return data.reshape(data.shape[0], 3, 32, 32), d[label_key]


def load_data():
    """((x_train, y_train), (x_test, y_test)): uint8 (n, 32, 32, 3) images, (n, 1) labels."""
    path = cached("cifar-10-batches-py-target", ORIGIN, extract=True, file_hash=SHA256)
    path = os.path.join(path, "cifar-10-batches-py")
    parts = [load_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    x_train = np.concatenate([p[0] for p in parts]).astype("uint8")
    y_train = np.concatenate([np.asarray(p[1]) for p in parts]).astype("uint8")
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_train = y_train.reshape(len(y_train), 1)
    y_test = np.asarray(y_test).reshape(len(y_test), 1).astype(y_train.dtype)
    return ((x_train.transpose(0, 2, 3, 1), y_train),
            (x_test.astype(x_train.dtype).transpose(0, 2, 3, 1), y_test))
