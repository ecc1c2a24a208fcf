"""``cf.data``: tf.data's input pipelines (``Dataset``), run by Python threads.

Elements are nested tuples/dicts of cuflow Tensors (``as_numpy_iterator`` gives NumPy).
How it runs:

* ``prefetch`` produces on a daemon thread into a bounded buffer; parallel ``map`` runs
  on a pool of daemon threads (NumPy releases the GIL), in order unless
  ``deterministic=False``. Threads stop when the iterator is dropped or closed.
* AUTOTUNE (``cf.data.AUTOTUNE``) measures and adapts: a hill climb on throughput for
  map parallelism, buffer doubling when the consumer waits for prefetch (policy in
  ``parallel.py``).
* ``batch`` over ``map``/``shuffle`` stages on ``from_tensor_slices`` is fused into index
  gathers with the maps lifted to batch maps when a sample check shows it is safe
  (``fusion.py``); ``shuffle`` keeps tf.data's buffer semantics (over indices there).
* Iterators are checkpointable (``cf.train.Checkpoint(iterator=it)`` or
  ``it.save(path)`` / ``it.restore(path)``) for sources, map, filter, shuffle, batch,
  padded_batch, unbatch, repeat, take, skip, shard, zip, concatenate, enumerate, scan,
  prefetch, cache reads and the fused stage. Not checkpointable: from_generator,
  interleave/flat_map, window, group_by_window, and readers of text/CSV/TFRecord files.
* ``cf.data.experimental.profile(ds)`` (or ``ds.profile()``) reports time per stage and
  the bottleneck; ``cf.data.experimental.enable_debug_mode()`` or
  ``Options().experimental_debug_mode = True`` runs everything in the caller's thread.
"""
from . import experimental
from .dataset_ops import Dataset
from .iterator import Iterator
from .options import (AUTOTUNE, INFINITE_CARDINALITY, UNKNOWN_CARDINALITY, Options,
                      ThreadingOptions)
from .readers import (FixedLengthRecordDataset, TextLineDataset, TFRecordDataset)
from .structure import DatasetSpec

DatasetV2 = Dataset
NumpyIterator = Iterator

__all__ = ["AUTOTUNE", "Dataset", "DatasetSpec", "FixedLengthRecordDataset",
           "INFINITE_CARDINALITY", "Iterator", "Options", "TFRecordDataset",
           "TextLineDataset", "ThreadingOptions", "UNKNOWN_CARDINALITY", "experimental"]
