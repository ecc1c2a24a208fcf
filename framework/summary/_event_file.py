"""Event files: a queue drained in batches, TFRecord framing, never an fsync in training.

One ``EventFile`` owns one ``events.out.tfevents.*`` file. ``add`` only appends a
snapshot (an ``Event`` proto, or a tuple turned into one later) to an in-memory queue.
The queue is serialized, framed with TensorBoard's ``RecordWriter`` (length, masked
CRC32C, data, masked CRC32C) and handed to the OS:

* when ``max_queue`` events are waiting: by the calling thread while writes are fast
  (a page-cache ``write`` of a few KB costs microseconds, while waking a Python thread
  costs ~150 us of the training thread's time on a 2-core machine, measured in
  ``bench/summary_overhead.py``); once a write takes longer than ``SLOW_WRITE_SECS``
  (a network file system), the file switches for good to the daemon thread doing them;
* by the daemon thread at the latest ``flush_millis`` after an event was queued;
* on ``flush()`` / ``close()``, which also ``fsync`` the file.

Crash safety: the file is created exclusively (``open(..., "xb")``, never truncating an
existing file) and only ever appended to, one whole batch of records per ``write``, so a
crash loses at most the events still queued; TensorBoard's reader skips a torn last record.
Lock order: ``_cond`` (the queue) before ``_io`` (the file); whoever takes a batch takes
``_io`` before releasing ``_cond``, so batches reach the file in queue order.
"""
from __future__ import annotations

import io
import os
import socket
import struct
import threading
import time

from tensorboard.compat.proto import (event_pb2, summary_pb2, tensor_pb2, tensor_shape_pb2,
                                      types_pb2)
from tensorboard.summary.writer import record_writer as _tb_record_writer

try:  # optional hardware CRC32C (the `crc32c` wheel); TensorBoard's is pure Python
    from crc32c import crc32c as _fast_crc32c
except ImportError:  # pragma: no cover - depends on the environment
    _fast_crc32c = None

SLOW_WRITE_SECS = 0.005
# In background mode the training thread waits only when this many events (at least
# 8 * max_queue) pile up, i.e. when the disk cannot keep up at all.
_BACKLOG_FACTOR = 8
_MIN_BACKLOG = 256
_SCALAR_SHAPE = tensor_shape_pb2.TensorShapeProto()
_uid_lock = threading.Lock()
_uid = [0]


def _next_uid() -> int:
    with _uid_lock:
        _uid[0] += 1
        return _uid[0]


def _masked_crc(data: bytes) -> int:
    x = _fast_crc32c(data) & 0xFFFFFFFF
    return (((x >> 15) | (x << 17)) + 0xA282EAD8) & 0xFFFFFFFF


class _FastRecordWriter(_tb_record_writer.RecordWriter):
    """TensorBoard's ``RecordWriter`` framing, with a C CRC32C when one is installed."""

    def write(self, data):
        header = struct.pack("<Q", len(data))
        self._writer.write(header + struct.pack("<I", _masked_crc(header)) + data
                           + struct.pack("<I", _masked_crc(data)))


def make_record_writer(fileobj):
    """TensorBoard's record framing over ``fileobj`` (the fast CRC when available)."""
    cls = _FastRecordWriter if _fast_crc32c is not None else _tb_record_writer.RecordWriter
    return cls(fileobj)


def build_event(wall_time, step, tag, payload, metadata):
    """An ``Event`` holding one summary value; ``payload`` is a TensorProto or a float."""
    if not isinstance(payload, tensor_pb2.TensorProto):  # a float32 scalar
        payload = tensor_pb2.TensorProto(dtype=types_pb2.DT_FLOAT, tensor_shape=_SCALAR_SHAPE,
                                         float_val=[payload])
    value = summary_pb2.Summary.Value(tag=tag, tensor=payload, metadata=metadata)
    return event_pb2.Event(wall_time=wall_time, step=step,
                           summary=summary_pb2.Summary(value=[value]))


def _create_file(logdir: str, suffix: str):
    """Open a new event file exclusively; returns (path, file object)."""
    os.makedirs(logdir, exist_ok=True)
    host, pid = socket.gethostname(), os.getpid()
    while True:
        name = "events.out.tfevents.%010d.%s.%d.%d%s" % (  # noqa: UP031 - TF's exact format
            time.time(), host, pid, _next_uid(), suffix)
        path = os.path.join(logdir, name)
        try:
            return path, open(path, "xb")
        except FileExistsError:  # another process with our pid (containers): next uid
            continue


class EventFile:
    """A queue of events drained into one event file in batches.

    Example:
        >>> import tempfile
        >>> from tensorboard.compat.proto import event_pb2
        >>> f = EventFile(tempfile.mkdtemp(), max_queue=10, flush_millis=1000)
        >>> f.add(event_pb2.Event(step=1, wall_time=0.0))
        >>> f.close()
    """

    def __init__(self, logdir: str, max_queue: int = 10, flush_millis: int = 120000,
                 filename_suffix: str = ".v2"):
        if int(max_queue) < 0 or int(flush_millis) < 0:
            raise ValueError(f"max_queue ({max_queue}) and flush_millis ({flush_millis}) "
                             "must be >= 0")
        self.logdir = logdir
        self.max_queue = max(1, int(max_queue)) if int(flush_millis) else 1
        self.flush_secs = int(flush_millis) / 1000.0
        self.path, self._file = _create_file(logdir, filename_suffix or "")
        self._cond = threading.Condition()  # guards the queue and the flags below
        self._io = threading.Lock()         # guards the file; taken while holding _cond
        self._queue: list = []
        self._oldest = 0.0      # monotonic time the oldest queued event arrived
        self._inline = True     # callers write full batches until a write is slow
        self._dirty = False     # written to the OS since the last fsync
        self._closing = False
        self.closed = False
        self.error: BaseException | None = None
        self._templates: dict = {}  # (tag, id(metadata)) -> scalar Event to refill
        self._backlog = max(_MIN_BACKLOG, _BACKLOG_FACTOR * self.max_queue)
        # The file version record goes out at once: the file is valid from the start.
        self._write([event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2",
                                     source_metadata=event_pb2.SourceMetadata(
                                         writer="cuflow"))])
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"cuflow-summary-{os.path.basename(self.path)}")
        self._thread.start()

    @property
    def background(self) -> bool:
        """True once full batches are written by the daemon thread (slow file system)."""
        return not self._inline

    # ---- any thread ------------------------------------------------------------------
    def add(self, item) -> None:
        """Queue an ``Event``, or the arguments of ``build_event`` as a tuple.

        Tuples become protos only when written. Everything in them must be a snapshot.
        """
        with self._cond:
            self._raise_error()
            if self.closed:
                raise RuntimeError(f"summary writer for {self.logdir!r} is already closed")
            if not self._queue:
                self._oldest = time.monotonic()
            self._queue.append(item)
            if len(self._queue) < self.max_queue:
                return
            if not self._inline:
                self._cond.notify_all()
                while len(self._queue) >= self._backlog and self.error is None:
                    self._cond.wait(0.05)  # the disk is far behind: apply backpressure
                return
            batch = self._take_batch()
        self._write_batch(batch, timed=True)

    def flush(self) -> None:
        """Write every queued event, flush the file and ``fsync`` it (no-op once closed)."""
        with self._cond:
            if self.closed:
                return
            self._raise_error()
            batch = self._take_batch()
        self._write_batch(batch, sync=True)

    def close(self, raise_errors: bool = True) -> None:
        """Flush, stop the thread and close the file. Idempotent."""
        with self._cond:
            if self.closed:
                return
            self.closed = self._closing = True
            batch = self._take_batch() if self.error is None else None
            self._cond.notify_all()
        try:
            if batch is not None:
                self._write_batch(batch, sync=True)
        finally:
            self._thread.join(timeout=30)
            with self._io:
                self._file.close()
        if raise_errors:
            with self._cond:
                self._raise_error()

    # ---- batches ----------------------------------------------------------------------
    def _take_batch(self):
        """Under ``_cond``: empty the queue and take ``_io`` so batches stay in order."""
        batch, self._queue = self._queue, []
        self._io.acquire()
        return batch

    def _write_batch(self, batch, timed=False, sync=False):
        """Write ``batch`` (``_io`` already held; released here); errors become sticky."""
        try:
            start = time.monotonic()
            if batch:
                self._write(batch)
            if sync and self._dirty:
                os.fsync(self._file.fileno())
                self._dirty = False
            if timed and time.monotonic() - start > SLOW_WRITE_SECS:
                self._inline = False  # slow storage: full batches go to the thread from now
        except Exception as e:  # noqa: BLE001 - surfaced to every later caller
            self.error = e
        finally:
            self._io.release()
        if self.error is not None:
            with self._cond:
                self._cond.notify_all()
                self._raise_error()

    def _write(self, batch):
        buf = io.BytesIO()
        records = make_record_writer(buf)
        for item in batch:
            records.write(self._serialize(item))
        self._file.write(buf.getvalue())  # one write per batch: whole records or none
        self._file.flush()
        self._dirty = True

    def _serialize(self, item) -> bytes:
        if type(item) is not tuple:
            return item.SerializeToString()
        wall_time, step, tag, payload, metadata = item
        if isinstance(payload, tensor_pb2.TensorProto):
            return build_event(*item).SerializeToString()
        # Scalars, the per-step hot path: refill one cached Event per tag (5x cheaper
        # than building a fresh proto). Callers hold _io, so one thread at a time.
        key = (tag, id(metadata))
        entry = self._templates.get(key)
        if entry is None:
            if len(self._templates) > 10000:
                self._templates.clear()
            event = build_event(0.0, 0, tag, 0.0, metadata)
            entry = self._templates[key] = (event, event.summary.value[0].tensor, metadata)
        event, tensor, _ = entry  # (metadata kept alive so its id stays unique)
        event.wall_time, event.step = wall_time, step
        tensor.float_val[0] = payload
        return event.SerializeToString()

    def _raise_error(self):
        if self.error is not None:  # sticky: every later call fails the same way
            raise RuntimeError(f"writing {self.path!r} failed: {self.error!r}") from self.error

    # ---- the daemon thread -----------------------------------------------------------
    def _run(self):
        while True:
            with self._cond:
                if not self._wait_until_due():
                    return
                batch = self._take_batch()
                self._cond.notify_all()  # wake producers held by the backlog
            try:
                self._write_batch(batch)
            except RuntimeError:  # recorded in self.error for the callers
                return

    def _wait_until_due(self) -> bool:
        """Under ``_cond``: wait until a batch is due; False when closing or failed."""
        while not self._closing and self.error is None:
            if self._queue:
                if not self._inline and len(self._queue) >= self.max_queue:
                    return True
                remaining = self._oldest + self.flush_secs - time.monotonic()
                if remaining <= 0:
                    return True
                self._cond.wait(remaining)
            else:  # a periodic wake, so that add() never has to notify
                self._cond.wait(self.flush_secs or None)
        return False
