"""``keras.remat`` and ``keras.RematScope``: rematerialization (gradient checkpointing).

``remat(f)`` is ``tf.recompute_grad(f)``: the forward activations of ``f`` are recomputed
in the backward pass instead of kept. ``RematScope`` validates and records Keras's modes
(``"full"``, ``"activations"``, ``"larger_than"``, ``"list_of_layers"``, None) on a stack
(``get_current_remat_mode``); cuflow's layers do not yet consult it, which changes memory
use only, never results.

    >>> import cuflow as cf
    >>> from cuflow.keras.remat_scope import get_current_remat_mode
    >>> with cf.keras.RematScope(mode="larger_than", output_size_threshold=2048):
    ...     get_current_remat_mode().mode
    'larger_than'
"""
from __future__ import annotations

import collections
import threading

__all__ = ["RematScope", "get_current_remat_mode", "remat"]

RematMode = collections.namedtuple("RematMode", ["mode", "output_size_threshold",
                                                 "layer_names"])
_state = threading.local()


class RematScope:
    """Context manager selecting which layers rematerialize (Keras 3's modes)."""

    def __init__(self, mode="full", output_size_threshold=1024, layer_names=None):
        if mode not in {"full", "activations", "larger_than", "list_of_layers", None}:
            raise ValueError(f"Invalid mode '{mode}'. Supported modes are: 'full', "
                             "'activations', 'larger_than', 'list_of_layers', or  None.")
        self.mode = mode
        self.output_size_threshold = output_size_threshold
        self.layer_names = layer_names or []
        self._pop_on_exit = False

    def __enter__(self):
        _stack().append(self)
        self._pop_on_exit = True
        return self

    def __exit__(self, *args, **kwargs):
        if self._pop_on_exit:
            _stack().pop()


def _stack():
    if not hasattr(_state, "stack"):
        _state.stack = []
    return _state.stack


def get_current_remat_mode():
    """The innermost RematScope's settings as a ``RematMode``, or None outside any."""
    stack = _stack()
    if not stack:
        return None
    s = stack[-1]
    return RematMode(s.mode, s.output_size_threshold, s.layer_names)


def remat(f):
    """``f`` with its activations recomputed in the backward pass (``tf.recompute_grad``)."""
    from ..autodiff import recompute_grad
    return recompute_grad(f)
