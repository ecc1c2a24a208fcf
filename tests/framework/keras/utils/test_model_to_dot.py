"""keras.utils.model_to_dot: pydot graph of the layers, or Keras's ImportError."""
import sys

import pytest

import cuflow as cf


def _model():
    inp = cf.keras.Input((3,), name="x")
    h = cf.keras.layers.Dense(4, activation="relu", name="d1")(inp)
    inner = cf.keras.Sequential([cf.keras.layers.Dense(2, name="i1"),
                                 cf.keras.layers.Dense(2, name="i2")], name="inner")
    return cf.keras.Model(inp, inner(h), name="m")


def test_missing_pydot_raises_keras_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match=r"install pydot"):
        cf.keras.utils.model_to_dot(_model())


def test_unbuilt_model_raises():
    with pytest.raises(ValueError, match="not yet been built"):
        cf.keras.utils.model_to_dot(cf.keras.Sequential([cf.keras.layers.Dense(1)]))


def test_model_to_dot_graph():
    pytest.importorskip("pydot")
    model = _model()
    dot = cf.keras.utils.model_to_dot(model, show_shapes=True, show_trainable=True,
                                      show_layer_activations=True)
    assert dot.get("rankdir") == "TB" and dot.get("splines") == "ortho"
    names = [n.get_name() for n in dot.get_nodes() if n.get_name() != "node"]
    assert len(names) == 3  # x, d1, inner
    labels = "".join(n.get("label") for n in dot.get_nodes() if n.get("label"))
    assert "<b>d1</b> (Dense)" in labels and "Activation: <b>relu</b>" in labels
    assert "Output shape: <b>(None, 4)</b>" in labels and "<b>Trainable</b>" in labels
    assert len(dot.get_edges()) == 2 and dot.get_edges()[0].get("penwidth") == "2"
    nested = cf.keras.utils.model_to_dot(model, expand_nested=True)
    (cluster,) = nested.get_subgraphs()
    assert cluster.get_name() == "cluster_inner" and len(cluster.get_nodes()) == 2
    assert len(nested.get_edges()) == 3
    sub = cf.keras.utils.model_to_dot(model, subgraph=True)
    assert sub.get("style") == "dashed" and sub.get("label") == "m"
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        cf.keras.utils.model_to_dot(model, foo=1)
