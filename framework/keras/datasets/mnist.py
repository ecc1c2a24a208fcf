"""MNIST from the standard IDX files the user already has (no download)."""
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


def load_data(path="mnist"):
    """((x_train, y_train), (x_test, y_test)) from IDX files in the directory ``path``
    (files named as on the MNIST site, plain or .gz)."""
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
