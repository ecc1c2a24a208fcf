"""The profiler: spans recorded through the hooks and saved as Chrome trace JSON."""
import glob
import json
import os
import threading

import cuflow as cf
import pytest
from cuflow.profiler import _session


def load_trace(logdir):
    paths = glob.glob(os.path.join(str(logdir), "plugins", "profile", "*", "*.trace.json"))
    assert len(paths) == 1, paths
    with open(paths[0]) as f:
        return json.load(f)


def spans(doc, ph="X"):
    return [e for e in doc["traceEvents"] if e["ph"] == ph]


def test_inactive_hooks_record_nothing():
    assert not cf.profiler.active()
    cf.profiler.record_span("op", "op", 0, 10)
    cf.profiler.record_counter("mem", 1)
    with cf.profiler.experimental.Trace("t", step_num=1):
        pass
    assert _session._current is None


def test_start_stop_writes_valid_trace(tmp_path):
    cf.profiler.experimental.start(str(tmp_path))
    assert cf.profiler.active()
    t0 = cf.profiler.now_ns()
    cf.profiler.record_span("matmul", "op", t0, t0 + 5000, {"shape": [2, 3]})
    cf.profiler.record_counter("memory_bytes", 1024)
    for step in range(3):
        with cf.profiler.experimental.Trace("train", step_num=step, _r=1):
            with cf.profiler.span("next_batch", "data", size=32):
                pass
    t = threading.Thread(target=lambda: cf.profiler.record_span(
        "compile", "compile", cf.profiler.now_ns(), cf.profiler.now_ns() + 1))
    t.start()
    t.join()
    path = cf.profiler.experimental.stop()
    assert not cf.profiler.active()
    assert path.endswith(".trace.json") and os.path.dirname(os.path.dirname(path)).endswith(
        os.path.join("plugins", "profile"))
    doc = load_trace(tmp_path)
    xs = spans(doc)
    mm, = [e for e in xs if e["name"] == "matmul"]
    assert mm["cat"] == "op" and mm["dur"] == 5.0 and mm["args"] == {"shape": [2, 3]}
    steps = [e for e in xs if e["cat"] == "step"]
    assert [e["args"] for e in steps] == [{"step_num": i} for i in range(3)]
    data = [e for e in xs if e["cat"] == "data"]
    assert len(data) == 3 and all(d["args"] == {"size": 32} for d in data)
    for d, s in zip(data, steps):  # nested inside its step span
        assert s["ts"] <= d["ts"] and d["ts"] + d["dur"] <= s["ts"] + s["dur"] + 1e-3
    assert len({e["tid"] for e in xs}) == 2  # the main thread and the compile thread
    assert spans(doc, "C")[0]["args"] == {"memory_bytes": 1024}
    names = {e["args"]["name"] for e in spans(doc, "M")}
    assert "MainThread" in names and not os.listdir(os.path.dirname(path)) == []
    assert not glob.glob(os.path.join(os.path.dirname(path), "*.tmp.*"))


def test_lazy_span_args_are_formatted_when_saving(tmp_path):
    calls = []

    def fmt(n):
        calls.append(n)
        return {"n": n}
    with cf.profiler.experimental.Profile(str(tmp_path)):
        cf.profiler.record_span("a", "op", 0, 1, (fmt, 7))
        assert calls == []  # nothing formatted while profiling
    assert calls == [7]
    assert spans(load_trace(tmp_path))[0]["args"] == {"n": 7}


def test_errors_and_profile_context(tmp_path):
    with pytest.raises(cf.errors.UnavailableError):
        cf.profiler.experimental.stop()
    with cf.profiler.experimental.Profile(str(tmp_path)):
        with pytest.raises(cf.errors.AlreadyExistsError):
            cf.profiler.experimental.start(str(tmp_path))
        with cf.profiler.experimental.Trace("work"):
            pass
    doc = load_trace(tmp_path)
    assert [e["name"] for e in spans(doc)] == ["work"]
    cf.profiler.experimental.start(str(tmp_path))
    assert cf.profiler.experimental.stop(save=False) is None


def test_event_cap_counts_dropped(tmp_path, monkeypatch):
    monkeypatch.setattr(_session, "MAX_EVENTS", 2)
    cf.profiler.experimental.start(str(tmp_path))
    for i in range(5):
        cf.profiler.record_span(f"s{i}", "op", i, i + 1)
    cf.profiler.experimental.stop()
    doc = load_trace(tmp_path)
    assert len(spans(doc)) == 2 and doc["otherData"]["dropped_events"] == 3


def test_summary_trace_with_profiler(tmp_path):
    cf.summary.trace_on(graph=True, profiler=True)
    assert cf.profiler.active()
    cf.profiler.record_span("op", "op", 1, 2)
    with cf.summary.create_file_writer(str(tmp_path / "logs")).as_default():
        with pytest.raises(ValueError, match="profiler_outdir"):
            cf.summary.trace_export("t", step=0)
        cf.summary.trace_export("t", step=0, profiler_outdir=str(tmp_path / "prof"))
    assert not cf.profiler.active()
    assert [e["name"] for e in spans(load_trace(tmp_path / "prof"))] == ["op"]


def test_eager_ops_are_recorded_as_spans(tmp_path):
    import glob
    import json

    import cuflow as cf

    cf.profiler.experimental.start(str(tmp_path))
    x = cf.constant([1.0, 2.0])
    cf.exp(x) * 2
    cf.profiler.experimental.stop()
    files = glob.glob(str(tmp_path / "**" / "*.trace.json"), recursive=True)
    events = json.load(open(files[0]))
    events = events["traceEvents"] if isinstance(events, dict) else events
    ops = [e for e in events if e.get("cat") == "op"]
    assert [e["name"] for e in ops] == ["exp", "multiply"]
    assert ops[0]["args"]["shape"] == "(2,)"
    # the hook is gone once the profiler stops
    from cuflow.ops import dispatch
    assert not dispatch._hooks
