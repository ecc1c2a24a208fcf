"""MNIST from Keras's cache (``~/.keras/datasets/mnist.npz``) or from the standard IDX
files in a folder the user names (no download)."""
from __future__ import annotations

import gzip
import os
import struct

import numpy as np

_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte")


def read_idx(path):
    """A NumPy array from an IDX file (optionally .gz), checking its header."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file (bad magic number)")
    dtype = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4",
             0x0E: ">f8"}.get(data[2])
    if dtype is None:
        raise ValueError(f"{path}: unknown IDX element type {data[2]:#x}")
    ndim = data[3]
    shape = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    body = np.frombuffer(data, dtype=dtype, offset=4 + 4 * ndim)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: expected {int(np.prod(shape))} elements, found {body.size}")
    return body.reshape(shape)


def load_data(path="mnist.npz"):
    """((x_train, y_train), (x_test, y_test)): uint8 (n, 28, 28) images, uint8 labels.

    ``path``: a file name in Keras's cache (default ``mnist.npz``, as Keras), an .npz
    file, or a folder holding the four IDX files (named as on the MNIST site, plain or
    .gz)."""
    if os.path.isdir(path):
        return _load_idx(path)
    if not os.path.isfile(path):
        from ._cache import ORIGIN, cached
        path = cached(path, ORIGIN + "mnist.npz", file_hash=SHA256)
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def _load_idx(path):
    arrays = []
    for name in _FILES:
        for candidate in (os.path.join(path, name), os.path.join(path, name + ".gz")):
            if os.path.exists(candidate):
                arrays.append(read_idx(candidate))
                break
        else:
            raise FileNotFoundError(
                f"MNIST file {name}[.gz] not found in {os.path.abspath(path)}. cuflow does not "
                "download data sets: place the four IDX files there, or use "
                "cf.keras.datasets.digits.load_data() (bundled with scikit-learn).")
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])
