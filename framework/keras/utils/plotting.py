"""Pictures people look at: the model graph and the training curves, as PNG (matplotlib)."""
from __future__ import annotations

import os
import tempfile


def _pyplot():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as e:
        raise ImportError("plot_model/plot_history need matplotlib: pip install matplotlib") \
            from e
    return plt


def _save(fig, to_file, dpi):
    directory = os.path.dirname(os.path.abspath(to_file))
    fd, tmp = tempfile.mkstemp(dir=directory, suffix=".png")
    os.close(fd)
    fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    os.replace(tmp, to_file)


def plot_model(model, to_file="model.png", show_shapes=False, show_layer_names=True,
               rankdir="TB", dpi=96):
    """Draws each layer as a box, top to bottom, with arrows for the connections."""
    plt = _pyplot()
    layers = model.layers
    edges = []
    nodes = getattr(model, "_nodes", None)
    index = {id(layer): i for i, layer in enumerate(layers)}
    if nodes:
        for node in nodes:
            for x in node.input_tensors:
                if x.node is not None and id(x.node.layer) in index:
                    edges.append((index[id(x.node.layer)], index[id(node.layer)]))
    else:
        edges = [(i, i + 1) for i in range(len(layers) - 1)]
    fig, ax = plt.subplots(figsize=(4, 0.8 * max(len(layers), 1) + 0.5))
    ax.axis("off")
    n = len(layers)
    for i, layer in enumerate(layers):
        y = n - i
        label = f"{layer.name} ({type(layer).__name__})" if show_layer_names else \
            type(layer).__name__
        if show_shapes:
            shape = getattr(layer, "_summary_output_shape", None)
            if shape is not None:
                label += f"\n{shape}"
        ax.text(0.5, y, label, ha="center", va="center", fontsize=9,
                bbox={"boxstyle": "round", "facecolor": "#dde8f4", "edgecolor": "#345"})
    for a, b in edges:
        ax.annotate("", xy=(0.5, n - b + 0.25), xytext=(0.5, n - a - 0.25),
                    arrowprops={"arrowstyle": "->"})
    ax.set_ylim(0.3, n + 0.7)
    ax.set_xlim(0, 1)
    _save(fig, to_file, dpi)
    plt.close(fig)
    return to_file


def plot_history(history, to_file="history.png", dpi=96):
    """Loss and each metric per epoch (training and validation) in one figure."""
    plt = _pyplot()
    hist = getattr(history, "history", history)
    names = [k for k in hist if not k.startswith("val_")]
    fig, axes = plt.subplots(1, max(len(names), 1), figsize=(4 * max(len(names), 1), 3))
    axes = axes if hasattr(axes, "__len__") else [axes]
    for ax, name in zip(axes, names):
        ax.plot(range(1, len(hist[name]) + 1), hist[name], label=name)
        if "val_" + name in hist:
            ax.plot(range(1, len(hist["val_" + name]) + 1), hist["val_" + name],
                    label="val_" + name)
        ax.set_xlabel("epoch")
        ax.set_title(name)
        ax.legend()
    _save(fig, to_file, dpi)
    plt.close(fig)
    return to_file
