"""The profiling session: a span recorder and its Chrome / Perfetto trace JSON.

Producers (the op dispatcher, the data pipeline, the graph compiler, ``Trace``) call
``record_span`` with ``now_ns()`` timestamps; it costs one global read when no session is
active. ``stop_session`` writes ``<logdir>/plugins/profile/<run>/<host>.trace.json``
atomically (a temporary file then ``os.replace``): open it in https://ui.perfetto.dev or
chrome://tracing.
"""
from __future__ import annotations

import json
import os
import socket
import threading
import time

now_ns = time.perf_counter_ns  # the clock every span must use
MAX_EVENTS = 1_000_000  # beyond this, spans are counted as dropped instead of kept


class _Session:
    def __init__(self, logdir):
        self.logdir = None if logdir is None else os.fspath(logdir)
        self.origin_ns = now_ns()
        self.origin_wall = time.time()
        self.run = time.strftime("%Y_%m_%d_%H_%M_%S", time.localtime(self.origin_wall))
        self.events: list = []   # (ph, name, category, start_ns, end_ns_or_value, tid, args)
        self.threads: dict = {}  # native thread id -> thread name
        self.dropped = 0

    def add(self, ph, name, category, start_ns, end, args):
        if len(self.events) >= MAX_EVENTS:
            self.dropped += 1
            return
        tid = threading.get_native_id()
        if tid not in self.threads:
            self.threads[tid] = threading.current_thread().name
        self.events.append((ph, name, category, start_ns, end, tid, args))


_current: _Session | None = None
_lock = threading.Lock()


def active() -> bool:
    """True while a profiling session records (a cheap check for hot paths)."""
    return _current is not None


def record_span(name, category, start_ns, end_ns, args=None) -> None:
    """Record a completed span ``[start_ns, end_ns]`` (``now_ns()`` clock) if profiling.

    ``category`` groups spans in the viewer ("op", "data", "compile", "step", ...);
    ``args`` is a small JSON-serializable dict shown with the span, or, to keep a hot
    path cheap, a tuple ``(formatter, *raw)`` turned into that dict when saving.

    Example:
        >>> import cuflow as cf
        >>> t0 = cf.profiler.now_ns()
        >>> cf.profiler.record_span("matmul", "op", t0, cf.profiler.now_ns(), {"m": 4})
    """
    session = _current
    if session is not None:
        session.add("X", name, category, start_ns, end_ns, args)


def record_counter(name, value, ts_ns=None, category="counter") -> None:
    """Record a counter sample (memory, queue depth...) shown as a track in the viewer."""
    session = _current
    if session is not None:
        session.add("C", name, category, now_ns() if ts_ns is None else ts_ns, value, None)


class span:
    """Context manager recording its body as a span (no-op when not profiling).

    Example:
        >>> import cuflow as cf
        >>> with cf.profiler.span("load batch", "data"):
        ...     pass
    """

    __slots__ = ("args", "category", "name", "start")

    def __init__(self, name, category="user", **args):
        self.name, self.category, self.args, self.start = name, category, args, 0

    def __enter__(self):
        if _current is not None:
            self.start = now_ns()
        return self

    def __exit__(self, *exc):
        if _current is not None and self.start:
            record_span(self.name, self.category, self.start, now_ns(), self.args or None)
        return False


def _already_running():
    try:
        from ..errors import AlreadyExistsError
        return AlreadyExistsError(None, None, "Another profiler is running.")
    except ImportError:  # pragma: no cover - core not importable
        return RuntimeError("Another profiler is running.")


def _not_running():
    try:
        from ..errors import UnavailableError
        return UnavailableError(None, None, "Cannot export profiling results. No profiler "
                                            "is running.")
    except ImportError:  # pragma: no cover
        return RuntimeError("Cannot export profiling results. No profiler is running.")


def _op_span(op, args, result, seconds):
    """Dispatcher hook: one span per eager op, with its output shape and dtype.

    The shape and dtype are read off the backend array and formatted only when the
    trace is saved (formatting here tripled the cost of a profiled small op).
    """
    end = time.perf_counter_ns()
    out = result[0] if isinstance(result, tuple) and result else result
    value = getattr(out, "_value", None)
    if value is None or not hasattr(value, "dtype"):
        value = out
    record_span(op.name, "op", end - int(seconds * 1e9), end,
                (_op_args, getattr(value, "shape", ()), getattr(value, "dtype", None)))


def _op_args(shape, dtype):
    return {"shape": str(tuple(shape)), "dtype": getattr(dtype, "name", "") or ""}


def start_session(logdir=None) -> None:
    global _current
    with _lock:
        if _current is not None:
            raise _already_running()
        _current = _Session(logdir)
    from ..ops import dispatch
    dispatch.add_hook(_op_span)


def stop_session(save_to="session"):
    """End the session; save under ``save_to`` (default: the start logdir). Returns path."""
    global _current
    with _lock:
        session, _current = _current, None
    if session is None:
        raise _not_running()
    from ..ops import dispatch
    dispatch.remove_hook(_op_span)
    logdir = session.logdir if save_to == "session" else save_to
    if logdir is None:
        return None
    return save_trace(session, logdir)


def _chrome_events(session):
    pid = os.getpid()
    out = [{"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
            "args": {"name": f"cuflow ({socket.gethostname()})"}}]
    for tid, tname in session.threads.items():
        out.append({"ph": "M", "name": "thread_name", "pid": pid, "tid": tid,
                    "args": {"name": tname}})
    origin = session.origin_ns
    for ph, name, cat, start, end, tid, args in session.events:
        event = {"ph": ph, "name": str(name), "cat": str(cat), "pid": pid, "tid": tid,
                 "ts": (start - origin) / 1000.0}
        if ph == "X":
            event["dur"] = max(0, end - start) / 1000.0
            if type(args) is tuple and args and callable(args[0]):  # (formatter, *raw)
                args = args[0](*args[1:])
            if args:
                event["args"] = args
        else:  # counter
            event["args"] = {str(name): end}
        out.append(event)
    return out


def save_trace(session, logdir) -> str:
    """Write ``session`` as ``<logdir>/plugins/profile/<run>/<host>.trace.json``."""
    base = os.path.join(os.fspath(logdir), "plugins", "profile", session.run)
    run_dir, n = base, 0
    while os.path.exists(os.path.join(run_dir, f"{socket.gethostname()}.trace.json")):
        n += 1
        run_dir = f"{base}_{n}"
    os.makedirs(run_dir, exist_ok=True)
    path = os.path.join(run_dir, f"{socket.gethostname()}.trace.json")
    doc = {"traceEvents": _chrome_events(session), "displayTimeUnit": "ms",
           "otherData": {"producer": "cuflow.profiler", "origin_wall_time": session.origin_wall,
                         "dropped_events": session.dropped}}
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(doc, f, default=str)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return path
