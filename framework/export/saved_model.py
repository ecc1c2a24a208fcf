"""``cf.saved_model``: save objects with their traced functions; load them without their code.

    >>> import cuflow as cf, tempfile, os
    >>> class Adder(cf.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.v = cf.Variable(2.0)
    ...     @cf.function(input_signature=[cf.TensorSpec([None], cf.float32)])
    ...     def add(self, x):
    ...         return x + self.v
    >>> path = os.path.join(tempfile.mkdtemp(), "adder")
    >>> cf.saved_model.save(Adder(), path)
    >>> loaded = cf.saved_model.load(path)
    >>> loaded.add(cf.constant([1.0, 5.0])).numpy().tolist()
    [3.0, 7.0]
    >>> loaded.signatures["serving_default"](x=cf.constant([1.0]))["output_0"].numpy().tolist()
    [3.0]

The directory is cuflow's own format, not TF's protobuf SavedModel:

=============================  ==========================  ===============================
what                           TensorFlow                  cuflow
=============================  ==========================  ===============================
graphs, object graph,          ``saved_model.pb``          ``cuflow_saved_model.json``
signatures                     (GraphDefs, protobuf)       (traced IR, ops by registry name)
constants                      inside the GraphDefs        ``cuflow_constants.npz``
variables                      ``variables/variables.*``   ``variables/variables.cfckpt.npz``
                               (TF checkpoint)             (``cf.train.Checkpoint`` format)
assets                         ``assets/``                 ``assets/`` (Keras vocabularies)
fingerprint                    ``fingerprint.pb``          none
=============================  ==========================  ===============================

Loading never runs code from the directory: ops are looked up in cuflow's registry by
name (unknown names raise ``NotFoundError``), attributes are decoded from a fixed set of
tags, arrays are read with ``allow_pickle=False``. A directory is written to a temporary
sibling and renamed into place (over an existing directory, file by file).
"""
from __future__ import annotations

import collections
import collections.abc
import inspect
import json
import os
import shutil
import tempfile

import numpy as np

from .. import nest
from ..checkpoint import _SUFFIX, _key
from ..graph.concrete import ConcreteFunction, SlicesOut
from ..graph.function import Function
from ..module import Module
from ..tensor import Tensor, Variable
from ..tensor_spec import TensorSpec
from . import graph_codec as _codec
from . import restored as _restored

GRAPH_FILENAME = "cuflow_saved_model.json"
CONSTANTS_FILENAME = "cuflow_constants.npz"
VARIABLES_DIRECTORY = "variables"
VARIABLES_FILENAME = "variables"
ASSETS_DIRECTORY = "assets"
SERVING = "serve"
TRAINING = "train"
GPU = "gpu"
TPU = "tpu"
DEFAULT_SERVING_SIGNATURE_DEF_KEY = "serving_default"
ASSETS_KEY = "saved_model_assets"
CLASSIFY_INPUTS = PREDICT_INPUTS = REGRESS_INPUTS = "inputs"
CLASSIFY_OUTPUT_CLASSES, CLASSIFY_OUTPUT_SCORES = "classes", "scores"
PREDICT_OUTPUTS = REGRESS_OUTPUTS = "outputs"
CLASSIFY_METHOD_NAME = "tensorflow/serving/classify"
PREDICT_METHOD_NAME = "tensorflow/serving/predict"
REGRESS_METHOD_NAME = "tensorflow/serving/regress"
_FORMAT = "cuflow-saved-model"


class SaveOptions:
    """Options for :func:`save` (``tf.saved_model.SaveOptions``). cuflow acts on
    ``function_aliases``; the device/sharding/debug options concern TF's runtime and
    are accepted and recorded only."""

    def __init__(self, namespace_whitelist=None, save_debug_info=False, function_aliases=None,
                 experimental_debug_stripper=False, experimental_io_device=None,
                 experimental_variable_policy=None, experimental_custom_gradients=True,
                 experimental_image_format=False, experimental_skip_saver=False,
                 experimental_sharding_callback=None, extra_tags=None):
        self.namespace_whitelist = list(namespace_whitelist or [])
        self.save_debug_info = save_debug_info
        self.function_aliases = dict(function_aliases or {})
        self.experimental_debug_stripper = experimental_debug_stripper
        self.experimental_io_device = experimental_io_device
        self.experimental_variable_policy = experimental_variable_policy
        self.experimental_custom_gradients = experimental_custom_gradients
        self.experimental_image_format = experimental_image_format
        self.experimental_skip_saver = experimental_skip_saver
        self.experimental_sharding_callback = experimental_sharding_callback
        self.extra_tags = extra_tags


class LoadOptions:
    """Options for :func:`load` (``tf.saved_model.LoadOptions``):
    ``experimental_skip_checkpoint`` leaves the variables at zeros,
    ``experimental_load_function_aliases`` restores ``loaded.function_aliases``."""

    def __init__(self, allow_partial_checkpoint=False, experimental_io_device=None,
                 experimental_skip_checkpoint=False, experimental_variable_policy=None,
                 experimental_load_function_aliases=False):
        self.allow_partial_checkpoint = allow_partial_checkpoint
        self.experimental_io_device = experimental_io_device
        self.experimental_skip_checkpoint = experimental_skip_checkpoint
        self.experimental_variable_policy = experimental_variable_policy
        self.experimental_load_function_aliases = experimental_load_function_aliases


class AutoTrackable:
    """A plain attribute container whose variables and functions are saved
    (``tf.__internal__.tracking.AutoTrackable``)."""


# --- saving ---------------------------------------------------------------------------------
def save(obj, export_dir, signatures=None, options=None):
    """Writes ``obj``'s variables, its traced ``cf.function``s and ``signatures``
    (a function with an input_signature, a ConcreteFunction, or a dict of them by
    name) to the directory ``export_dir``."""
    saver = _Saver()
    saver.walk(obj)
    meta = saver.meta(obj, signatures, options or SaveOptions())
    _write(os.fspath(export_dir), meta, saver)


def _is_trackable(x, depth=0):
    if isinstance(x, (Variable, Function, ConcreteFunction, Module, AutoTrackable,
                      _restored._UserObject, _restored.RestoredFunction)):
        return True
    if hasattr(type(x), "_checkpoint_children") and not isinstance(x, type):
        return True
    if depth < 4 and isinstance(x, (list, tuple)):
        return any(_is_trackable(v, depth + 1) for v in x)
    if depth < 4 and isinstance(x, dict):
        return any(_is_trackable(v, depth + 1) for v in x.values())
    return False


def _class_functions(obj):
    """``cf.function`` methods defined on the object's class, bound to it."""
    out = {}
    for name in dir(type(obj)):
        if isinstance(inspect.getattr_static(type(obj), name, None), Function):
            out[name] = getattr(obj, name)
    return out


def _children(obj):
    if isinstance(obj, (Module, AutoTrackable)) or not hasattr(obj, "_checkpoint_children"):
        out = {k: v for k, v in vars(obj).items() if not k.startswith("__") and
               _is_trackable(v)} if hasattr(obj, "__dict__") else {}
        if isinstance(obj, _restored._UserObject) and "__call__" in vars(obj):
            out["__call__"] = vars(obj)["__call__"]
    else:                      # Keras layers, models, optimizers: their checkpoint graph
        out = dict(obj._checkpoint_children())
    out.update(_class_functions(obj))
    return out


def _traces(fn):
    found = list(fn._cache.values()) + [c for _, c in fn._relaxed] + \
        [c for d in fn._by_rank.values() for c in d.values()]
    if not found and fn.input_signature is not None:
        found = [fn.get_concrete_function()]
    out, seen = [], set()
    for c in found:
        if id(c) not in seen:
            seen.add(id(c))
            out.append(c)
    return out


class _Saver:
    def __init__(self):
        self.objects: list = []
        self.index: dict = {}
        self.keep: list = []
        self.queue: collections.deque = collections.deque()
        self.variables: list = []
        self.var_ids: dict = {}
        self.var_paths: dict = {}
        self.concretes: list = []
        self.conc_ids: dict = {}
        self.enc = _codec.GraphEncoder(self.var_index)

    def var_index(self, var):
        i = self.var_ids.get(id(var))
        if i is None:
            i = self.var_ids[id(var)] = len(self.variables)
            self.variables.append(var)
        return i

    # the object graph, breadth first (as TF's: an object is saved once, under its
    # shortest path)
    def walk(self, root):
        self._add(root, "")
        while self.queue:
            obj, idx, path = self.queue.popleft()
            self.objects[idx] = self._describe(obj, path)

    def _add(self, obj, path):
        i = self.index.get(id(obj))
        if i is None:
            i = self.index[id(obj)] = len(self.objects)
            self.objects.append(None)
            self.keep.append(obj)
            self.queue.append((obj, i, path))
        return i

    def _describe(self, obj, path):
        sub = (lambda name: f"{path}/{name}") if path else str
        if isinstance(obj, Variable):
            i = self.var_index(obj)
            self.var_paths.setdefault(i, path or "root")
            return {"kind": "variable", "v": i}
        if isinstance(obj, Function):
            return {"kind": "function", "name": obj._name,
                    "input_signature": obj.input_signature is not None,
                    "concretes": [self.concrete_index(c) for c in _traces(obj)]}
        if isinstance(obj, ConcreteFunction):
            return {"kind": "concrete", "c": self.concrete_index(obj)}
        if isinstance(obj, _restored.RestoredFunction):      # saving a loaded object again
            return {"kind": "function", "name": obj.name,
                    "input_signature": obj._has_input_signature,
                    "concretes": [self.concrete_index(c) for c in obj.concrete_functions]}
        if isinstance(obj, (list, tuple)):
            return {"kind": "tuple" if isinstance(obj, tuple) else "list",
                    "items": [self._add(x, sub(str(i))) for i, x in enumerate(obj)
                              if _is_trackable(x)]}
        if isinstance(obj, dict):
            keys = [k for k in obj if isinstance(k, str) and _is_trackable(obj[k])]
            return {"kind": "dict", "keys": keys,
                    "items": [self._add(obj[k], sub(k)) for k in keys]}
        children = _children(obj)
        return {"kind": "user", "children": {k: self._add(v, sub(k)) for k, v in
                                             sorted(children.items())}}

    def concrete_index(self, c):
        i = self.conc_ids.get(id(c))
        if i is None:
            self.keep.append(c)
            data = self._encode_concrete(c)
            i = self.conc_ids[id(c)] = len(self.concretes)
            self.concretes.append(data)
        return i

    def _encode_concrete(self, c):
        where = f"cf.function {c.name!r}"
        if getattr(c.traced_graph, "variable_proxies", None):
            raise _codec.SaveError(f"{where}: traced with cf.Variable arguments; a "
                                   "SavedModel function takes tensors only")
        if any(isinstance(s, SlicesOut) for s in c._struct):
            raise _codec.SaveError(f"{where}: returns IndexedSlices, which cuflow's "
                                   "SavedModel does not store; return a dense tensor")
        for part in c._key:
            if part[1] in ("O", "V", "VI"):
                raise _codec.SaveError(f"{where}: traced with the non-tensor argument "
                                       f"{part[0]!r} (a Python object or variable)")
        params = []
        for p in getattr(c, "_params", None) or []:
            try:
                default = [_codec.encode(p.default)] if p.default is not p.empty else []
            except _codec.SaveError:
                default = []
            params.append([p.name, int(p.kind), default])
        outputs = nest.map_structure(_output_spec, c._structured_outputs)
        return {"name": c.name, "graph": self.enc.graph(c.traced_graph),
                "key": self.enc.literal(c._key, where),
                "inputs": self.enc.literal(c.structured_input_signature, where),
                "params": params, "outputs": self.enc.literal(outputs, where)}

    # --- signatures and the whole file -----------------------------------------------------
    def meta(self, root, signatures, options):
        sigs = {}
        for name, fn in _canonical_signatures(root, signatures).items():
            if isinstance(fn, _restored.SignatureFunction):
                sigs[name] = {"function": self.concrete_index(fn._concrete),
                              "inputs": fn._input_names, "outputs": fn._output_names}
                continue
            c = fn.get_concrete_function() if isinstance(fn, Function) else fn
            sigs[name] = {"function": self.concrete_index(c),
                          "inputs": _input_names(c),
                          "outputs": _output_names(c, name)}
        aliases = {}
        for alias, fn in options.function_aliases.items():
            traces = _traces(fn) if isinstance(fn, Function) else list(fn) \
                if isinstance(fn, (list, tuple)) else [fn]
            aliases[alias] = [self.concrete_index(c) for c in traces]
        from ..version import VERSION
        variables = []
        for i, v in enumerate(self.variables):
            path = self.var_paths.get(i, f"_captured/{i}")
            if v.dtype.name == "string":
                raise _codec.SaveError(f"variable {v.name!r}: string variables are not "
                                       "stored by cuflow's SavedModel")
            variables.append({"name": v.name.split(":")[0], "dtype": v.dtype.name,
                              "shape": list(v.shape.as_list()), "trainable": v.trainable,
                              "path": path})
        return {"format": _FORMAT, "version": _codec.FORMAT_VERSION,
                "cuflow_version": VERSION, "objects": self.objects,
                "concretes": self.concretes, "variables": variables,
                "signatures": sigs, "function_aliases": aliases}


def _output_spec(x):
    if isinstance(x, (Tensor, Variable)):
        return TensorSpec(x.shape, x.dtype)
    if hasattr(x, "values") and hasattr(x, "indices"):
        raise _codec.SaveError("IndexedSlices outputs cannot be saved")
    return x


def _canonical_signatures(root, signatures):
    if signatures is None:
        return _default_signatures(root)
    if isinstance(signatures, collections.abc.Mapping):
        signatures = dict(signatures)
    else:
        signatures = {DEFAULT_SERVING_SIGNATURE_DEF_KEY: signatures}
    for name, fn in signatures.items():
        if not isinstance(name, str):
            raise ValueError(f"signature names must be strings, got {name!r}")
        if isinstance(fn, Function) and fn.input_signature is None:
            raise ValueError(
                f"Function {fn._name!r} used as signature {name!r} has no input_signature; "
                "pass `fn.get_concrete_function(...)` or decorate it with "
                "`@tf.function(input_signature=[...])`")
        if not isinstance(fn, (Function, ConcreteFunction, _restored.SignatureFunction)):
            raise ValueError(f"Expected a TensorFlow function for which to generate a "
                             f"signature, but got {fn!r} for signature {name!r}")
    return signatures


def _default_signatures(root):
    """TF's rule: the root's only cf.function, when it has an input_signature; a Keras
    model without one exports its call on the model's input specs."""
    fns = {k: v for k, v in _children(root).items() if isinstance(v, (Function,
                                                                       ConcreteFunction))}
    if len(fns) == 1:
        fn = next(iter(fns.values()))
        if isinstance(fn, ConcreteFunction) or fn.input_signature is not None:
            return {DEFAULT_SERVING_SIGNATURE_DEF_KEY: fn}
    if not fns and _is_keras_model(root):
        from ..keras.export import default_serving_function
        return {DEFAULT_SERVING_SIGNATURE_DEF_KEY: default_serving_function(root)}
    return {}


def _is_keras_model(obj):
    import sys
    models = sys.modules.get("cuflow.keras.models.model")
    return models is not None and isinstance(obj, models.Model)


def _input_names(c):
    """The signature's keyword names as TF gives them: a spec's own name (from the
    input_signature), else the argument's name for its first tensor and ``<arg>_<i>``
    for the others."""
    from ..graph.function import _path_name
    args, kwargs = c.structured_input_signature
    params = [p.name for p in (getattr(c, "_params", None) or [])]
    pairs = [(params[i] if i < len(params) else f"args_{i}", a) for i, a in
             enumerate(args)] + sorted(kwargs.items())
    names = []
    for pname, value in pairs:
        for j, (path, spec) in enumerate(_spec_leaves(value, pname)):
            own = spec.name if spec.name and spec.name != _path_name(path) else None
            names.append(own or (pname if j == 0 else f"{pname}_{j}"))
    seen, out = {}, []
    for n in names:
        k = seen.get(n, 0)
        seen[n] = k + 1
        out.append(n if k == 0 else f"{n}_{k}")
    return out


def _spec_leaves(value, path):
    """(path, TensorSpec) leaves in the traced order (dict keys sorted as signature.py)."""
    if isinstance(value, TensorSpec):
        return [(path, value)]
    if isinstance(value, dict):
        return [leaf for k in sorted(value, key=repr)
                for leaf in _spec_leaves(value[k], f"{path}[{k!r}]")]
    if isinstance(value, (list, tuple)):
        return [leaf for i, v in enumerate(value) for leaf in _spec_leaves(v, f"{path}[{i}]")]
    return []


def _output_names(c, sig):
    outs = c._structured_outputs
    is_tensor = (Tensor, Variable)
    if outs is None:
        return []
    if isinstance(outs, is_tensor):
        return ["output_0"]
    if isinstance(outs, dict) and all(isinstance(v, is_tensor) for v in outs.values()):
        return [str(k) for k in nest.flatten({k: str(k) for k in outs})]
    if isinstance(outs, (list, tuple)) and all(isinstance(v, is_tensor) for v in outs):
        return [f"output_{i}" for i in range(len(outs))]
    raise ValueError(f"signature {sig!r}: a signature function must return a tensor, a "
                     f"list/tuple of tensors or a flat dict of them, got {outs!r:.200}")


def _write(export_dir, meta, saver):
    parent = os.path.dirname(os.path.abspath(export_dir))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".cuflow-saved-model-", dir=parent)
    try:
        with open(os.path.join(tmp, GRAPH_FILENAME), "w") as f:
            json.dump(meta, f, allow_nan=False)
        with open(os.path.join(tmp, CONSTANTS_FILENAME), "wb") as f:
            np.savez(f, **saver.enc.arrays)
        os.makedirs(os.path.join(tmp, VARIABLES_DIRECTORY))
        os.makedirs(os.path.join(tmp, ASSETS_DIRECTORY))
        for name, data in saver.enc.assets.items():
            with open(os.path.join(tmp, ASSETS_DIRECTORY, name), "w") as f:
                json.dump(data, f)
        values = {_key(d["path"]): np.asarray(v.numpy()) for d, v in
                  zip(meta["variables"], saver.variables)}
        with open(os.path.join(tmp, VARIABLES_DIRECTORY, VARIABLES_FILENAME + _SUFFIX),
                  "wb") as f:
            np.savez(f, **values)
        if not os.path.exists(export_dir):
            os.rename(tmp, export_dir)
            return
        for dirpath, _, files in os.walk(tmp):     # into an existing directory
            rel = os.path.relpath(dirpath, tmp)
            target = os.path.normpath(os.path.join(export_dir, rel))
            os.makedirs(target, exist_ok=True)
            for name in files:
                os.replace(os.path.join(dirpath, name), os.path.join(target, name))
    finally:
        if os.path.exists(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


# --- loading --------------------------------------------------------------------------------
def contains_saved_model(export_dir):
    """True if ``export_dir`` holds a SavedModel written by cuflow."""
    return os.path.isfile(os.path.join(os.fspath(export_dir), GRAPH_FILENAME))


def load(export_dir, tags=None, options=None):
    """Restores a saved object: variables, ``cf.function``s, ``.signatures``."""
    export_dir = os.fspath(export_dir)
    meta = _read_meta(export_dir)
    options = options or LoadOptions()
    with np.load(os.path.join(export_dir, CONSTANTS_FILENAME), allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    variables = _load_variables(export_dir, meta["variables"], options)
    from .. import placement
    dec = _codec.GraphDecoder(arrays, variables, placement.current(),
                              os.path.join(export_dir, ASSETS_DIRECTORY))
    concretes = [_concrete(dec, d) for d in meta["concretes"]]
    objs = _objects(meta["objects"], variables, concretes)
    root = objs[0]
    if not isinstance(root, _restored._UserObject):
        raise ValueError("SavedModel: the saved root is not an object")
    root.signatures = _restored._SignatureMap({
        name: _restored.SignatureFunction(concretes[s["function"]], s["inputs"],
                                          s["outputs"])
        for name, s in meta["signatures"].items()})
    if options.experimental_load_function_aliases:
        root.function_aliases = {a: [concretes[i] for i in ids] for a, ids in
                                 meta.get("function_aliases", {}).items()}
    return root


def _read_meta(export_dir):
    path = os.path.join(export_dir, GRAPH_FILENAME)
    if not os.path.isfile(path):
        if os.path.isfile(os.path.join(export_dir, "saved_model.pb")):
            raise OSError(f"{export_dir} holds a TensorFlow SavedModel (saved_model.pb, "
                          "protobuf GraphDefs); cuflow loads only SavedModels written by "
                          f"cuflow ({GRAPH_FILENAME})")
        raise OSError(f"SavedModel file does not exist at: {export_dir}/{GRAPH_FILENAME}")
    with open(path) as f:
        meta = json.load(f)
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
        raise ValueError(f"{path} is not a cuflow SavedModel file")
    if meta.get("version", 0) > _codec.FORMAT_VERSION:
        raise ValueError(f"{path} has format version {meta.get('version')}; this cuflow "
                         f"reads versions up to {_codec.FORMAT_VERSION}")
    return meta


def _load_variables(export_dir, specs, options):
    from .. import dtypes as _dt
    values = {}
    if not options.experimental_skip_checkpoint:
        file = os.path.join(export_dir, VARIABLES_DIRECTORY, VARIABLES_FILENAME + _SUFFIX)
        with np.load(file, allow_pickle=False) as data:
            values = {k: data[k] for k in data.files}
    out = []
    for d in specs:
        dt = _dt.as_dtype(d["dtype"])
        value = values.get(_key(d["path"]))
        if value is None:
            if not options.experimental_skip_checkpoint:
                raise ValueError(f"SavedModel: no value for variable {d['path']!r}")
            value = np.zeros(d["shape"], dt.np)
        if list(value.shape) != list(d["shape"]):
            raise ValueError(f"SavedModel: variable {d['path']!r} has shape "
                             f"{list(value.shape)}, expected {d['shape']}")
        out.append(Variable(value.astype(dt.np), trainable=d["trainable"], name=d["name"],
                            dtype=dt))
    return out


def _concrete(dec, d):
    structure = dec.literal(d["inputs"])
    params = _restored.parameters(
        [(n, k, dec.literal(dflt[0]) if dflt else _restored._NO_DEFAULT)
         for n, k, dflt in d["params"]])
    graph = dec.graph(d["graph"])
    return _restored.RestoredConcreteFunction(graph, dec.literal(d["outputs"]), d["name"],
                                              dec.literal(d["key"]), structure, params)


def _objects(nodes, variables, concretes):
    made: dict = {}

    def get(i):
        if i in made:
            return made[i]
        d = nodes[i]
        kind = d["kind"]
        if kind == "variable":
            made[i] = variables[d["v"]]
        elif kind == "concrete":
            made[i] = concretes[d["c"]]
        elif kind == "function":
            made[i] = _restored.RestoredFunction(d["name"], [concretes[j] for j in
                                                             d["concretes"]],
                                                 d["input_signature"])
        elif kind == "list":
            made[i] = out = []
            out.extend(get(j) for j in d["items"])
        elif kind == "tuple":
            made[i] = tuple(get(j) for j in d["items"])
        elif kind == "dict":
            made[i] = out = {}
            out.update((k, get(j)) for k, j in zip(d["keys"], d["items"]))
        elif kind == "user":
            made[i] = obj = _restored._UserObject()
            for name, j in d["children"].items():
                obj.__dict__[name] = get(j)
        else:
            raise ValueError(f"SavedModel: unknown object kind {kind!r}")
        return made[i]
    return [get(i) for i in range(len(nodes))]


__all__ = ["ASSETS_DIRECTORY", "DEFAULT_SERVING_SIGNATURE_DEF_KEY", "GPU", "SERVING",
           "TPU", "TRAINING", "VARIABLES_DIRECTORY", "VARIABLES_FILENAME", "AutoTrackable",
           "LoadOptions", "SaveOptions", "contains_saved_model", "load", "save"]
