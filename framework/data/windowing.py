"""Batching and windowing: batch, padded_batch, unbatch, rebatch, window,
group_by_window, bucket_by_sequence_length."""
from __future__ import annotations

from collections import deque

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ..tensor import Tensor
from ..tensor_shape import TensorShape
from ..tensor_spec import TensorSpec
from . import structure as st
from .dataset_ops import Dataset, check_count
from .iterator import It, decode_elements, encode_elements, make
from .options import INFINITE, UNKNOWN
from .transforms import dataset_from_fn, fn_name, note

_CPU = st._CPU


def _positive(value, what, stage):
    value = check_count(value, what)
    if value <= 0:
        raise InvalidArgumentError(None, stage, f"{stage}: {what} must be greater than zero, "
                                   f"got {value}")
    return value


def _batch_card(n, size, drop):
    if n in (INFINITE, UNKNOWN):
        return n
    return n // size if drop else -(-n // size)


class BatchDataset(Dataset):
    _stage = "BatchDataset"

    def __init__(self, input_ds, batch_size, drop_remainder=False, num_parallel_calls=None):
        self._inputs = (input_ds,)
        self._size = _positive(batch_size, "batch_size", self._stage)
        self._drop = bool(drop_remainder)
        self._parallel = num_parallel_calls

    def _compute_spec(self):
        return st.batched_spec(self._inputs[0].element_spec, self._size if self._drop else None)

    def _cardinality(self):
        return _batch_card(self._inputs[0]._cardinality(), self._size, self._drop)

    def _iterator(self, ctx):
        from .fusion import try_fuse_batch
        fused = try_fuse_batch(self, ctx)
        if fused is not None:
            return fused
        if _ragged_upstream(self._inputs[0]):
            from . import ragged_batch
            spec = self._inputs[0].element_spec
            if ragged_batch.has_ragged(spec):   # rows of a RaggedTensorSpec: ragged batches
                specs = st.flatten(spec)
                return BatchIt(make(self._inputs[0], ctx), self._size, self._drop,
                               self._stage, lambda items, stage:
                               ragged_batch.stack(items, specs, stage))
        return BatchIt(make(self._inputs[0], ctx), self._size, self._drop, self._stage,
                       st.stack)


def _ragged_upstream(node):
    """True if a dataset before ``node`` makes ragged elements (then its element_spec
    decides how batch stacks; plain pipelines never compute it here)."""
    from .ragged_batch import RaggedBatchDataset
    if getattr(node, "_ragged", False) or isinstance(node, RaggedBatchDataset):
        return True
    spec = node._spec_cache
    if spec is not None:
        from .ragged_batch import has_ragged
        return has_ragged(spec)
    return any(_ragged_upstream(i) for i in getattr(node, "_inputs", ()))


class BatchIt(It):
    def __init__(self, child, size, drop, stage, combine):
        self.child, self.size, self.drop = child, size, drop
        self.children = (child,)
        self.stage, self.combine = stage, combine
        self.done = False

    def _take(self):
        if self.done:
            raise StopIteration
        items = []
        nxt = self.child.next
        try:
            for _ in range(self.size):
                items.append(nxt())
        except StopIteration:
            self.done = True
            if not items or self.drop:
                raise
        return items

    def next(self):
        return self.combine(self._take(), self.stage)

    def state(self):
        return {"in": self.child.state(), "done": self.done}

    def restore(self, state):
        self.child.restore(state["in"])
        self.done = bool(state["done"])


def _as_shape(s):
    if isinstance(s, Tensor):
        s = s.numpy().tolist()
    shape = TensorShape(s)
    if shape.rank is None:
        return shape
    return TensorShape([None if d is None or d < 0 else d for d in shape.dims])


class PaddedBatchDataset(Dataset):
    _stage = "PaddedBatchDataset"

    def __init__(self, input_ds, batch_size, padded_shapes, padding_values, drop):
        self._inputs = (input_ds,)
        self._size = _positive(batch_size, "batch_size", self._stage)
        self._drop = bool(drop)
        spec = input_ds.element_spec
        leaves = st.flatten(spec)
        for s in leaves:
            if not isinstance(s, TensorSpec):
                raise TypeError("`padded_batch` is only supported for datasets that produce "
                                "tensor elements but type spec of elements in the input "
                                f"dataset is not a subclass of TensorSpec: `{s!r}`.")
        if padded_shapes is None:
            shapes = [s.shape for s in leaves]
            if any(s.rank is None for s in shapes):
                raise ValueError("padded_batch: padded_shapes must be set when an element "
                                 "component has unknown rank")
        elif not st.is_structure(spec):
            shapes = [_as_shape(padded_shapes)]
        else:
            shapes = [_as_shape(s) for s in st.flatten(_shapes_as_leaves(padded_shapes))]
        if len(shapes) != len(leaves):
            raise ValueError(f"padded_batch: padded_shapes {padded_shapes} does not match the "
                             f"element structure {spec}")
        for s, sp in zip(shapes, leaves):
            if not sp.shape.is_compatible_with(TensorShape([None] * s.rank)):
                raise ValueError(f"padded_batch: padded shape {s} has a different rank than "
                                 f"the component {sp}")
        if padding_values is None:
            pads = [b"" if s.dtype == _dt.string else 0 for s in leaves]
        elif not st.is_structure(padding_values):
            pads = [padding_values] * len(leaves)
        else:
            pads = st.flatten(padding_values)
        self._pads = [np.asarray(p.numpy() if isinstance(p, Tensor) else p,
                                 dtype=object if s.dtype == _dt.string else s.dtype.np)
                      for p, s in zip(pads, leaves)]
        self._shapes = shapes
        self._template = spec

    def _compute_spec(self):
        b = self._size if self._drop else None
        leaves = [TensorSpec(TensorShape([b]).concatenate(
            [d if d is not None else None for d in shape]), s.dtype)
            for shape, s in zip(self._shapes, st.flatten(self._template))]
        return st.pack(self._template, leaves)

    def _cardinality(self):
        return _batch_card(self._inputs[0]._cardinality(), self._size, self._drop)

    def _combine(self, items, stage):
        flats = [st.flatten(e) for e in items]
        out = []
        for j, (shape, pad) in enumerate(zip(self._shapes, self._pads)):
            vals = [np.asarray(f[j].numpy()) for f in flats]
            dims = [max(v.shape[k] for v in vals) if d is None else d
                    for k, d in enumerate(shape)]
            for v in vals:
                if v.ndim != len(dims) or any(a > b for a, b in zip(v.shape, dims)):
                    raise InvalidArgumentError(
                        None, stage, f"{stage}: Attempted to pad to a smaller size than the "
                        f"input element (component {j}: element shape {v.shape}, padded "
                        f"shape {tuple(dims)})")
            arr = np.full([len(vals)] + dims, pad, dtype=vals[0].dtype)
            for i, v in enumerate(vals):
                arr[(i,) + tuple(slice(0, n) for n in v.shape)] = v
            out.append(Tensor(arr, _CPU))
        return st.pack(self._template, out)

    def _iterator(self, ctx):
        return BatchIt(make(self._inputs[0], ctx), self._size, self._drop, self._stage,
                       self._combine)


def _shapes_as_leaves(shapes):
    """padded_shapes use lists/TensorShapes as leaves inside tuples/dicts."""
    if isinstance(shapes, tuple) and not hasattr(shapes, "_fields") and shapes and all(
            isinstance(d, (int, type(None))) for d in shapes):
        return [shapes]
    if isinstance(shapes, tuple):
        return tuple(_shapes_as_leaves_inner(s) for s in shapes)
    if isinstance(shapes, dict):
        return {k: _shapes_as_leaves_inner(v) for k, v in shapes.items()}
    return shapes


def _shapes_as_leaves_inner(s):
    if isinstance(s, (list, TensorShape)) or s is None:
        return TensorShape(s) if not isinstance(s, TensorShape) else s
    if isinstance(s, tuple) and all(isinstance(d, (int, type(None))) for d in s):
        return TensorShape(s)
    return _shapes_as_leaves(s)


class UnbatchDataset(Dataset):
    _stage = "UnbatchDataset"

    def __init__(self, input_ds):
        self._inputs = (input_ds,)

    def _compute_spec(self):
        return st.unbatched_spec(self._inputs[0].element_spec)

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n in (INFINITE, UNKNOWN):
            return n
        dims = {s.shape[0] for s in st.flatten(self._inputs[0].element_spec)
                if isinstance(s, TensorSpec) and s.shape.rank}
        if len(dims) != 1 or None in dims:
            return UNKNOWN if n != 0 else 0
        return n * dims.pop()

    def _iterator(self, ctx):
        return UnbatchIt(make(self._inputs[0], ctx), self)


class UnbatchIt(It):
    stage = "UnbatchDataset"

    def __init__(self, child, node):
        self.child, self.node = child, node
        self.children = (child,)
        self.rows = deque()

    def next(self):
        while not self.rows:
            self.rows.extend(st.unstack_values(self.child.next()))
        return self.rows.popleft()

    def state(self):
        return {"in": self.child.state(), "rows": encode_elements(list(self.rows))}

    def restore(self, state):
        self.child.restore(state["in"])
        self.rows = deque(decode_elements(state["rows"], self.node.element_spec))


class RebatchDataset(Dataset):
    """``rebatch``: unbatch then batch to new sizes (a list cycles through sizes)."""

    _stage = "RebatchDataset"

    def __init__(self, input_ds, batch_size, drop):
        self._inputs = (input_ds,)
        sizes = batch_size.numpy().tolist() if isinstance(batch_size, Tensor) else batch_size
        self._sizes = [int(s) for s in (sizes if isinstance(sizes, (list, tuple)) else [sizes])]
        self._drop = bool(drop)
        self._unbatched = UnbatchDataset(input_ds)

    def _compute_spec(self):
        size = self._sizes[0] if self._drop and len(set(self._sizes)) == 1 else None
        return st.batched_spec(self._unbatched.element_spec, size)

    def _cardinality(self):
        n = self._unbatched._cardinality()
        if len(self._sizes) != 1:
            return UNKNOWN if n >= 0 else n
        return _batch_card(n, self._sizes[0], self._drop)

    def _iterator(self, ctx):
        return _RebatchIt(make(self._unbatched, ctx), self._sizes, self._drop)


class _RebatchIt(BatchIt):
    def __init__(self, child, sizes, drop):
        super().__init__(child, sizes[0], drop, "RebatchDataset", st.stack)
        self.sizes, self.k = sizes, 0

    def next(self):
        self.size = self.sizes[self.k % len(self.sizes)]
        self.k += 1
        return super().next()


class ElementsDataset(Dataset):
    """A dataset over a list of elements (windows and groups)."""

    _stage = "WindowDataset(window)"

    def __init__(self, elements, spec=None):
        self._elements = elements
        self._spec = spec

    def _compute_spec(self):
        if self._spec is not None:
            return self._spec
        spec = st.spec_of(self._elements[0])
        for e in self._elements[1:]:
            spec = st.relax(spec, st.spec_of(e))
        return spec

    def _cardinality(self):
        return len(self._elements)

    def _iterator(self, ctx):
        from .sources import _ListIt
        return _ListIt(self._elements, self._stage)


class WindowDataset(Dataset):
    _stage = "WindowDataset"

    def __init__(self, input_ds, size, shift, stride, drop):
        self._inputs = (input_ds,)
        self._size = _positive(size, "size", self._stage)
        self._shift = self._size if shift is None else _positive(shift, "shift", self._stage)
        self._stride = _positive(stride, "stride", self._stage)
        self._drop = bool(drop)

    def _compute_spec(self):
        return st.map_leaves(st.DatasetSpec, self._inputs[0].element_spec)

    def _cardinality(self):
        n = self._inputs[0]._cardinality()
        if n in (INFINITE, UNKNOWN):
            return n
        if self._drop:
            last = n - 1 - (self._size - 1) * self._stride
            return 0 if last < 0 else last // self._shift + 1
        return -(-n // self._shift)

    def _iterator(self, ctx):
        return _WindowIt(make(self._inputs[0], ctx), self)


class _WindowIt(It):
    stage = "WindowDataset"

    def __init__(self, child, node):
        self.child, self.node = child, node
        self.children = (child,)
        self.buf = deque()      # input elements from position `base` on
        self.base = 0           # input position of buf[0]
        self.start = 0          # input position where the next window starts
        self.end = False

    def next(self):
        node = self.node
        need = self.start + (node._size - 1) * node._stride
        while not self.end and self.base + len(self.buf) <= need:
            try:
                self.buf.append(self.child.next())
            except StopIteration:
                self.end = True
        items = [self.buf[p - self.base] for p in range(
            self.start, need + 1, node._stride) if p - self.base < len(self.buf)]
        if not items or (node._drop and len(items) < node._size):
            raise StopIteration
        self.start += node._shift
        while self.buf and self.base < self.start:
            self.buf.popleft()
            self.base += 1
        if self.start > self.base:  # shift larger than what was read: skip input ahead
            while not self.end and self.base < self.start:
                try:
                    self.child.next()
                    self.base += 1
                except StopIteration:
                    self.end = True
        spec = node._inputs[0].element_spec
        leaves = [st.flatten(e) for e in items]
        parts = [ElementsDataset([f[j] for f in leaves], s)
                 for j, s in enumerate(st.flatten(spec))]
        return st.pack(spec, parts)


class GroupByWindowDataset(Dataset):
    def __init__(self, input_ds, key_func, reduce_func, window_size, window_size_func):
        if (window_size is None) == (window_size_func is None):
            raise ValueError("Either the `window_size` argument or the `window_size_func` "
                             "argument must be specified.")
        self._inputs = (input_ds,)
        self._key, self._reduce = key_func, reduce_func
        if window_size is not None:
            size = _positive(window_size, "window_size", "GroupByWindowDataset")
            window_size_func = lambda key: size  # noqa: E731
        self._size_fn = window_size_func
        self._stage = f"GroupByWindowDataset({fn_name(key_func)})"

    def _compute_spec(self):
        """reduce_func's output spec for keys 0 and 1, relaxed: TF traces it with a
        symbolic key, so key-dependent dims (bucket boundaries) are unknown there."""
        spec = self._inputs[0].element_spec
        probe = ElementsDataset([], spec)
        out = None
        for key in (0, 1):
            try:
                s = dataset_from_fn(lambda k, d: self._reduce(k, d), (
                    Tensor(np.asarray(key, np.int64), _CPU), probe), self._stage).element_spec
            except Exception:  # noqa: BLE001 - key 1 may not exist (only key 0 must work)
                if key == 0:
                    raise
                continue
            out = s if out is None else st.relax(out, s)
        return out

    def _iterator(self, ctx):
        return _GroupIt(make(self._inputs[0], ctx), self, ctx)


def _int_scalar(fn, args, stage, what):
    try:
        out = fn(*args)
    except Exception as e:
        note(e, stage)
        raise
    arr = np.asarray(out.numpy() if isinstance(out, Tensor) else out)
    if arr.ndim != 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{stage}: {what} must return a scalar integer, got {out!r}")
    return int(arr)


class _GroupIt(It):
    def __init__(self, child, node, ctx):
        self.child, self.node, self.ctx = child, node, ctx
        self.children = (child,)
        self.stage = node._stage
        self.groups, self.sizes = {}, {}
        self.current = None
        self.end = False

    def _emit(self, key):
        group = self.groups.pop(key)
        self.sizes.pop(key, None)
        window = ElementsDataset(group, self.node._inputs[0].element_spec)
        ds = dataset_from_fn(lambda k, d: self.node._reduce(k, d),
                             (Tensor(np.asarray(key, np.int64), _CPU), window), self.stage)
        self.current = make(ds, self.ctx)

    def next(self):
        while True:
            if self.current is not None:
                try:
                    return self.current.next()
                except StopIteration:
                    self.current = None
            if not self.end:
                try:
                    e = self.child.next()
                except StopIteration:
                    self.end = True
                    continue
                args = e if type(e) is tuple else (e,)
                key = _int_scalar(self.node._key, args, self.stage, "key_func")
                if key not in self.sizes:
                    self.sizes[key] = _int_scalar(self.node._size_fn, (
                        Tensor(np.asarray(key, np.int64), _CPU),), self.stage,
                        "window_size_func")
                self.groups.setdefault(key, []).append(e)
                if len(self.groups[key]) >= self.sizes[key]:
                    self._emit(key)
            elif self.groups:
                self._emit(min(self.groups))
            else:
                raise StopIteration


def bucket_by_sequence_length(ds, element_length_func, bucket_boundaries,
                              bucket_batch_sizes, padded_shapes, padding_values,
                              pad_to_bucket_boundary, no_padding, drop_remainder):
    """TF's bucket_by_sequence_length, built on group_by_window as TF builds it."""
    boundaries = [int(b) for b in bucket_boundaries]
    sizes = [int(b) for b in bucket_batch_sizes]
    if len(sizes) != len(boundaries) + 1:
        raise ValueError("len(bucket_batch_sizes) must equal len(bucket_boundaries) + 1")
    if boundaries != sorted(boundaries):
        raise ValueError("bucket_boundaries must be sorted")
    lows = [np.iinfo(np.int32).min] + boundaries
    highs = boundaries + [np.iinfo(np.int32).max]

    def bucket_id(*args):
        n = _int_scalar(element_length_func, args, "bucket_by_sequence_length",
                        "element_length_func")
        return next(i for i, (lo, hi) in enumerate(zip(lows, highs)) if lo <= n < hi)

    def batching(key, group):
        k = int(key)
        if no_padding:
            return group.batch(sizes[k], drop_remainder)
        shapes = padded_shapes
        if shapes is None:
            shapes = st.map_leaves(lambda s: s.shape, group.element_spec)
        if pad_to_bucket_boundary:
            if k >= len(sizes) - 1:
                raise InvalidArgumentError(None, "bucket_by_sequence_length",
                                           "When pad_to_bucket_boundary=True, elements must "
                                           "have length < max(bucket_boundaries).")
            fill = boundaries[k] - 1
            shapes = st.map_leaves(lambda s: TensorShape(
                [fill if d is None else d for d in TensorShape(s).dims]), shapes)
        return group.padded_batch(sizes[k], shapes, padding_values, drop_remainder)

    return ds.group_by_window(bucket_id, batching, window_size_func=lambda k: sizes[int(k)])
