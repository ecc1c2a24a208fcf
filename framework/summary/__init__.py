"""``cf.summary``: TensorBoard summaries as in ``tf.summary`` (TF 2).

Files are real TensorBoard event files (TensorBoard's protos and record framing),
written by a background thread so logging does not stall training.

Example:
    >>> import tempfile, numpy as np, cuflow as cf
    >>> writer = cf.summary.create_file_writer(tempfile.mkdtemp())
    >>> with writer.as_default(step=0):
    ...     ok = cf.summary.scalar("loss", 0.5)
    ...     ok = cf.summary.histogram("weights", np.random.randn(100))
    >>> writer.close()
"""
try:
    import tensorboard  # noqa: F401 - the protos, metadata and record framing come from it
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError("cf.summary needs the tensorboard package: "
                      "pip install 'cuflow[tensorboard]'") from e

from . import experimental
from .graph_ops import (graph, graph_def_from_nodes, keras_model_summary, record_traced_graph,
                        register_graph_adapter, trace_export, trace_off, trace_on)
from .summary_ops import audio, histogram, image, scalar, text
from .writer import (SummaryWriter, create_file_writer, create_noop_writer, flush, record_if,
                     should_record_summaries, write)

__all__ = [
    "SummaryWriter", "audio", "create_file_writer", "create_noop_writer", "experimental",
    "flush", "graph", "graph_def_from_nodes", "histogram", "image", "keras_model_summary",
    "record_if", "record_traced_graph", "register_graph_adapter", "scalar",
    "should_record_summaries", "text", "trace_export", "trace_off", "trace_on", "write",
]
