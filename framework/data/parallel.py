"""Background execution: prefetch threads, parallel map on a thread pool, AUTOTUNE,
and device prefetch.

Threads are daemons that hold only a small shared-state object (never the iterator),
so dropping the iterator (or breaking out of a loop) lets its finalizer stop them.

AUTOTUNE policy (documented in the package docstring too):

* parallel map: tasks map chunks of consecutive elements, sized to about 0.5 ms of
  work (1 element for slow functions, up to 32 for cheap ones), and parallelism is a
  hill climb on the stage's throughput. Parallelism starts at 1 (2 on
  machines with more cores); after each window of completed elements, if the
  consumer spent more than 5% of the window waiting for results, parallelism doubles
  (up to ``max(16, 4 * cores)``, or ``Options().autotune.cpu_budget``); after the next
  window the move is kept if throughput rose by more than 10%, otherwise reverted and
  the climb rests for 8 windows before trying again.
* prefetch: when the consumer spends over 90% of a window waiting (it does no work a
  thread could overlap with), the producer pauses and elements are produced inline in
  the consumer's thread (no hand-offs); once the consumer's own time between gets
  exceeds 25% of the production time, the thread resumes. The buffer starts at 2 elements and doubles (up to 64, and a 256 MiB byte
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
        self.gen = 0                     # bumped by restore: items made before are stale


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
            gen = sh.gen
            try:
                item = (sh.child.next(), None)
            except StopIteration:
                item = (None, _END)
            except BaseException as e:  # noqa: BLE001 - delivered to the consumer
                item = (None, e)
        with sh.cond:
            if gen != sh.gen:    # a restore replaced the input's state meanwhile: stale
                continue
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
        self.inline = False
        self._t_win, self._w_win = time.perf_counter(), 0.0
        self._t_ret, self._gap, self._prod = None, 0.0, 0.0
        ctx.own_threads(self)

    def _start(self):
        self.thread = threading.Thread(target=_produce, args=(self.sh,), daemon=True,
                                       name="cuflow-data-prefetch")
        self.thread.start()

    def next(self):
        if self.inline:
            return self._next_inline()
        if self.thread is None:
            self._start()
            self._t_win = time.perf_counter()
        sh = self.sh
        with sh.cond:
            if not sh.buf:
                self.waits += 1
                t0 = time.perf_counter()
                while not sh.buf:
                    sh.cond.wait()
                dt = time.perf_counter() - t0
                self.wait_seconds += dt
                self._w_win += dt
            e, err = sh.buf.popleft()
            sh.cond.notify_all()
        self.gets += 1
        if self.autotune and self.gets % 16 == 0:
            self._tune(e)
        return self._deliver(e, err)

    def _deliver(self, e, err):
        if err is not None:
            if err is _END:
                with self.sh.cond:
                    self.sh.buf.appendleft((None, _END))
                raise StopIteration
            raise err
        return e

    def _next_inline(self):
        """The producer paused: the consumer produces (buffered elements first)."""
        sh = self.sh
        t0 = time.perf_counter()
        if self._t_ret is not None:
            self._gap += t0 - self._t_ret
        with sh.lock:
            with sh.cond:
                item = sh.buf.popleft() if sh.buf else None
            if item is None:
                try:
                    item = (sh.child.next(), None)
                except StopIteration:
                    item = (None, _END)
                except BaseException as err:  # noqa: BLE001 - as the producer would
                    item = (None, err)
        t1 = time.perf_counter()
        self._prod += t1 - t0
        self._t_ret = t1
        self.gets += 1
        if self.gets % 16 == 0:
            if self._gap > 0.25 * self._prod:    # the consumer works: overlap pays again
                self._set_inline(False)
            self._gap = self._prod = 0.0
        return self._deliver(*item)

    def _set_inline(self, inline):
        with self.sh.cond:
            self.sh.paused = inline
            self.sh.cond.notify_all()
        self.inline = inline
        self._t_ret = None
        self._gap = self._prod = 0.0
        self._t_win, self._w_win = time.perf_counter(), 0.0
        self.history.append("inline" if inline else "thread")

    def _tune(self, e):
        now = time.perf_counter()
        idle = self._w_win / max(now - self._t_win, 1e-9)
        self._t_win, self._w_win = now, 0.0
        if idle > 0.9 and self.thread is not None:
            # The consumer does nothing but wait: a thread only adds hand-offs.
            self._set_inline(True)
            return
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
        # Close the input once the producer is between elements; never block a finalizer
        # for long on a producer stuck inside a slow input (a daemon thread: exit is fine).
        if sh.lock.acquire(timeout=1.0):
            try:
                sh.child.close()
            finally:
                sh.lock.release()

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
                sh.gen += 1
                sh.cond.notify_all()   # a producer waiting on the old, full buffer
        if bool(state["end"]):
            if self.thread is None:   # nothing left to produce: never start one
                self.thread = threading.Thread(target=lambda: None)
        elif self.thread is not None and not self.thread.is_alive():
            self.thread = None        # this iterator had ended: start a fresh producer


# --- a small daemon thread pool for parallel map --------------------------------------------
class _Task:
    """A chunk of consecutive elements mapped by one worker; outcomes keep their order."""

    __slots__ = ("fn", "elements", "stage", "done", "outcomes", "seconds")

    def __init__(self, fn, elements, stage):
        self.fn, self.elements, self.stage = fn, elements, stage
        self.done = threading.Event()
        self.outcomes = []      # (result, None) or (None, exception), one per element
        self.seconds = 0.0


def _work(q):
    while True:
        task = q.get()
        if task is None:
            return
        t0 = time.perf_counter()
        for e in task.elements:
            try:
                task.outcomes.append((apply_fn(task.fn, e, task.stage), None))
            except BaseException as err:  # noqa: BLE001 - re-raised in the consumer
                task.outcomes.append((None, err))
        task.seconds = time.perf_counter() - t0
        task.elements = None
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
    """Maps on a thread pool with at most ``p`` tasks in flight (ordered by default).

    A task maps a chunk of consecutive elements: the chunk grows for cheap functions
    (about 0.5 ms of work per task) so thread hand-offs don't dominate, and stays 1 for
    slow ones."""

    def __init__(self, child, fn, stage, parallelism, deterministic, ctx, spec_fn=None):
        self.child, self.fn, self.stage, self.spec_fn = child, fn, stage, spec_fn
        self.children = (child,)
        self.det = deterministic
        self.autotune = parallelism == AUTOTUNE and ctx.autotune
        budget = ctx.options.autotune.cpu_budget
        self.max_p = int(budget) if budget else max(16, 4 * _CPUS)
        self.p = (1 if _CPUS <= 2 else 2) if parallelism == AUTOTUNE else parallelism
        self.chunk = 1
        self.pool = _Pool()
        self.inflight = deque()
        self.ready = deque()
        self.end = False
        self.history = [self.p]
        self._win_start = time.perf_counter()
        self._win_wait = 0.0
        self._win_n = 0
        self._fn_seconds = 0.0
        self._fn_n = 0
        self._trial = None       # (previous p, previous throughput) while testing a move
        self._rest = 0
        ctx.own_threads(self)

    def _fill(self):
        self.pool.ensure(self.p)
        while not self.end and len(self.inflight) < self.p:
            chunk = []
            try:
                for _ in range(self.chunk):
                    chunk.append(self.child.next())
            except StopIteration:
                self.end = True
            if not chunk:
                break
            task = _Task(self.fn, chunk, self.stage)
            self.inflight.append(task)
            self.pool.q.put(task)

    def _take_task(self):
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
        if task is self.inflight[0]:
            self.inflight.popleft()
        else:
            self.inflight.remove(task)
        self._fn_seconds += task.seconds
        self._fn_n += len(task.outcomes)
        self.ready.extend(task.outcomes)
        self._fill()

    def next(self):
        if not self.ready:
            self._take_task()
        result, error = self.ready.popleft()
        self._win_n += 1
        if self._win_n >= max(16, 4 * self.p * self.chunk):
            self._tune()
        if error is not None:
            raise error
        return result

    def _tune(self):
        now = time.perf_counter()
        if self._fn_n:
            per = self._fn_seconds / self._fn_n
            self.chunk = max(1, min(32, int(5e-4 / max(per, 1e-7))))
        if self.autotune:
            span = max(now - self._win_start, 1e-9)
            self._climb(self._win_n / span, self._win_wait / span)
        self._win_start, self._win_wait, self._win_n = now, 0.0, 0
        self._fn_seconds, self._fn_n = 0.0, 0

    def _climb(self, rate, waited):
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

    def close(self):
        self.end = True
        self.pool.stop()
        self.child.close()

    def state(self):
        for t in self.inflight:
            t.done.wait()
        outcomes = list(self.ready) + [o for t in self.inflight for o in t.outcomes]
        for _, err in outcomes:
            if err is not None:
                raise err
        return {"in": self.child.state(), "end": self.end, "p": self.p,
                "buf": encode_elements([r for r, _ in outcomes])}

    def restore(self, state):
        self.child.restore(state["in"])
        self.end = bool(state["end"])
        self.p = int(state["p"])
        self.inflight = deque()
        self.ready = deque((e, None) for e in decode_elements(state["buf"], self.spec_fn()))


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
