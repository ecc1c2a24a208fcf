"""Saving: ``.keras`` zip (config.json + model.weights.npz), weights files, JSON configs.

Weights are stored as NumPy ``.npz`` (``allow_pickle=False`` on load: never pickle) keyed
by variable path; a ``.weights.h5`` name is accepted but the content is npz too. Files are
written to a temp file in the same folder and moved into place with ``os.replace``.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
import threading
import zipfile

import numpy as np

_custom_objects: dict = {}
_tls = threading.local()


def _safe_mode():
    return getattr(_tls, "safe_mode", True)


# --- custom objects ---------------------------------------------------------------------
def register_keras_serializable(package="Custom", name=None):
    def deco(cls):
        _custom_objects[f"{package}>{name or cls.__name__}"] = cls
        _custom_objects[name or cls.__name__] = cls
        return cls
    return deco


def get_custom_objects():
    return _custom_objects


class custom_object_scope:  # noqa: N801 (Keras name)
    def __init__(self, *objects):
        self._new = {}
        for o in objects:
            self._new.update(o or {})

    def __enter__(self):
        self._old = dict(_custom_objects)
        _custom_objects.update(self._new)
        return self

    def __exit__(self, *exc):
        _custom_objects.clear()
        _custom_objects.update(self._old)


CustomObjectScope = custom_object_scope


def _lookup(class_name, custom_objects=None):
    from . import layers, models
    from .layers import core
    for table in (custom_objects or {}, _custom_objects):
        if class_name in table:
            return table[class_name]
    for mod in (layers, core, models):
        if hasattr(mod, class_name):
            return getattr(mod, class_name)
    raise TypeError(f"Could not locate class {class_name!r}. Make sure custom classes "
                    "are decorated with `@keras.saving.register_keras_serializable()` "
                    "or passed in `custom_objects`.")


# --- layer / model configs ---------------------------------------------------------------
def serialize_layer(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(cfg, custom_objects=None):
    cls = _lookup(cfg["class_name"], custom_objects)
    conf = dict(cfg["config"])
    if cfg["class_name"] == "InputLayer":
        from .layers.core import InputLayer
        return InputLayer(batch_shape=conf.get("batch_shape"), dtype=conf.get("dtype"),
                          name=conf.get("name"))
    if hasattr(cls, "from_config"):
        import inspect
        params = inspect.signature(cls.from_config).parameters
        if "custom_objects" in params:
            return cls.from_config(conf, custom_objects=custom_objects)
        return cls.from_config(conf)
    return cls(**conf)


serialize_model = serialize_layer


def deserialize_model(cfg, custom_objects=None):
    return deserialize_layer(cfg, custom_objects)


def functional_config(model):
    """Layers with their inbound calls as [layer, node_index, tensor_index] references."""
    import cuflow as cf

    from .layers.symbolic import KerasTensor
    node_ids = {}
    for layer in model.layers:
        for i, node in enumerate(layer._inbound_nodes):
            node_ids[id(node)] = (layer.name, i)

    def ref(t):
        if getattr(t, "_input_layer", None) is not None:
            return [t._input_layer.name, 0, 0]
        name, i = node_ids[id(t.node)]
        idx = [id(o) for o in cf.nest.flatten(t.node.outputs)].index(id(t))
        return [name, i, idx]
    used = {id(n) for n in model._nodes}
    layers = []
    for layer in model.layers:
        entry = serialize_layer(layer)
        entry["name"] = layer.name
        entry["inbound_nodes"] = [
            [ref(t) for t in cf.nest.flatten(n.inputs) if isinstance(t, KerasTensor)]
            + ([True] if isinstance(n.inputs, (list, tuple)) else [])
            for n in layer._inbound_nodes if id(n) in used]
        layers.append(entry)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "input_layers": [ref(t) for t in model.inputs],
            "output_layers": [ref(t) for t in model.outputs]}


def functional_from_config(cls, config, custom_objects=None):
    made, out = {}, {}
    for entry in config["layers"]:
        made[entry["name"]] = deserialize_layer(entry, custom_objects)
    pending = list(config["layers"])
    while pending:
        progress = False
        for entry in list(pending):
            layer = made[entry["name"]]
            if entry["class_name"] == "InputLayer":
                out[(entry["name"], 0, 0)] = layer.output
                pending.remove(entry)
                progress = True
                continue
            done = sum(1 for k in out if k[0] == entry["name"] and k[2] == 0)
            nodes = entry["inbound_nodes"]
            while done < len(nodes):
                refs = [r for r in nodes[done] if r is not True]
                if not all(tuple(r) in out for r in refs):
                    break
                args = [out[tuple(r)] for r in refs]
                listy = len(refs) > 1 or (nodes[done] and nodes[done][-1] is True)
                res = layer(args if listy else args[0])
                import cuflow as cf
                for j, t in enumerate(cf.nest.flatten(res)):
                    out[(entry["name"], done, j)] = t
                done += 1
                progress = True
            if done == len(nodes):
                pending.remove(entry)
        if not progress:
            raise ValueError("Cannot rebuild the functional model: unresolved layer inputs")
    ins = [out[tuple(r)] for r in config["input_layers"]]
    outs = [out[tuple(r)] for r in config["output_layers"]]
    return cls(ins if len(ins) > 1 else ins[0], outs if len(outs) > 1 else outs[0],
               name=config.get("name"))


def model_from_json(json_string, custom_objects=None):
    return deserialize_model(json.loads(json_string), custom_objects)


# --- files ------------------------------------------------------------------------------
def _atomic_write(path, data: bytes):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _weights_npz(model):
    buf = io.BytesIO()
    arrays = {f"{i:04d}:{w.path}": np.asarray(w.numpy()) for i, w in enumerate(model.weights)}
    opt = getattr(model, "optimizer", None)
    if opt is not None and hasattr(opt, "_slots"):
        arrays["optimizer:iterations"] = np.asarray(opt._step, np.int64)
        index = {id(w): i for i, w in enumerate(model.weights)}
        for (vid, name), (_, _, value) in opt._slots.items():
            if vid in index:
                arrays[f"optimizer:{index[vid]:04d}:{name}"] = np.asarray(value)
    np.savez(buf, **arrays)
    return buf.getvalue()


def _load_npz(model, data, with_optimizer=True):
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        keys = sorted(k for k in z.files if not k.startswith("optimizer:"))
        ws = model.weights
        if len(keys) != len(ws):
            raise ValueError(f"The weights file holds {len(keys)} variables, but the model "
                             f"{model.name!r} has {len(ws)}")
        for k, w in zip(keys, ws):
            v = z[k]
            if tuple(v.shape) != tuple(w.shape):
                raise ValueError(f"Weight {w.path} expects shape {tuple(w.shape)}, the file "
                                 f"has {v.shape} (key {k})")
            w.assign(v.astype(w.dtype.as_numpy_dtype))
        opt = getattr(model, "optimizer", None)
        if with_optimizer and opt is not None and "optimizer:iterations" in z.files:
            opt._step = int(z["optimizer:iterations"])
            opt.iterations.assign(np.int64(opt._step))
            for k in z.files:
                if k.startswith("optimizer:") and k != "optimizer:iterations":
                    _, idx, name = k.split(":", 2)
                    opt._put_slot(ws[int(idx)], name, np.array(z[k]))


def save_weights(model, filepath):
    filepath = os.fspath(filepath)
    if not (filepath.endswith(".weights.h5") or filepath.endswith(".weights.npz")):
        raise ValueError("The filename must end in `.weights.h5` (or `.weights.npz`). "
                         f"Received: filepath={filepath}")
    _atomic_write(filepath, _weights_npz(model))


def load_weights(model, filepath):
    filepath = os.fspath(filepath)
    if filepath.endswith(".keras"):
        with zipfile.ZipFile(filepath) as zf:
            return _load_npz(model, zf.read("model.weights.npz"))
    with open(filepath, "rb") as f:
        _load_npz(model, f.read())


def save_model(model, filepath, overwrite=True):
    filepath = os.fspath(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError("Invalid filepath extension for saving. Please add a `.keras` "
                         f"extension to the filepath. Received: filepath={filepath}")
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(filepath)
    from . import losses, optimizers
    cfg = serialize_model(model)
    if getattr(model, "_is_compiled", False):
        loss = model.loss
        cfg["compile_config"] = {
            "optimizer": optimizers.serialize(model.optimizer)
            if isinstance(model.optimizer, optimizers.Optimizer) else None,
            "loss": loss if isinstance(loss, (str, list, dict)) or loss is None else (
                getattr(loss, "name", None) or getattr(loss, "__name__", None)),
            "metrics": [m if isinstance(m, str) else m.name
                        for m in (model._metric_specs or [])]
            if not isinstance(model._metric_specs, dict) else model._metric_specs,
            "loss_weights": model.loss_weights}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3", "framework": "cuflow"}))
        zf.writestr("config.json", json.dumps(cfg))
        zf.writestr("model.weights.npz", _weights_npz(model))
    _atomic_write(filepath, buf.getvalue())
    _ = losses


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    filepath = os.fspath(filepath)
    with zipfile.ZipFile(filepath) as zf:
        cfg = json.loads(zf.read("config.json"))
        weights = zf.read("model.weights.npz")
    old = _safe_mode()
    _tls.safe_mode = bool(safe_mode)
    try:
        model = deserialize_model(cfg, custom_objects)
    finally:
        _tls.safe_mode = old
    cc = cfg.get("compile_config")
    if compile and cc:
        from . import optimizers
        opt = optimizers.get(cc["optimizer"]) if cc["optimizer"] else "rmsprop"
        model.compile(optimizer=opt, loss=cc["loss"], metrics=cc["metrics"] or None,
                      loss_weights=cc["loss_weights"])
    _load_npz(model, weights, with_optimizer=compile)
    return model
