"""``cf.profiler.experimental``: start / stop a profile, ``Profile`` and ``Trace``."""
from __future__ import annotations

import collections

from . import _session

__all__ = ["Profile", "ProfilerOptions", "Trace", "start", "stop"]

ProfilerOptions = collections.namedtuple(
    "ProfilerOptions", ["host_tracer_level", "python_tracer_level", "device_tracer_level",
                        "delay_ms"], defaults=[2, 0, 1, None])
ProfilerOptions.__doc__ = "TF's profiler options; accepted for compatibility (host spans only)."


def start(logdir, options=None):
    """Start profiling; spans go to ``logdir/plugins/profile/<run>/`` at ``stop()``.

    Raises ``cf.errors.AlreadyExistsError`` if a profile is already running.

    Example:
        >>> import tempfile, cuflow as cf
        >>> cf.profiler.experimental.start(tempfile.mkdtemp())
        >>> with cf.profiler.experimental.Trace("train", step_num=0):
        ...     pass
        >>> path = cf.profiler.experimental.stop()
    """
    _session.start_session(logdir)


def stop(save=True):
    """Stop profiling and write the trace (``save=False`` discards it); returns its path.

    Raises ``cf.errors.UnavailableError`` if no profile is running.
    """
    return _session.stop_session(save_to="session" if save else None)


class Profile:
    """Profile the body of a ``with`` block into ``logdir``.

    Example:
        >>> import tempfile, cuflow as cf
        >>> with cf.profiler.experimental.Profile(tempfile.mkdtemp()):
        ...     with cf.profiler.experimental.Trace("step", step_num=1):
        ...         pass
    """

    def __init__(self, logdir, options=None):
        self._logdir, self._options = logdir, options

    def __enter__(self):
        start(self._logdir, self._options)
        return self

    def __exit__(self, *exc):
        stop()
        return False


class Trace:
    """Annotate a region (a training step with ``step_num=``) in the profile.

    Costs a global read when no profile is running. Keyword arguments are shown with the
    span; with ``step_num`` the span is in category "step" (TF's step marker).

    Example:
        >>> import cuflow as cf
        >>> for step in range(2):
        ...     with cf.profiler.experimental.Trace("train", step_num=step, _r=1):
        ...         pass
    """

    __slots__ = ("_args", "_name", "_start")

    def __init__(self, name, **kwargs):
        self._name, self._args, self._start = name, kwargs, 0

    def __enter__(self):
        if _session._current is not None:
            self._start = _session.now_ns()
        return self

    def __exit__(self, *exc):
        if self._start and _session._current is not None:
            category = "step" if "step_num" in self._args else "trace"
            args = {k: v for k, v in self._args.items() if not k.startswith("_")}
            _session.record_span(self._name, category, self._start, _session.now_ns(),
                                 args or None)
        return False

    def set_metadata(self, **kwargs):
        """Add arguments shown with the span."""
        self._args.update(kwargs)
