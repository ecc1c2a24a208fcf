"""``cf.train`` helpers beyond checkpoints: ExponentialMovingAverage, ClusterSpec,
CheckpointOptions, checkpoints_iterator and Coordinator (TF's semantics)."""
from __future__ import annotations

import contextlib
import sys
import threading
import time

from . import dtypes as _dt

_FLOATS = ("bfloat16", "float16", "float32", "float64")


# --- ExponentialMovingAverage ------------------------------------------------------------
class ExponentialMovingAverage:
    """Shadow variables tracking ``shadow -= (1 - decay) * (shadow - var)`` per ``apply``.

    With ``num_updates`` the decay is ``min(decay, (1 + n) / (10 + n))``. Shadows start at
    the variable's value, are non-trainable and named ``<var>/<name>:0``.

    >>> import cuflow as cf
    >>> v = cf.Variable([1., 2.], name="w")
    >>> ema = cf.train.ExponentialMovingAverage(0.5)
    >>> ema.apply([v])
    >>> _ = v.assign([3., 4.])
    >>> ema.apply([v])
    >>> ema.average(v).numpy().tolist(), ema.average_name(v)
    ([2.0, 3.0], 'w/ExponentialMovingAverage')
    """

    def __init__(self, decay, num_updates=None, zero_debias=False,
                 name="ExponentialMovingAverage"):
        self._decay = decay
        self._num_updates = num_updates
        self._zero_debias = zero_debias
        self._name = name
        self._averages: dict = {}

    name = property(lambda self: self._name)

    def _decay_tensor(self):
        from .ops import math_ops
        from .ops.constant import convert_to_tensor
        decay = convert_to_tensor(self._decay, dtype=_dt.float32)
        if self._num_updates is not None:
            n = math_ops.cast(self._num_updates, _dt.float32)
            decay = math_ops.minimum(decay, (1.0 + n) / (10.0 + n))
        return decay

    def apply(self, var_list=None):
        """Creates missing shadows, then moves each shadow toward its variable (eagerly now;
        inside ``cf.function``, when the graph runs). Returns None (TF's eager result)."""
        from .graph.tracing import init_scope
        from .ops import math_ops
        from .tensor import Tensor, Variable
        var_list = list(var_list or [])
        for v in var_list:
            if isinstance(v, Tensor) and not isinstance(v, Variable):
                raise TypeError("tf.train.ExponentialMovingAverage does not support "
                                "non-Variable tensors when eager execution is enabled.")
            if v.dtype.name not in _FLOATS:
                raise TypeError(f"The variables must be half, float, or double: {v.name}")
        for v in var_list:
            if id(v) not in self._averages:
                start = _value_outside_function(v)
                with init_scope():
                    avg = Variable(start, trainable=False,
                                   name=f"{_base_name(v)}/{self._name}")
                self._averages[id(v)] = (v, avg)
        one_minus = 1.0 - self._decay_tensor()
        for v in var_list:
            avg = self._averages[id(v)][1]
            rate = math_ops.cast(one_minus, avg.dtype)
            avg.assign_sub((avg - v.read_value()) * rate)
        return None

    def average(self, var):
        """The shadow Variable of ``var`` (None if ``apply`` never saw it)."""
        got = self._averages.get(id(var))
        return None if got is None else got[1]

    def average_name(self, var):
        """The name of ``var``'s shadow (``'<var>/<ema name>'``), applied or not."""
        got = self._averages.get(id(var))
        if got is not None:
            return _base_name(got[1])
        return f"{_base_name(var)}/{self._name}"

    def variables_to_restore(self, moving_avg_variables=None):
        """``{shadow name: variable}`` for each variable in ``moving_avg_variables``
        (cuflow has no global variable collections, so only those are mapped)."""
        return {self.average_name(v): v for v in moving_avg_variables or []}


def _value_outside_function(var):
    """``var``'s value as the code around a traced ``cf.function`` sees it (TF reads the
    initial shadow value in ``init_scope``, before the graph's own assignments)."""
    from .ops.dispatch import _tls
    g, outside = _tls.graph, None
    while g is not None:
        got = g._var_saved.get(id(var))
        if got is not None:
            outside = got[1]
        g = g.outer
    t = outside if outside is not None else var._tensor
    if t._sym is not None:
        raise ValueError(f"ExponentialMovingAverage.apply: the value of {var.name} is not "
                         "known outside the function (create the variable outside it)")
    return t


def _base_name(v):
    name = v.name
    return name[:-2] if name.endswith(":0") else name


# --- ClusterSpec ----------------------------------------------------------------------------
class ClusterSpec:
    """Jobs and their task addresses (a list, or a dict of sparse task indices).

    >>> import cuflow as cf
    >>> cs = cf.train.ClusterSpec({"worker": ["w0:2222", "w1:2222"], "ps": ["p0:2222"]})
    >>> cs.jobs, cs.num_tasks("worker"), cs.task_address("worker", 1)
    (['worker', 'ps'], 2, 'w1:2222')
    """

    def __init__(self, cluster):
        if isinstance(cluster, ClusterSpec):
            self._spec = {j: dict(t) for j, t in cluster._spec.items()}
        elif isinstance(cluster, dict):
            self._spec = {}
            for job, tasks in cluster.items():
                if isinstance(tasks, dict):
                    self._spec[str(job)] = {int(i): str(a) for i, a in tasks.items()}
                elif isinstance(tasks, (list, tuple)):
                    self._spec[str(job)] = {i: str(a) for i, a in enumerate(tasks)}
                else:
                    raise TypeError(f"The tasks for job {job!r} must be a list or a "
                                    f"dictionary from integers to strings.")
        else:
            raise TypeError("`cluster` must be a dictionary mapping one or more job names "
                            "to lists of network addresses, or a `ClusterSpec`.")
        self._dense = {j: sorted(t) == list(range(len(t))) for j, t in self._spec.items()}

    @property
    def jobs(self):
        return list(self._spec)

    def _job(self, job_name):
        try:
            return self._spec[job_name]
        except KeyError:
            raise ValueError(f"No such job in cluster: {job_name!r}") from None

    def num_tasks(self, job_name):
        return len(self._job(job_name))

    def task_indices(self, job_name):
        return sorted(self._job(job_name))

    def task_address(self, job_name, task_index):
        tasks = self._job(job_name)
        if task_index not in tasks:
            raise ValueError(f"No task with index {task_index!r} in job {job_name!r}")
        return tasks[task_index]

    def job_tasks(self, job_name):
        """Addresses by index, ``None`` in the gaps of a sparse job."""
        tasks = self._job(job_name)
        out = [None] * (max(tasks) + 1 if tasks else 0)
        for i, a in tasks.items():
            out[i] = a
        return out

    def as_dict(self):
        return {j: [t[i] for i in sorted(t)] if self._dense[j] else dict(t)
                for j, t in self._spec.items()}

    def __bool__(self):
        return bool(self._spec)

    def __eq__(self, other):
        return isinstance(other, ClusterSpec) and self._spec == other._spec

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        d = self.as_dict()
        return f"ClusterSpec({ {k: d[k] for k in sorted(d)} !r})"


# --- CheckpointOptions / checkpoints_iterator ------------------------------------------------
class CheckpointOptions:
    """Options of ``Checkpoint.save/write/restore`` (accepted; cuflow writes one local
    .npz file synchronously, so the I/O device, async and sharding settings are kept
    for inspection only)."""

    __slots__ = ("experimental_io_device", "experimental_enable_async_checkpoint",
                 "experimental_write_callbacks", "enable_async",
                 "experimental_skip_slot_variables", "experimental_sharding_callback")

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_skip_slot_variables=False, experimental_sharding_callback=None):
        self.experimental_io_device = experimental_io_device
        self.enable_async = bool(experimental_enable_async_checkpoint or enable_async)
        self.experimental_enable_async_checkpoint = self.enable_async
        self.experimental_write_callbacks = experimental_write_callbacks
        self.experimental_skip_slot_variables = experimental_skip_slot_variables
        self.experimental_sharding_callback = experimental_sharding_callback


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yields each new latest checkpoint of ``checkpoint_dir`` as it appears; after
    ``timeout`` seconds without one, stops (or continues if ``timeout_fn()`` is False).

    >>> import cuflow as cf, tempfile
    >>> d = tempfile.mkdtemp()
    >>> path = cf.train.Checkpoint(v=cf.Variable(1.)).save(d + "/ckpt")
    >>> next(iter(cf.train.checkpoints_iterator(d, timeout=0))) == path
    True
    """
    from .checkpoint import latest_checkpoint
    last = None
    while True:
        start = time.time()
        path = _wait_for_new(checkpoint_dir, last, timeout, latest_checkpoint)
        if path is None:
            if timeout_fn is None or timeout_fn():
                return
            continue
        last = path
        yield path
        remaining = start + min_interval_secs - time.time()
        if remaining > 0:
            time.sleep(remaining)


def _wait_for_new(checkpoint_dir, last, timeout, latest, poll=1.0):
    stop = None if timeout is None else time.time() + timeout
    while True:
        path = latest(checkpoint_dir)
        if path is not None and path != last:
            return path
        if stop is not None and time.time() + poll > stop:
            return None
        time.sleep(poll)


# --- Coordinator ------------------------------------------------------------------------------
class Coordinator:
    """Coordinates the stopping of threads: ``request_stop``, ``should_stop``, ``join``
    (re-raising the first exception a thread reported).

    >>> import cuflow as cf
    >>> coord = cf.train.Coordinator()
    >>> coord.request_stop(); coord.should_stop()
    True
    """

    def __init__(self, clean_stop_exception_types=None):
        from .errors import OutOfRangeError
        self._clean = tuple(clean_stop_exception_types if clean_stop_exception_types
                            is not None else (OutOfRangeError,))
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._exc_info = None
        self._threads: set = set()
        self._joined = False

    def request_stop(self, ex=None):
        """Asks every thread to stop; ``ex`` (an exception or exc_info) is re-raised by
        ``join`` unless it is a clean-stop type."""
        with self._lock:
            if ex is not None and self._exc_info is None:
                info = ex if isinstance(ex, tuple) else (type(ex), ex, ex.__traceback__)
                if not issubclass(info[0], self._clean):
                    self._exc_info = info
            self._stop.set()

    def clear_stop(self):
        with self._lock:
            self._joined = False
            self._exc_info = None
            self._stop.clear()

    def should_stop(self):
        return self._stop.is_set()

    @contextlib.contextmanager
    def stop_on_exception(self):
        try:
            yield
        except BaseException:   # noqa: BLE001 - reported to the coordinator, as TF
            self.request_stop(sys.exc_info())

    def wait_for_stop(self, timeout=None):
        return self._stop.wait(timeout)

    def register_thread(self, thread):
        with self._lock:
            self._threads.add(thread)

    def join(self, threads=None, stop_grace_period_secs=120,
             ignore_live_threads=False):
        """Waits for the threads to end (after a stop request, at most the grace period);
        re-raises the reported exception; RuntimeError if threads outlive the grace."""
        threads = set(threads or ()) | self._threads
        while any(t.is_alive() for t in threads) and not self.wait_for_stop(0.1):
            pass
        deadline = time.time() + stop_grace_period_secs
        for t in threads:
            t.join(max(0.0, deadline - time.time()))
        alive = [t.name for t in threads if t.is_alive()]
        with self._lock:
            self._joined = True
            self._threads = set()
            info = self._exc_info
        if info is not None:
            raise info[1].with_traceback(info[2])
        if alive and not ignore_live_threads:
            raise RuntimeError(f"Coordinator stopped with threads still running: "
                               f"{' '.join(alive)}")

    @property
    def joined(self):
        return self._joined

    def raise_requested_exception(self):
        with self._lock:
            if self._exc_info is not None:
                raise self._exc_info[1].with_traceback(self._exc_info[2])

