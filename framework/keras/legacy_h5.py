"""Legacy Keras 2 / tf.keras HDF5 files (``model.save('m.h5')``, ``save_weights('w.h5')``):
the architecture is a JSON attribute (``model_config``), the compile arguments another
(``training_config``), and the weights live under ``model_weights/<layer>/...`` listed by
the ``layer_names`` / ``weight_names`` attributes. Read only (cuflow writes Keras 3's
formats); the optimizer state of such files is not restored.
"""
from __future__ import annotations

import json

from .weights_h5 import _safe_group, read_dataset


def _text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def _names(group, attr):
    return [_text(n) for n in group.attrs.get(attr, [])]


def _read(group, path):
    parent, _, key = path.rpartition("/")
    holder = _safe_group(group, parent) if parent else group
    if holder is None or key not in holder:
        raise ValueError(f"Invalid legacy H5 file: no weight '{path}' in group "
                         f"'{group.name}'")
    return read_dataset(holder, key)


def load_legacy_weights(model, source, skip_mismatch=False):
    """Keras 2's ``load_weights_from_hdf5_group``: the file's layers that hold weights are
    matched with the model's layers that hold weights, by name when every stored name is
    a layer of the model (full-model files), else in order."""
    import h5py
    with h5py.File(source, "r") as f:
        root = _safe_group(f, "model_weights") if "model_weights" in f else f
        stored = []
        for name in _names(root, "layer_names"):
            group = _safe_group(root, name)
            weight_names = _names(group, "weight_names") if group is not None else []
            if weight_names:
                stored.append((name, [_read(group, w) for w in weight_names]))
    layers = [layer for layer in getattr(model, "layers", [model]) if layer.weights]
    by_name = {layer.name: layer for layer in layers}
    if len(layers) == len(stored) and all(name in by_name for name, _ in stored):
        layers = [by_name[name] for name, _ in stored]
    if len(layers) != len(stored):
        raise ValueError(f"Layer count mismatch when loading weights from file. Model "
                         f"expected {len(layers)} layers, found {len(stored)} saved layers.")
    for layer, (name, values) in zip(layers, stored):
        variables = layer.trainable_weights + layer.non_trainable_weights
        if len(values) != len(variables) or any(
                tuple(v.shape) != tuple(a.shape) for v, a in zip(variables, values)):
            msg = (f"Weight count or shape mismatch for layer '{layer.name}' (saved as "
                   f"'{name}'): the model holds {[tuple(v.shape) for v in variables]}, the "
                   f"file {[tuple(a.shape) for a in values]}")
            if skip_mismatch:
                import warnings
                warnings.warn(msg + "; skipped", stacklevel=3)
                continue
            raise ValueError(msg)
        for v, a in zip(variables, values):
            v.assign(a.astype(v.dtype.np))


def load_legacy_h5(filepath, custom_objects=None, compile=True, safe_mode=True):
    """A model from a legacy full-model HDF5 file."""
    import h5py

    from .saving import custom_object_scope
    from .serialization import compile_kwargs, deserialize
    with h5py.File(filepath, "r") as f:
        if "model_config" not in f.attrs:
            raise ValueError(f"No model config found in the file at {filepath}.")
        config = json.loads(_text(f.attrs["model_config"]))
        training = f.attrs.get("training_config")
        training = json.loads(_text(training)) if training is not None else None
    with custom_object_scope(custom_objects or {}):
        model = deserialize(config, custom_objects, safe_mode)
        load_legacy_weights(model, filepath)
        if compile and training:
            cc = dict(training)
            cc["optimizer"] = cc.pop("optimizer_config", None)
            for key in ("metrics", "weighted_metrics"):  # Keras 2 nests them per output
                spec = cc.get(key)
                if isinstance(spec, list) and len(spec) == 1 and isinstance(spec[0], list) \
                        and len(getattr(model, "outputs", [None])) == 1:
                    cc[key] = spec[0]
            model.compile(**compile_kwargs(cc, custom_objects))
    return model
