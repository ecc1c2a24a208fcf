"""cf.keras.backend: a few session-free helpers (clear_session, floatx, epsilon)."""
from __future__ import annotations

_FLOATX = "float32"
_EPSILON = 1e-7


def clear_session(free_memory=True):
    from .layers.base import reset_uids
    reset_uids()


def floatx():
    return _FLOATX


def set_floatx(value):
    global _FLOATX
    _FLOATX = str(value)


def epsilon():
    return _EPSILON


def set_epsilon(value):
    global _EPSILON
    _EPSILON = float(value)


def image_data_format():
    return "channels_last"
