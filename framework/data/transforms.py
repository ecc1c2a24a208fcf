"""Element-wise and counting transformations: map, filter, flat_map, interleave, scan,
take_while, unique, ignore_errors, repeat, take, skip, shard, cache, with_options."""
from __future__ import annotations

import logging
import os

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError, OpError
from ..tensor import Tensor
from ..tensor_spec import TensorSpec
from . import structure as st
from .dataset_ops import Dataset, as_dataset, check_count
from .iterator import It, decode_elements, encode_elements, make
from .options import AUTOTUNE, INFINITE, UNKNOWN

_CPU = st._CPU


def fn_name(fn):
    name = getattr(fn, "__qualname__", None) or type(fn).__name__
    code = getattr(fn, "__code__", None)
    if code is not None:
        return f"{name} at {os.path.basename(code.co_filename)}:{code.co_firstlineno}"
    return name


def note(e, stage):
    """Adds the stage to an exception raised by a user function (keeps its traceback)."""
    text = f"(raised in cf.data stage {stage})"
    if text not in getattr(e, "__notes__", ()):
        e.add_note(text)


_on_gpu = []


def _cpu_scope():
    """Dataset functions run on the CPU, as in TF (only matters when the default
    device is a GPU; on CPU-only machines no scope is entered, keeping dispatch fast)."""
    if not _on_gpu:
        from .. import placement
        _on_gpu.append(placement.default_device().device_type != "CPU")
    if _on_gpu[0]:
        from .. import placement
        return placement.device("/CPU:0")
    return None


def apply_fn(fn, element, stage):
    scope = _cpu_scope()
    try:
        if scope is not None:
            with scope:
                out = fn(*element) if type(element) is tuple else fn(element)
        else:
            out = fn(*element) if type(element) is tuple else fn(element)
    except Exception as e:
        note(e, stage)
        raise
    if type(out) is Tensor:
        return out
    return st.normalize_fn_output(out)


def _probe_leaf(spec, fill, value):
    shape = [fill if d is None else d for d in (spec.shape.dims or [])]
    if spec.dtype == _dt.string:
        return Tensor(np.full(shape, str(value).encode(), object), _CPU)
    return Tensor(np.full(shape, value, spec.dtype.np), _CPU)


def probe_spec(fn, input_node, stage, pack_args=None):
    """The output spec of ``fn`` on the input's elements (what TF gets by tracing).

    ``fn`` runs on two synthetic elements shaped like the input spec (unknown dims 2
    and 3, values 1 and 2): output dims that differ become None, so value-dependent
    shapes (``cf.fill([x], x)``) come out unknown. When synthetic inputs don't suit the
    function, it runs on the first two real elements instead."""
    spec = input_node.element_spec
    leaves = st.flatten(spec)
    call = pack_args or (lambda e: apply_fn(fn, e, stage))

    def relaxed(elements):
        out = None
        for e in elements:
            s = st.spec_of(call(e))
            out = s if out is None else st.relax(out, s)
        return out
    if all(isinstance(s, TensorSpec) and s.shape.rank is not None for s in leaves):
        try:
            return relaxed([st.pack(spec, [_probe_leaf(s, fill, v) for s in leaves])
                            for fill, v in ((2, 1), (3, 2))])
        except Exception:  # noqa: BLE001 - synthetic values may not suit fn: use real data
            pass
    from .iterator import Ctx
    it = make(input_node, Ctx(input_node.options()))
    firsts = []
    try:
        for _ in range(2):
            firsts.append(it.next())
    except StopIteration:
        pass
    finally:
        it.close()
    if not firsts:
        raise ValueError(f"{stage}: cannot infer the element_spec of an empty input")
    return relaxed(firsts)


class MapDataset(Dataset):
    _stage = "MapDataset"

    def __init__(self, input_ds, fn, num_parallel_calls=None, deterministic=None):
        if not callable(fn):
            raise TypeError(f"map_func must be callable, got {type(fn).__name__}")
        self._inputs = (input_ds,)
        self._fn = fn
        if num_parallel_calls is not None:
            num_parallel_calls = check_count(num_parallel_calls, "num_parallel_calls")
            if num_parallel_calls <= 0 and num_parallel_calls != AUTOTUNE:
                raise ValueError("num_parallel_calls must be positive or AUTOTUNE, got "
                                 f"{num_parallel_calls}")
        self._parallel = num_parallel_calls
        self._deterministic = deterministic
        kind = "ParallelMapDataset" if num_parallel_calls not in (None, 1) else "MapDataset"
        self._stage = f"{kind}({fn_name(fn)})"

    def _compute_spec(self):
        return probe_spec(self._fn, self._inputs[0], self._stage)

    def _cardinality(self):
        return self._inputs[0]._cardinality()

    def _iterator(self, ctx):
        child = make(self._inputs[0], ctx)
        if self._parallel not in (None, 1) and not ctx.debug:
            from .parallel import ParallelMapIt
            det = ctx.deterministic if self._deterministic is None else self._deterministic
            return ParallelMapIt(child, self._fn, self._stage, self._parallel, det, ctx,
                                 lambda: self.element_spec)
        return MapIt(child, self._fn, self._stage)


class MapIt(It):
    def __init__(self, child, fn, stage):
        self.child = child
        self.children = (child,)
        self.fn = fn
        self.stage = stage

    def next(self):
        return apply_fn(self.fn, self.child.next(), self.stage)

    def state(self):
        return {"in": self.child.state()}

    def restore(self, state):
        self.child.restore(state["in"])


def predicate_value(fn, element, stage):
    out = apply_fn(fn, element, stage)
    if not isinstance(out, Tensor) or out.dtype != _dt.bool or out.shape.rank != 0:
        raise ValueError(f"{stage}: the predicate must return a scalar boolean tensor, got "
                         f"{getattr(out, 'dtype', type(out).__name__)!r} with shape "
                         f"{getattr(out, 'shape', '?')}")
    return bool(out._value) if out._device is _CPU else bool(out.numpy())


class FilterDataset(Dataset):
    def __init__(self, input_ds, predicate):
        self._inputs = (input_ds,)
        self._fn = predicate
        self._stage = f"FilterDataset({fn_name(predicate)})"

    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _cardinality(self):
        return UNKNOWN  # as TF, even over an infinite input

    def _iterator(self, ctx):
        return _FilterIt(make(self._inputs[0], ctx), self._fn, self._stage)


class _FilterIt(MapIt):
    def next(self):
        while True:
            e = self.child.next()
            if predicate_value(self.fn, e, self.stage):
                return e


class TakeWhileDataset(FilterDataset):
    def __init__(self, input_ds, predicate):
        super().__init__(input_ds, predicate)
        self._stage = f"TakeWhileDataset({fn_name(predicate)})"

    def _cardinality(self):
        return UNKNOWN

    def _iterator(self, ctx):
        return _TakeWhileIt(make(self._inputs[0], ctx), self._fn, self._stage)


class _TakeWhileIt(MapIt):
    done = False

    def next(self):
        if self.done:
            raise StopIteration
        e = self.child.next()
        if not predicate_value(self.fn, e, self.stage):
            self.done = True
            raise StopIteration
        return e

    def state(self):
        return {"in": self.child.state(), "done": self.done}

    def restore(self, state):
        self.child.restore(state["in"])
        self.done = bool(state["done"])


def dataset_from_fn(fn, element, stage):
    try:
        out = fn(*element) if type(element) is tuple else fn(element)
    except Exception as e:
        note(e, stage)
        raise
    if not isinstance(out, Dataset):
        raise TypeError(f"{stage}: the function must return a cf.data.Dataset, got "
                        f"{type(out).__name__}")
    return out


class FlatMapDataset(Dataset):
    def __init__(self, input_ds, fn):
        self._inputs = (input_ds,)
        self._fn = fn
        self._stage = f"FlatMapDataset({fn_name(fn)})"

    def _compute_spec(self):
        return probe_spec(self._fn, self._inputs[0], self._stage,
                          lambda e: dataset_from_fn(self._fn, e, self._stage).element_spec)

    def _iterator(self, ctx):
        return InterleaveIt(make(self._inputs[0], ctx), self._fn, 1, 1, self._stage, ctx)


class InterleaveDataset(FlatMapDataset):
    def __init__(self, input_ds, fn, cycle_length, block_length, num_parallel_calls,
                 deterministic):
        super().__init__(input_ds, fn)
        cycle = AUTOTUNE if cycle_length is None else check_count(cycle_length, "cycle_length")
        self._cycle = (os.cpu_count() or 1) if cycle == AUTOTUNE else cycle
        self._block = 1 if block_length is None else check_count(block_length, "block_length")
        if self._cycle <= 0 or self._block <= 0:
            raise InvalidArgumentError(None, "InterleaveDataset", "cycle_length and "
                                       "block_length must be positive")
        self._parallel = num_parallel_calls
        self._stage = f"InterleaveDataset({fn_name(fn)})"

    def _iterator(self, ctx):
        parallel = self._parallel not in (None, 1) and not ctx.debug
        return InterleaveIt(make(self._inputs[0], ctx), self._fn, self._cycle, self._block,
                            self._stage, ctx, parallel)


class InterleaveIt(It):
    """tf.data's interleave loop, step for step (so outputs match TF's exactly)."""

    def __init__(self, child, fn, cycle, block, stage, ctx, parallel=False):
        self.child, self.fn, self.cycle, self.block = child, fn, cycle, block
        self.stage, self.ctx, self.parallel = stage, ctx, parallel
        self.slots = [None] * cycle
        self.index = self.block_index = self.open = 0
        self.end_of_input = False

    @property
    def children(self):
        return [self.child] + [s for s in self.slots if s is not None]

    def _advance(self):
        self.block_index = 0
        self.index = (self.index + 1) % self.cycle

    def _open(self, element):
        it = make(dataset_from_fn(self.fn, element, self.stage), self.ctx)
        if self.parallel:
            from .parallel import PrefetchIt
            it = PrefetchIt(it, self.block, self.ctx, self.stage + "[slot]")
        return it

    def next(self):
        while not self.end_of_input or self.open > 0:
            slot = self.slots[self.index]
            if slot is not None:
                try:
                    e = slot.next()
                except StopIteration:
                    slot.close()
                    self.slots[self.index] = None
                    self.open -= 1
                    self._advance()
                    continue
                self.block_index += 1
                if self.block_index == self.block:
                    self._advance()
                return e
            if not self.end_of_input:
                try:
                    element = self.child.next()
                except StopIteration:
                    self.end_of_input = True
                    continue
                self.slots[self.index] = self._open(element)
                self.open += 1
            else:
                self._advance()
        raise StopIteration


class ScanDataset(Dataset):
    def __init__(self, input_ds, initial_state, fn):
        self._inputs = (input_ds,)
        self._init = st.normalize(initial_state)
        self._fn = fn
        self._stage = f"ScanDataset({fn_name(fn)})"

    def _call(self, state, element):
        try:
            out = self._fn(state, element)
        except Exception as e:
            note(e, self._stage)
            raise
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f"{self._stage}: scan_func must return (new_state, "
                            f"output_element), got {type(out).__name__}")
        new_state = st.normalize_fn_output(out[0])
        if not st.same_structure(self._init, new_state):
            raise TypeError(f"{self._stage}: the new state's structure {new_state} does not "
                            f"match the initial state's {self._init}")
        return new_state, st.normalize_fn_output(out[1])

    def _compute_spec(self):
        return probe_spec(None, self._inputs[0], self._stage,
                          lambda e: self._call(self._init, e)[1])

    def _cardinality(self):
        return self._inputs[0]._cardinality()

    def _iterator(self, ctx):
        return _ScanIt(self, make(self._inputs[0], ctx))


class _ScanIt(It):
    def __init__(self, node, child):
        self.node, self.child = node, child
        self.children = (child,)
        self.stage = node._stage
        self.s = node._init

    def next(self):
        self.s, out = self.node._call(self.s, self.child.next())
        return out

    def state(self):
        return {"in": self.child.state(), "s": encode_elements([self.s])}

    def restore(self, state):
        self.child.restore(state["in"])
        self.s = decode_elements(state["s"], st.spec_of(self.node._init))[0]


class UniqueDataset(Dataset):
    _stage = "UniqueDataset"

    def __init__(self, input_ds):
        spec = input_ds.element_spec
        if not isinstance(spec, TensorSpec) or spec.dtype not in (
                _dt.int32, _dt.int64, _dt.string):
            raise TypeError("unique() only supports datasets with a single int32, int64 or "
                            f"string component; got {spec}")
        self._inputs = (input_ds,)

    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _iterator(self, ctx):
        return _UniqueIt(make(self._inputs[0], ctx))


class _UniqueIt(It):
    stage = "UniqueDataset"

    def __init__(self, child):
        self.child = child
        self.children = (child,)
        self.seen = set()

    def next(self):
        while True:
            e = self.child.next()
            v = np.asarray(e.numpy())
            key = (v.shape, v.tobytes() if v.dtype != object else tuple(v.ravel()))
            if key not in self.seen:
                self.seen.add(key)
                return e


class IgnoreErrorsDataset(Dataset):
    _stage = "IgnoreErrorsDataset"

    def __init__(self, input_ds, log_warning):
        self._inputs = (input_ds,)
        self._log = log_warning

    def _compute_spec(self):
        return self._inputs[0].element_spec

    def _iterator(self, ctx):
        return _IgnoreIt(make(self._inputs[0], ctx), self._log)


class _IgnoreIt(It):
    stage = "IgnoreErrorsDataset"

    def __init__(self, child, log):
        self.child, self.log = child, log
        self.children = (child,)

    def next(self):
        while True:
            try:
                return self.child.next()
            except StopIteration:
                raise
            except (OpError, ValueError, TypeError, ArithmeticError, LookupError) as e:
                if self.log:
                    logging.getLogger("cuflow.data").warning("ignore_errors: %s", e)

    def state(self):
        return {"in": self.child.state()}

    def restore(self, state):
        self.child.restore(state["in"])


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


class CacheDataset(_PassThrough):
    """Memory cache (filename ''), or a file written atomically after a full pass."""

    _stage = "CacheDataset"

    def __init__(self, input_ds, filename):
        self._inputs = (as_dataset(input_ds),)
        self._file = os.fspath(filename.numpy().decode() if isinstance(filename, Tensor)
                               else filename)
        self._memory = None

    def _path(self):
        return self._file + ".cfcache.npz"

    def _iterator(self, ctx):
        if self._memory is not None:
            from .sources import _ListIt
            return _ListIt(self._memory, "CacheDataset(memory, reading)")
        if self._file and os.path.exists(self._path()):
            return _FileCacheReader(self._path(), self.element_spec)
        return _CacheWriter(self, make(self._inputs[0], ctx))


class _CacheWriter(It):
    stage = "CacheDataset(writing)"

    def __init__(self, node, child):
        self.node, self.child = node, child
        self.children = (child,)
        self.elements = []

    def next(self):
        try:
            e = self.child.next()
        except StopIteration:
            self._commit()
            raise
        self.elements.append(e)
        return e

    def _commit(self):
        node = self.node
        if not node._file:
            node._memory = self.elements
            return
        from ..checkpoint import _atomic_savez
        arrays = encode_elements(self.elements)
        _atomic_savez(node._path(), arrays)


class _FileCacheReader(It):
    stage = "CacheDataset(file, reading)"

    def __init__(self, path, spec):
        try:
            self.data = np.load(path, allow_pickle=False)
        except (OSError, ValueError) as e:
            from ..errors import DataLossError
            raise DataLossError(None, "CacheDataset", f"CacheDataset: cannot read the cache "
                                f"file {path}: {e}") from e
        self.n = int(self.data["n"])
        self.k = len(st.flatten(spec))
        self.spec = spec
        self.i = 0

    def next(self):
        if self.i >= self.n:
            raise StopIteration
        i = self.i
        self.i += 1
        return st.decode([self.data[f"{i}_{j}"] for j in range(self.k)], self.spec)

    def state(self):
        return {"i": self.i}

    def restore(self, state):
        self.i = int(state["i"])

    def close(self):
        self.data.close()
