"""``Dataset.save`` / ``Dataset.load`` / ``Dataset.snapshot``: a dataset's elements in a
directory (one ``.npz`` of the encoded elements, written atomically, plus the element
spec as JSON), so a later program reads them back without recomputing the pipeline.

>>> import os, tempfile
>>> import cuflow as cf
>>> path = os.path.join(tempfile.mkdtemp(), "ds")
>>> cf.data.Dataset.range(3).map(lambda x: (x, x * 2)).save(path)
>>> [tuple(int(v) for v in e) for e in cf.data.Dataset.load(path)]
[(0, 0), (1, 2), (2, 4)]
"""
from __future__ import annotations

import json
import os

from .. import dtypes as _dt
from ..errors import NotFoundError
from ..tensor import Tensor
from ..tensor_spec import TensorSpec
from .cache import CacheDataset, _FileCacheReader
from .dataset_ops import Dataset
from .iterator import encode_elements

_ELEMENTS = "elements.npz"
_SPEC = "element_spec.json"


def save(dataset, path, compression=None, shard_func=None, checkpoint_args=None):
    """Writes every element of ``dataset`` under the directory ``path``."""
    from ..checkpoint import _atomic_savez, _atomic_text
    path = _as_path(path)
    elements = list(dataset)
    _atomic_savez(os.path.join(path, _ELEMENTS), encode_elements(elements))
    _atomic_text(os.path.join(path, _SPEC), json.dumps(_spec_json(dataset.element_spec)))


def load(path, element_spec=None, compression=None, reader_func=None):
    """The dataset ``save`` wrote under ``path``."""
    path = _as_path(path)
    data = os.path.join(path, _ELEMENTS)
    if not os.path.exists(data):
        raise NotFoundError(None, "load", f"Dataset.load: no saved dataset at {path!r} "
                            f"(missing {_ELEMENTS})")
    if element_spec is None:
        with open(os.path.join(path, _SPEC)) as f:
            element_spec = _spec_from_json(json.load(f))
    return LoadDataset(data, element_spec)


def snapshot(dataset, path, compression="AUTO", reader_func=None, shard_func=None):
    """Writes the elements under ``path`` on the first full pass; later passes (and later
    programs) read them from there."""
    return CacheDataset(dataset, os.path.join(_as_path(path), "snapshot"))


class LoadDataset(Dataset):
    _stage = "LoadDataset"

    def __init__(self, data_path, spec):
        import numpy as np
        self._path, self._spec = data_path, spec
        with np.load(data_path, allow_pickle=False) as d:
            self._n = int(d["n"])

    def _compute_spec(self):
        return self._spec

    def _cardinality(self):
        return self._n

    def _iterator(self, ctx):
        return _FileCacheReader(self._path, self._spec)


def _as_path(path):
    return os.fspath(path.numpy().decode() if isinstance(path, Tensor) else path)


def _spec_json(spec):
    if isinstance(spec, TensorSpec):
        dims = None if spec.shape.rank is None else spec.shape.as_list()
        return {"spec": dims, "dtype": spec.dtype.name}
    if isinstance(spec, dict):
        return {"dict": [[k, _spec_json(v)] for k, v in spec.items()]}
    if isinstance(spec, (tuple, list)):
        return {type(spec).__name__ if type(spec) in (tuple, list) else "tuple":
                [_spec_json(s) for s in spec]}
    raise TypeError(f"Dataset.save: cannot save elements with a {type(spec).__name__} "
                    "component")


def _spec_from_json(obj):
    if "spec" in obj:
        return TensorSpec(obj["spec"], _dt.as_dtype(obj["dtype"]))
    if "dict" in obj:
        return {k: _spec_from_json(v) for k, v in obj["dict"]}
    if "list" in obj:
        return [_spec_from_json(v) for v in obj["list"]]
    return tuple(_spec_from_json(v) for v in obj["tuple"])


__all__ = ["save", "load", "snapshot", "LoadDataset"]
