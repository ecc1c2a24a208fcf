"""TensorFlow's error classes (``cf.errors``), raised with the op, shapes and dtypes."""
from __future__ import annotations


# TF's status codes (tf.errors.OK ...), error_code of each error class.
OK, CANCELLED, UNKNOWN, INVALID_ARGUMENT, DEADLINE_EXCEEDED, NOT_FOUND = 0, 1, 2, 3, 4, 5
ALREADY_EXISTS, PERMISSION_DENIED, RESOURCE_EXHAUSTED, FAILED_PRECONDITION = 6, 7, 8, 9
ABORTED, OUT_OF_RANGE, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS = 10, 11, 12, 13, 14, 15
UNAUTHENTICATED = 16


class OpError(Exception):
    """Base of cuflow's runtime errors (TF's ``tf.errors.OpError``); ``error_code`` is
    TF's status code of the class (``cf.errors.INVALID_ARGUMENT`` == 3...)."""

    _code = UNKNOWN

    def __init__(self, node_def=None, op=None, message=None, *args):
        if message is None and node_def is not None and op is None:
            message, node_def = node_def, None
        super().__init__(message)
        self.message = message
        self.op = op
        self.node_def = node_def
        if type(self) is OpError and args and isinstance(args[0], int):
            self._code = args[0]     # OpError(node_def, op, message, error_code)

    @property
    def error_code(self):
        return self._code

    @property
    def experimental_payloads(self):
        return {}

    def __str__(self):
        return str(self.message)


class InvalidArgumentError(OpError, ValueError):
    """An op received an input it cannot take (wrong shape, dtype, value)."""

    _code = INVALID_ARGUMENT


class UnsupportedDtypeError(InvalidArgumentError, TypeError):
    """An op does not take an input's dtype. TF raises TypeError for this when Python
    converts the input and InvalidArgumentError when the kernel checks it; this is both."""


class OperatorNotAllowedInGraphError(InvalidArgumentError, TypeError):
    """A Python operation on a symbolic tensor while tracing (``bool(x)``), as TF's."""


class SymbolicValueError(InvalidArgumentError, AttributeError):
    """``.numpy()`` of a symbolic tensor: an AttributeError as in TF (so ``hasattr(x,
    'numpy')`` is False while tracing), with cuflow's explanation."""


class NotFoundError(OpError):
    _code = NOT_FOUND


class AlreadyExistsError(OpError):
    _code = ALREADY_EXISTS


class OutOfRangeError(OpError, IndexError):
    """Raised when iteration runs past the end (and for out-of-range indices)."""

    _code = OUT_OF_RANGE


class ResourceExhaustedError(OpError, MemoryError):
    _code = RESOURCE_EXHAUSTED


class FailedPreconditionError(OpError):
    _code = FAILED_PRECONDITION


class UnimplementedError(OpError, NotImplementedError):
    _code = UNIMPLEMENTED


class InternalError(OpError):
    _code = INTERNAL


class UnknownError(OpError):
    _code = UNKNOWN


class DataLossError(OpError):
    _code = DATA_LOSS


class CancelledError(OpError):
    _code = CANCELLED


class DeadlineExceededError(OpError):
    _code = DEADLINE_EXCEEDED


class AbortedError(OpError):
    _code = ABORTED


class UnavailableError(OpError):
    _code = UNAVAILABLE


class PermissionDeniedError(OpError):
    _code = PERMISSION_DENIED


class UnauthenticatedError(OpError):
    _code = UNAUTHENTICATED


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

    _code = OUT_OF_RANGE

    _code = INVALID_ARGUMENT
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
