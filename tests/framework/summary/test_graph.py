"""Graphs: GraphDefs from node lists, the graph event, trace_on / trace_export."""
import cuflow as cf
import numpy as np
import pytest
from cuflow.summary import graph_ops as graph_mod
from tensorboard.compat.proto import config_pb2, types_pb2

from .helpers import load, plugin, values

NODES = [
    {"name": "x", "op": "Placeholder", "attrs": {"dtype": cf.float32, "shape": (None, 3)}},
    {"name": "w", "op": "VarHandleOp", "attrs": {"dtype": np.float64, "shape": [3, 2]}},
    ("mm", "MatMul", ["x", "w"], {"T": "float32", "transpose_a": False, "shape": (None, 2)}),
    ("out", "Relu", ["mm:0", "^w"], {"T": "float32", "alpha": 0.5, "perm": [1, 0]}),
]


def test_graph_def_from_nodes():
    g = cf.summary.graph_def_from_nodes(NODES)
    by = {n.name: n for n in g.node}
    assert [n.name for n in g.node] == ["x", "w", "mm", "out"]
    assert by["mm"].op == "MatMul" and list(by["mm"].input) == ["x", "w"]
    assert list(by["out"].input) == ["mm:0", "^w"]
    assert by["x"].attr["dtype"].type == types_pb2.DT_FLOAT
    assert by["w"].attr["dtype"].type == types_pb2.DT_DOUBLE
    assert [d.size for d in by["x"].attr["shape"].shape.dim] == [-1, 3]
    assert [d.size for d in by["mm"].attr["_output_shapes"].list.shape[0].dim] == [-1, 2]
    assert by["mm"].attr["transpose_a"].b is False
    assert by["out"].attr["alpha"].f == 0.5 and list(by["out"].attr["perm"].list.i) == [1, 0]


@pytest.mark.parametrize("nodes, match", [
    ([("a", "Op", []), ("a", "Op", [])], "duplicate"),
    ([("a", "Op", ["nope"])], "names no node"),
    ([("a", "Op", [], {"dtype": "not-a-dtype"})], "dtype"),
    ([("a",)], "dict or"),
])
def test_graph_def_errors(nodes, match):
    with pytest.raises(ValueError, match=match):
        cf.summary.graph_def_from_nodes(nodes)


def test_graph_event_read_back(tmp_path):
    assert cf.summary.graph(NODES) is False  # no default writer
    with cf.summary.create_file_writer(str(tmp_path)).as_default():
        assert cf.summary.graph(NODES)
        with pytest.raises(ValueError, match="graph_data"):
            cf.summary.graph(object())
    g = load(tmp_path).Graph()
    assert [n.name for n in g.node] == ["x", "w", "mm", "out"]


def test_graph_adapter(tmp_path):
    class Traced:
        nodes = [("a", "Placeholder", []), ("b", "Neg", ["a"])]
    adapter = cf.summary.register_graph_adapter(
        lambda obj: obj.nodes if isinstance(obj, Traced) else None)
    try:
        with cf.summary.create_file_writer(str(tmp_path)).as_default():
            assert cf.summary.graph(Traced())
    finally:
        graph_mod._adapters.remove(adapter)
    assert [n.op for n in load(tmp_path).Graph().node] == ["Placeholder", "Neg"]


def test_trace_on_export_writes_run_metadata(tmp_path):
    with pytest.raises(ValueError, match="trace_on"):
        cf.summary.trace_export("f", step=0)
    cf.summary.trace_on(graph=True)
    assert graph_mod.tracing_graphs()
    cf.summary.record_traced_graph(NODES, name="f")
    cf.summary.record_traced_graph([("c", "Const", [])], name="g")
    with cf.summary.create_file_writer(str(tmp_path)).as_default():
        assert cf.summary.trace_export("my_func", step=3)
    assert not graph_mod.tracing_graphs()
    acc = load(tmp_path)
    assert plugin(acc, "my_func") == "graph_run_metadata_graph"
    (step, blob), = values(acc, "my_func")
    meta = config_pb2.RunMetadata.FromString(blob.item())
    assert step == 3 and len(meta.function_graphs) == 2
    assert meta.function_graphs[0].pre_optimization_graph.node[2].op == "MatMul"


def test_trace_off_discards_and_double_trace_on_raises():
    cf.summary.trace_on()
    with pytest.raises(ValueError, match="twice"):
        cf.summary.trace_on()
    cf.summary.record_traced_graph(NODES)
    cf.summary.trace_off()
    cf.summary.trace_off()
    cf.summary.record_traced_graph(NODES)  # not tracing: ignored
    assert graph_mod._trace is None


def test_keras_model_summary(tmp_path):
    class Model:
        def to_json(self):
            return '{"class_name": "Sequential"}'
    with cf.summary.create_file_writer(str(tmp_path)).as_default():
        assert cf.summary.keras_model_summary("keras", Model(), step=0)
        assert cf.summary.keras_model_summary("bad", object(), step=0) is False
    acc = load(tmp_path)
    assert plugin(acc, "keras") == "graph_keras_model"
    assert values(acc, "keras")[0][1].item() == b'{"class_name": "Sequential"}'


@pytest.fixture
def traced():
    if not hasattr(cf, "function"):
        pytest.skip("this core has no cf.function")
    v = cf.Variable(np.ones((3, 2), np.float32), name="dense/kernel")

    @cf.function
    def f(x):
        return cf.nn.relu(cf.matmul(x, v) + 1.0)
    f(cf.constant(np.ones((4, 3), np.float32)))
    return f


def test_cuflow_function_graph(tmp_path, traced):
    with cf.summary.create_file_writer(str(tmp_path)).as_default():
        assert cf.summary.graph(traced)
    g = load(tmp_path).Graph()
    by = {n.name: n for n in g.node}
    ops = [n.op for n in g.node]
    assert ops == ["Placeholder", "ReadVariableOp", "Const", "matmul", "add", "relu",
                   "Identity"]
    assert list(by["matmul"].input) == ["x", "dense/kernel"]
    assert list(by["relu"].input) == ["add"] and list(by["output_0"].input) == ["relu"]
    assert [d.size for d in by["matmul"].attr["_output_shapes"].list.shape[0].dim] == [4, 2]
    assert by["x"].attr["dtype"].type == types_pb2.DT_FLOAT
    assert by["matmul"].attr["tb"].b is False and by["matmul"].attr["source"].s


def test_trace_export_of_a_traced_function(tmp_path, traced):
    concrete = list(traced._cache.values())[-1]
    cf.summary.trace_on(graph=True)
    cf.summary.record_traced_graph(concrete, name="f")  # what the tracer's hook does
    with cf.summary.create_file_writer(str(tmp_path)).as_default():
        assert cf.summary.trace_export("f_trace", step=1)
    (_, blob), = values(load(tmp_path), "f_trace")
    graph = config_pb2.RunMetadata.FromString(blob.item()).function_graphs[0]
    assert [n.op for n in graph.pre_optimization_graph.node][3:6] == ["matmul", "add", "relu"]


def test_untraced_function_has_no_graph(tmp_path):
    if not hasattr(cf, "function"):
        pytest.skip("this core has no cf.function")
    f = cf.function(lambda x: x + 1)
    with cf.summary.create_file_writer(str(tmp_path)).as_default():
        with pytest.raises(ValueError, match="graph_data"):
            cf.summary.graph(f)
