"""Legacy Keras 2 / tf.keras HDF5 files (``model.save('m.h5')``, ``save_weights('w.h5')``):
the architecture is a JSON attribute (``model_config``), the compile arguments another
(``training_config``), and the weights live under ``model_weights/<layer>/...`` listed by
the ``layer_names`` / ``weight_names`` attributes, the optimizer state under
``optimizer_weights``. ``model.save('m.h5')`` writes it as Keras 3's
``save_model_to_hdf5`` does (real Keras loads it); reading restores weights, the compile
arguments and the optimizer state.
"""
from __future__ import annotations

import io
import json
import logging

import numpy as np

from .weights_h5 import _safe_group, keras_optimizer_order, read_dataset

HDF5_OBJECT_HEADER_LIMIT = 64512
LEGACY_WARNING = (
    "You are saving your model as an HDF5 file via `model.save()` or "
    "`keras.saving.save_model(model)`. This file format is considered legacy. We recommend "
    "using instead the native Keras format, e.g. `model.save('my_model.keras')` or "
    "`keras.saving.save_model(model, 'my_model.keras')`. ")


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
            _load_optimizer_weights(model, filepath)
    return model


def _load_optimizer_weights(model, filepath):
    """Keras's ``load_optimizer_weights_from_hdf5_group``: build the optimizer, then set
    its variables in Keras's order; a count mismatch warns and keeps a fresh state."""
    import h5py

    from .saving import _optimizer
    opt = _optimizer(model)
    with h5py.File(filepath, "r") as f:
        if "optimizer_weights" not in f or not model.built:
            return
        group = _safe_group(f, "optimizer_weights")
        values = [_read(group, n) for n in _names(group, "weight_names")]
    opt.build(model.trainable_variables)
    variables = keras_optimizer_order(opt, model)
    if len(variables) != len(values) or any(
            tuple(v.shape) != tuple(a.shape) for v, a in zip(variables, values)):
        logging.getLogger("absl").warning(
            "Error in loading the saved optimizer state. As a result, your model is "
            "starting with a freshly initialized optimizer.")
        return
    for v, a in zip(variables, values):
        v.assign(np.asarray(a).astype(v.dtype.np))


# --- writing -------------------------------------------------------------------------------
def warn_legacy():
    """Keras logs this through absl (``WARNING:absl:...`` on stderr)."""
    logger = logging.getLogger("absl")
    if logger.hasHandlers():
        logger.warning(LEGACY_WARNING)
    else:
        import sys
        print(f"WARNING:absl:{LEGACY_WARNING}", file=sys.stderr)


def _attr_list(group, name, data):
    """Keras's ``save_attributes_to_hdf5_group``: a list attribute, split into numbered
    chunks when it outgrows HDF5's object-header limit."""
    bad = [x for x in data if len(x) > HDF5_OBJECT_HEADER_LIMIT]
    if bad:
        raise RuntimeError("The following attributes cannot be saved to HDF5 file because "
                           f"they are larger than {HDF5_OBJECT_HEADER_LIMIT} bytes: {bad}")
    array = np.asarray(data)
    chunks, n = [array], 1
    while any(c.nbytes > HDF5_OBJECT_HEADER_LIMIT for c in chunks):
        n += 1
        chunks = np.array_split(array, n)
    if n > 1:
        for i, chunk in enumerate(chunks):
            group.attrs[f"{name}{i}"] = chunk
    else:
        group.attrs[name] = data


def _weight_path(v, prefix=None):
    path = getattr(v, "path", None)
    if path:
        return path
    name = v.name.split(":")[0]
    return f"{prefix}/{name}" if prefix else name


def _write_weights(group, variables, names):
    _attr_list(group, "weight_names", [n.encode("utf8") for n in names])
    for name, v in zip(names, variables):
        value = np.asarray(v.numpy())
        ds = group.create_dataset(name.encode("utf8"), value.shape, dtype=value.dtype)
        if value.shape:
            ds[:] = value
        else:
            ds[()] = value


def model_metadata(model, include_optimizer=True):
    """Root attributes: keras_version, backend, model_config, training_config."""
    from .saving import _keras_version, _optimizer
    from .serialization import compile_config, serialize
    meta = {"keras_version": _keras_version(), "backend": "tensorflow",
            "model_config": {"class_name": type(model).__name__,
                             "config": serialize(model)["config"]}}
    opt = _optimizer(model) if getattr(model, "optimizer", None) is not None else None
    if include_optimizer and opt is not None and getattr(model, "compiled", True):
        training = compile_config(model)
        training.pop("optimizer", None)
        training["optimizer_config"] = {"class_name": serialize(opt)["class_name"],
                                        "config": serialize(opt.get_config())}
        meta["training_config"] = training
    return meta


def write_legacy_h5(model, include_optimizer=True):
    """The bytes of a legacy Keras H5 file holding ``model`` (Keras 3's
    ``save_model_to_hdf5`` layout)."""
    import h5py

    from .saving import _json_default, _keras_version, _optimizer
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for key, value in model_metadata(model, include_optimizer).items():
            f.attrs[key] = json.dumps(value, default=_json_default).encode("utf8") \
                if isinstance(value, dict) else value
        weights = f.create_group("model_weights")
        layers = list(model.layers)
        _attr_list(weights, "layer_names", [layer.name.encode("utf8") for layer in layers])
        weights.attrs["backend"] = b"tensorflow"
        weights.attrs["keras_version"] = _keras_version().encode("utf8")
        for layer in sorted(layers, key=lambda x: x.name):
            variables = list(layer.trainable_weights) + list(layer.non_trainable_weights)
            _write_weights(weights.create_group(layer.name), variables,
                           [_weight_path(v) for v in variables])
        _write_weights(weights.create_group("top_level_model_weights"), [], [])
        opt = _optimizer(model) if getattr(model, "optimizer", None) is not None else None
        if include_optimizer and opt is not None:
            variables = keras_optimizer_order(opt, model)
            if variables:
                _write_weights(f.create_group("optimizer_weights"), variables,
                               [_weight_path(v, opt.name) for v in variables])
    return buf.getvalue()

