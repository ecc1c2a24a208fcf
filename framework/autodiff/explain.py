"""Why a gradient is None: actionable explanations for GradientTape.

TF answers a broken gradient chain with ``None`` (and Keras with "No gradients provided
for any variable"). cuflow's tape remembers where chains were cut (non-differentiable ops,
integer casts, ``.numpy()``/``float()`` round trips) with the user's source line, and
``explain`` turns that and the tape's records into a message.
"""
from __future__ import annotations

import linecache
import sys

from ..tensor import Variable
from . import backprop


def source_line() -> str:
    """'file:line: code' of the innermost stack frame outside cuflow."""
    f = sys._getframe(1)
    while f is not None:
        mod = f.f_globals.get("__name__", "")
        if not mod.startswith(("cuflow", "cuflow_kernels")):
            code = linecache.getline(f.f_code.co_filename, f.f_lineno).strip()
            where = f"{f.f_code.co_filename}:{f.f_lineno}"
            return f"{where}: {code}" if code else where
        f = f.f_back
    return "<unknown>"


def _describe(x):
    kind = f"Variable '{x.name}'" if isinstance(x, Variable) else "tensor"
    return f"{kind} (shape {tuple(x.shape)}, {x.dtype.name})"


def explain(tape, targets, sources) -> str:
    """A multi-line explanation of why d(targets)/d(sources) is None for every source."""
    lines = ["GradientTape.gradient returned None for every source "
             f"(at {source_line()})."]
    entries = tape._entries
    if not entries and tape._used:
        lines.append("  - the tape's records were already freed by an earlier gradient() "
                     "call; use GradientTape(persistent=True)")
    elif not entries:
        lines.append("  - the tape recorded no operations on watched values: compute the "
                     "target inside the `with GradientTape()` block, from watched tensors "
                     "or trainable variables")
    produced = {k for e in entries for k in e.out_keys}
    for t in targets:
        if t is None:
            continue
        if id(t) not in produced and id(t) not in tape._watched:
            lines.append(f"  - the target {_describe(t)} was not computed from any watched "
                         "value while this tape was recording (computed outside the "
                         "`with` block, under stop_recording(), or from constants/NumPy)")
    for s in sources:
        reason = _source_reason(tape, s, targets)
        if reason:
            lines.append(f"  - source {_describe(s)}: {reason}")
    if tape._breaks:
        lines.append("  Places where a watched value's gradient chain was cut:")
        lines.extend(f"    * {b}" for b in tape._breaks)
    return "\n".join(lines)


def _source_reason(tape, s, targets):
    if not (s.dtype.is_floating or s.dtype.is_complex):
        return "integer/bool dtype: gradients exist only for floating and complex sources"
    k = id(s)
    if k not in tape._watched:
        if isinstance(s, Variable) and not s.trainable:
            return "a non-trainable variable is not watched automatically: call tape.watch(v)"
        if isinstance(s, Variable) and not tape._watch_accessed:
            return "watch_accessed_variables=False: call tape.watch(v)"
        if isinstance(s, Variable):
            return "this variable was never read while the tape was recording"
        return ("not watched: call tape.watch(x) (only trainable cf.Variables are watched "
                "automatically; constants are not)")
    live = backprop._reachable(tape._entries, {k})
    if not any(id(t) in live for t in targets if t is not None):
        return "watched, but the target does not depend on it through differentiable ops"
    return ""


def explain_gradients(tape, target=None, sources=None) -> str:
    """Why ``tape.gradient(target, sources)`` is None (``cf.debugging.explain_gradients``).

    Names unwatched or integer sources, a target not computed on the tape, and every place
    a watched value's chain was cut, with the user's source line. Without target and
    sources: the explanation of the tape's last all-None ``gradient()`` call.

    >>> import cuflow as cf
    >>> x = cf.constant(2.0)
    >>> with cf.GradientTape(persistent=True) as tape:
    ...     y = x * x
    >>> "call tape.watch(x)" in cf.debugging.explain_gradients(tape, y, x)
    True
    """
    return tape.explain_gradients(target, sources)
