"""Pictures people look at: the model graph (``plot_model``) and the training curves
(``plot_history``), drawn with matplotlib (imported on first use, never with cuflow).

``plot_model`` follows Keras 3's ``model_to_dot``: a Sequential model is a chain of its
layers (no InputLayer box), a Functional model shows every layer (InputLayers included)
with an edge per connection, a subclassed model is one box, and ``expand_nested`` draws a
nested model as a dashed cluster of its own layers. Instead of Graphviz, ``model_graph``
extracts the nodes, edges and clusters and ``layout`` places them in ranks (longest path
from the inputs, then barycenter ordering within a rank); both are plain data, so tests
can check what is drawn without reading pixels.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field

CHAR_W, LINE_H, PAD = 0.075, 0.21, 0.18  # inches at 10 pt
GAP_RANK, GAP_NODE, MARGIN = 0.45, 0.35, 0.3


@dataclass
class GraphNode:
    key: int                      # id() of the layer (or model) it draws
    lines: list                   # label: header line first
    cluster: tuple = ()           # names of the nested models that contain it
    trainable: bool | None = None
    x: float = 0.0                # layout: centre, inches
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    rank: int = 0


@dataclass
class Graph:
    nodes: list = field(default_factory=list)
    edges: list = field(default_factory=list)     # (src key, dst key), no duplicates
    clusters: dict = field(default_factory=dict)  # path tuple -> label

    def add_edge(self, a, b):
        if (a, b) not in self.edges:
            self.edges.append((a, b))


# --- what to draw ------------------------------------------------------------------------
def _kinds():
    from ..models.functional import Functional
    from ..models.sequential import Sequential
    return Functional, Sequential


def _fmt(shapes):
    if shapes is None:
        return "?"
    shapes = [tuple(s) for s in shapes]
    return str(shapes[0]) if len(shapes) == 1 else str(shapes)


def _sequential_specs(model):
    """{id(layer): (input shapes, output shapes, output dtype)} by running each layer on
    stand-ins (the Functional engine's shape inference), as ``summary`` does."""
    from ..keras_tensor import KerasTensor
    from ..models.functional import _run_on_stand_ins
    from ... import nest
    specs, shape = {}, model._input_shape
    dtype = "float32"
    if shape is None:  # never built on an input: shapes are drawn as "?"
        return specs
    for layer in model.layers:
        kt = KerasTensor(shape, dtype)
        a, b = (nest.flatten(_run_on_stand_ins(layer, kt, (), {}, n)) for n in (2, 3))
        out = [tuple(x if x == y else None for x, y in zip(p.shape, q.shape))
               for p, q in zip(a, b)]
        specs[id(layer)] = ([tuple(shape)], out, a[0].dtype.name)
        shape, dtype = out[0], a[0].dtype.name
    return specs


def _functional_specs(model):
    specs = {}
    for x in model.inputs:
        origin = getattr(x, "_origin", None)
        if origin is not None:
            specs[id(origin)] = (None, [tuple(x.shape)], x.dtype.name)
    for node in model._nodes:
        if id(node.layer) not in specs:
            specs[id(node.layer)] = ([tuple(t.shape) for t in node.input_tensors],
                                     [tuple(o.shape) for o in node.outputs],
                                     node.outputs[0].dtype.name if node.outputs else None)
    return specs


def _label(layer, spec, opts):
    cls = type(layer).__name__
    lines = [f"{layer.name} ({cls})" if opts["show_layer_names"] else cls]
    act = getattr(layer, "activation", None)
    if opts["show_layer_activations"] and act is not None:
        lines.append("Activation: " + getattr(act, "__name__", getattr(act, "name", str(act))))
    if opts["show_shapes"]:
        if cls != "InputLayer":
            lines.append("Input shape: " + _fmt(spec[0] if spec else None))
        lines.append("Output shape: " + _fmt(spec[1] if spec else None))
    if opts["show_dtype"]:
        lines.append("Output dtype: " + str(spec[2] if spec and spec[2] else "?"))
    return lines


def _add_node(graph, layer, spec, opts, cluster):
    trainable = None
    if opts["show_trainable"] and layer.weights:
        trainable = bool(layer.trainable)  # drawn as a coloured last line
    graph.nodes.append(GraphNode(id(layer), _label(layer, spec, opts), cluster, trainable))


def _first_inner(model, index=0):
    """The box an edge into a nested model points at (its input layer / first layer)."""
    Functional, Sequential = _kinds()
    while isinstance(model, (Functional, Sequential)):
        if isinstance(model, Functional):
            model = model.inputs[min(index, len(model.inputs) - 1)]._origin
        else:
            model = model.layers[0]
    return model


def _last_inner(model, index=0):
    """The box an edge out of a nested model starts from (the layer making its output)."""
    Functional, Sequential = _kinds()
    while isinstance(model, (Functional, Sequential)):
        if isinstance(model, Functional):
            kt = model.outputs[min(index, len(model.outputs) - 1)]
            model = kt.node.layer if kt.node is not None else kt._origin
        else:
            model = model.layers[-1]
    return model


def model_graph(model, show_shapes=False, show_dtype=False, show_layer_names=False,
                expand_nested=False, show_layer_activations=False, show_trainable=False,
                _graph=None, _cluster=()):
    """The boxes (one per layer), edges and nested-model clusters ``plot_model`` draws."""
    Functional, Sequential = _kinds()
    opts = dict(show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names, show_trainable=show_trainable,
                show_layer_activations=show_layer_activations)
    graph = _graph or Graph()
    if not isinstance(model, (Functional, Sequential)):  # subclassed: one box
        _add_node(graph, model, None, opts, _cluster)
        return graph
    specs = _sequential_specs(model) if isinstance(model, Sequential) else \
        _functional_specs(model)
    for layer in model.layers if isinstance(model, Sequential) else model._operations:
        if expand_nested and isinstance(layer, (Functional, Sequential)):
            path = _cluster + (layer.name,)
            graph.clusters[path] = layer.name
            model_graph(layer, expand_nested=True, _graph=graph, _cluster=path, **opts)
        else:
            _add_node(graph, layer, specs.get(id(layer)), opts, _cluster)
    if isinstance(model, Sequential):
        pairs = [(a, b, 0, 0) for a, b in zip(model.layers, model.layers[1:])]
    else:
        pairs = []
        for node in model._nodes:
            for i, t in enumerate(node.input_tensors):
                src = t.node.layer if t.node is not None else getattr(t, "_origin", None)
                if src is not None:
                    pairs.append((src, node.layer, t.index if t.node else 0, i))
    for src, dst, out_i, in_i in pairs:
        if expand_nested:
            src, dst = _last_inner(src, out_i), _first_inner(dst, in_i)
        graph.add_edge(id(src), id(dst))
    return graph


# --- where to draw it --------------------------------------------------------------------
def layout(graph, rankdir="TB"):
    """Sets each node's rank, size and centre (inches); returns (width, height)."""
    if rankdir not in ("TB", "BT", "LR", "RL"):
        raise ValueError(f"Invalid `rankdir` argument: {rankdir!r}. Expected one of "
                         "'TB', 'BT', 'LR', 'RL'.")
    nodes = {n.key: n for n in graph.nodes}
    preds = {k: [] for k in nodes}
    for a, b in graph.edges:
        preds[b].append(a)
    order = {n.key: i for i, n in enumerate(graph.nodes)}
    for n in graph.nodes:  # layers come dependencies first: one pass gives longest paths
        n.rank = max((nodes[p].rank + 1 for p in preds[n.key] if order[p] < order[n.key]),
                     default=0)
    ranks = {}
    for n in graph.nodes:
        ranks.setdefault(n.rank, []).append(n)
    for n in graph.nodes:
        width = max(len(line) for line in n.lines)
        lines = len(n.lines) + (n.trainable is not None)
        n.w, n.h = width * CHAR_W + 2 * PAD, lines * LINE_H + 2 * PAD
    horizontal = rankdir in ("LR", "RL")
    across = (lambda n: n.h) if horizontal else (lambda n: n.w)
    along = (lambda n: n.w) if horizontal else (lambda n: n.h)
    lanes = _lanes(graph, ranks, across)
    slot = {}
    for r in sorted(ranks):  # barycenter of the predecessors' slots keeps edges short
        row = ranks[r]
        row.sort(key=lambda n: (n.cluster[:1] == (), n.cluster[:1],
                                sum(slot[p] for p in preds[n.key] if p in slot) /
                                max(1, sum(p in slot for p in preds[n.key])), order[n.key]))
        if not lanes:
            pos = -(sum(across(n) for n in row) + GAP_NODE * (len(row) - 1)) / 2
        start = 0.0
        for top in sorted(lanes):  # a nested model keeps its lane over all its ranks
            lo, hi, width = lanes[top]
            if lo <= r <= hi:
                pos = start
                for n in row:
                    if n.cluster[:1] == top:
                        slot[n.key] = pos + across(n) / 2
                        pos += across(n) + GAP_NODE
                start += width + 2 * GAP_NODE
        pos = start if lanes else pos
        for n in row:
            if n.key not in slot:
                slot[n.key] = pos + across(n) / 2
                pos += across(n) + GAP_NODE
    depth, pos = {}, 0.0
    for r in sorted(ranks):
        thick = max(along(n) for n in ranks[r])
        depth[r] = pos + thick / 2
        pos += thick + GAP_RANK
    for n in graph.nodes:
        a, d = slot[n.key], depth[n.rank]
        n.x, n.y = (d, -a) if horizontal else (a, -d)
        if rankdir == "BT":
            n.y = -n.y
        if rankdir == "RL":
            n.x = -n.x
    return _normalize(graph)


def _lanes(graph, ranks, across):
    """{top-level cluster: (first rank, last rank, width)}: the band a nested model's
    frame needs, reserved in every rank it spans so no other box falls inside it."""
    lanes = {}
    for r, row in ranks.items():
        for top in {n.cluster[:1] for n in row if n.cluster}:
            members = [n for n in row if n.cluster[:1] == top]
            width = sum(across(n) for n in members) + GAP_NODE * (len(members) - 1)
            lo, hi, w = lanes.get(top, (r, r, 0.0))
            lanes[top] = (min(lo, r), max(hi, r), max(w, width))
    return lanes


def _normalize(graph):
    """Shifts everything (boxes and nested-model frames) into [MARGIN, extent]."""
    if not graph.nodes:
        return 2 * MARGIN, 2 * MARGIN
    rects = [(n.x - n.w / 2, n.y - n.h / 2, n.x + n.w / 2, n.y + n.h / 2)
             for n in graph.nodes] + list(cluster_boxes(graph).values())
    x0 = min(r[0] for r in rects) - MARGIN
    y0 = min(r[1] for r in rects) - MARGIN
    for n in graph.nodes:
        n.x, n.y = n.x - x0, n.y - y0
    return max(r[2] for r in rects) - x0 + MARGIN, max(r[3] for r in rects) - y0 + MARGIN


def cluster_boxes(graph):
    """{path: (x0, y0, x1, y1)}: each nested model's dashed frame around its boxes."""
    boxes = {}
    for path in sorted(graph.clusters, key=len, reverse=True):
        members = [n for n in graph.nodes if n.cluster[:len(path)] == path]
        if not members:
            continue
        pad = 0.12 * (1 + max(len(n.cluster) for n in members) - len(path))
        boxes[path] = (min(n.x - n.w / 2 for n in members) - pad,
                       min(n.y - n.h / 2 for n in members) - pad,
                       max(n.x + n.w / 2 for n in members) + pad,
                       max(n.y + n.h / 2 for n in members) + pad + LINE_H)
    return boxes


# --- drawing -----------------------------------------------------------------------------
def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plot_model and plot_history need matplotlib: "
                          "pip install matplotlib (or cuflow[demo])") from e
    return plt


def _save(fig, to_file, dpi, fmt=None):
    directory = os.path.dirname(os.path.abspath(to_file))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, suffix="." + (fmt or "png"))
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the image private
    try:
        fig.savefig(tmp, dpi=dpi, format=fmt)
        os.replace(tmp, to_file)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def draw(graph, to_file, rankdir="TB", dpi=200, fmt=None):
    """Renders a laid-out graph to ``to_file`` (one matplotlib figure, inches = data)."""
    from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle
    plt = _pyplot()
    width, height = layout(graph, rankdir)
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    for path, (x0, y0, x1, y1) in cluster_boxes(graph).items():
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, ls="--", lw=1,
                               ec="#555555"))
        ax.text(x0 + 0.06, y1 - 0.05, graph.clusters[path], ha="left", va="top",
                fontsize=9, style="italic")
    nodes = {n.key: n for n in graph.nodes}
    for a, b in graph.edges:
        s, d = nodes[a], nodes[b]
        ax.add_patch(FancyArrowPatch(_port(s, rankdir, out=True), _port(d, rankdir, False),
                                     arrowstyle="-|>", mutation_scale=12, lw=1.4,
                                     color="#333333", shrinkA=0, shrinkB=0))
    for n in graph.nodes:
        ax.add_patch(FancyBboxPatch((n.x - n.w / 2 + 0.04, n.y - n.h / 2 + 0.04),
                                    n.w - 0.08, n.h - 0.08, boxstyle="round,pad=0.04",
                                    fc="#eef3fa", ec="#1f3b5c", lw=1.2))
        top = n.y + n.h / 2 - PAD - LINE_H / 2
        for i, line in enumerate(n.lines):
            ax.text(n.x, top - i * LINE_H, line, ha="center", va="center", fontsize=10,
                    weight="bold" if i == 0 else "normal", family="DejaVu Sans")
        if n.trainable is not None:
            ax.text(n.x, top - len(n.lines) * LINE_H,
                    "Trainable" if n.trainable else "Non-trainable", ha="center",
                    va="center", fontsize=10, weight="bold",
                    color="forestgreen" if n.trainable else "firebrick")
    _save(fig, to_file, dpi, fmt)
    plt.close(fig)


def _port(n, rankdir, out):
    """Where an edge leaves (``out``) or enters a box, on the side facing the flow."""
    sign = 1 if out else -1
    if rankdir == "TB":
        return n.x, n.y - sign * n.h / 2
    if rankdir == "BT":
        return n.x, n.y + sign * n.h / 2
    if rankdir == "LR":
        return n.x + sign * n.w / 2, n.y
    return n.x - sign * n.w / 2, n.y


def plot_history(history, to_file="history.png", dpi=100):
    """Loss and each metric per epoch (training and validation), one panel each."""
    plt = _pyplot()
    hist = getattr(history, "history", history)
    names = [k for k in hist if not k.startswith("val_")] or list(hist)
    if not names:
        raise ValueError("plot_history: the History holds no values (did fit run?)")
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names):
        epochs = range(1, len(hist[name]) + 1)
        ax.plot(epochs, hist[name], marker="o", ms=3, label=name)
        if "val_" + name in hist:
            ax.plot(range(1, len(hist["val_" + name]) + 1), hist["val_" + name], marker="o",
                    ms=3, label="val_" + name)
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    _save(fig, to_file, dpi)
    plt.close(fig)
    return to_file
