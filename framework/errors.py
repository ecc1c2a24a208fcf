"""TensorFlow's error classes (``cf.errors``), raised with the op, shapes and dtypes."""
from __future__ import annotations


class OpError(Exception):
    """Base of cuflow's runtime errors (TF's ``tf.errors.OpError``)."""

    def __init__(self, node_def=None, op=None, message=None, *args):
        if message is None and node_def is not None and op is None:
            message, node_def = node_def, None
        super().__init__(message)
        self.message = message
        self.op = op
        self.node_def = node_def

    def __str__(self):
        return str(self.message)


class InvalidArgumentError(OpError, ValueError):
    """An op received an input it cannot take (wrong shape, dtype, value)."""


class UnsupportedDtypeError(InvalidArgumentError, TypeError):
    """An op does not take an input's dtype. TF raises TypeError for this when Python
    converts the input and InvalidArgumentError when the kernel checks it; this is both."""


class OperatorNotAllowedInGraphError(InvalidArgumentError, TypeError):
    """A Python operation on a symbolic tensor while tracing (``bool(x)``), as TF's."""


class SymbolicValueError(InvalidArgumentError, AttributeError):
    """``.numpy()`` of a symbolic tensor: an AttributeError as in TF (so ``hasattr(x,
    'numpy')`` is False while tracing), with cuflow's explanation."""


class NotFoundError(OpError):
    pass


class AlreadyExistsError(OpError):
    pass


class OutOfRangeError(OpError, IndexError):
    """Raised when iteration runs past the end (and for out-of-range indices)."""


class ResourceExhaustedError(OpError, MemoryError):
    pass


class FailedPreconditionError(OpError):
    pass


class UnimplementedError(OpError, NotImplementedError):
    pass


class InternalError(OpError):
    pass


class UnknownError(OpError):
    pass


class DataLossError(OpError):
    pass


class CancelledError(OpError):
    pass


class DeadlineExceededError(OpError):
    pass


class AbortedError(OpError):
    pass


class UnavailableError(OpError):
    pass


class PermissionDeniedError(OpError):
    pass


class UnauthenticatedError(OpError):
    pass


def describe(values) -> str:
    """``shape=(2, 3) dtype=float32, ...`` for error messages."""
    parts = []
    for v in values:
        shape = getattr(v, "shape", None)
        dtype = getattr(v, "dtype", None)
        if shape is None:
            parts.append(f"{type(v).__name__} {v!r:.40}")
        else:
            name = getattr(dtype, "name", dtype)
            parts.append(f"shape={tuple(shape)} dtype={name}")
    return "[" + ", ".join(parts) + "]"


def user_frame() -> str:
    """'file:line' of the first stack frame outside cuflow (the user's source line)."""
    import sys

    f = sys._getframe(1)
    while f is not None:
        mod = f.f_globals.get("__name__", "")
        if not (mod.startswith("cuflow") or mod.startswith("cuflow_kernels")):
            return f"{f.f_code.co_filename}:{f.f_lineno}"
        f = f.f_back
    return "<unknown>"


def invalid_argument(op_name: str, inputs, expected: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        None, op_name,
        f"{op_name}: {expected} (inputs: {describe(inputs)}; at {user_frame()})")
