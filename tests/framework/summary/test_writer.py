"""Writers: file naming, queueing and flushing, defaults, record_if, closing, crash safety."""
import gc
import glob
import os
import re
import socket
import subprocess
import sys
import textwrap
import threading
import time

import cuflow as cf
import numpy as np
import pytest
from cuflow.summary import _event_file
from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
from tensorboard.summary.writer.record_writer import RecordWriter

from .helpers import load, values


def events_in(path):
    return list(EventFileLoader(path).Load())


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_file_name_version_record_and_suffix(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path / "run"))
    name = os.path.basename(w.path)
    pattern = r"events\.out\.tfevents\.\d{10}\.%s\.%d\.\d+\.v2" % (
        re.escape(socket.gethostname()), os.getpid())
    assert re.fullmatch(pattern, name), name
    first = events_in(w.path)  # readable before anything is flushed explicitly
    assert len(first) == 1 and first[0].file_version == "brain.Event:2"
    w2 = cf.summary.create_file_writer(str(tmp_path / "run"), filename_suffix=".mine")
    assert w2.path.endswith(".mine") and w2.path != w.path
    w.close()
    w2.close()


def test_queue_is_written_when_max_queue_is_reached(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path), max_queue=5, flush_millis=10**9)
    with w.as_default():
        for i in range(4):
            assert cf.summary.scalar("x", float(i), step=i)
        time.sleep(0.2)
        assert len(events_in(w.path)) == 1  # only the file version: 4 events still queued
        cf.summary.scalar("x", 4.0, step=4)  # the 5th fills the queue: written without flush
        assert wait_for(lambda: len(events_in(w.path)) == 6)
    w.close()


@pytest.mark.parametrize("kwargs", [{"max_queue": 0}, {"flush_millis": 0}])
def test_zero_queue_or_zero_interval_writes_every_event(tmp_path, kwargs):
    w = cf.summary.create_file_writer(str(tmp_path), **kwargs)
    with w.as_default(step=0):
        for i in range(3):
            cf.summary.scalar("x", float(i))
            assert len(events_in(w.path)) == 2 + i
    w.close()


def test_flush_millis_timer_writes_without_flush(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path), max_queue=1000, flush_millis=100)
    with cf.summary.record_if(True):
        w.set_as_default()
        cf.summary.scalar("x", 1.0, step=0)
    assert wait_for(lambda: len(events_in(w.path)) == 2, timeout=10)
    w.close()


def test_as_default_flushes_on_exit_and_restores_defaults(tmp_path):
    outer = cf.summary.create_file_writer(str(tmp_path / "a"), max_queue=100,
                                          flush_millis=10**9)
    inner = cf.summary.create_file_writer(str(tmp_path / "b"), max_queue=100,
                                          flush_millis=10**9)
    with outer.as_default(step=7):
        with inner.as_default(step=3):
            assert cf.summary.experimental.get_step() == 3
            cf.summary.scalar("x", 1.0)
        assert len(events_in(inner.path)) == 2  # flushed on exit
        assert cf.summary.experimental.get_step() == 7
        cf.summary.scalar("x", 2.0)
    assert cf.summary.experimental.get_step() is None
    assert not cf.summary.should_record_summaries()
    assert [s for s, _ in values(load(tmp_path / "a"), "x")] == [7]
    assert [s for s, _ in values(load(tmp_path / "b"), "x")] == [3]
    outer.close()
    inner.close()


def test_no_default_writer_returns_false_without_needing_a_step(tmp_path):
    assert cf.summary.scalar("x", 1.0) is False
    assert cf.summary.histogram("h", [1.0, 2.0]) is False
    assert cf.summary.write("w", [1.0]) is False
    assert cf.summary.should_record_summaries() is False


def test_missing_step_raises_when_recording(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        with pytest.raises(ValueError, match="No step set"):
            cf.summary.scalar("x", 1.0)
        with cf.summary.record_if(False):
            assert cf.summary.scalar("x", 1.0) is False  # not recording: no step needed
    w.close()


def test_scalar_rejects_non_scalars(tmp_path):
    with cf.summary.create_file_writer(str(tmp_path)).as_default(step=0):
        with pytest.raises(ValueError, match="rank-0"):
            cf.summary.scalar("x", [1.0, 2.0])
        with pytest.raises(TypeError, match="real number"):
            cf.summary.scalar("x", "abc")


def test_record_if_bool_callable_and_nesting(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path))
    step = {"n": 0}
    with w.as_default():
        with cf.summary.record_if(lambda: step["n"] % 2 == 0):
            for i in range(6):
                step["n"] = i
                assert cf.summary.scalar("even", float(i), step=i) is (i % 2 == 0)
            with cf.summary.record_if(False):
                assert not cf.summary.should_record_summaries()
            step["n"] = 0
            assert cf.summary.should_record_summaries()
        with cf.summary.record_if(np.bool_(False)):
            assert cf.summary.scalar("never", 1.0, step=0) is False
    w.close()
    acc = load(tmp_path)
    assert [s for s, _ in values(acc, "even")] == [0, 2, 4]
    assert "never" not in acc.Tags()["tensors"]


def test_closed_writer(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path))
    w.set_as_default(step=1)
    assert cf.summary.scalar("x", 1.0)
    w.close()
    w.close()  # idempotent
    w.flush()  # no-op once closed (TF)
    assert w.closed
    with pytest.raises(RuntimeError, match="already closed"):
        cf.summary.scalar("x", 2.0)
    with pytest.raises(RuntimeError, match="already closed"), w.as_default():
        pass
    assert [v.item() for _, v in values(load(tmp_path), "x")] == [1.0]


def test_noop_writer_leaves_the_current_default_alone(tmp_path):
    noop = cf.summary.create_noop_writer()
    with noop.as_default(step=1):
        assert cf.summary.scalar("x", 1.0) is False
    real = cf.summary.create_file_writer(str(tmp_path))
    with real.as_default(step=2):
        with noop.as_default():  # TF: a noop writer's as_default changes nothing
            assert cf.summary.scalar("x", 1.0) is True
    real.close()
    noop.flush()
    noop.close()


def test_default_writer_is_per_thread(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path))
    w.set_as_default(step=0)
    seen = []
    t = threading.Thread(target=lambda: seen.append(cf.summary.scalar("x", 1.0, step=0)))
    t.start()
    t.join(10)
    assert seen == [False]
    w.close()


def test_steps_from_numpy_variables_and_set_step(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path))
    v = cf.Variable(10, dtype=cf.int64)
    with w.as_default():
        cf.summary.scalar("a", 1.0, step=np.int64(3))
        cf.summary.experimental.set_step(v)
        cf.summary.scalar("a", 2.0)
        v.assign(11)
        cf.summary.scalar("a", 3.0)
    w.close()
    assert [s for s, _ in values(load(tmp_path), "a")] == [3, 10, 11]


def test_many_threads_one_writer(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path), max_queue=3)

    def work(k):
        with w.as_default():
            for i in range(200):
                cf.summary.scalar(f"t{k}", float(i), step=i)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    w.close()
    acc = load(tmp_path)
    for k in range(4):
        got = values(acc, f"t{k}")
        assert [s for s, _ in got] == list(range(200))
        assert [v.item() for _, v in got] == [float(i) for i in range(200)]


@pytest.mark.parametrize("background", [False, True])
def test_write_errors_are_sticky_and_surface_in_the_caller(tmp_path, monkeypatch, background):
    w = cf.summary.create_file_writer(str(tmp_path), max_queue=1)
    w._file._inline = not background

    def broken(batch):
        raise OSError("disk full")
    monkeypatch.setattr(w._file, "_write", broken)
    w.set_as_default(step=0)
    if background:  # the writer thread fails; the next call reports it
        cf.summary.scalar("x", 1.0)
        assert wait_for(lambda: w._file.error is not None)
    with pytest.raises(RuntimeError, match="disk full"):
        cf.summary.scalar("x", 2.0)
    with pytest.raises(RuntimeError, match="disk full"):
        cf.summary.scalar("x", 3.0)
    with pytest.raises(RuntimeError, match="disk full"):
        cf.summary.flush()
    with pytest.raises(RuntimeError, match="disk full"):
        w.close()
    assert w.closed


def test_slow_storage_moves_full_batches_to_the_writer_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(_event_file, "SLOW_WRITE_SECS", -1.0)  # every write counts as slow
    w = cf.summary.create_file_writer(str(tmp_path), max_queue=4, flush_millis=10**9)
    assert not w._file.background
    main = threading.get_ident()
    writers = []
    real_write = w._file._write

    def spy(batch):
        writers.append(threading.get_ident())
        real_write(batch)
    monkeypatch.setattr(w._file, "_write", spy)
    with w.as_default():
        for i in range(4):  # the first full batch is written inline, and found slow
            cf.summary.scalar("x", float(i), step=i)
        assert w._file.background and writers == [main]
        for i in range(4, 12):
            cf.summary.scalar("x", float(i), step=i)
        assert wait_for(lambda: len(events_in(w.path)) == 13)
    assert main not in writers[1:3]  # full batches now go through the thread
    w.close()
    assert [s for s, _ in values(load(tmp_path), "x")] == list(range(12))


def test_collected_writer_is_closed_and_flushed(tmp_path):
    w = cf.summary.create_file_writer(str(tmp_path), max_queue=100, flush_millis=10**9)
    path = w.path
    w.set_as_default(step=0)
    cf.summary.scalar("x", 1.0)
    cf.summary.flush()
    cf.summary.scalar("x", 2.0)
    cf.summary.experimental.set_step(None)
    w.set_as_default()
    from cuflow.summary import writer as _w
    _w._state.writer = None
    del w
    gc.collect()
    assert len(events_in(path)) == 3


def test_fast_crc_framing_matches_tensorboard(tmp_path):
    if _event_file._fast_crc32c is None:
        pytest.skip("the optional crc32c package is not installed")
    data = [b"", b"x", os.urandom(1000)]
    with open(tmp_path / "a", "wb") as fa, open(tmp_path / "b", "wb") as fb:
        fast, slow = _event_file._FastRecordWriter(fa), RecordWriter(fb)
        for d in data:
            fast.write(d)
            slow.write(d)
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()


_CHILD = textwrap.dedent("""
    import os, sys
    import cuflow as cf
    w = cf.summary.create_file_writer(sys.argv[1], max_queue=1000, flush_millis=10**9)
    with cf.summary.record_if(True):
        w.set_as_default(step=0)
        for i in range(5):
            cf.summary.scalar("kept", float(i), step=i)
        w.flush()
        for i in range(5):
            cf.summary.scalar("lost" if sys.argv[2] == "crash" else "kept", 1.0, step=5 + i)
    if sys.argv[2] == "crash":
        os._exit(3)  # no atexit handlers: the queue dies with the process
""")


@pytest.mark.parametrize("mode", ["crash", "exit"])
def test_crash_loses_only_the_queue_and_exit_closes_writers(tmp_path, mode):
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path), mode],
                          check=False, capture_output=True, text=True, timeout=60)
    assert proc.returncode == (3 if mode == "crash" else 0), proc.stderr
    files = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    assert len(files) == 1
    acc = load(tmp_path)
    kept = [s for s, _ in values(acc, "kept")]
    if mode == "crash":
        assert kept == [0, 1, 2, 3, 4] and "lost" not in acc.Tags()["tensors"]
    else:  # writers are closed (flushed) at interpreter exit
        assert kept == list(range(10))


def test_bad_arguments():
    with pytest.raises(ValueError):
        cf.summary.create_file_writer("")
    with pytest.raises(ValueError):
        cf.summary.create_file_writer("/tmp/x", max_queue=-1)
