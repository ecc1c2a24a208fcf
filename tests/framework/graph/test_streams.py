"""Stream scheduling of independent graph branches (graph/streams.py).

The plan and the runner are tested on the CPU with fake streams: a synchronous fake for
the executor, and an asynchronous simulator that queues work per stream and executes the
queues in random interleavings (respecting only stream order and event waits), checking
that every step finds its inputs computed and that the final join covers everything.
The ``gpu`` tests run the same graphs on CuPy streams.
"""
from __future__ import annotations

import random

import cuflow as cf
import numpy as np
import pytest
from cuflow.graph import streams as S


def _rows(spec):
    """spec: [(ins, outs, eligible, pinned)] with slot names as strings."""
    return [(tuple(i), tuple(o), e, p) for i, o, e, p in spec]


def test_independent_branches_go_to_different_streams_and_join_with_events():
    # x -> a1 -> a2 ; x -> b1 -> b2 ; (a2, b2) -> c
    steps = _rows([(["x"], ["a1"], True, False), (["x"], ["b1"], True, False),
                   (["a1"], ["a2"], True, False), (["b1"], ["b2"], True, False),
                   (["a2", "b2"], ["c"], True, False)])
    plan = S.plan_streams(steps, 4, initial={"x"})
    a1, b1, a2, b2, c = plan.stream_of
    assert a1 != b1                     # the two branches run side by side
    assert a2 == a1 and b2 == b1        # each chain stays on its stream
    assert c in (a2, b2)
    other = 3 if c == a2 else 2         # step index of the branch c does not continue
    assert plan.waits[4] == [other]
    assert plan.records == {other}
    assert plan.n_streams == 2


def test_chain_uses_one_stream_and_no_events():
    steps = _rows([(["x"], ["a"], True, False), (["a"], ["b"], True, False),
                   (["b"], ["c"], False, False)])
    plan = S.plan_streams(steps, 4, initial={"x"})
    assert plan.trivial and plan.stream_of == [0, 0, 0]
    assert plan.records == set() and plan.deferred == set()


def test_stateful_and_random_steps_stay_on_stream_zero_in_order():
    steps = _rows([(["x"], ["a"], True, False), (["x"], ["b"], True, False),
                   (["b"], [], False, True),           # assign(b): pinned
                   (["a"], ["r"], True, True)])        # a random op
    plan = S.plan_streams(steps, 4, initial={"x"})
    assert plan.stream_of[2] == 0 and plan.stream_of[3] == 0
    side = plan.stream_of[1]
    assert side != 0
    assert plan.waits[2] == [1]                        # the assign waits for b's stream


def test_small_steps_follow_their_chain_or_stay_on_stream_zero():
    steps = _rows([(["x"], ["a"], True, False), (["x"], ["b"], True, False),
                   (["b"], ["b2"], False, False),      # small: continues b's stream
                   (["x"], ["s"], False, False)])      # small and unrelated: stream 0
    plan = S.plan_streams(steps, 4, initial={"x"})
    assert plan.stream_of[2] == plan.stream_of[1] != 0
    assert plan.stream_of[3] == 0


def test_values_read_across_streams_are_freed_after_the_join():
    steps = _rows([(["x"], ["a"], True, False), (["x"], ["b"], True, False),
                   (["a", "b"], ["c"], True, False)])
    plan = S.plan_streams(steps, 2, initial={"x"})
    # b (or a) is made on one stream and read on the other; x is read on the side stream
    assert "x" in plan.deferred
    assert len({"a", "b"} & plan.deferred) == 1


def test_one_stream_means_no_plan():
    steps = _rows([(["x"], ["a"], True, False), (["x"], ["b"], True, False)])
    assert S.plan_streams(steps, 1, initial={"x"}).trivial


# --- an asynchronous simulation -------------------------------------------------------------
class _Event:
    def __init__(self):
        self.done = False


class _AsyncStream:
    """Queues work; ``_Sim`` executes queues in any order their events allow."""

    current = None

    def __init__(self, name):
        self.name = name
        self.queue = []

    def __enter__(self):
        self._prev, _AsyncStream.current = _AsyncStream.current, self
        return self

    def __exit__(self, *exc):
        _AsyncStream.current = self._prev

    def record(self):
        e = _Event()
        self.queue.append(("record", e))
        return e

    def wait_event(self, e):
        self.queue.append(("wait", e))


def _simulate(streams, seed, on_run):
    rng = random.Random(seed)
    heads = {id(s): 0 for s in streams}
    main_done_at = None
    order = []
    while True:
        ready = []
        for s in streams:
            i = heads[id(s)]
            if i < len(s.queue):
                op, arg = s.queue[i]
                if op != "wait" or arg.done:
                    ready.append(s)
        if not ready:
            break
        s = rng.choice(ready)
        op, arg = s.queue[heads[id(s)]]
        heads[id(s)] += 1
        if op == "record":
            arg.done = True
        elif op == "run":
            on_run(arg)
            order.append(arg)
        if s is streams[0] and heads[id(s)] == len(s.queue):
            main_done_at = len(order)
    assert all(heads[id(s)] == len(s.queue) for s in streams), "deadlock"
    return order, main_done_at


def _random_dag(rng, n):
    slots = ["in0", "in1"]
    steps = []
    for i in range(n):
        ins = rng.sample(slots, k=min(len(slots), rng.randint(1, 3)))
        steps.append((tuple(ins), (f"v{i}",), rng.random() < 0.7, rng.random() < 0.1))
        slots.append(f"v{i}")
    return steps


@pytest.mark.parametrize("seed", range(40))
def test_random_graphs_run_correctly_in_any_interleaving(seed):
    rng = random.Random(seed)
    steps = _random_dag(rng, rng.randint(2, 25))
    plan = S.plan_streams(steps, rng.randint(2, 4), initial={"in0", "in1"})
    streams = [_AsyncStream(k) for k in range(max(plan.n_streams, 1))]
    main = streams[0]

    def execute(st):
        _AsyncStream.current.queue.append(("run", st))

    with main:
        S.run_on_streams(plan, steps, streams, execute)
    ready = {"in0", "in1"}

    def on_run(st):
        ins, outs, _, _ = st
        missing = [s for s in ins if s not in ready]
        assert not missing, f"step {st} ran before {missing} were computed"
        ready.update(outs)
    for trial in range(5):
        for s in streams:
            for op, arg in s.queue:
                if op == "record":
                    arg.done = False
        ready = {"in0", "in1"}
        order, main_done_at = _simulate(streams, seed * 10 + trial, on_run)
        assert len(order) == len(steps)
        if not plan.trivial:
            # the final join: stream 0 finishes only after every step has run
            assert main_done_at == len(steps)
    # memory safety: a value freed at its last use is only read on its producer's stream
    producer = {}
    for i, (ins, outs, _, _) in enumerate(steps):
        for s in ins:
            if s in producer and s not in plan.deferred:
                assert plan.stream_of[producer[s]] == plan.stream_of[i]
            elif s not in producer and s not in plan.deferred:
                assert plan.stream_of[i] == 0
        for s in outs:
            producer[s] = i


# --- the executor with stand-in streams ------------------------------------------------------
class _SyncStream:
    def __init__(self, log, k):
        self.log, self.k = log, k

    def __enter__(self):
        self.log.append(("use", self.k))
        return self

    def __exit__(self, *exc):
        return False

    def record(self):
        self.log.append(("record", self.k))
        return ("event", self.k, len(self.log))

    def wait_event(self, e):
        self.log.append(("wait", self.k, e[1]))


def _two_branch_fn():
    def f(x, w1, w2):
        a = cf.nn.relu(cf.matmul(x, w1))       # branch 1
        b = cf.math.tanh(cf.matmul(x, w2))     # branch 2
        return cf.reduce_sum(a * 2.0) + cf.reduce_sum(b)
    return f


def test_executor_spreads_branches_over_streams_and_matches_numpy(monkeypatch):
    from cuflow.graph import executor as E
    monkeypatch.setattr(E, "PARALLEL_MIN", 16)
    rng = np.random.default_rng(0)
    args = [cf.constant(rng.normal(size=s).astype(np.float32))
            for s in [(32, 16), (16, 16), (16, 16)]]
    f = _two_branch_fn()
    concrete = cf.function(f).get_concrete_function(*args)
    log = []
    ex = E.Executor(concrete.graph, concrete.graph.device,
                    streams=[_SyncStream(log, k) for k in range(3)])
    assert ex.stream_plan is not None and ex.stream_plan.n_streams >= 2
    out = ex.run([a.numpy() for a in args])[0]
    np.testing.assert_allclose(out, f(*args).numpy(), rtol=1e-5)
    used = {e[1] for e in log if e[0] == "use"}
    assert len(used) >= 2
    # every side stream first waits for the entry event on stream 0, and is joined at the end
    joins = [e for e in log if e[0] == "wait" and e[1] == 0]
    assert {e[2] for e in joins} >= used - {0}


# --- on a real GPU ---------------------------------------------------------------------------
def _gpu():
    cp = pytest.importorskip("cupy")
    if not cp.cuda.is_available():
        pytest.skip("no CUDA device")
    return cp


@pytest.mark.gpu
def test_gpu_branches_run_on_cuda_streams_and_match_cpu():
    _gpu()
    rng = np.random.default_rng(0)
    host = [rng.normal(size=s).astype(np.float32) for s in [(1024, 1024)] * 3]
    f = _two_branch_fn()
    want = f(*[cf.constant(a) for a in host]).numpy()
    with cf.device("/GPU:0"):
        args = [cf.constant(a) for a in host]
        g = cf.function(f)
        got = g(*args)
        plan = g.get_concrete_function(*args)._executor.stream_plan
    assert plan is not None and plan.n_streams >= 2
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-3)


@pytest.mark.gpu
def test_gpu_stream_results_are_stable_over_many_calls_and_inside_cond():
    _gpu()
    rng = np.random.default_rng(1)
    host = [rng.normal(size=s).astype(np.float32) for s in [(512, 512)] * 3]

    def f(x, w1, w2):
        def branches():
            return _two_branch_fn()(x, w1, w2)
        return cf.cond(cf.reduce_sum(x) > -1e9, branches, lambda: cf.constant(0.0))
    want = f(*[cf.constant(a) for a in host]).numpy()
    with cf.device("/GPU:0"):
        args = [cf.constant(a) for a in host]
        g = cf.function(f)
        outs = [float(g(*args)) for _ in range(50)]
    np.testing.assert_allclose(outs, [float(want)] * 50, rtol=1e-3)


def test_executor_gpu_path_uses_the_callers_stream_and_the_devices_side_streams(monkeypatch):
    """The device code path (no stand-ins passed): stream 0 is CuPy's current stream at
    call time, side streams come from the device backend; here both are fakes."""
    import types

    from cuflow.graph import executor as E
    monkeypatch.setattr(E, "PARALLEL_MIN", 16)
    log = []
    current = _SyncStream(log, "current")
    side = [_SyncStream(log, f"side{k}") for k in range(3)]
    xp = types.SimpleNamespace(asarray=np.asarray, cuda=types.SimpleNamespace(
        get_current_stream=lambda: current))
    backend = types.SimpleNamespace(side_streams=lambda n: side[:n])
    rng = np.random.default_rng(0)
    args = [cf.constant(rng.normal(size=s).astype(np.float32))
            for s in [(32, 16), (16, 16), (16, 16)]]
    f = _two_branch_fn()
    concrete = cf.function(f).get_concrete_function(*args)
    real = concrete.graph.device
    fake = types.SimpleNamespace(device_type="GPU", xp=xp, backend=backend, kernels={})
    # bind ops to their NumPy impls (as on the CPU), but take the GPU scheduling path
    bind = E._bind
    monkeypatch.setattr(E, "_bind", lambda op, _xp, dev, attrs: bind(op, np, real, attrs))
    ex = E.Executor(concrete.graph, fake)
    assert ex.stream_plan is not None
    out = ex.run([a.numpy() for a in args])[0]
    np.testing.assert_allclose(out, f(*args).numpy(), rtol=1e-5)
    used = {e[1] for e in log if e[0] == "use"}
    assert "current" in used and used & {"side0", "side1", "side2"}
