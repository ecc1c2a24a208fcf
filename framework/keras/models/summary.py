"""model.summary(): the Keras table of layers, output shapes and parameter counts."""
from __future__ import annotations


def _fmt_shape(s):
    return str(tuple(s)).replace("None", "None") if s is not None else "?"


def print_summary(model, print_fn=print):
    rows = []
    for layer in model.layers:
        nodes = getattr(layer, "_inbound_nodes", [])
        shape = "?"
        if hasattr(layer, "output") and not nodes:
            shape = _fmt_shape(tuple(layer.output.shape.as_list()))
        elif nodes:
            import cuflow as cf
            outs = cf.nest.flatten(nodes[-1].outputs)
            shape = ", ".join(_fmt_shape(tuple(o.shape.as_list())) for o in outs)
        params = layer.count_params() if layer.built else 0
        rows.append((f"{layer.name} ({type(layer).__name__})", shape, f"{params:,}"))
    w = [max([len(h)] + [len(r[i]) for r in rows]) + 2
         for i, h in enumerate(("Layer (type)", "Output Shape", "Param #"))]
    w = [max(w[0], 29), max(w[1], 26), max(w[2], 11)]
    total = sum(w)
    print_fn(f'Model: "{model.name}"')
    print_fn("_" * total)
    print_fn("Layer (type)".ljust(w[0]) + "Output Shape".ljust(w[1]) + "Param #".rjust(w[2]))
    print_fn("=" * total)
    for i, r in enumerate(rows):
        print_fn(r[0].ljust(w[0]) + r[1].ljust(w[1]) + r[2].rjust(w[2]))
        print_fn(("_" if i < len(rows) - 1 else "=") * total)
    trainable = sum(int(_n(v)) for v in model.trainable_weights)
    non = sum(int(_n(v)) for v in model.non_trainable_weights)
    print_fn(f"Total params: {trainable + non:,}")
    print_fn(f"Trainable params: {trainable:,}")
    print_fn(f"Non-trainable params: {non:,}")
    print_fn("_" * total)


def _n(v):
    n = 1
    for d in v.shape:
        n *= int(d)
    return n
