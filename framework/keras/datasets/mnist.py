"""MNIST from the standard IDX files the user already has (no download here)."""
from __future__ import annotations

import gzip
import os

import numpy as np

_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")


def _read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big")
    ndim = magic & 0xFF
    if magic >> 8 != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {magic:#x})")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def _find(folder, base):
    for name in (base, base + ".gz", base.replace("-idx", ".idx")):
        p = os.path.join(folder, name)
        if os.path.exists(p):
            return p
    return None


def load_data(path="mnist"):
    """``(x_train, y_train), (x_test, y_test)`` from IDX files in the folder ``path``
    (plain or .gz). cuflow does not download: put the four files there first."""
    path = os.path.expanduser(os.fspath(path))
    if path.endswith(".npz") and os.path.exists(path):
        with np.load(path, allow_pickle=False) as f:
            return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
    found = [_find(path, b) for b in _FILES]
    if not all(found):
        missing = [b for b, f in zip(_FILES, found) if f is None]
        raise FileNotFoundError(
            f"MNIST IDX files not found in {path!r} (missing: {', '.join(missing)}). "
            "cuflow does not download datasets: place train-images-idx3-ubyte, "
            "train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte "
            "(optionally .gz) there, or use cf.keras.datasets.digits.load_data() offline.")
    xtr, ytr, xte, yte = (_read_idx(p) for p in found)
    return (xtr, ytr.astype(np.int64)), (xte, yte.astype(np.int64))
