"""``cf.print``: prints tensors' values (to stderr by default, like ``tf.print``).

Eagerly it prints at once; inside ``cf.function`` it is a stateful graph node that
prints on every call, in program order.
"""
from __future__ import annotations

import sys

from ..tensor import Tensor, Variable
from .dispatch import _tls


def print(*inputs, output_stream=None, summarize=3, sep=" ", end="\n", name=None):
    """Prints ``inputs`` (tensors are formatted like NumPy, at most ``summarize`` items
    per dimension end; -1 or None for all).

    >>> import cuflow as cf
    >>> cf.print("x:", cf.constant([1, 2, 3]), output_stream=sys.stdout)
    x: [1 2 3]
    """
    from ..graph.executor import _print, format_value  # noqa: F401
    from ..graph.ir import PRINT, Node
    stream = sys.stderr if output_stream is None else output_stream
    if stream is sys.stderr:
        stream = "stderr"
    elif stream is sys.stdout:
        stream = "stdout"
    template, tensors = [], []
    for x in inputs:
        if isinstance(x, Variable):
            x = x.value()
        if isinstance(x, Tensor):
            template.append(("t", len(tensors)))
            tensors.append(x)
        elif isinstance(x, (list, tuple, dict)):
            template.append(("n", _slots(x, tensors)))   # printed like TF: Python repr
        else:                                            # with tensors formatted inside
            template.append(("s", str(x)))
    graph = _tls.graph
    if graph is not None:
        graph.print_(template, tensors, stream, sep, end, summarize)
        return
    node = Node(PRINT, (), {"template": template, "stream": stream, "sep": sep, "end": end,
                            "summarize": summarize}, None)
    _print(node, [t.numpy() for t in tensors])
    return


class Slot:
    """Where a tensor sits inside a printed Python structure."""

    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


def _slots(x, tensors):
    if isinstance(x, Variable):
        x = x.value()
    if isinstance(x, Tensor):
        tensors.append(x)
        return Slot(len(tensors) - 1)
    if isinstance(x, dict):
        return {k: _slots(v, tensors) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        items = [_slots(v, tensors) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)
    return x
