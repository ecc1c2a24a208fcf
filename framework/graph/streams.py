"""Independent branches of a graph on separate CUDA streams, joined with events.

The GPU counterpart of the executor's CPU thread pool. ``plan_streams`` looks at the flat
schedule once (which step produces which slot) and decides, per step, the stream it runs
on and the events it must wait for; ``run_on_streams`` replays that plan on stream
objects. Both are pure Python over abstract streams (``with stream:`` makes it current;
``stream.record()`` returns an event; ``stream.wait_event(e)`` orders the stream after
it), so the logic is tested on the CPU with fake streams and runs on CuPy streams
unchanged.

Rules:
- Stream 0 is the device's compute stream: graph inputs, constants and variables live
  there, and outputs are handed back there (every side stream used is joined at the end).
- Large pure steps (``eligible``) continue the stream of a producer whose last step they
  are (a chain stays on one stream); otherwise they start on the least recently used
  stream, so independent branches spread out. Small pure steps follow a producer's chain
  or go to stream 0. Stateful, random and host steps (assign, print, reads, RNG) always
  run on stream 0, in program order.
- A step waits for an event recorded after each producer on another stream (once per
  stream pair and position: a later wait covers earlier ones).
- A value produced on one stream and read on another is freed only after the final
  join: CuPy's pool could otherwise hand its memory to a new array on the producer's
  stream while the other stream still reads it.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class StreamPlan:
    """Per step: ``stream_of[i]``, ``waits[i]`` (producer steps whose events step i waits
    for); ``records``: steps followed by an event; ``deferred``: slots freed after the
    final join instead of at their last use; ``n_streams`` used."""

    stream_of: list
    waits: list
    records: set
    deferred: set
    n_streams: int
    side_steps: int = 0
    notes: list = field(default_factory=list)

    @property
    def trivial(self):
        return self.n_streams <= 1


def plan_streams(steps, n_streams, initial=()):
    """``steps``: a list of ``(ins, outs, eligible, pinned)`` per schedule step (slot
    tuples; eligible: large and pure; pinned: must run on stream 0). ``initial``: slots
    ready before the first step (inputs, constants, captures: stream 0)."""
    producer = {s: -1 for s in initial}          # slot -> step index (-1: before the run)
    stream_of = []
    tail = [-1] * max(n_streams, 1)              # stream -> its last step
    last_used = [-1] * max(n_streams, 1)         # stream -> when a step was last put on it
    for i, (ins, outs, eligible, pinned) in enumerate(steps):
        prods = [producer.get(s, -1) for s in ins]
        chains = [stream_of[p] for p in prods if p >= 0 and tail[stream_of[p]] == p]
        if pinned or n_streams <= 1:
            k = 0
        elif chains:
            k = chains[0]
        elif eligible:
            k = min(range(n_streams), key=lambda j: (last_used[j], j))
        else:
            k = 0
        stream_of.append(k)
        tail[k] = i
        last_used[k] = i
        for s in outs:
            producer[s] = i
    waits, records, deferred = _events(steps, stream_of, initial)
    used = len(set(stream_of)) if stream_of else 0
    plan = StreamPlan(stream_of, waits, records, deferred,
                      n_streams=max(stream_of, default=0) + 1 if used > 1 else 1,
                      side_steps=sum(1 for k in stream_of if k))
    if plan.trivial:            # one stream: no events, frees as usual
        plan.waits = [[] for _ in steps]
        plan.records, plan.deferred = set(), set()
    return plan


def _events(steps, stream_of, initial):
    producer = {s: -1 for s in initial}
    seen: dict = {}             # (waiting stream, producing stream) -> latest step waited
    waits, records, deferred = [], set(), set()
    for i, (ins, outs, _, _) in enumerate(steps):
        k = stream_of[i]
        mine = []
        for s in ins:
            p = producer.get(s, -1)
            j = 0 if p < 0 else stream_of[p]
            if j == k:
                continue
            deferred.add(s)
            if p < 0:
                continue        # ready before the run: covered by the entry event
            if seen.get((k, j), -2) >= p:
                continue
            seen[(k, j)] = p
            records.add(p)
            mine.append(p)
        waits.append(mine)
        for s in outs:
            producer[s] = i
    return waits, records, deferred


def run_on_streams(plan, steps, streams, execute):
    """Runs ``execute(step)`` for each step inside ``with streams[k]:`` as planned, with
    the planned event records and waits, then joins every side stream into stream 0."""
    main = streams[0]
    entry = None
    events = {}
    started = set()
    for i, st in enumerate(steps):
        k = plan.stream_of[i]
        stream = streams[k]
        if k and k not in started:
            if entry is None:
                entry = main.record()
            stream.wait_event(entry)     # inputs and constants were made on stream 0
            started.add(k)
        for p in plan.waits[i]:
            stream.wait_event(events[p])
        with stream:
            execute(st)
        if i in plan.records:
            events[i] = stream.record()
    for k in sorted(started):
        main.wait_event(streams[k].record())
