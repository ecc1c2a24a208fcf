"""``cf.keras.utils``."""
from __future__ import annotations

import random as _random

import numpy as np

from .progbar import Progbar  # noqa: F401
from .summary import model_summary  # noqa: F401


def to_categorical(x, num_classes=None):
    """One-hot float32 rows from integer labels (trailing size-1 axis dropped, as Keras)."""
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(np.max(x)) + 1
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    x = np.asarray(x, dtype="float32")
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)


def set_random_seed(seed):
    """Seeds Python, NumPy and cuflow's global generator (Keras's reproducibility call)."""
    from ... import random as cf_random
    _random.seed(seed)
    np.random.seed(seed)
    cf_random.set_seed(seed)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", dpi=96, **kwargs):
    from .plotting import plot_model as _plot
    return _plot(model, to_file, show_shapes=show_shapes, show_layer_names=show_layer_names,
                 rankdir=rankdir, dpi=dpi)


def plot_history(history, to_file="history.png"):
    from .plotting import plot_history as _plot
    return _plot(history, to_file)


# --- keras-breadth ---
from .array_dataset_utils import split_dataset, timeseries_dataset_from_array  # noqa: E402,F401
from .dataset_utils import (image_dataset_from_directory,  # noqa: E402,F401
                            text_dataset_from_directory)
from .file_utils import get_file  # noqa: E402,F401
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: E402,F401
from .sequence_utils import pad_sequences  # noqa: E402,F401
