"""Traced graphs (``graph/ir.py``) to JSON-safe data and back, without executing code.

A graph becomes ``{"inputs", "captures", "constants", "nodes", "outputs"}``; each node
names its op by registry name and carries its attrs in a tagged encoding
(``{"t": "tuple", "v": [...]}``, ``{"t": "dtype", "v": "float32"}``, ...): plain JSON
values are themselves, everything else is a dict with a ``"t"`` tag, so decoding is a
table lookup and never ``eval``/pickle. Numeric arrays (constants, array attrs) go to a
side table saved with ``np.savez`` and read with ``allow_pickle=False``; string arrays
are base64 lists in the JSON. Control flow (``cond``, ``while``) keeps its branch
graphs as nested graph dicts; ops built at trace time (dynamic-shape wrappers, ``split_N``)
are rebuilt from their registry base. Loading refuses op names the registry lacks
(``NotFoundError``) and anything it cannot decode (``ValueError``).
"""
from __future__ import annotations

import base64
import importlib
import keyword
import math
import pkgutil
import re

import numpy as np

from .. import dtypes as _dt
from ..errors import NotFoundError
from ..ops import registry as _registry
from ..tensor import Variable
from ..tensor_shape import TensorShape
from ..tensor_spec import TensorSpec

FORMAT_VERSION = 1
_SPLIT = re.compile(r"^split_(\d+)$")


class SaveError(ValueError):
    """Something in a traced function cannot be written to a SavedModel."""


# --- literals ------------------------------------------------------------------------------
def encode(x, arrays=None, var_index=None, where="value"):
    """``x`` as JSON-safe data (see the module docstring); raises SaveError otherwise."""
    def enc(v):
        return encode(v, arrays, var_index, where)
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, int) and not isinstance(x, np.generic):
        return x
    if isinstance(x, float):
        return x if math.isfinite(x) else {"t": "float", "v": repr(x)}
    if isinstance(x, tuple) and hasattr(x, "_fields"):    # rebuilt by name and fields
        return {"t": "namedtuple", "name": type(x).__name__, "fields": list(x._fields),
                "v": [enc(v) for v in x]}
    if isinstance(x, tuple):
        return {"t": "tuple", "v": [enc(v) for v in x]}
    if isinstance(x, list):
        return {"t": "list", "v": [enc(v) for v in x]}
    if isinstance(x, dict):
        return {"t": "dict", "k": [enc(k) for k in x], "v": [enc(v) for v in x.values()]}
    if isinstance(x, _dt.DType):
        return {"t": "dtype", "v": x.name}
    if isinstance(x, np.dtype):
        return {"t": "np_dtype", "v": x.str}
    if isinstance(x, type) and issubclass(x, np.generic):
        return {"t": "np_dtype", "v": np.dtype(x).str}
    if isinstance(x, np.generic):
        return {"t": "np_scalar", "dtype": x.dtype.str, "v": enc(x.item())}
    if isinstance(x, complex):
        return {"t": "complex", "v": [enc(x.real), enc(x.imag)]}
    if isinstance(x, bytes):
        return {"t": "bytes", "v": base64.b64encode(x).decode("ascii")}
    if isinstance(x, slice):
        return {"t": "slice", "v": [enc(x.start), enc(x.stop), enc(x.step)]}
    if x is Ellipsis:
        return {"t": "ellipsis"}
    if isinstance(x, TensorShape):
        return {"t": "shape", "v": None if x.rank is None else x.as_list()}
    if isinstance(x, TensorSpec):
        return {"t": "spec", "shape": encode(x.shape), "dtype": x.dtype.name, "name": x.name}
    if isinstance(x, np.ndarray):
        return encode_array(x, arrays, where)
    if isinstance(x, Variable) and var_index is not None:
        return {"t": "variable", "i": var_index(x)}
    from ..ops.dynamic_shape import Hole
    if isinstance(x, Hole):
        return {"t": "hole", "i": x.i}
    raise SaveError(f"{where}: cannot save a value of type {type(x).__name__} ({x!r:.80}); "
                    "only numbers, strings, dtypes, shapes, arrays and lists, tuples and "
                    "dicts of them are stored")


def encode_array(arr, arrays, where="array"):
    arr = np.asarray(arr)
    if arr.dtype == object or arr.dtype.kind in "SU":
        items = [x.encode() if isinstance(x, str) else bytes(x) for x in arr.reshape(-1)]
        return {"t": "strings", "shape": list(arr.shape),
                "v": [base64.b64encode(b).decode("ascii") for b in items]}
    if arrays is None:
        raise SaveError(f"{where}: arrays are not allowed here")
    key = f"a{len(arrays)}"
    arrays[key] = arr
    return {"t": "array", "k": key}


_SIMPLE = {
    "float": lambda d, dec: float(d["v"]),
    "tuple": lambda d, dec: tuple(dec(v) for v in d["v"]),
    "list": lambda d, dec: [dec(v) for v in d["v"]],
    "dict": lambda d, dec: {_hashable(dec(k)): dec(v) for k, v in zip(d["k"], d["v"])},
    "dtype": lambda d, dec: _dt.as_dtype(d["v"]),
    "np_dtype": lambda d, dec: np.dtype(d["v"]),
    "np_scalar": lambda d, dec: np.dtype(d["dtype"]).type(dec(d["v"])),
    "complex": lambda d, dec: complex(dec(d["v"][0]), dec(d["v"][1])),
    "bytes": lambda d, dec: base64.b64decode(d["v"]),
    "slice": lambda d, dec: slice(*[dec(v) for v in d["v"]]),
    "ellipsis": lambda d, dec: Ellipsis,
    "shape": lambda d, dec: TensorShape(d["v"]),
    "spec": lambda d, dec: TensorSpec(dec(d["shape"]), _dt.as_dtype(d["dtype"]),
                                      name=d["name"]),
}


_NAMEDTUPLES: dict = {}


def _namedtuple(name, fields):
    """One class per (name, fields), as TF rebuilds a returned namedtuple's type."""
    cls = _NAMEDTUPLES.get((name, fields))
    if cls is None:
        import collections
        cls = _NAMEDTUPLES[(name, fields)] = collections.namedtuple(name, fields)
    return cls


def _hashable(k):
    return tuple(k) if isinstance(k, list) else k


def decode(d, arrays=None, variables=None):
    """The inverse of :func:`encode`."""
    def dec(v):
        return decode(v, arrays, variables)
    if d is None or isinstance(d, (bool, int, float, str)):
        return d
    if not isinstance(d, dict) or "t" not in d:
        raise ValueError(f"SavedModel: malformed value {d!r:.80}")
    tag = d["t"]
    fn = _SIMPLE.get(tag)
    if fn is not None:
        return fn(d, dec)
    if tag == "strings":
        flat = [base64.b64decode(b) for b in d["v"]]
        out = np.empty(len(flat), dtype=object)
        out[:] = flat
        return out.reshape(d["shape"])
    if tag == "array":
        if arrays is None or d["k"] not in arrays:
            raise ValueError(f"SavedModel: array {d.get('k')!r} is missing from the "
                             "constants file")
        return arrays[d["k"]]
    if tag == "variable":
        if variables is None or not 0 <= d["i"] < len(variables):
            raise ValueError(f"SavedModel: reference to unknown variable {d.get('i')!r}")
        return variables[d["i"]]
    if tag == "namedtuple":
        names = [d["name"], *d["fields"]]
        if not all(isinstance(n, str) and n.isidentifier() and not keyword.iskeyword(n)
                   for n in names):
            raise ValueError(f"SavedModel: bad namedtuple {d['name']!r}")
        return _namedtuple(d["name"], tuple(d["fields"]))(*[dec(v) for v in d["v"]])
    if tag == "hole":
        from ..ops.dynamic_shape import Hole
        return Hole(d["i"])
    raise ValueError(f"SavedModel: unknown value tag {tag!r}")


# --- graphs ----------------------------------------------------------------------------------
class GraphEncoder:
    """Encodes graphs; numeric arrays collect in ``arrays``, variables via ``var_index``."""

    def __init__(self, var_index):
        self.arrays: dict = {}
        self.assets: dict = {}          # file name under assets/ -> JSON-safe data
        self.var_index = var_index

    def literal(self, x, where):
        return encode(x, self.arrays, self.var_index, where)

    def graph(self, g):
        from ..graph.ir import ASSIGN, PRINT, READ
        ids: dict[int, int] = {}

        def val(v):
            ids[v.id] = len(ids)
            shape = None if v.shape.rank is None else v.shape.as_list()
            return {"id": ids[v.id], "shape": shape, "dtype": v.dtype.name, "name": v.name}
        out = {"name": g.name, "inputs": [val(v) for v in g.inputs],
               "captures": [[val(v), self.var_index(var)] for v, var in g.captures],
               "constants": [[val(v), encode_array(v.const, self.arrays, "constant")]
                             for v in g.constants], "nodes": []}
        special = {id(ASSIGN): "assign_variable", id(READ): "read_variable",
                   id(PRINT): "print"}
        for n in g.nodes:
            where = f"op {n.op.name!r} (traced at {n.source})"
            node = {"op": n.op.name, "kind": n.op.kind, "in": [ids[v.id] for v in n.inputs],
                    "source": n.source}
            if id(n.op) in special:
                node["special"] = special[id(n.op)]
                node["attrs"] = {k: self.literal(v, where) for k, v in n.attrs.items()}
            else:
                node.update(self._op_attrs(n, where))
            node["out"] = [val(o) for o in n.outputs]
            out["nodes"].append(node)
        out["outputs"] = [ids[v.id] for v in g.outputs]
        return out

    def _op_attrs(self, n, where):
        attrs = n.attrs or {}
        if "_cond" in attrs:
            s = attrs["_cond"]
            return {"special": "cond", "n_out": n.op.n_out, "spec": {
                "true": self.graph(s.true.graph), "false": self.graph(s.false.graph),
                "maps": s.maps, "out_avals": self._avals(s.out_avals)}}
        if "_while" in attrs:
            s = attrs["_while"]
            return {"special": "while", "n_out": n.op.n_out, "spec": {
                "cond": self.graph(s.cond.graph), "body": self.graph(s.body.graph),
                "n": s.n, "maps": s.maps, "out_avals": self._avals(s.out_avals),
                "max_iter": s.max_iter}}
        if "_dyn" in attrs:
            s = attrs["_dyn"]
            _check_registered(s.base, where)
            return {"special": "dynamic", "spec": {
                "base": s.base.name, "attrs": {k: self.literal(v, where)
                                               for k, v in s.attrs.items()},
                "n_args": s.n_args, "n_holes": s.n_holes, "shape_attr": s.shape_attr,
                "dtype_from": s.dtype_from}}
        if n.op.name == "keras_text_host_call" and "method" in attrs:
            return self._keras_host(attrs, where)
        if n.op.name == "custom_gradient" and not attrs:
            return {"special": "pass_through", "n_out": n.op.n_out}
        private = [k for k in attrs if k.startswith("_")]
        if private:
            raise SaveError(f"{where}: its attribute {private[0]!r} holds a Python object; "
                            "this op cannot be saved")
        _check_registered(n.op, where)
        return {"attrs": {k: self.literal(v, f"{where}, attribute {k!r}")
                          for k, v in attrs.items()}}

    @staticmethod
    def _avals(avals):
        return [[None if TensorShape(s).rank is None else TensorShape(s).as_list(),
                 _dt.as_dtype(d).name] for s, d in avals]

    def _keras_host(self, attrs, where):
        """A Keras lookup/text layer's host call: saved as the layer's class, config and
        vocabulary (an asset file); the loader rebuilds that built-in layer."""
        method = attrs["method"]
        layer = getattr(method, "__self__", None)
        name = type(layer).__name__
        from ..keras import layers as kl
        if name not in HOST_LAYERS or type(layer) is not getattr(kl, name, None) or \
                method.__name__ not in HOST_METHODS:
            raise SaveError(f"{where}: a host call of {type(layer).__name__} cannot be saved "
                            f"(only the built-in {', '.join(HOST_LAYERS)})")
        if callable(getattr(layer, "_standardize", None)) or \
                callable(getattr(layer, "_split", None)):
            raise SaveError(f"{where}: {layer.name} uses a custom standardize/split "
                            "callable, which cannot be saved")
        config = layer.get_config()
        vocab = config.pop("vocabulary", None)
        asset = None
        if vocab is not None:
            asset = f"{len(self.assets)}_{re.sub(r'[^A-Za-z0-9_.-]', '_', layer.name)}" \
                    "_vocabulary.json"
            self.assets[asset] = [self.literal(v, where) for v in vocab]
        try:
            config = self.literal(config, f"{where}, {name} config")
        except SaveError as e:
            raise SaveError(f"{e} (a custom standardize/split callable cannot be saved)") \
                from None
        return {"special": "keras_host", "layer": name, "method": method.__name__,
                "config": config, "vocabulary_asset": asset,
                "tout": self.literal(attrs["tout"], where),
                "shape": self.literal(attrs["shape"], where)}


# Keras layers whose host calls a SavedModel rebuilds from class name + config
HOST_LAYERS = ("StringLookup", "IntegerLookup", "Hashing", "TextVectorization")
HOST_METHODS = ("lookup_host", "_host")


def _check_registered(op, where):
    if _registry._REGISTRY.get(op.name) is op:
        return
    m = _SPLIT.match(op.name)
    if m and op.extra.get("family") == "split":
        return
    if op.name.startswith(("numpy_function", "py_function")):
        raise SaveError(f"{where}: tf.numpy_function / tf.py_function call Python code, "
                        "which a SavedModel cannot hold")
    if op.name == "keras_text_host_call":   # (one without a layer method behind it)
        raise SaveError(f"{where}: cuflow's Keras lookup and text layers (StringLookup, "
                        "IntegerLookup, TextVectorization) run Python on the host, which "
                        "its SavedModel cannot hold yet; export the model without them and "
                        "preprocess outside it")
    raise SaveError(f"{where}: the op is not in cuflow's op registry (made by "
                    f"{op.module or 'unknown code'}), so a loader could not rebuild it")


_LOADED_ALL = False


def ensure_ops_registered():
    """Imports every module that registers ops (some load lazily), once."""
    global _LOADED_ALL
    if _LOADED_ALL:
        return
    from .. import ops
    for m in pkgutil.iter_modules(ops.__path__):
        importlib.import_module(f"{ops.__name__}.{m.name}")
    importlib.import_module("cuflow.io.parsing_ops")
    _LOADED_ALL = True


def lookup_op(name, source=None):
    """The registry's OpDef for ``name``; NotFoundError (TF's class) when there is none."""
    ensure_ops_registered()
    op = _registry._REGISTRY.get(name)
    if op is not None:
        return op
    m = _SPLIT.match(name)
    if m:
        from ..ops.array_ops import _split_op
        return _split_op(int(m.group(1)))
    where = f" (node traced at {source})" if source else ""
    raise NotFoundError(None, None, f"Op type not registered '{name}' in cuflow's op "
                        f"registry{where}; this SavedModel was written by a cuflow with "
                        "more ops, or the file was altered")


class GraphDecoder:
    """Rebuilds graphs from :class:`GraphEncoder`'s data on ``device``."""

    def __init__(self, arrays, variables, device, assets_dir=None):
        self.arrays, self.variables, self.device = arrays, variables, device
        self.assets_dir = assets_dir

    def literal(self, d):
        return decode(d, self.arrays, self.variables)

    def graph(self, d):
        from ..graph.ir import Graph, Node, Value
        g = Graph(d["name"])
        g.device = self.device
        vals: dict[int, Value] = {}

        def mk(vd, **kw):
            v = Value(TensorShape(vd["shape"]), _dt.as_dtype(vd["dtype"]), graph=g,
                      name=vd["name"], **kw)
            vals[vd["id"]] = v
            return v
        g.inputs = [mk(v, kind="input") for v in d["inputs"]]
        g.captures = [(mk(v, kind="capture"), self.literal({"t": "variable", "i": i}))
                      for v, i in d["captures"]]
        g.constants = [mk(v, kind="const", const=np.asarray(self.literal(c)))
                       for v, c in d["constants"]]
        for nd in d["nodes"]:
            op, attrs = self._op(nd)
            try:
                node = Node(op, [vals[i] for i in nd["in"]], attrs, nd.get("source"))
            except KeyError as e:
                raise ValueError(f"SavedModel: node {nd['op']!r} reads value {e} before it "
                                 "is defined") from None
            if op.n_out not in (len(nd["out"]), None) and nd.get("special") is None:
                raise ValueError(f"SavedModel: op {op.name!r} has {op.n_out} outputs in the "
                                 f"registry but {len(nd['out'])} in the file")
            node.outputs = tuple(
                Value(TensorShape(o["shape"]), _dt.as_dtype(o["dtype"]), producer=node,
                      index=j, graph=g, name=o["name"]) for j, o in enumerate(nd["out"]))
            for o, vd in zip(node.outputs, nd["out"]):
                vals[vd["id"]] = o
            g.nodes.append(node)
        g.outputs = [vals[i] for i in d["outputs"]]
        g.check()
        return g

    def _op(self, nd):
        from ..graph import control_flow as cfl
        from ..graph.ir import ASSIGN, PRINT, READ
        from ..ops.registry import OpDef
        special = nd.get("special")
        if special is None:
            return lookup_op(nd["op"], nd.get("source")), \
                {k: self.literal(v) for k, v in nd["attrs"].items()}
        if special in ("assign_variable", "read_variable", "print"):
            op = {"assign_variable": ASSIGN, "read_variable": READ, "print": PRINT}[special]
            attrs = {k: self.literal(v) for k, v in nd["attrs"].items()}
            if op is PRINT and attrs.get("stream") not in ("stdout", "stderr"):
                raise ValueError(f"SavedModel: print to {attrs.get('stream')!r} refused "
                                 "(only stdout and stderr)")
            if op is not PRINT and not isinstance(attrs.get("var"), Variable):
                raise ValueError(f"SavedModel: {special} without a variable")
            return op, attrs
        s = nd.get("spec")
        if special == "cond":
            spec = cfl._CondSpec(self._branch(s["true"]), self._branch(s["false"]),
                                 s["maps"], self._avals(s["out_avals"]))
            op = OpDef("cond", nd["kind"], cfl._cond_impl, n_out=nd["n_out"],
                       vjp=cfl._cond_vjp, infer=cfl._avals_infer)
            return op, {"_cond": spec}
        if special == "while":
            spec = cfl._WhileSpec(self._branch(s["cond"]), self._branch(s["body"]), s["n"],
                                  s["maps"], self._avals(s["out_avals"]), s["max_iter"])
            op = OpDef("while", nd["kind"], cfl._while_impl, n_out=nd["n_out"],
                       vjp=cfl._while_vjp, infer=cfl._avals_infer)
            return op, {"_while": spec}
        if special == "dynamic":
            return self._dynamic(s, nd.get("source"))
        if special == "keras_host":
            return self._keras_host(nd)
        if special == "pass_through":
            from ..autodiff.custom_gradient import _pass_through
            # the custom gradient was Python code: the loaded op has no gradient
            return OpDef("custom_gradient", "opaque", _pass_through(nd["n_out"]),
                         n_out=nd["n_out"], differentiable=False), {}
        raise ValueError(f"SavedModel: unknown node kind {special!r}")

    def _dynamic(self, s, source):
        from ..ops import dynamic_shape as ds
        from ..ops.registry import OpDef
        base = lookup_op(s["base"], source)
        spec = ds._DynSpec(base, {k: self.literal(v) for k, v in s["attrs"].items()},
                           s["n_args"], s["n_holes"], s["shape_attr"], s["dtype_from"])
        dyn = ds._DYN_OPS.get(base.name)
        if dyn is None:      # as dynamic_shape.apply builds it
            dyn = ds._DYN_OPS[base.name] = OpDef(
                base.name, base.kind, ds._dyn_impl, n_out=base.n_out,
                vjp=ds._dyn_vjp if base.differentiable else None, infer=ds._dyn_infer,
                differentiable=base.differentiable)
        return dyn, {"_dyn": spec}

    def _branch(self, d):
        return LoadedBranch(self.graph(d))

    def _keras_host(self, nd):
        import json
        import os

        from ..keras import layers as kl
        from ..keras.layers.lookup import _HOST
        name, method = nd["layer"], nd["method"]
        if name not in HOST_LAYERS or method not in HOST_METHODS:
            raise ValueError(f"SavedModel: {name}.{method} is not a layer call cuflow "
                             "rebuilds")
        config = self.literal(nd["config"])
        if nd.get("vocabulary_asset"):
            file = os.path.join(self.assets_dir or "", os.path.basename(
                nd["vocabulary_asset"]))
            with open(file) as f:
                config["vocabulary"] = [self.literal(v) for v in json.load(f)]
        layer = getattr(kl, name).from_config(config)
        fn = getattr(layer, method)
        tout = self.literal(nd["tout"])
        dtype = tout[0]
        return _HOST, {"func": lambda a: np.asarray(fn(a), dtype=dtype), "tout": tout,
                       "shape": self.literal(nd["shape"]), "method": fn}

    @staticmethod
    def _avals(avals):
        return [(TensorShape(s), _dt.as_dtype(d)) for s, d in avals]


class LoadedBranch:
    """A cond branch / loop body rebuilt from a file: its graph and optimized executor
    (what ``control_flow.Branch`` holds after tracing)."""

    def __init__(self, graph):
        from ..graph import passes
        from ..graph.executor import Executor
        from ..graph.ir import clone
        self.graph = graph
        self.n_args = len(graph.inputs)
        opt = clone(graph)
        passes.optimize(opt)
        self.executor = Executor(opt, graph.device)

    def run(self, arrays):
        return self.executor.run(arrays)
