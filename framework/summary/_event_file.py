"""Event files written by a background thread: TFRecord framing, never blocking training.

One ``EventFile`` owns one ``events.out.tfevents.*`` file. The training thread only
appends ``Event`` protos to an in-memory queue; a daemon thread serializes them, frames
them with TensorBoard's ``RecordWriter`` (length, masked CRC32C, data, masked CRC32C)
and hands them to the OS:

* when ``max_queue`` events are waiting,
* every ``flush_millis`` milliseconds,
* on ``flush()`` / ``close()`` (which also ``fsync`` the file).

Crash safety: the file is created exclusively (``open(..., "xb")``, never truncating an
existing file) and only ever appended to, one whole record per ``write`` call, so a crash
loses at most the events still in the queue; TensorBoard's reader skips a torn last record.
"""
from __future__ import annotations

import os
import socket
import struct
import threading
import time

from tensorboard.compat.proto import event_pb2
from tensorboard.summary.writer import record_writer as _tb_record_writer

try:  # optional hardware CRC32C (the `crc32c` wheel); TensorBoard's is pure Python
    from crc32c import crc32c as _fast_crc32c
except ImportError:  # pragma: no cover - depends on the environment
    _fast_crc32c = None

_uid_lock = threading.Lock()
_uid = [0]
# The training thread waits for the writer thread only when this many events (at least
# 8 * max_queue) pile up, i.e. when the disk cannot keep up at all.
_BACKLOG_FACTOR = 8
_MIN_BACKLOG = 256


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


def _create_file(logdir: str, suffix: str):
    """Open a new event file exclusively; returns (path, file object)."""
    os.makedirs(logdir, exist_ok=True)
    host, pid = socket.gethostname(), os.getpid()
    while True:
        name = "events.out.tfevents.%010d.%s.%d.%d%s" % (
            time.time(), host, pid, _next_uid(), suffix)
        path = os.path.join(logdir, name)
        try:
            return path, open(path, "xb")
        except FileExistsError:  # another process with our pid (containers): next uid
            continue


class EventFile:
    """A queue of ``Event`` protos drained into one event file by a daemon thread.

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
        self.max_queue = int(max_queue)
        self.flush_secs = int(flush_millis) / 1000.0
        self.path, self._file = _create_file(logdir, filename_suffix or "")
        self._records = make_record_writer(self._file)
        self._cond = threading.Condition()
        self._queue: list = []
        self._enqueued = 0      # events handed to add()
        self._written = 0       # events written to the OS by the thread
        self._wanted = 0        # a flush() asked for everything up to this count
        self._synced = 0        # events known to be on disk (fsync)
        self._oldest = 0.0      # monotonic time the oldest queued event arrived
        self._closing = False
        self.closed = False
        self.error: BaseException | None = None
        self._backlog = max(_MIN_BACKLOG, _BACKLOG_FACTOR * self.max_queue)
        # The file version record goes out synchronously: the file is valid at once.
        self._records.write(event_pb2.Event(
            wall_time=time.time(), file_version="brain.Event:2",
            source_metadata=event_pb2.SourceMetadata(writer="cuflow")).SerializeToString())
        self._file.flush()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"cuflow-summary-{os.path.basename(self.path)}")
        self._thread.start()

    # ---- training thread -----------------------------------------------------------
    def add(self, event) -> None:
        """Queue one ``event_pb2.Event`` (serialized later, on the writer thread)."""
        with self._cond:
            self._check_open()
            if not self._queue:  # start the flush_millis timer for this batch
                self._oldest = time.monotonic()
                self._cond.notify_all()
            self._queue.append(event)
            self._enqueued += 1
            if len(self._queue) >= self.max_queue:
                self._cond.notify_all()
            while len(self._queue) >= self._backlog and self._alive():
                self._cond.wait(0.05)  # the disk is far behind: apply backpressure
        self._raise_error()

    def flush(self) -> None:
        """Write every queued event to the file, flush it and ``fsync`` it."""
        with self._cond:
            if self.closed:
                return
            self._flush_locked()
        self._raise_error()

    def close(self, raise_errors: bool = True) -> None:
        """Flush, stop the thread and close the file. Idempotent."""
        with self._cond:
            if self.closed:
                return
            try:
                self._flush_locked()
            finally:
                self._closing = True
                self.closed = True
                self._cond.notify_all()
        self._thread.join(timeout=30)
        self._file.close()
        if raise_errors:
            self._raise_error()

    def _flush_locked(self):
        self._wanted = self._enqueued
        self._cond.notify_all()
        while self._written < self._wanted and self._alive():
            self._cond.wait(0.05)
        if self.error is None and self._synced < self._written:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._synced = self._written

    def _alive(self) -> bool:
        return self.error is None and self._thread.is_alive()

    def _check_open(self):
        if self.closed:
            raise RuntimeError(f"summary writer for {self.logdir!r} is already closed")

    def _raise_error(self):
        if self.error is not None:  # sticky: every later call fails the same way
            raise RuntimeError(f"writing {self.path!r} failed: {self.error!r}") from self.error

    # ---- writer thread ---------------------------------------------------------------
    def _run(self):
        while True:
            with self._cond:
                self._wait_until_due()
                batch, self._queue = self._queue, []
                stop = self._closing
            try:
                for event in batch:
                    self._records.write(event.SerializeToString())
                self._file.flush()
            except BaseException as e:  # surfaced in the training thread on its next call
                with self._cond:
                    self.error = e
                    self._cond.notify_all()
                return
            with self._cond:
                self._written += len(batch)
                self._cond.notify_all()  # wake flush() and producers held by the backlog
            if stop:
                return

    def _wait_until_due(self):
        while not (self._closing or self._wanted > self._written
                   or len(self._queue) >= max(1, self.max_queue)):
            if not self._queue:
                self._cond.wait()
                continue
            remaining = self._oldest + self.flush_secs - time.monotonic()
            if remaining <= 0:
                return
            self._cond.wait(remaining)
