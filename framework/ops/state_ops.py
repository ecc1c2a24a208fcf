"""Variable updates: assign, assign_add, assign_sub (eager; the tracer intercepts them)."""
from __future__ import annotations

from .. import placement as _device
from ..errors import InvalidArgumentError
from ..tensor import Tensor, Variable
from .dispatch import _tls


def assign_variable(var: Variable, value, mode: str = "assign"):
    """Replaces ``var``'s value (``mode`` assign | assign_add | assign_sub)."""
    if _tls.graph is not None and hasattr(_tls.graph, "assign_variable"):
        return _tls.graph.assign_variable(var, value, mode)
    from . import math_ops
    from .constant import convert_to_tensor
    cur = var._tensor
    if isinstance(value, Variable):
        value = value._tensor
    if isinstance(value, Tensor):
        if value.dtype != cur.dtype:
            raise ValueError(      # TF converts the value to the variable's dtype
                f"Tensor conversion requested dtype {cur.dtype.name} for Tensor with dtype "
                f"{value.dtype.name}: {mode} of variable '{var.name}'")
    else:
        value = convert_to_tensor(value, dtype=cur.dtype)
    if mode != "assign":
        # the update itself is not differentiable (TF's AssignAddVariableOp): no tape sees it
        tapes, _tls.tapes = _tls.tapes, []
        try:
            value = (math_ops.add if mode == "assign_add" else math_ops.subtract)(cur, value)
        finally:
            _tls.tapes = tapes
    if mode == "assign" and not var.shape.is_compatible_with(value.shape):
        raise ValueError(f"Cannot assign value to variable ' {var.name}': Shape mismatch."
                         f"The variable shape {var.shape}, and the assigned value shape "
                         f"{value.shape} are incompatible.")   # TF's Python-side check
    if not var.shape.is_compatible_with(value.shape) or (
            mode != "assign" and tuple(value.shape) != tuple(cur.shape)):
        raise InvalidArgumentError(
            None, mode, f"{mode}: shape {tuple(value.shape)} does not match variable "
            f"'{var.name}' of shape {var.shape}")
    if value._device is not cur._device:
        with _device.device(cur._device):
            value = math_ops.identity(value)
    var._set_tensor(value)
    return var
