"""Keras 3's weights layout in HDF5 (``model.weights.h5`` inside a ``.keras`` zip, or a
``.weights.h5`` file): one group per object that owns state, named by the path Keras
walks to reach it (``layers/dense/vars/0``, ``layers/lstm/cell/vars/1``,
``optimizer/vars/0``). Keras finds that path by walking attributes in sorted order
(public names first), lists of layers by snake-cased class name (``dense``, ``dense_1``),
and visits each object once; ``keras_paths`` reproduces that walk on cuflow's objects.

Reading is defensive: links and external or virtual datasets are refused and every
dataset must be a plain numeric array (nothing is unpickled or evaluated).
"""
from __future__ import annotations

import io
import math
import re
import warnings

import numpy as np

# Attributes that hold cuflow's own bookkeeping, not children Keras would walk.
_SKIP = frozenset({"_layers", "_seq_layers", "_nodes", "_inbound_nodes", "_flat_inputs",
                   "_nested_inputs", "_nested_outputs", "_trainable_weights",
                   "_non_trainable_weights", "_losses", "_compiled_metrics",
                   "_loss_tracker", "_loss_fns", "_metric_specs", "_weighted_metric_specs",
                   "output", "input_spec", "activity_regularizer", "_dtype_policy",
                   "_input_layer"})
_BOMB_FLOOR = 1 << 32
_BOMB_EXPANSION = 1000


def snake_case(name):
    """Keras's ``naming.to_snake_case`` (container entries are named by class)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name_key(name):
    return f"~{name}" if name.startswith("_") else name


def _is_optimizer(obj):
    from .optimizers.base import Optimizer
    return isinstance(obj, Optimizer)


def _is_saveable(obj):
    from .layers.base import Layer
    return isinstance(obj, Layer) or _is_optimizer(obj)


def _holds_saveable(value):
    if isinstance(value, dict):
        value = list(value.values())
    return any(_is_saveable(v) or isinstance(v, (list, tuple, dict)) and _holds_saveable(v)
               for v in value)


def _node_inputs(node):
    """A node's KerasTensor inputs in the order Keras records them (reflected operators
    such as ``1.0 - x`` take their operands the other way round)."""
    tensors = node.input_tensors
    return tensors[::-1] if getattr(node.layer, "swapped", False) else tensors


def keras_layer_order(model):
    """A Functional model's layers in Keras 3's order (``ops.function.map_graph``): by
    depth from the inputs, ties broken by first visit of a depth-first walk from the
    outputs. Container entries are named in this order (``dense``, ``dense_1``, ...)."""
    from .models.functional import Functional
    if not isinstance(model, Functional) and not hasattr(model, "_nodes"):
        return model.layers
    index, finished, order = {}, set(), []

    def key(kt):
        return ("input", id(kt._origin)) if kt.node is None else id(kt.node)

    def layer_of(kt):
        return kt._origin if kt.node is None else kt.node.layer

    def visit(kt):
        k = key(kt)
        if k in finished:
            return
        index.setdefault(id(layer_of(kt)), len(index))
        parents = [] if kt.node is None else _node_inputs(kt.node)
        for parent in parents:
            visit(parent)
        finished.add(k)
        order.append((k, layer_of(kt), [key(p) for p in parents]))
    for kt in model.outputs:
        visit(kt)
    node_depth, layer_depth, layers = {}, {}, {}
    for k, layer, parents in reversed(order):
        depth = max(node_depth.setdefault(k, 0), layer_depth.get(id(layer), 0))
        layer_depth[id(layer)] = node_depth[k] = depth
        layers[id(layer)] = layer
        for p in parents:
            node_depth[p] = max(depth + 1, node_depth.get(p, 0))
    for kt in model.inputs:  # inputs the outputs do not use
        if id(kt._origin) not in layer_depth:
            layer_depth[id(kt._origin)], index[id(kt._origin)] = 0, -1
            layers[id(kt._origin)] = kt._origin
    ranked = sorted(layers, key=lambda i: (-layer_depth[i], index[i]))
    return [layers[i] for i in ranked]


def _children(obj):
    """(attribute name, child) pairs in Keras's walking order."""
    from .layers.base import Layer
    from .models.functional import Functional
    from .models.sequential import Sequential
    out = []
    if isinstance(obj, Sequential):
        out.append(("layers", obj.layers))
    elif isinstance(obj, Functional) or \
            getattr(type(obj), "_functional_call", None) is not None:
        # operator nodes (x * 2, keras.ops...) are Operations, not layers, in Keras
        out.append(("layers", [layer for layer in keras_layer_order(obj)
                               if type(layer).__name__ not in ("_OpLayer", "OpLayer")]))
    attrs = dict(vars(obj))
    if hasattr(obj, "compile") and not out:  # a subclassed Model's ``layers`` property
        attrs["layers"] = obj.layers
    if isinstance(obj, Layer) and getattr(obj, "optimizer", None) is not None:
        attrs["optimizer"] = obj.optimizer
    for name in sorted(attrs, key=_name_key):
        if name.startswith("__") or name in _SKIP:
            continue
        value = attrs[name]
        saveable = _is_saveable(value) and value is not obj
        if saveable or isinstance(value, (list, tuple, dict)) and value and \
                _holds_saveable(value):
            out.append((name, value))
    return out


def keras_paths(root):
    """[(path, object)] for every layer / optimizer reachable from ``root``, each once,
    at the path where Keras saves its variables (``''`` is the root itself)."""
    found, visited = [], set()

    def visit(obj, path):
        if id(obj) in visited:
            return
        visited.add(id(obj))
        found.append((path, obj))
        for name, child in _children(obj):
            sub = f"{path}/{name}" if path else name
            if isinstance(child, (list, tuple, dict)):
                _walk_container(child, sub, set(), visit)
            else:
                visit(child, sub)

    visit(root, "")
    return found


def _walk_container(items, path, seen, fn):
    """``fn(item, path)`` for each saveable item of a list/tuple/dict, nested containers
    walked too, under Keras's paths (``<container>/<snake class name>[_i]``)."""
    if id(items) in seen:
        return
    seen.add(id(items))
    used = {}
    for item in items.values() if isinstance(items, dict) else items:
        if _is_saveable(item):
            fn(item, f"{path}/{_unique(snake_case(type(item).__name__), used)}")
        elif isinstance(item, (list, tuple, dict)):
            _walk_container(item, f"{path}/{_unique('container', used)}", seen, fn)


def _unique(name, used):
    if name in used:
        used[name] += 1
        return f"{name}_{used[name]}"
    used[name] = 0
    return name


def keras_variable_order(root):
    """``root``'s variables in the order of Keras's ``model.variables``: own, then each
    sublayer's (a Functional model's layers in Keras's graph order)."""
    from .layers.base import Layer
    out, seen = [], set()

    def visit(layer):
        if id(layer) in seen:
            return
        seen.add(id(layer))
        out.extend(list(layer._trainable_weights) + list(layer._non_trainable_weights))
        subs = keras_layer_order(layer) if hasattr(layer, "_nodes") else layer._layers
        for sub in subs:
            if isinstance(sub, Layer):
                visit(sub)
    visit(root)
    return out


def own_variables(obj, root=None):
    """The variables Keras stores in ``<path>/vars``: a layer's own trainable then
    non-trainable ones, an optimizer's ``variables`` (a LossScaleOptimizer's: its own
    iteration, learning rate, step counter and scale, then its inner optimizer's)."""
    inner = getattr(obj, "__dict__", {}).get("inner_optimizer")
    if inner is not None:
        return list(obj._variables) + keras_optimizer_order(inner, root)
    if _is_optimizer(obj):
        return keras_optimizer_order(obj, root)
    return list(obj._trainable_weights) + list(obj._non_trainable_weights)


def keras_optimizer_order(opt, model=None):
    """``opt.variables`` in Keras 3's order: iterations, learning rate, EMA averages,
    gradient accumulators, the slots per variable (RMSprop: each kind over all variables), AMSGrad's maxima,
    then extra state (Nadam's u_product). Variables follow ``model``'s Keras order (the
    order Keras builds its optimizer in), else the order they were built."""
    per_var = list(opt._slots.values())
    if model is not None:
        ranked = [opt._slots[id(v)] for v in keras_variable_order(model)
                  if id(v) in opt._slots]
        ranked_ids = {id(s) for s in ranked}
        per_var = ranked + [s for s in per_var if id(s) not in ranked_ids]
    in_slots = {id(v) for slots in per_var for v in slots.values()}
    head = [v for v in opt._variables if id(v) not in in_slots]
    n_base = 2 if getattr(opt, "_lr", None) is not None else 1
    extra = ("ema", "vhat", "gradient_accumulator")
    kinds = {tuple(k for k in slots if k not in extra) for slots in per_var}
    if type(opt).__name__ == "RMSprop":
        groups = [("vel",), ("mom",), ("avg",)]
    elif len(kinds) > 1:  # variables with different slots (Muon): each in build order
        groups = [tuple(dict.fromkeys(k for kind in sorted(kinds, key=len, reverse=True)
                                      for k in kind))]
    else:
        groups = [kinds.pop() if kinds else ()]
    # Keras's build: the averages, then the accumulators, then the update's own slots
    ordered = [slots[k] for group in [("ema",), ("gradient_accumulator",)] + groups +
               [("vhat",)] for slots in per_var for k in group if k in slots]
    placed = {id(v) for v in ordered}
    rest = [v for slots in per_var for v in slots.values() if id(v) not in placed]
    return head[:n_base] + ordered + rest + head[n_base:]


# --- writing ---------------------------------------------------------------------------
def write_h5(root, include_optimizer=True):
    """The bytes of an HDF5 file holding ``root``'s state in Keras 3's layout."""
    import h5py
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        for path, obj in keras_paths(root):
            if _is_optimizer(obj) and not include_optimizer:
                continue
            group = f.create_group(f"{path}/vars" if path else "vars")
            name = "loss_scale_optimizer" if "inner_optimizer" in vars(obj) else \
                getattr(obj, "name", None)
            if isinstance(name, str):
                group.attrs["name"] = name
            if _is_optimizer(obj) or not hasattr(obj, "save_own_variables"):
                store = {str(i): v for i, v in enumerate(own_variables(obj, root))}
            else:
                store = {}
                obj.save_own_variables(store)   # Keras's hook (a layer may override it)
            for key, v in store.items():
                value = np.asarray(v.numpy() if hasattr(v, "numpy") else v)
                if value.dtype.name == "bfloat16":
                    ds = group.create_dataset(key, data=value.view("V2"))  # as Keras
                    ds.attrs["dtype"] = "bfloat16"
                else:
                    group[key] = value
    return buf.getvalue()


class ReadStore:
    """A layer's ``vars`` group as ``load_own_variables`` sees it: ``store["0"]`` is the
    NumPy value (only plain datasets: links and object dtypes are refused)."""

    def __init__(self, group):
        self._group = group

    def __getitem__(self, key):
        if self._group is None or key not in self._group:
            raise KeyError(key)
        return read_dataset(self._group, key)

    def __len__(self):
        return 0 if self._group is None else len(self._group.keys())

    def __contains__(self, key):
        return self._group is not None and key in self._group

    def keys(self):
        return [] if self._group is None else list(self._group.keys())


# --- reading ---------------------------------------------------------------------------
def _safe_group(parent, path):
    import h5py
    current = parent
    for part in path.split("/"):
        if not part or part not in current:
            return None
        kind = current.get(part, getclass=True, getlink=True)
        if kind in (h5py.SoftLink, h5py.ExternalLink):
            raise ValueError(f"Not allowed: H5 file with {kind.__name__} at '{path}'")
        current = current[part]
        if not isinstance(current, h5py.Group):
            kind = type(current).__name__  # ValueError, as Keras raises
            raise ValueError(f"Invalid H5 file, expected Group at '{path}': {kind}")  # noqa: TRY004
    return current


def read_dataset(group, key):
    """A dataset as a plain NumPy array; anything but numbers is refused."""
    import h5py
    kind = group.get(key, getclass=True, getlink=True)
    if kind in (h5py.SoftLink, h5py.ExternalLink):
        raise ValueError(f"Not allowed: H5 file with {kind.__name__} at '{key}'")
    ds = group[key]
    if not isinstance(ds, h5py.Dataset):
        kind = type(ds).__name__  # ValueError, as Keras raises
        raise ValueError(f"Invalid H5 file, expected Dataset at '{key}': {kind}")  # noqa: TRY004
    if ds.external or ds.is_virtual:
        raise ValueError(f"Not allowed: H5 file with an external or virtual dataset "
                         f"('{key}')")
    bfloat16 = ds.attrs.get("dtype") == "bfloat16" and ds.dtype.itemsize == 2
    if ds.dtype.kind not in "biuf" and not (bfloat16 and ds.dtype.kind == "V"):
        raise ValueError(f"Not allowed: H5 dataset '{key}' of dtype {ds.dtype} (only "
                         "numeric arrays are read)")
    declared = math.prod(ds.shape) * ds.dtype.itemsize
    if declared > _BOMB_FLOOR and declared > _BOMB_EXPANSION * ds.id.get_storage_size():
        raise ValueError(f"Not allowed: H5 dataset '{key}' declares {declared} bytes but "
                         "stores almost nothing; refusing a decompression/shape bomb")
    value = np.asarray(ds[()])
    if bfloat16:
        import ml_dtypes
        value = value.view(ml_dtypes.bfloat16)
    return value


def _stored(f, path):
    """The ``vars`` group of ``path`` as {index: dataset key} (empty when absent)."""
    group = _safe_group(f, f"{path}/vars" if path else "vars")
    if group is None and path and "_layer_checkpoint_dependencies" in f:  # Keras 2.13 files
        group = _safe_group(f, path.replace("layers", "_layer_checkpoint_dependencies")
                            + "/vars")
    return group


def _load_layer(obj, group):
    hook = getattr(obj, "load_own_variables", None)
    if hook is not None:
        hook(ReadStore(group))
    else:
        load_variables(obj, ReadStore(group))
    finalize = getattr(obj, "finalize_state", None)  # Keras: Normalization rebuilds its
    if callable(finalize):                            # statistics after loading
        finalize()


def load_variables(obj, store, variables=None):
    """Keras's Layer.load_own_variables: the count, then every shape, then assign."""
    variables = own_variables(obj) if variables is None else variables
    group = store._group if isinstance(store, ReadStore) else None
    if group is None and not isinstance(store, ReadStore):
        keys = list(store.keys())
        values = [np.asarray(store[str(i)]) for i in range(min(len(keys), len(variables)))]
    else:
        keys = store.keys()
    if len(keys) != len(variables):
        raise ValueError(f"Layer '{obj.name}' expected {len(variables)} variables, but "
                         f"received {len(keys)} variables during loading. Expected: "
                         f"{[v.name for v in variables]}")
    if isinstance(store, ReadStore):
        values = [store[str(i)] for i in range(len(variables))]
    for v, value in zip(variables, values):
        if tuple(value.shape) != tuple(v.shape):
            raise ValueError(f"Layer '{obj.name}': variable '{v.name}' has shape "
                             f"{tuple(v.shape)}, but the file stores shape "
                             f"{tuple(value.shape)}")
    for v, value in zip(variables, values):
        v.assign(value.astype(v.dtype.np))


def _load_optimizer(opt, group, root, inner_group=None):
    variables = own_variables(opt, root)
    keys = list(group.keys()) if group is not None else []
    if len(keys) != len(variables) and inner_group is not None and \
            len(inner_group.keys()) == len(variables):
        group, keys = inner_group, list(inner_group.keys())  # Keras's LossScaleOptimizer
    if len(keys) != len(variables):
        msg = (f"Skipping variable loading for optimizer '{opt.name}', because it has "
               f"{len(variables)} variables whereas the saved optimizer has {len(keys)} "
               "variables. ")
        if len(variables) == 0:
            msg += "This is likely because the optimizer has not been called/built yet."
        warnings.warn(msg, stacklevel=4)
        return
    values = [read_dataset(group, str(i)) for i in range(len(variables))]
    bad = [(v.name, tuple(v.shape), a.shape) for v, a in zip(variables, values)
           if tuple(v.shape) != tuple(a.shape)]
    if bad:
        warnings.warn(f"Skipping variable loading for optimizer '{opt.name}': the saved "
                      f"state does not line up with its variables (first: {bad[0]})",
                      stacklevel=4)
        return
    for v, value in zip(variables, values):
        v.assign(value.astype(v.dtype.np))


def _load_tree(f, root, load_optimizer):
    """Keras's ``_load_state`` walk: every path an object is reachable by is tried until
    one loads (a subclassed model's ``dense_1`` attribute finds nothing in a Sequential's
    file, then loads from ``layers/dense``); {id: (object, error)} of those that never
    did."""
    visited, failed, active = set(), {}, set()

    def load(obj, path):
        if id(obj) in visited or id(obj) in active:
            return
        active.add(id(obj))
        failure = False
        if _is_optimizer(obj):
            if load_optimizer and _safe_group(f, path) is not None:
                inner = _safe_group(f, f"{path}/inner_optimizer/vars")
                _load_optimizer(obj, _stored(f, path), root, inner)
        else:
            try:
                _load_layer(obj, _stored(f, path))
            except Exception as e:  # noqa: BLE001 - Keras collects any failure of a hook
                failed.setdefault(id(obj), (obj, e))   # the first path's error is shown
                failure = True
        before = len(failed)
        for name, child in _children(obj):
            sub = f"{path}/{name}" if path else name
            if isinstance(child, (list, tuple, dict)):
                _walk_container(child, sub, set(), load)
            else:
                load(child, sub)
        active.discard(id(obj))
        if not failure:
            if len(failed) - before <= 0:
                visited.add(id(obj))
            failed.pop(id(obj), None)

    load(root, "")
    return failed


def read_h5(root, data, skip_mismatch=False, load_optimizer=True):
    """Assigns the state stored in HDF5 ``data`` (bytes or a path) to ``root``."""
    import h5py
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    with h5py.File(source, "r") as f:
        errors = list(_load_tree(f, root, load_optimizer).values())
    if errors:
        obj, e = errors[0]
        msg = (f"A total of {len(errors)} objects could not be loaded. Example error "
               f"message for object {obj}:\n\n{e}\n\nList of objects that could not be "
               f"loaded:\n{[o for o, _ in errors]}")
        if skip_mismatch:
            warnings.warn(msg, stacklevel=3)
        else:
            raise ValueError(msg)
