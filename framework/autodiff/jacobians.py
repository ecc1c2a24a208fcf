"""Jacobians from repeated reverse passes over one recording.

``jacobian`` runs one reverse pass per target element (cotangent = one-hot). For
``batch_jacobian`` the examples are independent, so one pass per element of a *single*
example's target suffices: the one-hot is set in every batch row at once, which costs
``prod(target.shape[1:])`` passes instead of ``prod(target.shape)``.
"""
from __future__ import annotations

import contextlib

import numpy as np

from .. import nest


@contextlib.contextmanager
def _kept(tape):
    """Keeps the recording alive across passes; frees it after if the tape is one-shot."""
    persistent, quiet = tape._persistent, tape._quiet
    if tape._used and not persistent:
        raise RuntimeError("A non-persistent GradientTape can only be used to compute one "
                           "set of gradients (or jacobians)")
    tape._persistent, tape._quiet = True, True
    try:
        yield
    finally:
        tape._persistent, tape._quiet = persistent, quiet
        if not persistent:
            tape._used = True
            tape._entries = []
            tape._keep = []
            tape._reads = {}
            tape._aliases = {}


def _onehots(n, dtype, shape):
    """Yields the n one-hot cotangents of ``shape`` (flattened size n)."""
    from ..ops.constant import constant
    eye = np.eye(n, dtype=dtype.np) if n else np.zeros((0, 0), dtype.np)
    for i in range(n):
        yield constant(eye[i].reshape(shape))


def jacobian(tape, target, sources, unconnected):
    from ..ops import array_ops

    flat_sources = nest.flatten(sources)
    t_shape = tuple(target.shape)
    n = int(np.prod(t_shape))
    rows = [[] for _ in flat_sources]
    with _kept(tape):
        for og in _onehots(n, target.dtype, t_shape):
            gs = tape.gradient(target, flat_sources, output_gradients=og,
                               unconnected_gradients=unconnected, _slices=False)
            for j, g in enumerate(gs):
                rows[j].append(g)
    out = []
    for s, r in zip(flat_sources, rows):
        shape = t_shape + tuple(s.shape)
        if not r:   # an empty target: nothing to differentiate
            out.append(array_ops.zeros(shape, s.dtype))
        elif r[0] is None:
            out.append(None)
        else:
            out.append(array_ops.reshape(array_ops.stack(r), shape))
    return nest.pack_sequence_as(sources, out)


def batch_jacobian(tape, target, source, unconnected):
    from ..ops import array_ops

    t_shape, s_shape = tuple(target.shape), tuple(source.shape)
    if not t_shape or not s_shape:
        raise ValueError("batch_jacobian: target and source need a batch dimension, got "
                         f"shapes {t_shape} and {s_shape}")
    b = t_shape[0]
    if s_shape[0] != b:
        raise ValueError(f"batch_jacobian: the target's batch size {b} differs from the "
                         f"source's {s_shape[0]}")
    m = int(np.prod(t_shape[1:]))
    rows = []
    with _kept(tape):
        for j in range(m):
            hot = np.zeros((b, m), dtype=target.dtype.np)
            hot[:, j] = 1
            from ..ops.constant import constant
            g = tape.gradient(target, source, output_gradients=constant(hot.reshape(t_shape)),
                              unconnected_gradients=unconnected, _slices=False)
            if g is None:
                return None
            rows.append(array_ops.reshape(g, (b, -1)))
    if not rows or b == 0:
        return array_ops.zeros(t_shape + s_shape[1:], source.dtype)
    return array_ops.reshape(array_ops.stack(rows, axis=1), t_shape + s_shape[1:])
