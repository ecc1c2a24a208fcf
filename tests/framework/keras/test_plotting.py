"""plot_model / plot_history: real images, and the graph they draw (checked on the
layout's data, not on pixels)."""
import struct

import numpy as np
import pytest

import cuflow as cf
from cuflow.keras.utils import plotting

pytest.importorskip("matplotlib")
K, L = cf.keras, cf.keras.layers


def png_size(path):
    """(width, height) from a PNG's IHDR; fails unless the file is a PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", head[:8]
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def seed_model():
    return K.Sequential([L.Dense(128, activation="relu", input_shape=(784,)),
                         L.Dense(10, activation="softmax")])


def branchy():
    a, b = K.Input((8,), name="a"), K.Input((4,), name="b")
    inner = K.Sequential([L.Dense(6, input_shape=(8,), name="i1"), L.Dense(5, name="i2")],
                         name="inner")
    z = L.Concatenate(name="cat")([inner(a), L.Dense(5, name="side")(b)])
    return K.Model([a, b], [L.Dense(1, name="o1")(z), L.Dense(2, name="o2")(z)]), inner


def _by_header(graph):
    return {n.lines[0]: n for n in graph.nodes}


def test_sequential_png_and_labels(tmp_path):
    path = tmp_path / "m.png"
    cf.keras.utils.plot_model(seed_model(), to_file=str(path), show_shapes=True,
                              show_dtype=True, show_layer_names=True,
                              show_layer_activations=True, show_trainable=True, dpi=100)
    w, h = png_size(path)
    assert 150 < w < 2000 and 200 < h < 3000
    import matplotlib.image
    img = matplotlib.image.imread(str(path))
    assert img.std() > 0.05  # something is drawn
    named = K.Sequential([L.Dense(128, activation="relu", input_shape=(784,), name="h"),
                          L.Dense(10, activation="softmax", name="out")])
    g = plotting.model_graph(named, show_shapes=True, show_dtype=True,
                             show_layer_names=True, show_layer_activations=True,
                             show_trainable=True)
    assert [n.lines for n in g.nodes] == [
        ["h (Dense)", "Activation: relu", "Input shape: (None, 784)",
         "Output shape: (None, 128)", "Output dtype: float32"],
        ["out (Dense)", "Activation: softmax", "Input shape: (None, 128)",
         "Output shape: (None, 10)", "Output dtype: float32"]]
    assert [n.trainable for n in g.nodes] == [True, True]
    assert g.edges == [(id(named.layers[0]), id(named.layers[1]))]
    assert [n.lines for n in plotting.model_graph(named).nodes] == [["Dense"], ["Dense"]]


def test_functional_graph_nodes_and_edges():
    model, _ = branchy()
    g = plotting.model_graph(model, show_layer_names=True)
    names = [n.lines[0].split(" ")[0] for n in g.nodes]
    assert sorted(names) == sorted(["a", "b", "inner", "side", "cat", "o1", "o2"])
    key = {n.lines[0].split(" ")[0]: n.key for n in g.nodes}
    edges = {(a, b) for a, b in g.edges}
    want = [("a", "inner"), ("b", "side"), ("inner", "cat"), ("side", "cat"), ("cat", "o1"),
            ("cat", "o2")]
    assert edges == {(key[a], key[b]) for a, b in want}
    plotting.layout(g, "TB")
    nodes = {n.key: n for n in g.nodes}
    for a, b in g.edges:  # top to bottom: every edge points down, one rank or more
        assert nodes[a].y > nodes[b].y and nodes[b].rank > nodes[a].rank
    _no_overlap(g)


def _no_overlap(g):
    boxes = [(n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2) for n in g.nodes]
    for i, p in enumerate(boxes):
        for q in boxes[i + 1:]:
            assert p[2] <= q[0] or q[2] <= p[0] or p[3] <= q[1] or q[3] <= p[1], (p, q)


def test_expand_nested_draws_the_inner_layers_in_a_frame(tmp_path):
    model, inner = branchy()
    g = plotting.model_graph(model, show_layer_names=True, expand_nested=True)
    names = {n.lines[0].split(" ")[0]: n for n in g.nodes}
    assert "inner" not in names and {"i1", "i2"} <= set(names)
    assert names["i1"].cluster == ("inner",) and names["cat"].cluster == ()
    edges = {(a, b) for a, b in g.edges}
    for a, b in [("a", "i1"), ("i1", "i2"), ("i2", "cat")]:
        assert (names[a].key, names[b].key) in edges
    plotting.layout(g, "LR")
    _no_overlap(g)
    frame = plotting.cluster_boxes(g)[("inner",)]
    for n in g.nodes:  # the frame holds its members and no other box
        inside = frame[0] <= n.x <= frame[2] and frame[1] <= n.y <= frame[3]
        assert inside == (n.cluster == ("inner",)), n.lines[0]
    for a, b in g.edges:  # left to right
        assert names_by_key(g)[a].x < names_by_key(g)[b].x
    path = tmp_path / "nested.png"
    cf.keras.utils.plot_model(model, to_file=str(path), expand_nested=True, rankdir="LR",
                              dpi=72)
    w, h = png_size(path)
    assert w > h > 50


def names_by_key(g):
    return {n.key: n for n in g.nodes}


@pytest.mark.parametrize("rankdir", ["BT", "RL"])
def test_rankdir_directions(rankdir):
    g = plotting.model_graph(seed_model())
    plotting.layout(g, rankdir)
    first, second = g.nodes
    if rankdir == "BT":
        assert first.y < second.y
    else:
        assert first.x > second.x


def test_subclassed_model_is_one_box_and_errors(tmp_path):
    class Sub(K.Model):
        def __init__(self):
            super().__init__()
            self.d = L.Dense(2)

        def call(self, x):
            return self.d(x)
    m = Sub()
    with pytest.raises(ValueError, match="not yet been built"):
        cf.keras.utils.plot_model(m, to_file=str(tmp_path / "s.png"))
    m(np.zeros((1, 3), np.float32))
    assert len(plotting.model_graph(m).nodes) == 1
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        cf.keras.utils.plot_model(seed_model(), to_file=str(tmp_path / "x.png"), bogus=1)
    with pytest.raises(ValueError, match="rankdir"):
        plotting.layout(plotting.model_graph(seed_model()), "XY")


def test_other_formats(tmp_path):
    path = tmp_path / "m.svg"
    cf.keras.utils.plot_model(seed_model(), to_file=str(path))
    assert b"<svg" in path.read_bytes()[:2000]


def test_plot_history_png(tmp_path):
    x = np.random.default_rng(0).random((64, 4), dtype=np.float32)
    y = (x[:, :1] > 0.5).astype(np.float32)
    model = K.Sequential([L.Dense(1, activation="sigmoid", input_shape=(4,))])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=3, validation_split=0.25, verbose=0)
    path = tmp_path / "sub" / "history.png"
    assert cf.keras.utils.plot_history(history, str(path)) == str(path)
    w, h = png_size(path)
    assert w > 2 * h > 100   # one panel per metric (loss, accuracy), side by side
    with pytest.raises(ValueError, match="no values"):
        cf.keras.utils.plot_history({}, str(tmp_path / "e.png"))


def test_files_get_the_usual_permissions(tmp_path):
    """Atomic writes go through mkstemp (0600); the saved files get what open() gives."""
    import os
    umask = os.umask(0o022)
    try:
        cf.keras.utils.plot_model(seed_model(), to_file=str(tmp_path / "m.png"))
        seed_model().save(str(tmp_path / "m.keras"))
    finally:
        os.umask(umask)
    for name in ("m.png", "m.keras"):
        assert os.stat(tmp_path / name).st_mode & 0o777 == 0o644, name
