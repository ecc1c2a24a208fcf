"""Summary writers, the default-writer / step / record_if state, and ``cf.summary.write``.

The state is per thread, as in TensorFlow (``_summary_state`` is a ``threading.local``):
a writer made default in one thread is not the default in another.
"""
from __future__ import annotations

import contextlib
import threading
import time
import weakref

import numpy as np
from tensorboard.compat.proto import event_pb2, summary_pb2, tensor_pb2
from tensorboard.util import tensor_util

from ._event_file import EventFile

try:  # summaries are named inside cf.name_scope, as TF's are inside tf.name_scope
    from ..module import current_name_scope as _current_name_scope
    from ..module import name_scope as _name_scope
except ImportError:  # core without name scopes: summary_scope keeps its own stack
    _current_name_scope = _name_scope = None

__all__ = [
    "SummaryWriter",
    "create_file_writer",
    "create_noop_writer",
    "flush",
    "get_step",
    "record_if",
    "set_step",
    "should_record_summaries",
    "summary_scope",
    "write",
    "write_raw_pb",
]


class _State(threading.local):
    def __init__(self):
        self.writer = None
        self.step = None
        self.is_recording = None  # None means "record": TF's default
        self.scopes = []


_state = _State()


def _to_numpy(value):
    """NumPy view of a cuflow Tensor / Variable, NumPy array or Python value."""
    if isinstance(value, np.ndarray):
        return value
    if getattr(value, "_sym", None) is not None:
        raise ValueError(
            f"cf.summary got the symbolic tensor {value._sym!r} outside a summary op while "
            "a cf.function traces; pass it to cf.summary.scalar/histogram/... directly")
    numpy = getattr(value, "numpy", None)
    return np.asarray(numpy() if callable(numpy) else value)


def in_graph(fn):
    """Lets a summary op take symbolic tensors while a cf.function traces: the call becomes
    a host-callback node (cf.numpy_function) that writes at run time, in program order,
    to the writer, step and record_if state that were current when the function was
    traced (TF captures the default writer at trace time too). Eagerly: a plain call."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from ..ops.dispatch import _tls
        if _tls.graph is None:
            return fn(*args, **kwargs)
        from .. import nest
        flat = nest.flatten((args, kwargs))
        symbolic = [i for i, v in enumerate(flat) if getattr(v, "_sym", None) is not None]
        if not symbolic:
            return fn(*args, **kwargs)
        if _state.writer is None or not should_record_summaries():
            return False
        captured = (_state.writer, _state.step, _state.is_recording, list(_state.scopes))

        def callback(*values):
            concrete = list(flat)
            for i, v in zip(symbolic, values):
                concrete[i] = v
            a, k = nest.pack_sequence_as((args, kwargs), concrete)
            saved = (_state.writer, _state.step, _state.is_recording, _state.scopes)
            _state.writer, _state.step, _state.is_recording, _state.scopes = captured
            try:
                return np.bool_(fn(*a, **k))
            finally:
                _state.writer, _state.step, _state.is_recording, _state.scopes = saved
        from ..ops.script_ops import numpy_function
        return numpy_function(callback, [flat[i] for i in symbolic], "bool")
    return wrapper


def _resolve_step(step):
    if step is None:
        step = _state.step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` "
                         "argument or through cf.summary.experimental.set_step()")
    try:
        return int(step)
    except TypeError:
        return int(_to_numpy(step))


class SummaryWriter:
    """Writes summaries to an event file (``cf.summary.create_file_writer``).

    Example:
        >>> import tempfile, cuflow as cf
        >>> w = cf.summary.create_file_writer(tempfile.mkdtemp())
        >>> with w.as_default(step=3):
        ...     cf.summary.scalar("loss", 0.5)
        True
        >>> w.close()
    """

    def __init__(self, logdir, max_queue=10, flush_millis=120000, filename_suffix=None,
                 name=None):
        if logdir is None or str(logdir) == "":
            raise ValueError("logdir cannot be empty")
        self._logdir = str(logdir)
        self.name = name
        suffix = ".v2" if filename_suffix is None else str(filename_suffix)
        self._file = EventFile(self._logdir, max_queue=max_queue, flush_millis=flush_millis,
                               filename_suffix=suffix)
        # Closed when collected or at interpreter exit, whichever comes first.
        self._finalizer = weakref.finalize(self, self._file.close, False)

    @property
    def logdir(self) -> str:
        return self._logdir

    @property
    def path(self) -> str:
        """The event file this writer appends to."""
        return self._file.path

    @property
    def closed(self) -> bool:
        return self._file.closed

    def _check_open(self):
        if self._file.closed:
            raise RuntimeError(f"SummaryWriter for {self._logdir!r} is already closed")

    def set_as_default(self, step=None):
        """Make this the default writer for the current thread (and set ``step``)."""
        self._check_open()
        _state.writer = self
        if step is not None:
            _state.step = step

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Default writer (and optionally default step) inside a ``with``; flushes on exit.

        Example:
            >>> import tempfile, cuflow as cf
            >>> w = cf.summary.create_file_writer(tempfile.mkdtemp())
            >>> with w.as_default():
            ...     cf.summary.scalar("x", 1.0, step=0)
            True
        """
        self._check_open()
        old_writer, old_step = _state.writer, _state.step
        try:
            _state.writer = self
            if step is not None:
                _state.step = step
            yield self
            self.flush()
        finally:
            _state.writer = old_writer
            if step is not None:
                _state.step = old_step

    def init(self):
        """Kept for TF compatibility: file writers are initialized on creation."""

    def flush(self):
        """Write queued events to disk (no-op once closed)."""
        self._file.flush()

    def close(self):
        """Flush and close; summaries written to this writer afterwards raise."""
        self._finalizer.detach()
        self._file.close()

    def _add_event(self, event):
        self._file.add(event)  # raises once closed

    def __repr__(self):
        state = "closed" if self.closed else "open"
        return f"<SummaryWriter {self._logdir!r} ({state})>"


class _NoopSummaryWriter(SummaryWriter):
    """A writer that writes nothing; ``as_default`` leaves the current default alone (TF)."""

    def __init__(self):
        self._logdir = ""
        self.name = None

    @property
    def path(self):
        return None

    @property
    def closed(self):
        return False

    def set_as_default(self, step=None):
        pass

    @contextlib.contextmanager
    def as_default(self, step=None):
        yield self

    def flush(self):
        pass

    def close(self):
        pass

    def __repr__(self):
        return "<NoopSummaryWriter>"


def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False, experimental_mesh=None):
    """Create a summary writer for ``logdir`` (``tf.summary.create_file_writer``).

    Events are buffered in a queue of ``max_queue`` (default 10) and written by a
    background thread when it fills, every ``flush_millis`` (default 120000) ms, and on
    ``flush()``/``close()``. The file is ``events.out.tfevents.<time>.<host>.<pid>.<n>``
    plus ``filename_suffix`` (default ``.v2``).

    Example:
        >>> import tempfile, cuflow as cf
        >>> writer = cf.summary.create_file_writer(tempfile.mkdtemp(), flush_millis=1000)
        >>> with writer.as_default():
        ...     for step in range(3):
        ...         ok = cf.summary.scalar("loss", 1.0 / (step + 1), step=step)
        >>> writer.close()
    """
    return SummaryWriter(logdir, 10 if max_queue is None else max_queue,
                         120000 if flush_millis is None else flush_millis,
                         filename_suffix, name)


def create_noop_writer():
    """A writer that does nothing (for non-chief workers).

    Example:
        >>> import cuflow as cf
        >>> with cf.summary.create_noop_writer().as_default():
        ...     cf.summary.scalar("x", 1.0, step=0)
        False
    """
    return _NoopSummaryWriter()


def flush(writer=None, name=None):
    """Flush ``writer`` (default: the current default writer; no-op if there is none)."""
    writer = _state.writer if writer is None else writer
    if writer is not None:
        writer.flush()


def set_step(step):
    """Set the default step (an int or a Variable) for summaries in this thread.

    Example:
        >>> import cuflow as cf
        >>> cf.summary.experimental.set_step(5); cf.summary.experimental.get_step()
        5
        >>> cf.summary.experimental.set_step(None)
    """
    _state.step = step


def get_step():
    """The default step set by ``set_step`` or ``as_default(step=...)``, or None."""
    return _state.step


@contextlib.contextmanager
def record_if(condition):
    """Record summaries only while ``condition`` (a bool or a callable) is true.

    Example:
        >>> import tempfile, cuflow as cf
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default(step=1):
        ...     with cf.summary.record_if(False):
        ...         cf.summary.scalar("x", 1.0)
        False
    """
    old = _state.is_recording
    try:
        _state.is_recording = condition
        yield
    finally:
        _state.is_recording = old


def should_record_summaries() -> bool:
    """True when a default writer is set and the ``record_if`` condition holds."""
    writer = _state.writer
    if writer is None or isinstance(writer, _NoopSummaryWriter):
        return False
    cond = _state.is_recording
    if cond is None:
        return True
    if callable(cond):
        cond = cond()
    return bool(_to_numpy(cond)) if not isinstance(cond, bool) else cond


@contextlib.contextmanager
def summary_scope(name, default_name=None, values=None):
    """Yield ``(tag, scope)`` for a summary named ``name`` inside the enclosing scopes.

    Example:
        >>> import cuflow as cf
        >>> with cf.summary.experimental.summary_scope("dense") as (tag, scope):
        ...     print(tag, scope)
        dense dense/
    """
    name = name or default_name
    if not name:
        raise ValueError("summary_scope needs a name or a default_name")
    if _name_scope is not None:  # one stack with cf.name_scope, as in TF
        with _name_scope(name) as scope:
            yield scope.rstrip("/"), scope
        return
    _state.scopes.append(name)
    try:
        tag = "/".join(_state.scopes)
        yield tag, tag + "/"
    finally:
        _state.scopes.pop()


def _tag(name) -> str:
    """``name`` inside the enclosing ``cf.name_scope`` / ``summary_scope`` (TF's tags)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"summary name must be a non-empty string, got {name!r}")
    if _current_name_scope is not None:
        return _current_name_scope() + name
    return "/".join(_state.scopes + [name]) if _state.scopes else name


def _tensor_proto(value):
    if isinstance(value, tensor_pb2.TensorProto):
        return value
    array = _to_numpy(value)
    if array.dtype.kind in "US":
        array = np.vectorize(_as_bytes, otypes=[object])(array) if array.size else \
            array.astype(object)
    return tensor_util.make_tensor_proto(array)


def _as_bytes(s):
    return s.encode("utf-8") if isinstance(s, str) else bytes(s)


def _metadata(metadata):
    if metadata is None:
        return None
    if isinstance(metadata, summary_pb2.SummaryMetadata):
        return metadata
    if isinstance(metadata, (bytes, bytearray)):
        return summary_pb2.SummaryMetadata.FromString(bytes(metadata))
    raise TypeError(f"metadata must be a SummaryMetadata proto or bytes, got {type(metadata)}")


@in_graph
def write(tag, tensor, step=None, metadata=None, name=None):
    """Write a tensor summary (the generic op under scalar/histogram/image/...).

    ``tensor`` may be a callable, evaluated only when the summary is recorded.
    Returns True if written, False when no default writer is set or recording is off.
    Raises ValueError when recording and no step is given or set.

    Example:
        >>> import tempfile, cuflow as cf
        >>> with cf.summary.create_file_writer(tempfile.mkdtemp()).as_default():
        ...     cf.summary.write("raw", [1, 2, 3], step=0)
        True
    """
    if _state.writer is None or not should_record_summaries():
        return False
    return _record(tag, lambda: _tensor_proto(tensor() if callable(tensor) else tensor), step,
                   _metadata(metadata))


def _record(tag, payload_fn, step, metadata):
    """Queue one summary value; ``payload_fn()`` gives a TensorProto or a float32 scalar.

    The caller has checked that a writer is set and recording is on.
    """
    step = _resolve_step(step)
    payload = payload_fn()
    _state.writer._add_event((time.time(), step, tag, payload, metadata))
    return True


def write_raw_pb(tensor, step=None, name=None):
    """Write serialized ``Summary`` protos (bytes, or a sequence of them) verbatim."""
    if _state.writer is None or not should_record_summaries():
        return False
    step = _resolve_step(step)
    raw = tensor() if callable(tensor) else tensor
    items = [raw] if isinstance(raw, (bytes, bytearray)) else list(_to_numpy(raw).ravel())
    for item in items:
        summary = summary_pb2.Summary.FromString(_as_bytes(item))
        _emit(event_pb2.Event(wall_time=time.time(), step=step, summary=summary))
    return True


def _emit(event):
    _state.writer._add_event(event)


def _current_writer():
    return _state.writer
