"""``cf.train.Checkpoint`` / ``CheckpointManager``: object-graph checkpoints of variables.

Values are keyed by their path in the object graph (``model/dense/kernel``), so restore
works on a freshly built object of the same structure. Files are NumPy ``.npz`` written
atomically (temp file + rename) and loaded with ``allow_pickle=False``: restoring never
executes code. Objects take part through:

* Variables and ``cf.Module``s (attributes walked);
* ``_checkpoint_children() -> {name: child}`` (Keras layers, optimizers, models);
* ``_checkpoint_state() -> {name: ndarray}`` / ``_restore_checkpoint_state(dict)``
  (non-variable state such as data-iterator positions).
"""
from __future__ import annotations

import collections
import json
import os
import re
import tempfile

import numpy as np

from .tensor import Variable

_SUFFIX = ".cfckpt.npz"


def _children(obj):
    if hasattr(obj, "_checkpoint_children"):
        return dict(obj._checkpoint_children())
    from .module import Module
    if isinstance(obj, Module):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_") or
                k in ("_variables",)}
    if isinstance(obj, dict):
        return {str(k): v for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return {str(i): v for i, v in enumerate(obj)}
    return {}


def _collect(root_items, deferring=None, aliases=None):
    """{path: Variable}, {path: stateful object} reachable from the named roots (and into
    ``deferring``, {path: object} that takes values for variables it creates later; into
    ``aliases``, {other path: saved path} of objects reached along several paths)."""
    variables, stateful, seen = {}, {}, {}
    # breadth first, as TF's object graph: an object reachable along several paths is
    # saved once, under the shortest (root.step before root.model.step)
    queue = collections.deque(root_items)
    while queue:
        path, obj = queue.popleft()
        if obj is None or isinstance(obj, (str, int, float, bool)):
            continue
        if id(obj) in seen:
            if aliases is not None and seen[id(obj)] != path:
                aliases.setdefault(path, seen[id(obj)])
            continue
        seen[id(obj)] = path
        if isinstance(obj, Variable):
            variables[path] = obj
            continue
        if hasattr(obj, "_checkpoint_state"):
            stateful[path] = obj
        if deferring is not None and hasattr(obj, "_defer_restore"):
            deferring[path] = obj
        queue.extend((f"{path}/{name}", child) for name, child in _children(obj).items())
    return variables, stateful


def _atomic_savez(path, arrays):
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _atomic_text(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def _key(path):
    return path.replace("/", "__SLASH__")


class CheckpointLoadStatus:
    """What ``restore`` matched (TF's load status, by TF's class name)."""

    def __init__(self, missing, unused):
        self.missing = missing
        self.unused = unused

    def assert_consumed(self):
        if self.missing or self.unused:
            raise AssertionError(f"checkpoint not fully consumed: objects without values "
                                 f"{self.missing}, values without objects {self.unused}")
        return self

    def assert_existing_objects_matched(self):
        if self.missing:
            raise AssertionError(f"objects without values in the checkpoint: {self.missing}")
        return self

    def expect_partial(self):
        return self


class InitializationOnlyStatus(CheckpointLoadStatus):
    """``restore(None)``: nothing to load, the variables keep their initial values (TF's
    class; its asserts fail)."""

    def __init__(self):
        super().__init__([], [])

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being "
                             "restored.")

    assert_existing_objects_matched = assert_consumed


class Checkpoint:
    """Saves and restores the variables reachable from the keyword arguments.

    >>> import cuflow as cf, tempfile, os
    >>> v = cf.Variable([1.0, 2.0])
    >>> ckpt = cf.train.Checkpoint(v=v)
    >>> path = ckpt.save(os.path.join(tempfile.mkdtemp(), "ckpt"))
    >>> _ = v.assign([0.0, 0.0])
    >>> _ = ckpt.restore(path)
    >>> v.numpy().tolist()
    [1.0, 2.0]
    """

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_roots", {k: _wrap(v, self) for k, v in kwargs.items()})
        object.__setattr__(self, "_pending", {})
        if root is not None:
            self._roots["root"] = root
        object.__setattr__(self, "save_counter", Variable(0, dtype="int64", trainable=False,
                                                          name="save_counter"))

    def __getattr__(self, name):
        roots = self.__dict__.get("_roots", {})
        if name in roots:
            return roots[name]
        raise AttributeError(name)

    def __setattr__(self, name, value):
        """``ckpt.x = obj`` tracks ``obj`` as TF's checkpoints do (lists become a
        ListWrapper); values a restore found no object for are restored into it now."""
        if name.startswith("_") or name == "save_counter":
            object.__setattr__(self, name, value)
            return
        self._roots[name] = _wrap(value, self)
        self._restore_pending()

    def _checkpoint_children(self):     # a Checkpoint nested in another one
        return dict(self._roots)

    def _restore_pending(self):
        """Delayed restoration: pending values into variables now reachable (and the
        rest handed to nested Checkpoints, for their later attributes)."""
        if not self._pending:
            return
        variables, _ = _collect(self._roots.items())
        for p, v in variables.items():
            if p in self._pending:
                v.assign(self._pending.pop(p).astype(v.dtype.np))
        _hand_down(self)

    def _arrays(self):
        aliases = {}
        variables, stateful = _collect(self._roots.items(), aliases=aliases)
        arrays = {_key(p): np.asarray(v.numpy()) for p, v in variables.items()}
        if aliases:     # the object graph's other edges, so other structures restore too
            arrays["__aliases__"] = np.asarray(json.dumps(aliases))
        for p, obj in stateful.items():
            for k, value in obj._checkpoint_state().items():
                arrays[_key(f"{p}/.state/{k}")] = np.asarray(value)
        if int(self.save_counter.numpy()):   # TF creates save_counter on the first save()
            arrays["__save_counter__"] = np.asarray(self.save_counter.numpy())
        return arrays

    def write(self, file_prefix, options=None):
        """Writes without touching the save counter or the 'checkpoint' file."""
        path = str(file_prefix)
        _atomic_savez(path + _SUFFIX, self._arrays())
        return path

    def save(self, file_prefix, options=None):
        """Writes ``{file_prefix}-{n}`` and records it as the latest in its directory."""
        self.save_counter.assign_add(1)
        path = f"{file_prefix}-{int(self.save_counter.numpy())}"
        self.write(path)
        _record_latest(path)
        return path

    def read(self, save_path, options=None):
        return self.restore(save_path)

    def restore(self, save_path, options=None):
        """Loads values into the reachable objects; returns a status (assert_consumed...)."""
        if save_path is None:
            return InitializationOnlyStatus()
        file = str(save_path) + _SUFFIX
        if not os.path.exists(file):
            from .errors import NotFoundError
            raise NotFoundError(None, None, f"Checkpoint {save_path!r} not found ({file})")
        with np.load(file, allow_pickle=False) as data:
            stored = {k: data[k] for k in data.files}
        deferring = {}
        variables, stateful = _collect(self._roots.items(), deferring)
        missing = []
        aliases = json.loads(str(stored.pop("__aliases__"))) if "__aliases__" in stored \
            else {}
        used = {}       # values read, kept for the other paths to the same variable
        for p, v in variables.items():
            k = _key(_canonical(p, aliases))
            if k in stored:
                used[k] = stored.pop(k)
            if k in used:
                value = used[k]
                if tuple(value.shape) != tuple(v.shape):
                    raise ValueError(f"checkpoint value {p} has shape {value.shape}, the "
                                     f"variable has {tuple(v.shape)}")
                v.assign(value.astype(v.dtype.np))
            else:
                missing.append(p)
        for p, obj in stateful.items():
            prefix = _key(f"{p}/.state/")
            state = {k[len(prefix):]: stored.pop(k) for k in list(stored) if
                     k.startswith(prefix)}
            if state:
                obj._restore_checkpoint_state(state)
        if "__save_counter__" in stored:
            self.save_counter.assign(stored.pop("__save_counter__"))
        for k in list(stored):  # values for slots an optimizer has not created yet
            path = k.replace("__SLASH__", "/")
            owner = max((p for p in deferring if path.startswith(p + "/")), key=len,
                        default=None)
            if owner is not None and deferring[owner]._defer_restore(
                    path[len(owner) + 1:], stored[k]):
                del stored[k]
        unused = [k.replace("__SLASH__", "/") for k in stored]
        self._pending.clear()
        self._pending.update({k.replace("__SLASH__", "/"): v for k, v in stored.items()
                              if not k.startswith("__")})
        _hand_down(self)
        return CheckpointLoadStatus(missing, unused)


class ListWrapper(list):
    """A list tracked by a Checkpoint (TF's name): appending an object restores values a
    restore had no object for yet."""

    def __init__(self, items, owner):
        super().__init__(items)
        self._owner = owner

    def __repr__(self):
        return f"ListWrapper({list.__repr__(self)})"

    def _changed(self):
        self._owner._restore_pending()

    def append(self, item):
        super().append(item)
        self._changed()

    def extend(self, items):
        super().extend(items)
        self._changed()

    def insert(self, index, item):
        super().insert(index, item)
        self._changed()

    def __setitem__(self, index, item):
        super().__setitem__(index, item)
        self._changed()


def _wrap(value, owner):
    return ListWrapper(value, owner) if type(value) is list else value


def _hand_down(ckpt):
    """Gives nested Checkpoints the pending values under their paths."""
    queue = collections.deque((name, obj) for name, obj in ckpt._roots.items())
    seen = set()
    while queue and ckpt._pending:
        path, obj = queue.popleft()
        if id(obj) in seen or obj is None:
            continue
        seen.add(id(obj))
        if isinstance(obj, Checkpoint):
            mine = {p[len(path) + 1:]: p for p in ckpt._pending if p.startswith(path + "/")}
            for rel, full in mine.items():
                obj._pending[rel] = ckpt._pending[full]
            obj._restore_pending()
        if not isinstance(obj, Variable):
            queue.extend((f"{path}/{n}", c) for n, c in _children(obj).items())


def _canonical(path, aliases):
    """``path`` with its longest aliased prefix replaced by the path it was saved under."""
    parts = path.split("/")
    for n in range(len(parts), 0, -1):
        head = "/".join(parts[:n])
        if head in aliases:
            return "/".join([aliases[head]] + parts[n:])
    return path


def _record_latest(path):
    directory = os.path.dirname(os.path.abspath(path))
    state_file = os.path.join(directory, "checkpoint")
    existing = _read_state(directory)
    paths = [p for p in existing["all"] if p != os.path.basename(path)]
    paths.append(os.path.basename(path))
    _atomic_text(state_file, json.dumps({"latest": os.path.basename(path), "all": paths}))


def _read_state(directory):
    try:
        with open(os.path.join(directory, "checkpoint")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {"latest": None, "all": []}


def _checkpoint_file(ckpt_dir_or_file):
    path = str(ckpt_dir_or_file)
    if os.path.isdir(path):
        path = latest_checkpoint(path)
        if path is None:
            from .errors import NotFoundError
            raise NotFoundError(None, None, f"no checkpoint found in {ckpt_dir_or_file!r}")
    return path + _SUFFIX


_ATTR = "/.ATTRIBUTES/VARIABLE_VALUE"     # TF's key suffix for a variable's value
_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


def _tf_name(key):
    return key.replace("__SLASH__", "/") + _ATTR


def _stored_key(name):
    """The file key for TF's ``path/.ATTRIBUTES/VARIABLE_VALUE`` or for a plain path."""
    name = str(name)
    return _key(name[:-len(_ATTR)] if name.endswith(_ATTR) else name)


def list_variables(ckpt_dir_or_file):
    """[(name, shape)] of the values stored in a checkpoint (``tf.train.list_variables``),
    named as TF names them: ``<object path>/.ATTRIBUTES/VARIABLE_VALUE``, plus the
    object-graph entry ``_CHECKPOINTABLE_OBJECT_GRAPH``."""
    return sorted(load_checkpoint(ckpt_dir_or_file).get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file, name):
    """The stored value of one variable (``tf.train.load_variable``), as NumPy; ``name``
    is TF's ``path/.ATTRIBUTES/VARIABLE_VALUE`` or the plain object path."""
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


class CheckpointReader:
    """Reads the values of a checkpoint (``tf.train.load_checkpoint``'s reader)."""

    def __init__(self, ckpt_dir_or_file):
        with np.load(_checkpoint_file(ckpt_dir_or_file), allow_pickle=False) as data:
            self._data = {k: data[k] for k in data.files if not k.startswith("__")}
            if "__save_counter__" in data.files:     # TF lists it as save_counter
                self._data["save_counter"] = data["__save_counter__"]

    def has_tensor(self, name):
        return _stored_key(name) in self._data

    def get_tensor(self, name):
        key = _stored_key(name)
        if key not in self._data:
            from .errors import NotFoundError
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return self._data[key]

    def get_variable_to_shape_map(self):
        out = {_tf_name(k): list(v.shape) for k, v in self._data.items()}
        out[_GRAPH_KEY] = []
        return out

    def get_variable_to_dtype_map(self):
        from . import dtypes
        out = {_tf_name(k): dtypes.as_dtype(v.dtype) for k, v in self._data.items()}
        out[_GRAPH_KEY] = dtypes.string
        return out


def load_checkpoint(ckpt_dir_or_file):
    """A reader of a checkpoint's values (``tf.train.load_checkpoint``)."""
    return CheckpointReader(ckpt_dir_or_file)


def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The newest checkpoint prefix saved in ``checkpoint_dir``, or None."""
    state = _read_state(checkpoint_dir)
    if not state.get("latest"):
        return None
    path = os.path.join(checkpoint_dir, state["latest"])
    return path if os.path.exists(path + _SUFFIX) else None


class CheckpointState:
    """What ``tf.train.get_checkpoint_state`` reads from a directory's 'checkpoint' file."""

    def __init__(self, model_checkpoint_path, all_model_checkpoint_paths):
        self.model_checkpoint_path = model_checkpoint_path
        self.all_model_checkpoint_paths = list(all_model_checkpoint_paths)

    def __repr__(self):
        return (f'model_checkpoint_path: "{self.model_checkpoint_path}"\n' + "".join(
            f'all_model_checkpoint_paths: "{p}"\n' for p in self.all_model_checkpoint_paths))


def get_checkpoint_state(checkpoint_dir, latest_filename=None):
    """The checkpoints recorded in ``checkpoint_dir`` (None when there are none)."""
    state = _read_state(checkpoint_dir)
    if not state.get("latest"):
        return None
    return CheckpointState(os.path.join(checkpoint_dir, state["latest"]),
                           [os.path.join(checkpoint_dir, p) for p in state["all"]])


class CheckpointManager:
    """Keeps the last ``max_to_keep`` checkpoints of a Checkpoint in a directory."""

    def __init__(self, checkpoint, directory, max_to_keep, checkpoint_name="ckpt",
                 keep_checkpoint_every_n_hours=None, step_counter=None,
                 checkpoint_interval=None, init_fn=None):
        self._checkpoint = checkpoint
        self.directory = directory
        self.max_to_keep = max_to_keep
        self._prefix = os.path.join(directory, checkpoint_name)
        os.makedirs(directory, exist_ok=True)
        self._step_counter = step_counter
        self._interval = checkpoint_interval
        self._last_step = None

    @property
    def checkpoints(self):
        state = _read_state(self.directory)
        return [os.path.join(self.directory, p) for p in state["all"]
                if os.path.exists(os.path.join(self.directory, p) + _SUFFIX)]

    @property
    def latest_checkpoint(self):
        return latest_checkpoint(self.directory)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        if self._interval and check_interval and self._step_counter is not None:
            step = int(self._step_counter.numpy())
            if self._last_step is not None and step - self._last_step < self._interval:
                return None
            self._last_step = step
        if checkpoint_number is None:
            path = self._checkpoint.save(self._prefix)
        else:
            path = self._checkpoint.write(f"{self._prefix}-{int(checkpoint_number)}")
            _record_latest(path)
        self._prune()
        return path

    def _prune(self):
        if self.max_to_keep is None:
            return
        kept = self.checkpoints
        for old in kept[:-self.max_to_keep] if self.max_to_keep > 0 else kept:
            try:
                os.unlink(old + _SUFFIX)
            except OSError:
                pass
        state = _read_state(self.directory)
        state["all"] = [os.path.basename(p) for p in self.checkpoints]
        _atomic_text(os.path.join(self.directory, "checkpoint"), json.dumps(state))

    def restore_or_initialize(self):
        latest = self.latest_checkpoint
        if latest:
            self._checkpoint.restore(latest)
            return latest
        return None


_NUM = re.compile(r"-(\d+)$")
