"""Iterators: the internal protocol every stage implements, and the public Iterator.

A stage's iterator has ``next()`` (an element, or StopIteration at the end),
``state()`` / ``restore(state)`` for checkpoints (nested dicts of NumPy values) and
``close()`` (stops its threads). Stages make their inputs' iterators with :func:`make`,
which adds per-stage timing when a profile is requested.
"""
from __future__ import annotations

import contextlib

import threading

import time
import weakref

import numpy as np

from ..errors import FailedPreconditionError, OutOfRangeError
from . import structure as st


class Ctx:
    """What an iterator tree shares: options, profile stats, threads to stop."""

    def __init__(self, options, profile=False):
        self.options = options
        self.debug = options._debug()
        self.deterministic = options._is_deterministic()
        self.autotune = options._autotune()
        self.stats = {} if profile else None
        self.notes = []          # what the optimizer did (lifted maps, fusions)
        self.closers = []        # weakrefs to iterators owning threads

    def own_threads(self, it):
        self.closers.append(weakref.ref(it))

    def close(self):
        for ref in self.closers:
            it = ref()
            if it is not None:
                it.close()
        self.closers.clear()


class It:
    """Base of the internal iterators."""

    stage = "?"
    children: tuple = ()

    def next(self):
        raise StopIteration

    def state(self):
        raise FailedPreconditionError(
            None, self.stage, f"{self.stage}: this iterator cannot be checkpointed "
            "(not supported for this stage; see cf.data's documentation)")

    def restore(self, state):
        raise FailedPreconditionError(
            None, self.stage, f"{self.stage}: this iterator cannot be restored from a "
            "checkpoint")

    def close(self):
        for c in self.children:
            if c is not None:
                c.close()


class Stats:
    """Per-stage counters for profiles."""

    __slots__ = ("stage", "elements", "seconds", "child_seconds", "notes", "threaded",
                 "wait_seconds", "order")

    def __init__(self, stage, order):
        self.stage = stage
        self.elements = 0
        self.seconds = 0.0
        self.child_seconds = 0.0
        self.notes = []
        self.threaded = False
        self.wait_seconds = 0.0
        self.order = order


class _Timed(It):
    """Wraps a stage's iterator to count elements and time (profiles only)."""

    def __init__(self, inner, stats, parent_stats):
        self.inner = inner
        self.children = (inner,)
        self.stage = inner.stage
        self.stats = stats
        self.parent = parent_stats

    def next(self):
        t0 = time.perf_counter()
        try:
            out = self.inner.next()
        finally:
            dt = time.perf_counter() - t0
            self.stats.seconds += dt
            if self.parent is not None:
                self.parent.child_seconds += dt
        self.stats.elements += 1
        return out

    def state(self):
        return self.inner.state()

    def restore(self, state):
        self.inner.restore(state)


_current_parent = [None]


def make(node, ctx, **kw):
    """The iterator of ``node`` (timed when ``ctx`` profiles)."""
    if ctx.stats is None:
        return node._iterator(ctx, **kw) if kw else node._iterator(ctx)
    key = id(node)
    stats = ctx.stats.get(key)
    if stats is None:
        stats = ctx.stats[key] = Stats(node._describe(), len(ctx.stats))
    parent = _current_parent[0]
    _current_parent[0] = stats
    try:
        inner = node._iterator(ctx, **kw) if kw else node._iterator(ctx)
    finally:
        _current_parent[0] = parent
    if "fused" in inner.stage:
        stats.stage = inner.stage
    return _Timed(inner, stats, parent)


# --- state helpers ------------------------------------------------------------------------
def flatten_state(nested, prefix=""):
    """{"a": {"b": x}} -> {"a.b": x} (dots: Checkpoint keeps them; keys have none)."""
    out = {}
    for k, v in nested.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(flatten_state(v, path + "."))
        else:
            out[path] = np.asarray(v)
    return out


def unflatten_state(flat):
    root = {}
    for path, v in flat.items():
        parts = path.split(".")
        d = root
        for p in parts[:-1]:
            d = d.setdefault(p, {})
        d[parts[-1]] = v
    return root


def encode_elements(elements):
    out = {"n": np.asarray(len(elements))}
    for i, e in enumerate(elements):
        for j, arr in enumerate(st.encode(e)):
            out[f"{i}_{j}"] = arr
    return out


def decode_elements(d, spec):
    n = int(d["n"])
    k = len(st.flatten(spec))
    return [st.decode([d[f"{i}_{j}"] for j in range(k)], spec) for i in range(n)]


# --- the public iterator ------------------------------------------------------------------
_EAGER = threading.local()


def _traced_next_allowed():
    from ..ops.misc_ops import executing_eagerly
    return not executing_eagerly() and not getattr(_EAGER, "on", False)


@contextlib.contextmanager
def eager_next():
    """``next`` takes elements now even while tracing (AutoGraph unrolls a Python ``for``
    over a dataset at trace time)."""
    from ..ops.dispatch import _tls
    prev = getattr(_EAGER, "on", False)
    graph, _tls.graph = _tls.graph, None    # the pipeline's own ops run eagerly too
    _EAGER.on = True
    try:
        yield
    finally:
        _EAGER.on = prev
        _tls.graph = graph


class Iterator:
    """Iterates a dataset (``iter(ds)``); checkpointable with ``cf.train.Checkpoint``.

    >>> import cuflow as cf
    >>> it = iter(cf.data.Dataset.range(3))
    >>> int(next(it)), int(it.get_next())
    (0, 1)
    """

    def __init__(self, dataset, numpy=False, profile=False):
        self._dataset = dataset
        self._numpy = numpy
        self._build(profile)

    def _build(self, profile=False):
        self._ctx = Ctx(self._dataset.options(), profile)
        self._it = make(self._dataset, self._ctx)
        self._done = False
        self._closed = False
        weakref.finalize(self, _close_ctx, self._ctx, self._it)

    @property
    def element_spec(self):
        return self._dataset.element_spec

    def __iter__(self):
        return self

    def __next__(self):
        if not self._numpy and _traced_next_allowed():
            return self._traced_next()
        if self._done:
            raise StopIteration
        try:
            element = self._it.next()
        except StopIteration:
            self._done = True
            self.close()
            raise
        return st.to_numpy(element) if self._numpy else element

    def next(self):
        return self.__next__()

    def _traced_next(self):
        """``next(iterator)`` inside cf.function: a stateful host node that takes the next
        element each time the function runs (TF's IteratorGetNext), not a constant."""
        from ..ops.script_ops import numpy_function
        from ..type_spec import components
        spec = self.element_spec
        leaves = st.flatten(spec)
        # composite elements (RaggedTensor, SparseTensor) travel as their components
        parts = [s._component_specs if hasattr(s, "_component_specs") else [s]
                 for s in leaves]
        flat = [p for group in parts for p in group]

        def host():
            with eager_next():
                element = self.get_next()
            return [np.asarray(t.numpy() if hasattr(t, "numpy") else t)
                    for leaf in st.flatten(element) for t in components(leaf)]
        outs = iter(numpy_function(host, [], [s.dtype for s in flat], _shapes=[
            s.shape.as_list() if s.shape.rank is not None else None for s in flat]))
        made = [s._from_components([next(outs) for _ in group])
                if hasattr(s, "_component_specs") else next(outs)
                for s, group in zip(leaves, parts)]
        return st.pack(spec, made)

    def get_next(self):
        try:
            return self.__next__()
        except StopIteration:
            raise OutOfRangeError(None, "IteratorGetNext", "End of sequence") from None

    def get_next_as_optional(self):
        from .optional import Optional
        try:
            return Optional.from_value(self.__next__())
        except StopIteration:
            return Optional.empty(self.element_spec)

    def close(self):
        self._closed = True
        _close_ctx(self._ctx, self._it)

    # --- checkpoints ----------------------------------------------------------------------
    def save_state(self):
        """The iterator's position as ``{name: ndarray}`` (what Checkpoint stores)."""
        state = {"done": np.asarray(self._done)}
        if not self._done:
            state["root"] = self._it.state()
        return flatten_state(state)

    def restore_state(self, flat):
        state = unflatten_state(dict(flat))
        if self._closed:   # its threads are gone: restore into a freshly built tree
            self._build()
        self._done = bool(state["done"])
        if not self._done:
            self._it.restore(state["root"])

    _checkpoint_state = save_state
    _restore_checkpoint_state = restore_state

    def save(self, path):
        """Writes the state to ``path`` (.npz, atomically); see ``restore``."""
        from ..checkpoint import _atomic_savez
        _atomic_savez(str(path), self.save_state())
        return str(path)

    def restore(self, path):
        with np.load(str(path), allow_pickle=False) as data:
            self.restore_state({k: data[k] for k in data.files})
        return self

    # --- debugging ------------------------------------------------------------------------
    def optimizations(self):
        """What the optimizer did to this pipeline (lifted maps, fused stages)."""
        return list(self._ctx.notes)


def _close_ctx(ctx, it):
    try:
        ctx.close()
        it.close()
    except Exception:  # noqa: BLE001 - closing at interpreter exit must not raise
        pass
