"""Graphs for TensorBoard's graph dashboard: GraphDefs from a generic node list, ``graph``,
``trace_on`` / ``trace_export`` / ``trace_off`` and the Keras model summary.

The graph-mode IR is not a dependency: anything that can be turned into a node list
works. A node is a dict ``{"name", "op", "inputs", "attrs", "device"}`` or a tuple
``(name, op, inputs[, attrs])``; ``attrs`` may hold ``dtype`` (NumPy / cuflow dtype or
name), ``shape`` (a tuple with None for unknown dims, or a list of them for several
outputs) and plain values (int, float, bool, str, bytes, lists of them).
Converters for other objects (cuflow's traced functions) register with
``register_graph_adapter``; ``record_traced_graph`` is the hook the tracer calls.
"""
from __future__ import annotations

import threading
import time

import numpy as np
from tensorboard.compat.proto import (
    attr_value_pb2,
    config_pb2,
    event_pb2,
    graph_pb2,
    node_def_pb2,
    summary_pb2,
    tensor_shape_pb2,
    types_pb2,
)

from ._ir_adapter import ir_graph_nodes
from .writer import _state, should_record_summaries, summary_scope, write

__all__ = [
    "graph",
    "graph_def_from_nodes",
    "keras_model_summary",
    "record_traced_graph",
    "register_graph_adapter",
    "trace_export",
    "trace_off",
    "trace_on",
]

_DTYPES = {
    "float16": types_pb2.DT_HALF, "bfloat16": types_pb2.DT_BFLOAT16,
    "float32": types_pb2.DT_FLOAT, "float64": types_pb2.DT_DOUBLE,
    "int8": types_pb2.DT_INT8, "int16": types_pb2.DT_INT16, "int32": types_pb2.DT_INT32,
    "int64": types_pb2.DT_INT64, "uint8": types_pb2.DT_UINT8,
    "uint16": types_pb2.DT_UINT16, "uint32": types_pb2.DT_UINT32,
    "uint64": types_pb2.DT_UINT64, "bool": types_pb2.DT_BOOL,
    "complex64": types_pb2.DT_COMPLEX64, "complex128": types_pb2.DT_COMPLEX128,
    "string": types_pb2.DT_STRING, "object": types_pb2.DT_STRING,
    "variant": types_pb2.DT_VARIANT, "resource": types_pb2.DT_RESOURCE,
}
_adapters: list = [ir_graph_nodes]  # cuflow's own traced functions; later ones go first


def _dtype_enum(dtype) -> int:
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        name = str(dtype)
    if name not in _DTYPES:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            pass
    if name not in _DTYPES:
        raise ValueError(f"unsupported dtype {dtype!r} in graph attrs")
    return _DTYPES[name]


def _shape_proto(shape):
    if shape is None:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    dims = getattr(shape, "as_list", lambda: list(shape))()
    return tensor_shape_pb2.TensorShapeProto(dim=[
        tensor_shape_pb2.TensorShapeProto.Dim(size=-1 if d is None else int(d)) for d in dims])


def _is_shape_list(value) -> bool:
    return (isinstance(value, (list, tuple)) and len(value) > 0
            and all(v is None or isinstance(v, (list, tuple)) for v in value))


def _attr_value(key, value) -> attr_value_pb2.AttrValue:
    av = attr_value_pb2.AttrValue
    if key == "dtype" or key.endswith("_dtype") or key in ("T", "Tout", "DstT", "SrcT"):
        return av(type=_dtype_enum(value))
    if isinstance(value, bool):
        return av(b=value)
    if isinstance(value, (int, np.integer)):
        return av(i=int(value))
    if isinstance(value, (float, np.floating)):
        return av(f=float(value))
    if isinstance(value, str):
        return av(s=value.encode("utf-8"))
    if isinstance(value, bytes):
        return av(s=value)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (bool, np.bool_)) for v in value):
            return av(list=av.ListValue(b=[bool(v) for v in value]))
        if all(isinstance(v, (int, np.integer)) for v in value):
            return av(list=av.ListValue(i=[int(v) for v in value]))
        if all(isinstance(v, (int, float, np.number)) for v in value):
            return av(list=av.ListValue(f=[float(v) for v in value]))
        return av(list=av.ListValue(s=[str(v).encode("utf-8") for v in value]))
    return av(s=repr(value).encode("utf-8"))


def _node_fields(node):
    if isinstance(node, dict):
        return (node["name"], node["op"], list(node.get("inputs", ())),
                dict(node.get("attrs") or {}), node.get("device", ""))
    if isinstance(node, (tuple, list)) and 3 <= len(node) <= 4:
        attrs = dict(node[3]) if len(node) == 4 and node[3] else {}
        return node[0], node[1], list(node[2]), attrs, ""
    raise ValueError(f"a graph node must be a dict or (name, op, inputs[, attrs]), got "
                     f"{node!r}")


def graph_def_from_nodes(nodes) -> graph_pb2.GraphDef:
    """Build a ``GraphDef`` from a list of nodes (see the module docstring).

    Inputs name earlier or later nodes, optionally ``"name:k"`` for output ``k`` or
    ``"^name"`` for a control edge. A ``shape`` attr is also written as
    ``_output_shapes`` so the dashboard labels edges with shapes.

    Example:
        >>> g = graph_def_from_nodes([
        ...     ("x", "Placeholder", [], {"dtype": "float32", "shape": (None, 3)}),
        ...     ("y", "Relu", ["x"], {"T": "float32"})])
        >>> [n.name for n in g.node]
        ['x', 'y']
    """
    fields = [_node_fields(n) for n in nodes]
    names = [f[0] for f in fields]
    seen = set()
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"graph node names must be non-empty strings, got {name!r}")
        if name in seen:
            raise ValueError(f"duplicate graph node name {name!r}")
        seen.add(name)
    graph_def = graph_pb2.GraphDef()
    for name, op, inputs, attrs, device in fields:
        for inp in inputs:
            src = str(inp).lstrip("^").split(":")[0]
            if src not in seen:
                raise ValueError(f"node {name!r} ({op}) has input {inp!r} that names no node")
        node = node_def_pb2.NodeDef(name=name, op=str(op), input=[str(i) for i in inputs],
                                    device=device or "")
        for key, value in attrs.items():
            if key == "shape":
                shapes = value if _is_shape_list(value) else [value]
                node.attr["shape"].CopyFrom(attr_value_pb2.AttrValue(
                    shape=_shape_proto(shapes[0])))
                node.attr["_output_shapes"].CopyFrom(attr_value_pb2.AttrValue(
                    list=attr_value_pb2.AttrValue.ListValue(
                        shape=[_shape_proto(s) for s in shapes])))
            else:
                node.attr[key].CopyFrom(_attr_value(key, value))
        graph_def.node.append(node)
    graph_def.versions.producer = 1
    return graph_def


def register_graph_adapter(adapter):
    """Register ``adapter(obj) -> GraphDef | node list | None`` for ``graph()``.

    The graph-mode package registers one that turns its traced functions into nodes.
    """
    _adapters.append(adapter)
    return adapter


def _as_graph_def(graph_data):
    if isinstance(graph_data, graph_pb2.GraphDef):
        return graph_data
    if isinstance(graph_data, (bytes, bytearray)):
        return graph_pb2.GraphDef.FromString(bytes(graph_data))
    if isinstance(graph_data, (list, tuple)):
        return graph_def_from_nodes(graph_data)
    for adapter in reversed(_adapters):
        converted = adapter(graph_data)
        if converted is not None:
            return _as_graph_def(converted)
    raise ValueError("Argument 'graph_data' is not a GraphDef or a list of graph nodes "
                     f"(and no registered adapter converts it). Received {type(graph_data)}")


def graph(graph_data):
    """Write a graph (``GraphDef``, node list or adapted object) for the graph dashboard.

    Returns True if written, False if no default writer or recording is off.

    Example:
        >>> import tempfile, cuflow as cf
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default():
        ...     cf.summary.graph([("x", "Placeholder", []), ("y", "Relu", ["x"])])
        True
    """
    writer = _state.writer
    if writer is None or not should_record_summaries():
        return False
    graph_def = _as_graph_def(graph_data)
    writer._add_event(event_pb2.Event(wall_time=time.time(), step=0,
                                      graph_def=graph_def.SerializeToString()))
    return True


def keras_model_summary(name, data, step=None):
    """Write a model's ``to_json()`` for the graph dashboard's conceptual Keras graph."""
    meta = summary_pb2.SummaryMetadata()
    meta.plugin_data.plugin_name = "graph_keras_model"
    meta.plugin_data.content = b"1"
    try:
        json_string = data.to_json()
    except Exception:  # noqa: BLE001 - Keras warns and skips too
        return False
    with summary_scope(name, "graph_keras_model") as (tag, _):
        return write(tag, np.array(json_string.encode("utf-8"), dtype=object), step, meta)


# ---- tracing ------------------------------------------------------------------------
class _Trace:
    def __init__(self, graph, profiler):
        self.graph, self.profiler, self.graphs = graph, profiler, []


_trace_lock = threading.Lock()
_trace: _Trace | None = None


def tracing_graphs() -> bool:
    """Cheap check for the tracer: is ``trace_on(graph=True)`` collecting graphs?"""
    return _trace is not None and _trace.graph


def record_traced_graph(graph_data, name=None):
    """Hook for the graph-mode tracer: remember a traced function's graph if tracing.

    The tracer need not import cf.summary (nor tensorboard): nobody can have called
    ``trace_on`` unless this module is loaded, so it checks ``sys.modules`` first::

        summary = sys.modules.get("cuflow.summary.graph_ops")
        if summary is not None and summary.tracing_graphs():
            summary.record_traced_graph(concrete_function, name)
    """
    trace = _trace
    if trace is not None and trace.graph:
        trace.graphs.append((name, graph_data))


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Start collecting function graphs (and, with ``profiler=True``, a profile).

    Example:
        >>> import cuflow as cf
        >>> cf.summary.trace_on(graph=True)
        >>> cf.summary.trace_off()
    """
    global _trace
    with _trace_lock:
        if _trace is not None:
            raise ValueError("trace_on was called twice without trace_export/trace_off")
        _trace = _Trace(bool(graph), bool(profiler))
        _trace.outdir = profiler_outdir
    if profiler:
        from ..profiler import _session
        _session.start_session(profiler_outdir)


def trace_export(name, step=None, profiler_outdir=None):
    """Write the collected graphs as ``name`` at ``step``, save the profile, and stop.

    Returns True if the graphs were written.
    """
    with _trace_lock:
        trace = _trace
        if trace is None:
            raise ValueError("Must enable trace before export through cf.summary.trace_on.")
        outdir = profiler_outdir or getattr(trace, "outdir", None)
        if trace.profiler and outdir is None:
            raise ValueError("Argument `profiler_outdir` is not specified.")
    written = False
    if trace.graph and trace.graphs:
        run_meta = config_pb2.RunMetadata()
        for _, data in trace.graphs:
            run_meta.function_graphs.add().pre_optimization_graph.CopyFrom(_as_graph_def(data))
        meta = summary_pb2.SummaryMetadata()
        meta.plugin_data.plugin_name = "graph_run_metadata_graph"
        meta.plugin_data.content = b"1"
        written = write(name, np.array(run_meta.SerializeToString(), dtype=object), step, meta)
    if trace.profiler:
        from ..profiler import _session
        _session.stop_session(save_to=outdir)
    trace_off()
    return written


def trace_off():
    """Stop tracing without exporting (a no-op when not tracing)."""
    global _trace
    with _trace_lock:
        trace, _trace = _trace, None
    if trace is not None and trace.profiler:
        from ..profiler import _session
        if _session.active():
            _session.stop_session(save_to=None)
