"""Saving in Keras 3's formats: ``model.save('m.keras')`` writes a zip of metadata.json,
config.json (Keras 3's object schema: serialization.py) and model.weights.h5 (Keras 3's
HDF5 layout: weights_h5.py), which real Keras loads, and cuflow loads Keras's files.
``save_weights('x.weights.h5')`` writes that HDF5 layout alone. Files are written to a
temp file and renamed. Loading never runs code from the file: datasets are read as plain
numeric arrays (no pickle) and a Lambda layer is refused unless ``safe_mode=False``."""
from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import tempfile
import threading
import zipfile

import numpy as np

_REGISTERED: dict[str, type] = {}
_REGISTERED_NAMES: dict = {}    # object -> 'package>name' (Keras's GLOBAL_CUSTOM_NAMES)
_scope = threading.local()


# --- custom objects -------------------------------------------------------------------------
def register_keras_serializable(package="Custom", name=None):
    """Decorator: makes a custom class or function loadable by name ('package>Name')."""
    def decorate(obj):
        key = f"{package}>{name or obj.__name__}"
        if isinstance(obj, type) and not hasattr(obj, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() "
                             "method.")
        _REGISTERED[key] = obj
        _REGISTERED_NAMES[obj] = key
        if isinstance(obj, type):
            obj._registered_name = key
        return obj
    return decorate


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The class registered (or given in ``custom_objects`` / a custom_object_scope)
    under ``name``; None when there is none (Keras)."""
    for table in (custom_objects or {}, getattr(_scope, "objects", {}), _REGISTERED,
                  module_objects or {}):
        if name in table:
            return table[name]
    return None


def locate_registered(name, custom_objects=None):
    """``get_registered_object`` that raises Keras's TypeError when nothing is found."""
    obj = get_registered_object(name, custom_objects)
    if obj is None:
        raise TypeError(f"Could not locate class {name!r}. Make sure custom classes are "
                        "decorated with `@keras.saving.register_keras_serializable()`. Full "
                        "object config: {'class_name': " + repr(name) + "}")
    return obj


def get_registered_name(obj):
    """The name ``obj`` is saved under: 'package>Name' when registered, else its name."""
    try:
        if obj in _REGISTERED_NAMES:
            return _REGISTERED_NAMES[obj]
    except TypeError:  # an unhashable object
        pass
    return getattr(obj, "__name__", None)


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


# --- object (de)serialization (Keras 3's schema: serialization.py) ----------------------
def serialize_keras_object(obj):
    """Keras 3's serialized form of a layer, model, initializer, loss, optimizer, ..."""
    from .serialization import serialize
    return serialize(obj)


def deserialize_keras_object(config, custom_objects=None, safe_mode=True, **kwargs):
    """The object described by a Keras 3 serialized config (built-in or registered
    classes only)."""
    from .serialization import deserialize
    return deserialize(config, custom_objects, safe_mode)


def functional_config(model):
    from .serialization import functional_config as fc
    return fc(model)


def functional_from_config(config, custom_objects=None, safe_mode=True):
    from .serialization import functional_from_config as ffc
    return ffc(config, custom_objects, safe_mode)


# --- files ---------------------------------------------------------------------------------
def ask_to_proceed_with_overwrite(filepath):
    """Keras's prompt before replacing a file saved with ``overwrite=False``. Keras asks
    through ``input()``; without a terminal on stdin nobody can answer, so cuflow keeps
    the file (as an "n" answer would) and says so on stderr instead of blocking."""
    import sys
    stdin = sys.stdin
    if stdin is None or not stdin.isatty():
        print(f"[WARNING] {filepath} already exists and overwrite=False; stdin is not "
              "interactive, so the file is kept (pass overwrite=True to replace it).",
              file=sys.stderr)
        return False
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def _atomic_write(path, data: bytes):
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


def _keras_version():
    return "3.15.1"  # the Keras release whose file format cuflow writes


def save_model(model, filepath, overwrite=True, zipped=None, **kwargs):
    """Writes a ``.keras`` zip as Keras 3 does: metadata.json, config.json (with the
    compile config) and model.weights.h5 (weights and optimizer state), or with
    ``zipped=False`` those files in a directory (not named .keras); a ``.h5`` /
    ``.hdf5`` name writes the legacy Keras H5 format (legacy_h5.py), with Keras's
    warning. An existing file with ``overwrite=False`` asks first, as Keras does."""
    from .serialization import serialize
    from .weights_h5 import write_h5
    include_optimizer = kwargs.pop("include_optimizer", True)
    save_format = kwargs.pop("save_format", False)
    filepath = str(filepath)
    legacy = filepath.endswith((".h5", ".hdf5"))
    if save_format and not (legacy or filepath.endswith(".keras")):
        raise ValueError("The `save_format` argument is deprecated in Keras 3. Please remove "
                         "this argument and pass a file path with either `.keras` or `.h5` "
                         f"extension.Received: save_format={save_format}")
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs)}")
    if zipped is False and filepath.endswith(".keras"):
        raise ValueError("When using `zipped=False`, the `filepath` argument should not end "
                         f"in `.keras`. Received: filepath={filepath}")
    if legacy and zipped is not False:
        from .legacy_h5 import warn_legacy
        warn_legacy()
    if os.path.exists(filepath) and not overwrite and \
            not ask_to_proceed_with_overwrite(filepath):
        return
    if legacy and zipped is not False:
        from .legacy_h5 import write_legacy_h5
        _atomic_write(filepath, write_legacy_h5(model, include_optimizer))
        return
    if not filepath.endswith(".keras") and zipped is not False:
        raise ValueError("Invalid filepath extension for saving. Please add either a "
                         "`.keras` extension for the native Keras format (recommended) or "
                         "a `.h5` extension. Use `model.export(filepath)` if you want to "
                         f"export a SavedModel for use with TFLite/TFServing/etc. Received: "
                         f"filepath={filepath}.")
    config = serialize(model)
    if getattr(model, "compiled", False) and getattr(model, "optimizer", None) is not None:
        config["compile_config"] = model.get_compile_config()   # a model may override it
    metadata = {"keras_version": _keras_version(), "date_saved":
                datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}
    files = {"metadata.json": json.dumps(metadata).encode(),
             "config.json": json.dumps(config, default=_json_default).encode(),
             "model.weights.h5": write_h5(model)}
    if zipped is False:  # Keras 3's unzipped form: the archive's files in a directory
        os.makedirs(os.path.join(filepath, "assets"), exist_ok=True)
        for name, data in files.items():
            _atomic_write(os.path.join(filepath, name), data)
        return
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    _atomic_write(filepath, buf.getvalue())


def _json_default(o):
    if isinstance(o, np.ndarray):
        return o.tolist()
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable; give the "
                    "layer a get_config() that returns plain values")


def load_model(filepath, custom_objects=None, compile=True, safe_mode=True):
    """Loads a ``.keras`` file written by Keras 3 or cuflow, or a legacy Keras 2 ``.h5``
    (no code from the file runs: Lambda layers are refused unless ``safe_mode=False``).

    >>> import os, tempfile
    >>> import cuflow as cf
    >>> model = cf.keras.Sequential([cf.keras.Input((3,)), cf.keras.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.keras")
    >>> model.save(path)
    >>> cf.keras.models.load_model(path).count_params()
    8
    """
    from .serialization import compile_kwargs, deserialize
    from .weights_h5 import read_h5
    filepath = str(filepath)
    if filepath.endswith((".h5", ".hdf5")) and not zipfile.is_zipfile(filepath):
        from .legacy_h5 import load_legacy_h5
        return load_legacy_h5(filepath, custom_objects, compile, safe_mode)
    if filepath.endswith(".keras") and not os.path.isfile(filepath):
        raise ValueError(f"File not found: filepath={filepath}. Please ensure the file is "
                         "an accessible `.keras` zip file.")
    assets = {}
    if os.path.isdir(filepath) and os.path.isfile(os.path.join(filepath, "config.json")):
        config, weights, assets = _read_dir(filepath)   # saved with zipped=False
    else:
        if not zipfile.is_zipfile(filepath):
            raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                             "supports V3 `.keras` files, legacy H5 format files (`.h5` "
                             "extension). Note that the legacy SavedModel format is not "
                             "supported by `load_model()` in Keras 3. In order to reload a "
                             "TensorFlow SavedModel as an inference-only layer in Keras 3, "
                             f"use `keras.layers.TFSMLayer({filepath}, "
                             "call_endpoint='serving_default')` (note that your "
                             "`call_endpoint` might have a different name).")
        with zipfile.ZipFile(filepath) as z:
            names = z.namelist()
            config = json.loads(z.read("config.json"))
            if "model.weights.h5" not in names:
                raise ValueError(f"Expected a model.weights.h5 file in {filepath}; found "
                                 f"{names} (files written by cuflow before its Keras 3 "
                                 "format used model.weights.npz: re-save them with that "
                                 "version)")
            weights = z.read("model.weights.h5")
            assets = {n: z.read(n) for n in names
                      if n.startswith("assets/") and not n.endswith("/")}
    with custom_object_scope(custom_objects or {}):
        cc = config.get("compile_config")
        model = deserialize({k: v for k, v in config.items() if k != "compile_config"},
                            custom_objects, safe_mode)
        if compile and cc:
            if "compile_from_config" in _user_overrides(model):   # Keras calls the hook
                model.compile_from_config(cc)
            else:
                model.compile(**compile_kwargs(cc, custom_objects))
                if model.built:
                    model.optimizer.build(model.trainable_variables)
    _load_assets(model, assets)
    read_h5(model, weights, load_optimizer=bool(compile and cc))
    return model


def _read_dir(path):
    with open(os.path.join(path, "config.json")) as f:
        config = json.loads(f.read())
    assets = {}
    for root, _, files in os.walk(os.path.join(path, "assets")):
        for name in files:
            full = os.path.join(root, name)
            with open(full, "rb") as f:
                assets[os.path.relpath(full, path).replace(os.sep, "/")] = f.read()
    with open(os.path.join(path, "model.weights.h5"), "rb") as f:
        return config, f.read(), assets


def _user_overrides(model):
    """Names of Model methods that ``model``'s own (non-cuflow) classes redefine."""
    return {name for cls in type(model).__mro__ if not cls.__module__.startswith("cuflow")
            for name in vars(cls)}


def _load_assets(model, assets):
    """Keras 3's ``load_assets``: a lookup layer (StringLookup, IntegerLookup,
    TextVectorization) saved by Keras keeps its vocabulary in
    ``assets/<its path>/vocabulary.txt`` (one entry a line, special tokens included)
    rather than in its config."""
    if not assets:
        return
    from .weights_h5 import keras_paths
    for path, obj in keras_paths(model):
        data = assets.get(f"assets/{path}/vocabulary.txt" if path else "assets/vocabulary.txt")
        if data is None or not hasattr(obj, "set_vocabulary"):
            continue
        if obj.get_vocabulary(include_special_tokens=False):
            continue  # its config carried the vocabulary (Keras skips the file then)
        lines = data.decode("utf-8").split("\n")
        lookup = getattr(obj, "_lookup_layer", obj)
        if str(getattr(lookup, "vocabulary_dtype", "string")) != "string":
            lines = [int(line) for line in lines]
        obj.set_vocabulary(lines)


def save_weights(model, filepath, overwrite=True, max_shard_size=None):
    """Weights (and optimizer state) in Keras 3's ``.weights.h5`` layout.

    >>> import os, tempfile
    >>> import cuflow as cf
    >>> model = cf.keras.Sequential([cf.keras.Input((3,)), cf.keras.layers.Dense(2)])
    >>> path = os.path.join(tempfile.mkdtemp(), "model.weights.h5")
    >>> model.save_weights(path)
    >>> model.load_weights(path)
    """
    from .weights_h5 import write_h5
    filepath = str(filepath)
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: "
                         f"filepath={filepath}")
    if not model.built:
        raise ValueError("You are saving a model that has not yet been built. Try building "
                         "the model first by calling it on some data or by using `build()`.")
    if os.path.exists(filepath) and not overwrite and \
            not ask_to_proceed_with_overwrite(filepath):
        return
    _atomic_write(filepath, write_h5(model))


def load_weights(model, filepath, skip_mismatch=False):
    """Loads a ``.weights.h5`` file (or the weights of a ``.keras`` file)."""
    from .weights_h5 import read_h5
    filepath = str(filepath)
    if not model.built:
        raise ValueError("You are loading weights into a model that has not yet been built. "
                         "Try building the model first by calling it on some data or by "
                         "using `build()`.")
    if filepath.endswith(".keras"):
        with zipfile.ZipFile(filepath) as z:
            data = z.read("model.weights.h5")
    elif filepath.endswith(".weights.h5"):
        with open(filepath, "rb") as f:
            data = f.read()
    elif filepath.endswith(".h5"):
        from .legacy_h5 import load_legacy_weights
        return load_legacy_weights(model, filepath, skip_mismatch)
    else:
        raise ValueError(f"File format not supported: filepath={filepath}. Keras 3 only "
                         "supports V3 `.keras` and `.weights.h5` files, or legacy V1/V2 "
                         "`.h5` files.")
    _check_h5(data, filepath)
    read_h5(model, data, skip_mismatch=skip_mismatch)


def _check_h5(data, filepath):
    if not data.startswith(b"\x89HDF\r\n\x1a\n"):
        raise ValueError(f"{filepath} is not an HDF5 file")


def model_from_json(json_string, custom_objects=None):
    from .serialization import deserialize
    return deserialize(json.loads(json_string), custom_objects)


def _optimizer(model):
    """The optimizer whose state the legacy H5 format stores (a LossScaleOptimizer's
    inner one)."""
    opt = model.optimizer
    return getattr(opt, "inner_optimizer", None) or opt
