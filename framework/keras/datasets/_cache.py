"""Reading Keras's cached data set files: the cache path (``get_file``), and a
restricted unpickler for the pickled NumPy payloads (CIFAR batches, IMDB's ragged arrays)
that only rebuilds NumPy arrays, dtypes and plain containers."""
from __future__ import annotations

import pickle
import zipfile

import numpy as np

from ..utils.file_utils import get_file

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_ALLOWED = {("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
            ("numpy", "ndarray"), ("numpy", "dtype"), ("numpy.core.multiarray", "scalar"),
            ("numpy._core.multiarray", "scalar"), ("builtins", "list"), ("builtins", "dict")}


class RestrictedUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name} from a data file")
        return super().find_class(module, name)


def cached(fname, origin, **kwargs):
    """The path of ``fname`` in Keras's cache, downloaded from ``origin`` when absent."""
    return get_file(fname, origin=origin, **kwargs)


def load_npz(path):
    """{name: array} of an .npz whose object arrays are loaded with the restricted
    unpickler (np.load(allow_pickle=True) would run any pickle)."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            with z.open(name) as f:
                version = np.lib.format.read_magic(f)
                read = (np.lib.format.read_array_header_1_0 if version == (1, 0) else
                        np.lib.format.read_array_header_2_0)
                shape, fortran, dtype = read(f)
                if dtype.hasobject:
                    arr = RestrictedUnpickler(f, encoding="latin1").load()
                else:
                    arr = np.frombuffer(f.read(), dtype=dtype).reshape(
                        shape, order="F" if fortran else "C")
            out[name[:-4] if name.endswith(".npy") else name] = arr
    return out
