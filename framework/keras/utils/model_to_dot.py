"""``keras.utils.model_to_dot``: the model's layer graph as a ``pydot.Dot`` (Keras 3's
boxes: an HTML table per layer, edges with penwidth 2, nested models as dashed clusters).

pydot is an optional dependency, imported on call: without it this raises the ImportError
Keras raises. The graph itself (which boxes, which edges) comes from ``plotting.model_graph``,
the same walk ``plot_model`` draws with matplotlib.

    >>> import cuflow as cf
    >>> model = cf.keras.Sequential([cf.keras.Input((3,)), cf.keras.layers.Dense(2)])
    >>> dot = cf.keras.utils.model_to_dot(model)  # doctest: +SKIP
"""
from __future__ import annotations


def _pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("You must install pydot (`pip install pydot`) for model_to_dot to "
                          "work.") from None
    return pydot


def _cell(text):
    key, _, value = text.partition(": ")
    return f'<td bgcolor="white"><font point-size="14">{key}: <b>{value}</b></font></td>'


def _label(node):
    """Keras 3's HTML table from ``model_graph``'s label lines."""
    header, rest = node.lines[0], node.lines[1:]
    act = [line for line in rest if line.startswith("Activation: ")]
    cols = [_cell(line) for line in rest if not line.startswith("Activation: ")]
    if node.trainable is not None:
        color, word = ("forestgreen", "Trainable") if node.trainable else \
            ("firebrick", "Non-trainable")
        cols.append(f'<td bgcolor="{color}"><font point-size="14" color="white">'
                    f"<b>{word}</b></font></td>")
    colspan = max(1, len(cols))
    name, sep, cls = header.partition(" (")
    title = f"<b>{name}</b> ({cls}" if sep else f"<b>{header}</b>"
    table = ('<<table border="0" cellborder="1" bgcolor="black" cellpadding="10">'
             f'<tr><td colspan="{colspan}" bgcolor="black"><font point-size="16" '
             f'color="white">{title}</font></td></tr>')
    for line in act:
        table += (f'<tr><td bgcolor="white" colspan="{colspan}"><font point-size="14">'
                  f"Activation: <b>{line[len('Activation: '):]}</b></font></td></tr>")
    if cols:
        table += f"<tr>{''.join(cols)}</tr>"
    return table + "</table>>"


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True,
                 rankdir="TB", expand_nested=False, dpi=200, subgraph=False,
                 show_layer_activations=False, show_trainable=False, splines="ortho",
                 **kwargs):
    """A ``pydot.Dot`` of the model (a ``pydot.Cluster`` with ``subgraph=True``)."""
    from .plotting import model_graph
    if not getattr(model, "built", False):
        raise ValueError("This model has not yet been built. Build the model first by calling "
                         "`build()` or by calling the model on a batch of data.")
    pydot = _pydot()
    if subgraph:
        dot = pydot.Cluster(style="dashed", graph_name=model.name)
        dot.set("label", model.name)
        dot.set("labeljust", "l")
    else:
        dot = pydot.Dot()
        dot.set("rankdir", rankdir)
        dot.set("concentrate", True)
        dot.set("dpi", dpi)
        dot.set("splines", splines)
        dot.set_node_defaults(shape="record")
    if kwargs.pop("layer_range", None) is not None:
        raise ValueError("Argument `layer_range` is no longer supported.")
    if kwargs:
        raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
    graph = model_graph(model, show_shapes=show_shapes, show_dtype=show_dtype,
                        show_layer_names=show_layer_names, expand_nested=expand_nested,
                        show_layer_activations=show_layer_activations,
                        show_trainable=show_trainable)
    clusters = {(): dot}

    def parent(path):
        if path not in clusters:
            c = pydot.Cluster(style="dashed", graph_name=path[-1])
            c.set("label", path[-1])
            c.set("labeljust", "l")
            parent(path[:-1]).add_subgraph(c)
            clusters[path] = c
        return clusters[path]

    for node in graph.nodes:
        box = pydot.Node(str(node.key), label=_label(node))
        box.set("fontname", "Helvetica")
        box.set("border", "0")
        box.set("margin", "0")
        parent(tuple(node.cluster)).add_node(box)
    for src, dst in graph.edges:
        edge = pydot.Edge(str(src), str(dst))
        edge.set("penwidth", "2")
        dot.add_edge(edge)
    return dot
