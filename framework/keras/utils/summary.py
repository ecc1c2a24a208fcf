"""model.summary(): a table of layers, output shapes and parameter counts."""
from __future__ import annotations

import numpy as np


def _shape_text(layer, model):
    try:
        nodes = getattr(model, "_nodes", None)
        if nodes:
            for node in nodes:
                if node.layer is layer:
                    outs = node.outputs
                    shapes = [tuple(o.shape) for o in outs]
                    return str(shapes[0] if len(shapes) == 1 else shapes)
        shape = getattr(layer, "_summary_output_shape", None)
        return str(shape) if shape is not None else "?"
    except Exception:  # noqa: BLE001 - a summary must always print
        return "?"


def model_summary(model, line_length=80):
    layers = model.layers
    if hasattr(model, "_seq_layers") and model._input_shape is not None:
        from ..models.functional import probe_output_shapes
        shape = model._input_shape
        for layer in layers:
            shape = probe_output_shapes(layer, shape)
            layer._summary_output_shape = shape
    cols = [int(line_length * 0.45), int(line_length * 0.33), line_length -
            int(line_length * 0.45) - int(line_length * 0.33)]
    rule = "─" * line_length
    lines = [f'Model: "{model.name}"', "┏" + rule + "┓",
             _row(["Layer (type)", "Output Shape", "Param #"], cols), "┡" + rule + "┩"]
    for layer in layers:
        params = sum(int(np.prod(w.shape)) for w in layer.weights) if layer.built else 0
        lines.append(_row([f"{layer.name} ({type(layer).__name__})",
                           _shape_text(layer, model), f"{params:,}"], cols))
    lines.append("└" + rule + "┘")
    total = sum(int(np.prod(w.shape)) for w in model.weights)
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    lines += [f" Total params: {total:,}", f" Trainable params: {trainable:,}",
              f" Non-trainable params: {total - trainable:,}"]
    return "\n".join(lines)


def _row(cells, cols):
    return "│" + "".join(f" {str(c)[:w - 2]:<{w - 1}}" for c, w in zip(cells, cols)) + "│"
