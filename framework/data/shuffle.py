"""``shuffle``: tf.data's buffer algorithm, over elements or (for slices) over indices.

The buffer holds up to ``buffer_size`` elements; each step outputs one picked
uniformly at random and refills its slot with the next input element. Over a
``from_tensor_slices`` source the same algorithm runs on *indices* (``IndexShuffler``),
so no element is materialized until it is gathered: same output distribution, a
fraction of the cost. Seeds: an op seed makes the order reproducible; each new iterator
(each epoch of ``repeat``) reshuffles unless ``reshuffle_each_iteration=False``.
"""
from __future__ import annotations

import numpy as np

from ..errors import InvalidArgumentError
from ..tensor import Tensor
from . import structure as st
from .dataset_ops import Dataset, check_count
from .iterator import decode_elements, encode_elements, make
from .sources import _RngIt, new_seed

_CPU = st._CPU
_CHUNK = 256


class ShuffleDataset(Dataset):
    _stage = "ShuffleDataset"

    def __init__(self, input_ds, buffer_size, seed=None, reshuffle_each_iteration=None):
        self._inputs = (input_ds,)
        self._size = check_count(buffer_size, "buffer_size")
        if self._size <= 0:
            raise InvalidArgumentError(None, self._stage, f"{self._stage}: buffer_size must "
                                       f"be greater than zero, got {self._size}")
        self._seed = new_seed(seed)
        self._reshuffle = True if reshuffle_each_iteration is None else bool(
            reshuffle_each_iteration)
        self._epoch = 0

    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _cardinality(self):
        return self._inputs[0]._cardinality()

    def _describe(self):
        return f"ShuffleDataset(buffer_size={self._size})"

    def next_rng(self):
        """The generator of the next iterator (a new epoch when reshuffling)."""
        epoch = self._epoch
        if self._reshuffle:
            self._epoch += 1
        return np.random.default_rng((self._seed, epoch)), epoch

    def _iterator(self, ctx):
        from .fusion import slices_source
        rng, epoch = self.next_rng()
        src = slices_source(self._inputs[0])
        if src is not None and ctx.options._opt("shuffle_and_repeat_fusion"):
            return ShuffledSlicesIt(src, IndexShuffler(src._n, self._size, rng), self, epoch)
        return ShuffleIt(make(self._inputs[0], ctx), self._size, rng, self, epoch)

    def _rng_for_epoch(self, epoch):
        if self._reshuffle:  # a restored iterator defines where the epochs continue
            self._epoch = epoch + 1
        return np.random.default_rng((self._seed, epoch))


class ShuffleIt(_RngIt):
    stage = "ShuffleDataset"

    def __init__(self, child, size, rng, node, epoch):
        self.child, self.size, self.rng, self.node, self.epoch = child, size, rng, node, epoch
        self.children = (child,)
        self.buf = []
        self.end = False
        self.u = np.empty(0)
        self.k = 0

    def _uniform(self):
        if self.k >= len(self.u):
            self.u = self.rng.random(_CHUNK)
            self.k = 0
        self.k += 1
        return self.u[self.k - 1]

    def next(self):
        buf = self.buf
        while not self.end and len(buf) < self.size:
            try:
                buf.append(self.child.next())
            except StopIteration:
                self.end = True
        if not buf:
            raise StopIteration
        j = int(self._uniform() * len(buf))
        e = buf[j]
        if not self.end:
            try:
                buf[j] = self.child.next()
                return e
            except StopIteration:
                self.end = True
        buf[j] = buf[-1]
        buf.pop()
        return e

    def state(self):
        return {"in": self.child.state(), "buf": encode_elements(self.buf), "end": self.end,
                "u": self.u[self.k:], "rng": self._rng_state(), "epoch": self.epoch,
                "seed": np.asarray(self.node._seed)}

    def restore(self, state):
        self.node._seed = int(state["seed"])
        self.epoch = int(state["epoch"])
        self.node._rng_for_epoch(self.epoch)
        self.child.restore(state["in"])
        self.buf = decode_elements(state["buf"], self.node.element_spec)
        self.end = bool(state["end"])
        self.u, self.k = np.asarray(state["u"], np.float64).copy(), 0
        self._rng_restore(state["rng"])


class IndexShuffler(_RngIt):
    """The shuffle buffer run over the indices 0..n-1 (what from_tensor_slices yields).

    While input remains, the buffer is full and every draw refills the drawn slot with
    the next index, so a chunk of draws vectorizes: a draw returns the index written
    into its slot by the latest earlier draw of the same slot in the chunk, or the
    slot's value before the chunk. Once the input is exhausted the buffer drains in a
    uniformly random order (``_drain``). ``take_loop`` is the plain algorithm, kept as
    the reference the tests compare to."""

    def __init__(self, n, size, rng, total=None):
        self.mod = n                       # indices are counters modulo n: a repeated
        self.n = n if total is None else total   # input (repeat().shuffle()) streams on
        m = min(size, self.n)
        self.buf = np.arange(m, dtype=np.int64)
        self.nxt = m
        self.count = m
        self.rng = rng
        self.draining = False

    def take(self, k):
        """The next ``k`` (or fewer at the end) indices, as an int64 array."""
        k = min(k, self.remaining)
        m = min(k, self.n - self.nxt)          # draws that refill from the input
        head = self._take_refilling(m) if m > 0 else np.empty(0, np.int64)
        out = head if m == k else np.concatenate([head, self._drain(k - m)])
        return out if self.mod == self.n else out % self.mod

    def _drain(self, k):
        """The input is exhausted: each step draws uniformly, without replacement, from
        what is left, so the rest comes out as a uniformly random permutation of the
        buffer. Drawn at once (same distribution as the loop, not the same draws)."""
        if not self.draining:
            self.buf = self.buf[:self.count][self.rng.permutation(self.count)]
            self.draining = True
        out, self.buf = self.buf[:k], self.buf[k:]
        self.count -= len(out)
        return out

    def _take_refilling(self, m):
        j = (self.rng.random(m) * self.count).astype(np.int64)
        order = np.argsort(j, kind="stable")   # grouped by slot, draws in time order
        js = j[order]
        same = js[1:] == js[:-1]
        prev = np.full(m, -1, np.int64)        # the latest earlier draw of the same slot
        prev[order[1:]] = np.where(same, order[:-1], -1)
        out = np.where(prev >= 0, self.nxt + prev, self.buf[j])
        last = np.ones(m, bool)
        last[:-1] = ~same
        self.buf[js[last]] = self.nxt + order[last]
        self.nxt += m
        return out

    def take_loop(self, k):
        out = self._loop(k)
        return out if self.mod == self.n else out % self.mod

    def _loop(self, k):
        k = min(k, self.remaining)
        out = np.empty(k, np.int64)
        u = self.rng.random(k).tolist()
        buf = self.buf.tolist()
        n, nxt, count = self.n, self.nxt, self.count
        for i in range(k):
            j = int(u[i] * count)
            out[i] = buf[j]
            if nxt < n:
                buf[j] = nxt
                nxt += 1
            else:
                count -= 1
                buf[j] = buf[count]
        self.buf = np.asarray(buf, np.int64)
        self.nxt, self.count = nxt, count
        return out

    @property
    def remaining(self):
        return self.count + self.n - self.nxt

    def state(self):
        return {"buf": self.buf[:self.count].copy(), "nxt": self.nxt,
                "count": self.count, "rng": self._rng_state(), "draining": self.draining}

    def restore(self, state):
        self.buf = np.asarray(state["buf"], np.int64).copy()
        self.nxt, self.count = int(state["nxt"]), int(state["count"])
        self.draining = bool(state.get("draining", False))
        self._rng_restore(state["rng"])


class ChunkedIndices:
    """Draws indices from an IndexShuffler 4096 at a time and serves them in batches
    (one vectorized draw per chunk instead of per batch)."""

    def __init__(self, inner, chunk=4096):
        self.inner, self.chunk = inner, chunk
        self.pending = np.empty(0, np.int64)
        self.pos = 0

    @property
    def rng(self):
        return self.inner.rng

    @rng.setter
    def rng(self, value):
        self.inner.rng = value

    def take(self, k):
        if len(self.pending) - self.pos < k and self.inner.remaining:
            fresh = self.inner.take(max(self.chunk, k))
            self.pending = np.concatenate([self.pending[self.pos:], fresh])
            self.pos = 0
        out = self.pending[self.pos:self.pos + k]
        self.pos += len(out)
        return out

    @property
    def remaining(self):
        return len(self.pending) - self.pos + self.inner.remaining

    def state(self):
        return {"pending": self.pending[self.pos:].copy(), "in": self.inner.state()}

    def restore(self, state):
        self.inner.restore(state["in"])
        self.pending, self.pos = np.asarray(state["pending"], np.int64).copy(), 0


class OrderedIndices:
    """Indices 0..n-1 in order, ``total`` of them (wrapping around for a repeat)."""

    def __init__(self, n, total=None):
        self.mod, self.n, self.i = n, (n if total is None else total), 0

    def take(self, k):
        i = self.i
        self.i = min(self.n, i + k)
        if self.i <= i:
            return None
        if i // self.mod == (self.i - 1) // self.mod:
            start = i % self.mod
            return slice(start, start + self.i - i)
        return np.arange(i, self.i) % self.mod

    def state(self):
        return {"i": self.i}

    def restore(self, state):
        self.i = int(state["i"])

    @property
    def remaining(self):
        return self.n - self.i


def as_index_array(idx):
    if idx is None:
        return np.empty(0, np.int64)
    if isinstance(idx, slice):
        return np.arange(idx.start, idx.stop, dtype=np.int64)
    return idx


_FOREVER = 1 << 62


class RepeatedIndices:
    """The index streams of successive epochs (``shuffle().repeat()``: each reshuffled);
    batches run across epoch boundaries, as batch-after-repeat does."""

    def __init__(self, make_epoch, count, n):
        self.make, self.count, self.n = make_epoch, count, n
        self.epoch = 0
        self.cur = make_epoch()

    def take(self, k):
        parts = []
        while k > 0:
            idx = self.cur.take(k)
            got = len(as_index_array(idx))
            if got:
                parts.append(idx)
                k -= got
            if k > 0:
                if self.n == 0 or (self.count >= 0 and self.epoch + 1 >= self.count):
                    break
                self.epoch += 1
                self.cur = self.make()
        if len(parts) == 1:
            return parts[0]
        return np.concatenate([as_index_array(p) for p in parts]) if parts else None

    @property
    def remaining(self):
        if self.count < 0:
            return _FOREVER if self.n else 0
        return self.cur.remaining + (self.count - self.epoch - 1) * self.n

    def state(self):
        return {"epoch": self.epoch, "cur": self.cur.state()}

    def restore(self, state, before_restore=None):
        self.epoch = int(state["epoch"])
        self.cur = self.make()
        if before_restore is not None:
            before_restore()
        self.cur.restore(state["cur"])


class ShuffledSlicesIt(_RngIt):
    """Shuffle(from_tensor_slices): gathers one slice per index from the emulated buffer."""

    stage = "ShuffleDataset(over slice indices)"

    def __init__(self, src, shuffler, node, epoch):
        from .sources import packer
        self.arrays = src._arrays
        self.pack = packer(src._template)
        self.shuffler, self.node, self.epoch = shuffler, node, epoch
        self.idx = np.empty(0, np.int64)
        self.k = 0
        self.keys = [(Ellipsis if a.ndim == 1 else None) for a in self.arrays]

    def next(self):
        if self.k >= len(self.idx):
            self.idx = self.shuffler.take(_CHUNK).tolist()
            self.k = 0
            if not self.idx:
                raise StopIteration
        i = self.idx[self.k]
        self.k += 1
        return self.pack([Tensor(a[i, ...] if key is Ellipsis else a[i], _CPU)
                          for a, key in zip(self.arrays, self.keys)])

    def state(self):
        return {"pending": np.asarray(self.idx[self.k:], np.int64),
                "sh": self.shuffler.state(), "epoch": self.epoch,
                "seed": np.asarray(self.node._seed)}

    def restore(self, state):
        self.node._seed = int(state["seed"])
        self.epoch = int(state["epoch"])
        self.node._rng_for_epoch(self.epoch)
        self.shuffler.restore(state["sh"])
        self.idx, self.k = [int(x) for x in state["pending"]], 0
