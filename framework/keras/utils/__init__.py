"""``cf.keras.utils``."""
from __future__ import annotations

import os
import random as _random

import numpy as np

from ..layers.feature_space import FeatureSpace  # noqa: F401
from .config import Config  # noqa: F401
from .progbar import Progbar  # noqa: F401
from .py_dataset import PyDataset, Sequence  # noqa: F401
from .summary import model_summary  # noqa: F401


def to_categorical(x, num_classes=None):
    """One-hot rows from integer labels (a trailing size-1 axis dropped, as Keras): a
    float64 NumPy array for array-likes, a float32 tensor for tensors (Keras 3)."""
    from ...tensor import Tensor
    if isinstance(x, Tensor):
        from ..ops import one_hot
        if len(x.shape) > 1 and x.shape[-1] == 1:
            x = x[..., 0]
        return one_hot(x, num_classes if num_classes else int(x.numpy().max()) + 1)
    x = np.asarray(x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(x)) + 1
    out = np.zeros((x.shape[0], num_classes))
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def get_source_inputs(tensor):
    """The Input tensors a symbolic tensor is computed from (a list, each once, in the
    order met); anything else comes back unchanged, as Keras's.

    >>> import cuflow as cf
    >>> a, b = cf.keras.Input((3,), name="a"), cf.keras.Input((3,), name="b")
    >>> y = cf.keras.layers.Add()([cf.keras.layers.Dense(3)(a), b])
    >>> [t.name for t in cf.keras.utils.get_source_inputs(y)]
    ['a', 'b']
    """
    from ..keras_tensor import KerasTensor
    if not isinstance(tensor, KerasTensor):
        return tensor
    if tensor.node is None:
        return [tensor]
    sources = []
    for x in tensor.node.input_tensors:
        for source in get_source_inputs(x):
            if all(source is not s for s in sources):
                sources.append(source)
    return sources


def normalize(x, axis=-1, order=2):
    """``x`` scaled to unit ``order``-norm along ``axis``: NumPy in, NumPy out (its dtype,
    as Keras); tensors go through ``keras.ops.normalize``."""
    if not isinstance(x, np.ndarray):
        from ..ops import normalize as ops_normalize
        return ops_normalize(x, axis=axis, order=order)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis or -1)


def set_random_seed(seed):
    """Seeds Python, NumPy and cuflow's global generator (Keras's reproducibility call)."""
    from ... import random as cf_random
    _random.seed(seed)
    np.random.seed(seed)
    cf_random.set_seed(seed)


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, **kwargs):
    """Draws the model's layer graph to an image file (PNG unless ``to_file`` says .pdf,
    .svg, .jpg...), as Keras 3's ``plot_model`` (matplotlib instead of Graphviz).

    >>> import os, tempfile
    >>> import cuflow as cf
    >>> model = cf.keras.Sequential([cf.keras.layers.Dense(4, input_shape=(3,)),
    ...                              cf.keras.layers.Dense(1)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.png")
    >>> _ = cf.keras.utils.plot_model(model, to_file=path, show_shapes=True)
    >>> open(path, "rb").read(4) == b"\\x89PNG"
    True
    """
    from .plotting import draw, model_graph
    kwargs.pop("splines", None)  # a Graphviz option: matplotlib draws straight edges
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the model first by "
                         "calling `build()` or by calling the model on a batch of data.")
    graph = model_graph(model, show_shapes=show_shapes, show_dtype=show_dtype,
                        show_layer_names=show_layer_names, expand_nested=expand_nested,
                        show_layer_activations=show_layer_activations,
                        show_trainable=show_trainable)
    extension = os.path.splitext(to_file)[1][1:].lower() or "png"
    draw(graph, to_file, rankdir=rankdir, dpi=dpi, fmt=extension)
    if extension != "pdf":
        try:  # Keras returns the image for display in notebooks
            from IPython import display
            return display.Image(filename=to_file)
        except ImportError:
            pass
    return None


def plot_history(history, to_file="history.png", dpi=100):
    """Saves loss and metrics per epoch (training and ``val_``) of a ``History`` (or its
    ``history`` dict) as an image; cuflow's addition (Keras has no such helper)."""
    from .plotting import plot_history as _plot
    return _plot(history, to_file, dpi)


# --- keras-breadth ---
from .audio_dataset_utils import audio_dataset_from_directory  # noqa: E402,F401
from .array_dataset_utils import split_dataset, timeseries_dataset_from_array  # noqa: E402,F401
from .dataset_utils import (image_dataset_from_directory,  # noqa: E402,F401
                            text_dataset_from_directory)
from .file_utils import get_file  # noqa: E402,F401
from ..layers.feature_space import FeatureSpace  # noqa: E402,F401
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: E402,F401
from .sequence_utils import pad_sequences  # noqa: E402,F401

# --- the rest of keras.utils' namespace (defined where they belong) ---
from ..backend import clear_session  # noqa: E402,F401
from ..backend import standardize_dtype  # noqa: E402,F401
from ..data_adapter import (pack_x_y_sample_weight,  # noqa: E402,F401
                            unpack_x_y_sample_weight)
from ..keras_tensor import is_keras_tensor  # noqa: E402,F401
from ..saving import (custom_object_scope, deserialize_keras_object,  # noqa: E402,F401
                      get_custom_objects, get_registered_name, get_registered_object,
                      register_keras_serializable, serialize_keras_object)
from .io_utils import (disable_interactive_logging,  # noqa: E402,F401
                       enable_interactive_logging, is_interactive_logging_enabled)

CustomObjectScope = custom_object_scope
# --- apis1 ---
from .model_to_dot import model_to_dot  # noqa: E402,F401
from . import legacy  # noqa: E402,F401
from . import bounding_boxes  # noqa: E402,F401
