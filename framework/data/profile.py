"""Per-stage profiles of a pipeline: ``cf.data.experimental.profile(ds)`` / ``ds.profile()``.

Each stage's iterator is wrapped with a timer while the pipeline runs; a stage's *self*
time is its time minus its inputs' (threaded stages report the time their consumer
waited). The bottleneck is the stage with the most self time. The report also lists
what the optimizer did (maps lifted to batch maps or not, and why) and how AUTOTUNE
moved parallelism and buffer sizes.
"""
from __future__ import annotations

import time

from .iterator import Iterator, _Timed
from .options import INFINITE


class Profile:
    """The result of :func:`profile`: ``rows`` (dicts), ``bottleneck``, ``notes``."""

    def __init__(self, rows, notes, seconds, elements, tuning):
        self.rows, self.notes, self.seconds, self.elements = rows, notes, seconds, elements
        self.tuning = tuning
        timed = [r for r in rows if not r["threaded"]]
        self.bottleneck = max(timed, key=lambda r: r["self_seconds"])["stage"] if timed else None

    def __str__(self):
        lines = [f"cf.data profile: {self.elements} elements in {self.seconds:.3f} s "
                 f"({self.elements / max(self.seconds, 1e-9):,.0f} elements/s)",
                 f"{'stage':60s} {'elements':>9s} {'total s':>9s} {'self s':>9s}"]
        for r in self.rows:
            mark = "  <- bottleneck" if r["stage"] == self.bottleneck else ""
            kind = " (waited)" if r["threaded"] else ""
            lines.append(f"{r['stage'][:60]:60s} {r['elements']:9d} {r['seconds']:9.4f} "
                         f"{r['self_seconds']:9.4f}{kind}{mark}")
        lines += [f"note: {n}" for n in self.notes]
        lines += [f"autotune: {t}" for t in self.tuning]
        return "\n".join(lines)

    __repr__ = __str__


def _walk(it, out):
    if it is None:
        return
    out.append(it)
    for c in (it.children or ()):
        _walk(c, out)


def profile(dataset, num_elements=None):
    """Runs ``dataset`` (up to ``num_elements``) with per-stage timers; returns a Profile.

    >>> import cuflow as cf
    >>> p = cf.data.experimental.profile(cf.data.Dataset.range(100).map(lambda x: x + 1))
    >>> p.elements, p.bottleneck is not None
    (100, True)
    """
    if num_elements is None and dataset._cardinality() == INFINITE:
        raise ValueError("profile: the dataset is infinite; pass num_elements")
    it = Iterator(dataset, profile=True)
    t0 = time.perf_counter()
    n = 0
    try:
        while num_elements is None or n < num_elements:
            try:
                it._it.next()
            except StopIteration:
                break
            n += 1
    finally:
        seconds = time.perf_counter() - t0
        its = []
        _walk(it._it, its)
        it.close()
    threaded = {id(x.stats) for x in its if isinstance(x, _Timed) and
                type(x.inner).__name__ == "PrefetchIt"}
    rows = []
    for s in sorted(it._ctx.stats.values(), key=lambda s: s.order):
        is_thr = id(s) in threaded
        rows.append({"stage": s.stage, "elements": s.elements, "seconds": s.seconds,
                     "self_seconds": s.seconds if is_thr else max(0.0, s.seconds -
                                                                 s.child_seconds),
                     "threaded": is_thr})
    tuning = []
    for x in its:
        hist = getattr(x, "history", None)
        if hist is not None:
            what = "parallelism" if hasattr(x, "pool") else "buffer size"
            tuning.append(f"{x.stage}: {what} {' -> '.join(map(str, hist))}")
    return Profile(rows, list(it._ctx.notes), seconds, n, tuning)
