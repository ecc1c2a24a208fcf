"""Background execution: prefetch threads, parallel map on a thread pool, AUTOTUNE,
and device prefetch.

Threads are daemons that hold only a small shared-state object (never the iterator),
so dropping the iterator (or breaking out of a loop) lets its finalizer stop them.

AUTOTUNE policy (documented in the package docstring too):

* parallel map: a hill climb on the stage's throughput. Parallelism starts at 1 (2 on
  machines with more cores); after each window of completed elements, if the
  consumer spent more than 5% of the window waiting for results, parallelism doubles
  (up to ``max(16, 4 * cores)``, or ``Options().autotune.cpu_budget``); after the next
  window the move is kept if throughput rose by more than 10%, otherwise reverted and
  the climb rests for 8 windows before trying again.
* prefetch: the buffer starts at 2 elements and doubles (up to 64, and a 256 MiB byte
  budget) when, over the last 16 gets, the consumer found it empty more than once *and*
  the producer was held back by a full buffer (a producer that is slower on average
  gains nothing from a bigger buffer).
"""
from __future__ import annotations

import os
import queue
import threading
import time
from collections import deque

from .. import placement as _pl
from ..tensor import Tensor
from . import structure as st
from .dataset_ops import Dataset, check_count
from .iterator import It, decode_elements, encode_elements, make
from .options import AUTOTUNE
from .transforms import apply_fn

_CPUS = os.cpu_count() or 1
_END = object()


class PrefetchDataset(Dataset):
    _stage = "PrefetchDataset"

    def __init__(self, input_ds, buffer_size, device=None):
        self._inputs = (input_ds,)
        self._size = check_count(buffer_size, "buffer_size") if buffer_size is not None \
            else AUTOTUNE
        if self._size < 0 and self._size != AUTOTUNE:
            raise ValueError(f"prefetch: buffer_size must be >= 0 or AUTOTUNE, got {self._size}")
        self._device = device
        if device is not None:
            self._stage = f"PrefetchToDevice({device})"

    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _cardinality(self):
        return self._inputs[0]._cardinality()

    def _describe(self):
        return f"{self._stage}(buffer_size={'AUTOTUNE' if self._size < 0 else self._size})"

    def _iterator(self, ctx):
        child = make(self._inputs[0], ctx)
        if self._device is not None:
            child = _CopyIt(child, _pl.parse(self._device))
        if self._size == 0 or ctx.debug:
            return child
        return PrefetchIt(child, self._size, ctx, self._stage, lambda: self.element_spec)


class _CopyIt(It):
    stage = "CopyToDevice"

    def __init__(self, child, dev):
        self.child, self.dev = child, dev
        self.children = (child,)

    def next(self):
        from ..ops.array_ops import copy_to_device
        e = self.child.next()
        dev = self.dev
        return st.map_leaves(lambda t: copy_to_device(t, dev) if isinstance(t, Tensor) else t, e)

    def state(self):
        return {"in": self.child.state()}

    def restore(self, state):
        self.child.restore(state["in"])


class _Shared:
    """What a prefetch thread sees: the input iterator, the buffer, flags."""

    def __init__(self, child, cap):
        self.child = child
        self.cap = cap
        self.buf = deque()
        self.cond = threading.Condition()
        self.lock = threading.Lock()     # held while producing: a consistent snapshot
        self.stop = False
        self.paused = False
        self.full_waits = 0              # times the producer found the buffer full


def _produce(sh):
    while True:
        with sh.cond:
            if len(sh.buf) >= sh.cap:
                sh.full_waits += 1
            while (len(sh.buf) >= sh.cap or sh.paused) and not sh.stop:
                sh.cond.wait()
            if sh.stop:
                return
        with sh.lock:
            if sh.stop:
                return
            try:
                item = (sh.child.next(), None)
            except StopIteration:
                item = (None, _END)
            except BaseException as e:  # noqa: BLE001 - delivered to the consumer
                item = (None, e)
        with sh.cond:
            sh.buf.append(item)
            sh.cond.notify_all()
        if item[1] is _END:
            return


class PrefetchIt(It):
    def __init__(self, child, size, ctx, stage, spec_fn=None):
        self.spec_fn = spec_fn
        self.children = (child,)
        self.stage = stage
        self.autotune = size == AUTOTUNE and ctx.autotune
        self.sh = _Shared(child, 2 if size == AUTOTUNE else size)
        self.thread = None
        self.gets = self.waits = 0
        self.wait_seconds = 0.0
        self.history = [self.sh.cap]
        self.bytes_per = None
        ctx.own_threads(self)

    def _start(self):
        self.thread = threading.Thread(target=_produce, args=(self.sh,), daemon=True,
                                       name="cuflow-data-prefetch")
        self.thread.start()

    def next(self):
        if self.thread is None:
            self._start()
        sh = self.sh
        with sh.cond:
            if not sh.buf:
                self.waits += 1
                t0 = time.perf_counter()
                while not sh.buf:
                    sh.cond.wait()
                self.wait_seconds += time.perf_counter() - t0
            e, err = sh.buf.popleft()
            sh.cond.notify_all()
        self.gets += 1
        if self.autotune and self.gets % 16 == 0:
            self._tune(e)
        if err is not None:
            if err is _END:
                with sh.cond:
                    sh.buf.appendleft((None, _END))
                raise StopIteration
            raise err
        return e

    def _tune(self, e):
        # A bigger buffer only helps a producer that is faster on average but bursty:
        # grow when the consumer waited *and* the producer was held back by a full buffer.
        full, self.sh.full_waits = self.sh.full_waits, 0
        if self.waits > 1 and full > 0 and self.sh.cap < 64:
            if self.bytes_per is None and e is not None:
                self.bytes_per = sum(getattr(getattr(t, "_value", None), "nbytes", 0)
                                     for t in st.flatten(e))
            if (self.bytes_per or 0) * self.sh.cap * 2 <= 256 << 20:
                with self.sh.cond:
                    self.sh.cap *= 2
                    self.sh.cond.notify_all()
                self.history.append(self.sh.cap)
        self.waits = 0

    def close(self):
        sh = self.sh
        with sh.cond:
            sh.stop = True
            sh.cond.notify_all()
        with sh.lock:
            sh.child.close()

    def state(self):
        sh = self.sh
        with sh.lock:  # the producer is between elements: buffer + input are consistent
            with sh.cond:
                items = list(sh.buf)
            done = any(err is _END for _, err in items)
            elements = [e for e, err in items if err is None]
            return {"in": sh.child.state(), "buf": encode_elements(elements),
                    "end": done, "cap": sh.cap}

    def restore(self, state):
        sh = self.sh
        with sh.lock:
            sh.child.restore(state["in"])
            spec = self.spec_fn()
            items = [(e, None) for e in decode_elements(state["buf"], spec)]
            if bool(state["end"]):
                items.append((None, _END))
            with sh.cond:
                sh.buf = deque(items)
                sh.cap = max(int(state["cap"]), 1)
        if bool(state["end"]) and self.thread is None:
            self.thread = threading.Thread(target=lambda: None)  # nothing left to produce


# --- a small daemon thread pool for parallel map --------------------------------------------
class _Task:
    __slots__ = ("fn", "element", "stage", "done", "result", "error")

    def __init__(self, fn, element, stage):
        self.fn, self.element, self.stage = fn, element, stage
        self.done = threading.Event()
        self.result = self.error = None


def _work(q):
    while True:
        task = q.get()
        if task is None:
            return
        try:
            task.result = apply_fn(task.fn, task.element, task.stage)
        except BaseException as e:  # noqa: BLE001 - re-raised in the consumer's thread
            task.error = e
        task.element = None
        task.done.set()


class _Pool:
    def __init__(self):
        self.q = queue.SimpleQueue()
        self.threads = []

    def ensure(self, n):
        while len(self.threads) < n:
            t = threading.Thread(target=_work, args=(self.q,), daemon=True,
                                 name="cuflow-data-map")
            t.start()
            self.threads.append(t)

    def stop(self):
        for _ in self.threads:
            self.q.put(None)


class ParallelMapIt(It):
    """Maps on a thread pool with at most ``p`` calls in flight (ordered by default)."""

    def __init__(self, child, fn, stage, parallelism, deterministic, ctx, spec_fn=None):
        self.child, self.fn, self.stage, self.spec_fn = child, fn, stage, spec_fn
        self.children = (child,)
        self.det = deterministic
        self.autotune = parallelism == AUTOTUNE and ctx.autotune
        budget = ctx.options.autotune.cpu_budget
        self.max_p = int(budget) if budget else max(16, 4 * _CPUS)
        self.p = (1 if _CPUS <= 2 else 2) if parallelism == AUTOTUNE else parallelism
        self.pool = _Pool()
        self.inflight = deque()
        self.end = False
        self.history = [self.p]
        self._win_start = time.perf_counter()
        self._win_wait = 0.0
        self._win_n = 0
        self._trial = None       # (previous p, previous throughput) while testing a move
        self._rest = 0
        ctx.own_threads(self)

    def _fill(self):
        self.pool.ensure(self.p)
        while not self.end and len(self.inflight) < self.p:
            try:
                e = self.child.next()
            except StopIteration:
                self.end = True
                break
            task = _Task(self.fn, e, self.stage)
            self.inflight.append(task)
            self.pool.q.put(task)

    def next(self):
        self._fill()
        if not self.inflight:
            raise StopIteration
        task = self.inflight[0]
        if not self.det and not task.done.is_set():
            task = next((t for t in self.inflight if t.done.is_set()), task)
        if not task.done.is_set():
            t0 = time.perf_counter()
            task.done.wait()
            self._win_wait += time.perf_counter() - t0
        self.inflight.remove(task) if task is not self.inflight[0] else self.inflight.popleft()
        self._fill()
        if self.autotune:
            self._win_n += 1
            if self._win_n >= max(16, 4 * self.p):
                self._tune()
        if task.error is not None:
            raise task.error
        return task.result

    def _tune(self):
        now = time.perf_counter()
        span = max(now - self._win_start, 1e-9)
        rate = self._win_n / span
        waited = self._win_wait / span
        if self._trial is not None:
            old_p, old_rate = self._trial
            self._trial = None
            if rate < old_rate * 1.10:
                self.p = old_p
                self.history.append(self.p)
                self._rest = 8
        elif self._rest > 0:
            self._rest -= 1
        elif waited > 0.05 and self.p < self.max_p:
            self._trial = (self.p, rate)
            self.p = min(self.max_p, self.p * 2)
            self.history.append(self.p)
        self._win_start, self._win_wait, self._win_n = now, 0.0, 0

    def close(self):
        self.end = True
        self.pool.stop()
        self.child.close()

    def state(self):
        for t in self.inflight:
            t.done.wait()
        if any(t.error is not None for t in self.inflight):
            raise next(t.error for t in self.inflight if t.error is not None)
        return {"in": self.child.state(), "end": self.end, "p": self.p,
                "buf": encode_elements([t.result for t in self.inflight])}

    def restore(self, state):
        self.child.restore(state["in"])
        self.end = bool(state["end"])
        self.p = int(state["p"])
        self.inflight = deque()
        for e in decode_elements(state["buf"], self.spec_fn()):
            t = _Task(None, None, self.stage)
            t.result = e
            t.done.set()
            self.inflight.append(t)


def prefetch_to_device(device, buffer_size=None):
    """A ``Dataset.apply`` function that copies elements to ``device`` ahead of use.

    The copy runs on the prefetch thread, so the next batch moves to the GPU while the
    current one trains. On a CPU device it is a placement no-op plus prefetching.

    >>> import cuflow as cf
    >>> ds = cf.data.Dataset.range(3).apply(
    ...     cf.data.experimental.prefetch_to_device("/CPU:0"))
    >>> [int(x) for x in ds]
    [0, 1, 2]
    """
    def apply(ds):
        return PrefetchDataset(ds, AUTOTUNE if buffer_size is None else buffer_size,
                               device=device)
    return apply


def copy_to_device(target_device, source_device="/cpu:0"):
    def apply(ds):
        return PrefetchDataset(ds, 0, device=target_device)
    return apply
