"""Saving: ``model.save('m.keras')`` writes a zip of ``config.json`` (architecture and
compile arguments) and ``model.weights.npz`` (weights in ``model.weights`` order, NumPy
format loaded with ``allow_pickle=False``). Files are written to a temp file and renamed.
Loading never runs code from the file: a Lambda layer's stored bytecode is refused unless
``safe_mode=False``."""
from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import threading
import zipfile

import numpy as np

from .. import nest

_REGISTERED: dict[str, type] = {}
_scope = threading.local()


# --- custom objects -------------------------------------------------------------------------
def register_keras_serializable(package="Custom", name=None):
    """Decorator: makes a custom class loadable by name ('package>Name')."""
    def decorate(obj):
        key = f"{package}>{name or obj.__name__}"
        _REGISTERED[key] = obj
        _REGISTERED[name or obj.__name__] = obj
        obj._registered_name = key
        return obj
    return decorate


def get_registered_object(name, custom_objects=None, module_objects=None):
    for table in (custom_objects or {}, getattr(_scope, "objects", {}), _REGISTERED,
                  module_objects or {}):
        if name in table:
            return table[name]
    raise ValueError(f"Could not locate class {name!r}. Make sure custom classes are "
                     "decorated with `@cf.keras.saving.register_keras_serializable()` or "
                     "passed in `custom_objects`.")


def get_custom_objects():
    return _REGISTERED


@contextlib.contextmanager
def custom_object_scope(*scopes):
    prev = getattr(_scope, "objects", {})
    merged = dict(prev)
    for s in scopes:
        merged.update(s)
    _scope.objects = merged
    try:
        yield
    finally:
        _scope.objects = prev


CustomObjectScope = custom_object_scope


def _builtin_classes():
    from . import layers, models
    table = {}
    for module in (layers, models):
        for k, v in vars(module).items():
            if isinstance(v, type):
                table[k] = v
    return table


# --- object (de)serialization ---------------------------------------------------------------
def serialize_keras_object(obj):
    if obj is None:
        return None
    cls = type(obj)
    return {"module": cls.__module__, "class_name": cls.__name__,
            "registered_name": getattr(cls, "_registered_name", cls.__name__),
            "config": obj.get_config()}


def deserialize_keras_object(config, custom_objects=None, safe_mode=True):
    if config is None:
        return None
    name = config.get("registered_name") or config["class_name"]
    builtins = _builtin_classes()
    try:
        cls = get_registered_object(name, custom_objects)
    except ValueError:
        cls = builtins.get(config["class_name"])
        if cls is None:
            cls = get_registered_object(config["class_name"], custom_objects)
    cfg = config.get("config", {})
    import inspect
    params = inspect.signature(cls.from_config).parameters
    kwargs = {}
    if "custom_objects" in params:
        kwargs["custom_objects"] = custom_objects
    if "safe_mode" in params:
        kwargs["safe_mode"] = safe_mode
    return cls.from_config(cfg, **kwargs)


# --- functional graphs -----------------------------------------------------------------------
def _ref(kt, model_inputs):
    from .keras_tensor import KerasTensor
    if not isinstance(kt, KerasTensor):
        return kt
    if kt.node is None:
        return {"__input__": [i for i, x in enumerate(model_inputs) if x is kt][0]}
    layer = kt.node.layer
    return {"__tensor__": [layer.name, layer._inbound_nodes.index(kt.node), kt.index]}


def functional_config(model):
    layers, seen = [], set()
    for node in model._nodes:
        if id(node.layer) not in seen:
            seen.add(id(node.layer))
            layers.append(serialize_keras_object(node.layer))
    nodes = [{"layer": n.layer.name, "node_index": n.layer._inbound_nodes.index(n),
              "args": nest.map_structure(lambda x: _ref(x, model.inputs), list(n.args)),
              "kwargs": nest.map_structure(lambda x: _ref(x, model.inputs), dict(n.kwargs))}
             for n in model._nodes]
    inputs = [{"shape": list(x.shape), "dtype": x.dtype.name, "name": x.name}
              for x in model.inputs]
    outputs = nest.map_structure(lambda x: _ref(x, model.inputs), model._nested_outputs)
    return {"name": model.name, "trainable": model.trainable, "layers": layers,
            "nodes": nodes, "inputs": inputs,
            "input_structure": nest.map_structure(lambda x: 0, model._nested_inputs),
            "outputs": outputs}


def functional_from_config(config, custom_objects=None, safe_mode=True):
    from .layers.core import Input
    from .models.functional import Functional
    inputs = [Input(batch_shape=tuple(i["shape"]), dtype=i["dtype"], name=i["name"])
              for i in config["inputs"]]
    by_name = {c["config"]["name"]: deserialize_keras_object(c, custom_objects, safe_mode)
               for c in config["layers"]}
    produced = {}

    def resolve(x):
        if isinstance(x, dict) and "__input__" in x:
            return inputs[x["__input__"]]
        if isinstance(x, dict) and "__tensor__" in x:
            name, node_index, index = x["__tensor__"]
            return produced[(name, node_index)][index]
        return x
    for node in config["nodes"]:
        args = [_resolve_nested(a, resolve) for a in node["args"]]
        kwargs = {k: _resolve_nested(v, resolve) for k, v in node["kwargs"].items()}
        out = by_name[node["layer"]](*args, **kwargs)
        produced[(node["layer"], node["node_index"])] = nest.flatten(out)
    outputs = _resolve_nested(config["outputs"], resolve)
    structure = config.get("input_structure")
    model_inputs = nest.pack_sequence_as(structure, inputs) if structure is not None and \
        nest.is_nested(structure) else inputs[0] if len(inputs) == 1 else inputs
    return Functional(model_inputs, outputs, name=config.get("name"))


def _resolve_nested(x, resolve):
    if isinstance(x, dict) and ("__input__" in x or "__tensor__" in x):
        return resolve(x)
    if isinstance(x, dict):
        return {k: _resolve_nested(v, resolve) for k, v in x.items()}
    if isinstance(x, list):
        return [_resolve_nested(v, resolve) for v in x]
    return x


# --- files ---------------------------------------------------------------------------------
def _atomic_write(path, data: bytes, overwrite=True):
    if os.path.exists(path) and not overwrite:
        raise FileExistsError(f"{path} exists and overwrite=False")
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as open() would create it, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _weights_bytes(model):
    buf = io.BytesIO()
    np.savez(buf, **{f"w{i:05d}": np.asarray(w.numpy()) for i, w in enumerate(model.weights)})
    return buf.getvalue()


def _load_weights_bytes(model, data, skip_mismatch=False):
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        values = [f[k] for k in sorted(f.files)]
    weights = model.weights
    if len(values) != len(weights) and not skip_mismatch:
        raise ValueError(f"The file holds {len(values)} weights but the model has "
                         f"{len(weights)}; the architectures differ")
    for w, v in zip(weights, values):
        if tuple(v.shape) != tuple(w.shape):
            if skip_mismatch:
                continue
            raise ValueError(f"Weight {getattr(w, 'path', w.name)} has shape "
                             f"{tuple(w.shape)}; the file holds shape {v.shape}")
        w.assign(v.astype(w.dtype.np))


def save_model(model, filepath, overwrite=True):
    filepath = str(filepath)
    if not filepath.endswith(".keras"):
        raise ValueError("The filepath provided must end in `.keras` (Keras model format). "
                         f"Received: filepath={filepath}")
    config = serialize_keras_object(model)
    if getattr(model, "compiled", False):
        from . import losses, optimizers
        config["compile_config"] = {
            "optimizer": optimizers.serialize(model.optimizer),
            "loss": nest.map_structure(losses.serialize, model.loss)
            if model.loss is not None else None,
            "metrics": _plain(model._metric_specs)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3 (cuflow)",
                                                "format": "cuflow-keras-v1"}))
        z.writestr("config.json", json.dumps(config, default=_json_default))
        z.writestr("model.weights.npz", _weights_bytes(model))
        opt_bytes = _optimizer_bytes(model)
        if opt_bytes is not None:
            z.writestr("optimizer.npz", opt_bytes)
    _atomic_write(filepath, buf.getvalue(), overwrite)


def _optimizer_bytes(model):
    """The optimizer's variables (iterations, slots) in creation order, as Keras 3 keeps
    them in a .keras file, so a reloaded model resumes training where it stopped."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not getattr(opt, "_built", getattr(opt, "inner_optimizer", None)):
        return None
    try:
        variables = opt.variables
    except AttributeError:
        return None
    buf = io.BytesIO()
    np.savez(buf, **{f"v{i:05d}": np.asarray(v.numpy()) for i, v in enumerate(variables)})
    return buf.getvalue()


def _restore_optimizer(model, data):
    opt = model.optimizer
    opt.build(model.trainable_variables)
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        values = [f[k] for k in sorted(f.files)]
    variables = opt.variables
    if len(values) != len(variables) or any(
            tuple(v.shape) != tuple(a.shape) for v, a in zip(variables, values)):
        import warnings
        warnings.warn("The saved optimizer state does not match the compiled optimizer's "
                      "variables; the optimizer starts fresh", stacklevel=3)
        return
    for v, a in zip(variables, values):
        v.assign(a.astype(v.dtype.np))


def _plain(x):
    try:
        json.dumps(x)
        return x
    except TypeError:
        return None


def _json_default(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, tuple):
        return list(o)
    return str(o)


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    filepath = str(filepath)
    with zipfile.ZipFile(filepath) as z:
        config = json.loads(z.read("config.json"))
        weights = z.read("model.weights.npz")
        opt_state = z.read("optimizer.npz") if "optimizer.npz" in z.namelist() else None
    model = deserialize_keras_object(config, custom_objects, safe_mode)
    _load_weights_bytes(model, weights)
    cc = config.get("compile_config")
    if compile and cc:
        from . import losses, optimizers
        loss = cc.get("loss")
        loss = [losses.get_reduced(x) for x in loss] if isinstance(loss, list) \
            else losses.get_reduced(loss)
        model.compile(optimizer=optimizers.get(cc["optimizer"]), loss=loss,
                      metrics=cc.get("metrics"))
        if opt_state is not None:
            _restore_optimizer(model, opt_state)
    return model


def save_weights(model, filepath, overwrite=True):
    """Weights only, in NumPy's .npz format whatever the suffix ('.weights.h5' accepted)."""
    _atomic_write(str(filepath), _weights_bytes(model), overwrite)


def load_weights(model, filepath, skip_mismatch=False):
    with open(str(filepath), "rb") as f:
        _load_weights_bytes(model, f.read(), skip_mismatch)


def model_from_json(json_string, custom_objects=None):
    return deserialize_keras_object(json.loads(json_string), custom_objects)
