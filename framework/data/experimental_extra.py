"""More of ``tf.data.experimental``: the functional forms of Dataset methods (for
``ds.apply``), ``from_list``, ``at``, ``pad_to_cardinality``, ``group_by_reducer`` with
``Reducer``, ``TFRecordWriter``, ``SqlDataset``, ``get_structure`` /
``get_next_as_optional`` and the option enums.

>>> import cuflow as cf
>>> E = cf.data.experimental
>>> r = E.Reducer(lambda k: cf.constant(0, cf.int64), lambda s, x: s + x, lambda s: s)
>>> ds = cf.data.Dataset.range(10).apply(E.group_by_reducer(lambda x: x % 3, r))
>>> [int(v) for v in ds]
[18, 12, 15]
"""
from __future__ import annotations

import enum

import numpy as np

from ..errors import InvalidArgumentError, OutOfRangeError
from ..lookup import KeyValueTensorInitializer
from . import structure as st
from .optional import Optional  # noqa: F401 - tf.data.experimental.Optional
from .options import AutotuneOptions, DistributeOptions, ThreadingOptions  # noqa: F401

SHARD_HINT = -1


class AutoShardPolicy(enum.IntEnum):
    """How a distributed dataset is sharded (``options.experimental_distribute``)."""
    OFF = -1
    AUTO = 0
    FILE = 1
    DATA = 2
    HINT = 3


class AutotuneAlgorithm(enum.Enum):
    DEFAULT = 0
    HILL_CLIMB = 1
    GRADIENT_DESCENT = 2
    MAX_PARALLELISM = 3
    STAGE_BASED = 4


class ExternalStatePolicy(enum.Enum):
    """What saving a dataset with external state does (``experimental_external_state_policy``)."""
    WARN = 0
    IGNORE = 1
    FAIL = 2


def RandomDataset(seed=None, rerandomize_each_iteration=None, name=None):  # noqa: N802
    """Pseudorandom int64 scalars (``tf.data.experimental.RandomDataset``, i.e.
    ``Dataset.random``)."""
    from .dataset_ops import Dataset
    return Dataset.random(seed, rerandomize_each_iteration)


# --- functional forms of Dataset methods ---------------------------------------------------
def enumerate_dataset(start=0):
    return lambda ds: ds.enumerate(start)


def group_by_window(key_func, reduce_func, window_size=None, window_size_func=None):
    return lambda ds: ds.group_by_window(key_func, reduce_func, window_size,
                                         window_size_func)


def bucket_by_sequence_length(element_length_func, bucket_boundaries, bucket_batch_sizes,
                              padded_shapes=None, padding_values=None,
                              pad_to_bucket_boundary=False, no_padding=False,
                              drop_remainder=False):
    return lambda ds: ds.bucket_by_sequence_length(
        element_length_func, bucket_boundaries, bucket_batch_sizes, padded_shapes,
        padding_values, pad_to_bucket_boundary, no_padding, drop_remainder)


def scan(initial_state, scan_func):
    return lambda ds: ds.scan(initial_state, scan_func)


def take_while(predicate):
    return lambda ds: ds.take_while(predicate)


def unique():
    return lambda ds: ds.unique()


def shuffle_and_repeat(buffer_size, count=None, seed=None):
    """Shuffles (afresh each epoch) and repeats ``count`` times (forever if None)."""
    return lambda ds: ds.shuffle(buffer_size, seed, reshuffle_each_iteration=True).repeat(
        count)


def map_and_batch(map_func, batch_size, num_parallel_batches=None, drop_remainder=False,
                  num_parallel_calls=None):
    """``map`` then ``batch`` (fused by cuflow's pipeline when safe)."""
    if num_parallel_batches is not None and num_parallel_calls is not None:
        raise ValueError("`map_and_batch` allows only one of `num_parallel_batches` and "
                         "`num_parallel_calls` to be set, but "
                         f"`num_parallel_batches` was set to {num_parallel_batches} and "
                         f"`num_parallel_calls` as set to {num_parallel_calls}.")
    calls = num_parallel_calls if num_parallel_calls is not None else (
        None if num_parallel_batches is None else num_parallel_batches * batch_size)
    return lambda ds: ds.map(map_func, num_parallel_calls=calls).batch(
        batch_size, drop_remainder=drop_remainder)


def parallel_interleave(map_func, cycle_length, block_length=1, sloppy=False,
                        buffer_output_elements=None, prefetch_input_elements=None):
    """``interleave`` with ``cycle_length`` parallel inputs (``sloppy``: any order)."""
    return lambda ds: ds.interleave(map_func, cycle_length, block_length,
                                    num_parallel_calls=cycle_length,
                                    deterministic=not sloppy)


def get_structure(dataset_or_iterator):
    """The element spec of a Dataset or an Iterator."""
    try:
        return dataset_or_iterator.element_spec
    except AttributeError:
        raise TypeError(f"Invalid `dataset_or_iterator`. `dataset_or_iterator` must be a "
                        f"`tf.data.Dataset` or tf.data.Iterator object, but got "
                        f"{type(dataset_or_iterator)}.") from None


def get_next_as_optional(iterator):
    return iterator.get_next_as_optional()


# --- sources and random access -----------------------------------------------------------------
def from_list(elements, name=None):
    """A dataset of the given elements (same structure; leaf shapes may differ)."""
    from .dataset_ops import Dataset
    if not elements:
        raise ValueError("Invalid `elements`. `elements` should not be empty.")
    norm = [st.normalize(e) for e in elements]
    spec = st.spec_of(norm[0])
    for e in norm[1:]:
        if not st.same_structure(norm[0], e):
            raise ValueError("Invalid `elements`. All elements must have the same "
                             "structure.")
        spec = st.relax(spec, st.spec_of(e))
    return Dataset.from_generator(lambda: iter(norm), output_signature=spec)


def at(dataset, index):
    """The element at ``index`` (``tf.data.experimental.at``; walks the pipeline)."""
    index = int(np.asarray(index))
    if index < 0:
        raise OutOfRangeError(None, "GetElementAtIndex", f"Index out of range: {index}")
    for i, element in enumerate(dataset):
        if i == index:
            return element
    n = int(dataset.cardinality())
    raise OutOfRangeError(None, "GetElementAtIndex",
                          f"Index out of range [0, {n if n >= 0 else i + 1}):{index}")


def pad_to_cardinality(cardinality, mask_key="valid"):
    """Pads a dataset of dicts to ``cardinality`` elements with zero-filled ones, adding a
    boolean ``mask_key`` (True for real elements)."""
    def apply(ds):
        from .dataset_ops import Dataset
        from .. import ops as _ops  # noqa: F401
        from ..ops import array_ops as _a
        spec = ds.element_spec
        if not isinstance(spec, dict):
            raise ValueError(f"`pad_to_cardinality` requires its input dataset to be a "
                             f"dictionary, got {spec}")
        if mask_key in spec:
            raise ValueError(f"The mask key {mask_key!r} is already in the dataset.")
        n = int(ds.cardinality())
        if n < 0:
            raise ValueError(f"The dataset passed into `pad_to_cardinality` must have a "
                             f"known cardinality, but has cardinality {n}")
        if n > cardinality:
            raise ValueError(f"The dataset passed into `pad_to_cardinality` must have a "
                             f"cardinality less than the target cardinality "
                             f"({cardinality}), but has cardinality {n}")
        real = ds.map(lambda x: dict(x, **{mask_key: True}))
        if n == cardinality:
            return real
        zero = {k: _a.zeros([d if d is not None else 0 for d in s.shape.as_list()], s.dtype)
                for k, s in spec.items()}
        zero[mask_key] = False
        return real.concatenate(Dataset.from_tensors(zero).repeat(cardinality - n))
    return apply


# --- grouping by reduction ----------------------------------------------------------------------
class Reducer:
    """``init_func(key) -> state``, ``reduce_func(state, element) -> state``,
    ``finalize_func(state) -> output`` (``tf.data.experimental.Reducer``)."""

    def __init__(self, init_func, reduce_func, finalize_func):
        self._init_func, self._reduce_func = init_func, reduce_func
        self._finalize_func = finalize_func

    @property
    def init_func(self):
        return self._init_func

    @property
    def reduce_func(self):
        return self._reduce_func

    @property
    def finalize_func(self):
        return self._finalize_func


def group_by_reducer(key_func, reducer):
    """Groups elements by the int64 ``key_func(element)`` and reduces each group with
    ``reducer``; one output per key, keys in first-seen order."""
    def apply(ds):
        from .dataset_ops import Dataset

        def gen():
            states, order = {}, []
            for element in ds:
                key = st.call(key_func, element)
                k = int(np.asarray(key.numpy() if hasattr(key, "numpy") else key))
                if k not in states:
                    order.append(k)
                    states[k] = reducer.init_func(key)
                states[k] = st.normalize_fn_output(
                    reducer.reduce_func(states[k], element))
            for k in order:
                yield st.normalize(st.call(reducer.finalize_func, states[k]))
        first = _first_output(ds, key_func, reducer)
        if first is None:
            return Dataset.from_generator(lambda: iter(()), output_signature=())
        return Dataset.from_generator(gen, output_signature=st.spec_of(first))
    return apply


def _first_output(ds, key_func, reducer):
    """One finalized output, to learn the element spec (as TF traces the functions)."""
    for element in ds.take(1):
        key = st.call(key_func, element)
        state = st.normalize_fn_output(reducer.reduce_func(reducer.init_func(key), element))
        return st.normalize(st.call(reducer.finalize_func, state))
    return None


# --- writers and readers -----------------------------------------------------------------------
class TFRecordWriter:
    """Writes a dataset of scalar strings to a TFRecord file
    (``tf.data.experimental.TFRecordWriter(filename, compression_type).write(ds)``)."""

    def __init__(self, filename, compression_type=None, name=None):
        self._filename, self._compression = filename, compression_type

    def write(self, dataset):
        from ..io.tfrecord import TFRecordWriter as _Writer
        spec = dataset.element_spec
        if getattr(spec, "dtype", None) is None or spec.dtype.name != "string" or \
                spec.shape.rank not in (0, None):
            raise TypeError(f"Invalid `dataset.` Expected a `dataset` that produces scalar "
                            f"`tf.string` elements, but got a dataset which produces "
                            f"elements with shapes {getattr(spec, 'shape', spec)} and types "
                            f"{getattr(spec, 'dtype', spec)}.")
        with _Writer(self._filename, self._compression) as w:
            for element in dataset:
                w.write(element.numpy())


def SqlDataset(driver_name, data_source_name, query, output_types):  # noqa: N802 - TF's name
    """Rows of a SQL ``query`` as tuples of scalars of ``output_types`` (sqlite only, as
    TF)."""
    import sqlite3

    from .. import dtypes as _dt
    from ..tensor_spec import TensorSpec
    from .dataset_ops import Dataset
    if driver_name != "sqlite":
        raise InvalidArgumentError(None, "SqlDataset", f"The database type, {driver_name}, "
                                   "is not supported.")
    single = not isinstance(output_types, (list, tuple))
    types = [_dt.as_dtype(t) for t in ([output_types] if single else output_types)]

    def cell(v, t):
        if t.name == "string":
            return np.asarray(str(v).encode() if not isinstance(v, bytes) else v, object)
        return np.asarray(v, t.np)

    def gen():
        con = sqlite3.connect(data_source_name)
        try:
            for row in con.execute(query):
                if len(row) != len(types):
                    raise InvalidArgumentError(None, "SqlDataset", f"Expected {len(types)} "
                                               f"columns, the query returned {len(row)}")
                out = tuple(cell(v, t) for v, t in zip(row, types))
                yield out[0] if single else out
        finally:
            con.close()
    sig = tuple(TensorSpec((), t) for t in types)
    return Dataset.from_generator(gen, output_signature=sig[0] if single else sig)


# --- Example parsing ----------------------------------------------------------------------------
def parse_example_dataset(features, num_parallel_calls=1, deterministic=None):
    """Parses batches (vectors) of serialized ``Example`` protos into feature dicts."""
    from ..io import parse_example
    if features is None:
        raise ValueError("Argument `features` is required, but not specified.")
    return lambda ds: ds.map(lambda serialized: parse_example(serialized, features),
                             num_parallel_calls=num_parallel_calls,
                             deterministic=deterministic)


def make_batched_features_dataset(file_pattern, batch_size, features, reader=None,
                                  label_key=None, reader_args=None, num_epochs=None,
                                  shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                                  prefetch_buffer_size=None, reader_num_threads=None,
                                  parser_num_threads=None, sloppy_ordering=False,
                                  drop_final_batch=False):
    """Batches of parsed ``Example`` feature dicts (or ``(features, label)``) read from
    the files matching ``file_pattern``, as TF's pipeline: list files, interleave the
    readers, shuffle, repeat ``num_epochs`` (None: forever), batch, parse, prefetch."""
    from .dataset_ops import Dataset
    from .options import AUTOTUNE
    from .readers import TFRecordDataset
    reader = reader or TFRecordDataset
    reader_args = list(reader_args or [])
    ds = Dataset.list_files(file_pattern, shuffle=shuffle, seed=shuffle_seed)
    ds = ds.interleave(lambda f: reader(f, *reader_args), cycle_length=reader_num_threads or 1,
                       block_length=1, num_parallel_calls=reader_num_threads or 1,
                       deterministic=not sloppy_ordering)
    if shuffle:
        ds = ds.shuffle(shuffle_buffer_size, shuffle_seed)
    if num_epochs != 1:
        ds = ds.repeat(num_epochs)
    ds = ds.batch(batch_size, drop_remainder=drop_final_batch or num_epochs is None)
    ds = ds.apply(parse_example_dataset(features, parser_num_threads or 2))
    if label_key:
        if label_key not in features:
            raise ValueError(f"The `label_key` provided ({label_key}) must be one of the "
                             f"`features` keys: {features.keys()}.")
        ds = ds.map(lambda x: (x, x.pop(label_key)))
    return ds.prefetch(prefetch_buffer_size if prefetch_buffer_size is not None else AUTOTUNE)


# --- lookup tables from datasets -----------------------------------------------------------------
class DatasetInitializer(KeyValueTensorInitializer):
    """A table initializer from a dataset of ``(key, value)`` pairs
    (``tf.lookup.StaticHashTable(DatasetInitializer(ds), default)``); the dataset is read
    when the initializer is made."""

    def __init__(self, dataset):
        spec = dataset.element_spec
        if not isinstance(spec, tuple) or len(spec) != 2:
            raise ValueError(f"The `dataset` must produce pairs (key, value), got element "
                             f"spec {spec}")
        keys, values = [], []
        for k, v in dataset.as_numpy_iterator():
            keys.append(k)
            values.append(v)
        super().__init__(
            np.asarray(keys, dtype=object if spec[0].dtype.name == "string" else None),
            np.asarray(values), key_dtype=spec[0].dtype, value_dtype=spec[1].dtype)


def table_from_dataset(dataset=None, num_oov_buckets=0, vocab_size=None, default_value=None,
                       hasher_spec=None, key_dtype=None, name=None):
    """A StaticHashTable (or, with ``num_oov_buckets``, a StaticVocabularyTable) from a
    dataset of (key, value) pairs."""
    from ..lookup import StaticHashTable, StaticVocabularyTable
    init = DatasetInitializer(dataset)
    n = int(init._keys.shape[0])
    if vocab_size is not None and n != int(vocab_size):
        raise InvalidArgumentError(None, "table_from_dataset", f"Invalid vocab_size: the "
                                   f"dataset has {n} elements, vocab_size is {vocab_size}")
    if num_oov_buckets:
        return StaticVocabularyTable(init, int(num_oov_buckets))
    return StaticHashTable(init, default_value if default_value is not None else -1)


def index_table_from_dataset(dataset=None, num_oov_buckets=0, vocab_size=None,
                             default_value=-1, hasher_spec=None, key_dtype=None, name=None):
    """A table mapping each key of ``dataset`` to its position (int64); unknown keys get
    ``default_value`` or, with ``num_oov_buckets``, a hashed bucket after the vocabulary."""
    return table_from_dataset(dataset.enumerate().map(lambda i, k: (k, i)), num_oov_buckets,
                              vocab_size, default_value, hasher_spec, key_dtype, name)
