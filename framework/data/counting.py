"""Counting transformations: repeat, take, skip, shard, and with_options."""
from __future__ import annotations

from ..errors import InvalidArgumentError
from .dataset_ops import Dataset, check_count
from .iterator import It, make
from .options import INFINITE, UNKNOWN


class _PassThrough(Dataset):
    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _cardinality(self):
        return self._inputs[0]._cardinality()


class RepeatDataset(_PassThrough):
    _stage = "RepeatDataset"

    def __init__(self, input_ds, count):
        self._inputs = (input_ds,)
        self._count = -1 if count is None else check_count(count, "count")

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if self._count < 0:
            return 0 if n == 0 else INFINITE
        if self._count == 0:
            return 0
        if n in (INFINITE, UNKNOWN):
            return n
        return self._count * n

    def _iterator(self, ctx):
        return _RepeatIt(self, ctx)


class _RepeatIt(It):
    stage = "RepeatDataset"

    def __init__(self, node, ctx):
        self.node, self.ctx = node, ctx
        self.epoch = 0
        self.produced = False
        self.cur = make(node._inputs[0], ctx) if node._count != 0 else None

    @property
    def children(self):
        return (self.cur,) if self.cur is not None else ()

    def next(self):
        count = self.node._count
        while self.cur is not None:
            try:
                e = self.cur.next()
                self.produced = True
                return e
            except StopIteration:
                self.cur.close()
                self.epoch += 1
                if (count >= 0 and self.epoch >= count) or not self.produced:
                    self.cur = None
                    break
                self.produced = False
                self.cur = make(self.node._inputs[0], self.ctx)
        raise StopIteration

    def state(self):
        out = {"epoch": self.epoch, "live": self.cur is not None}
        if self.cur is not None:
            out["cur"] = self.cur.state()
        return out

    def restore(self, state):
        self.epoch = int(state["epoch"])
        self.produced = True
        if bool(state["live"]):
            self.cur = make(self.node._inputs[0], self.ctx)
            self.cur.restore(state["cur"])
        else:
            self.cur = None


class TakeDataset(_PassThrough):
    _stage = "TakeDataset"

    def __init__(self, input_ds, count):
        self._inputs = (input_ds,)
        self._count = check_count(count, "count")

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n == UNKNOWN:
            return UNKNOWN
        if n == INFINITE:
            return self._count
        if self._count == INFINITE:
            return n
        return min(n, self._count)

    def _iterator(self, ctx):
        return _TakeIt(make(self._inputs[0], ctx), self._count)


class _TakeIt(It):
    stage = "TakeDataset"

    def __init__(self, child, count):
        self.child, self.left = child, count
        self.children = (child,)

    def next(self):
        if self.left == 0:
            raise StopIteration
        e = self.child.next()
        if self.left > 0:
            self.left -= 1
        return e

    def state(self):
        return {"in": self.child.state(), "left": self.left}

    def restore(self, state):
        self.child.restore(state["in"])
        self.left = int(state["left"])


class SkipDataset(_PassThrough):
    _stage = "SkipDataset"

    def __init__(self, input_ds, count):
        self._inputs = (input_ds,)
        self._count = check_count(count, "count")

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n in (INFINITE, UNKNOWN):
            return n
        return 0 if self._count < 0 else max(0, n - self._count)

    def _iterator(self, ctx):
        return _SkipIt(make(self._inputs[0], ctx), self._count)


class _SkipIt(_TakeIt):
    stage = "SkipDataset"

    def next(self):
        while self.left != 0:
            self.child.next()
            if self.left > 0:
                self.left -= 1
        return self.child.next()


class ShardDataset(_PassThrough):
    _stage = "ShardDataset"

    def __init__(self, input_ds, num_shards, index):
        self._inputs = (input_ds,)
        self._n, self._i = check_count(num_shards, "num_shards"), check_count(index, "index")
        if self._n <= 0:
            raise InvalidArgumentError(None, self._stage, "Number of shards must be greater "
                                       f"than zero (currently num_shards = {self._n}).")
        if not 0 <= self._i < self._n:
            raise InvalidArgumentError(None, self._stage, "Index must be between 0 and "
                                       f"{self._n - 1} (currently index = {self._i}).")

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n in (INFINITE, UNKNOWN):
            return n
        return n // self._n + (1 if self._i < n % self._n else 0)

    def _iterator(self, ctx):
        return _ShardIt(make(self._inputs[0], ctx), self._n, self._i)


class _ShardIt(It):
    stage = "ShardDataset"

    def __init__(self, child, n, i):
        self.child, self.n, self.skip = child, n, i
        self.children = (child,)

    def next(self):
        for _ in range(self.skip):
            self.child.next()
        self.skip = self.n - 1
        return self.child.next()

    def state(self):
        return {"in": self.child.state(), "skip": self.skip}

    def restore(self, state):
        self.child.restore(state["in"])
        self.skip = int(state["skip"])


class OptionsDataset(_PassThrough):
    _stage = "OptionsDataset"

    def __init__(self, input_ds, options):
        self._inputs = (input_ds,)
        self._options = options

    def _iterator(self, ctx):
        return make(self._inputs[0], ctx)


class AssertCardinalityDataset(_PassThrough):
    """``assert_cardinality``: declares the count; a different real count is an error."""

    _stage = "AssertCardinalityDataset"

    def __init__(self, input_ds, expected):
        self._inputs = (input_ds,)
        self._expected = check_count(expected, "expected_cardinality")

    def _cardinality(self):
        return self._expected

    def _iterator(self, ctx):
        return _AssertCardIt(make(self._inputs[0], ctx), self._expected)


class _AssertCardIt(It):
    stage = "AssertCardinalityDataset"

    def __init__(self, child, expected):
        self.child, self.expected, self.n = child, expected, 0
        self.children = (child,)

    def next(self):
        from ..errors import FailedPreconditionError
        try:
            e = self.child.next()
        except StopIteration:
            if self.expected >= 0 and self.n != self.expected:
                raise FailedPreconditionError(
                    None, self.stage, f"Input dataset was expected to contain "
                    f"{self.expected} elements but contained only {self.n} elements.") \
                    from None
            raise
        self.n += 1
        if 0 <= self.expected < self.n:
            raise FailedPreconditionError(
                None, self.stage, f"Input dataset was expected to contain {self.expected} "
                f"elements but contained at least {self.n} elements.")
        return e

    def state(self):
        return {"in": self.child.state(), "n": self.n}

    def restore(self, state):
        self.child.restore(state["in"])
        self.n = int(state["n"])
