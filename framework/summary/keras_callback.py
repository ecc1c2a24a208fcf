"""``cf.keras.callbacks.TensorBoard``: Keras's TensorBoard callback on ``cf.summary``.

Writes ``<log_dir>/train`` and ``<log_dir>/validation`` runs as Keras does: ``epoch_<metric>``
(validation metrics without their ``val_`` prefix), ``epoch_learning_rate``,
``batch_<metric>`` every ``update_freq`` batches, weight histograms (and images) every
``histogram_freq`` epochs, the model's Keras JSON graph, a profile of ``profile_batch``
batches, and, on GPU machines with NVML, ``epoch_gpu<i>_memory_used_mib`` and
``epoch_gpu<i>_utilization``.
"""
from __future__ import annotations

import logging
import os
import sys
import time
import warnings

import numpy as np

from .. import profiler as _profiler
from . import graph_ops, summary_ops
from . import writer as _writer

try:
    from ..keras.callbacks import Callback as _Callback
except ImportError:  # the Keras package is not there (yet): the same hooks, locally
    if "cuflow.keras.callbacks" in sys.modules:  # there, but still importing: a cycle
        raise ImportError("cuflow.keras.callbacks must import TensorBoard after defining "
                          "Callback (or lazily, in a module __getattr__)") from None

    class _Callback:
        """Keras's callback protocol: every hook a no-op."""

        def __init__(self):
            self.model = None
            self.params = {}
            self.validation_data = None

        def set_params(self, params):
            self.params = params

        def set_model(self, model):
            self.model = model

        def _noop(self, *args, **kwargs):
            pass

        on_batch_begin = on_batch_end = on_epoch_begin = on_epoch_end = _noop
        on_train_batch_begin = on_train_batch_end = on_test_batch_begin = _noop
        on_test_batch_end = on_predict_batch_begin = on_predict_batch_end = _noop
        on_train_begin = on_train_end = on_test_begin = on_test_end = _noop
        on_predict_begin = on_predict_end = _noop

__all__ = ["TensorBoard"]
_log = logging.getLogger("cuflow.summary")


class _Counter:
    """A mutable integer step usable as a default summary step (``int(counter)``)."""

    __slots__ = ("value",)

    def __init__(self):
        self.value = 0

    def __int__(self):
        return self.value

    __index__ = __int__


class _GpuStats:
    """NVML readings of every GPU; silently absent without nvidia-ml-py or a driver."""

    def __init__(self):
        self.nvml, self.handles = None, []
        try:
            import pynvml
        except ImportError:
            return
        try:
            pynvml.nvmlInit()
            self.handles = [pynvml.nvmlDeviceGetHandleByIndex(i)
                            for i in range(pynvml.nvmlDeviceGetCount())]
            self.nvml = pynvml
        except pynvml.NVMLError:
            self.handles = []

    def read(self) -> dict:
        out = {}
        if self.nvml is None:
            return out
        for i, handle in enumerate(self.handles):
            try:
                mem = self.nvml.nvmlDeviceGetMemoryInfo(handle)
                util = self.nvml.nvmlDeviceGetUtilizationRates(handle)
            except self.nvml.NVMLError:
                continue
            out[f"gpu{i}_memory_used_mib"] = mem.used / 2**20
            out[f"gpu{i}_utilization"] = float(util.gpu)
        return out

    def close(self):
        if self.nvml is not None:
            try:
                self.nvml.nvmlShutdown()
            except self.nvml.NVMLError:
                pass
            self.nvml = None


def _parse_profile_batch(profile_batch):
    message = ("profile_batch must be a non-negative integer or 2-tuple of positive "
               f"integers. A pair of positive integers signifies a range of batches to "
               f"profile. Found: {profile_batch}")
    try:
        if isinstance(profile_batch, str):
            profile_batch = [int(p) for p in profile_batch.split(",")]
        if isinstance(profile_batch, (int, np.integer)):
            start = stop = int(profile_batch)
        elif isinstance(profile_batch, (tuple, list)) and len(profile_batch) == 2:
            start, stop = (int(p) for p in profile_batch)
        else:
            raise ValueError(message)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    if start < 0 or stop < start:
        raise ValueError(message)
    return start, stop


def _scalar_value(value):
    try:
        return float(np.asarray(value.numpy() if hasattr(value, "numpy") else value))
    except (TypeError, ValueError):
        return None


class TensorBoard(_Callback):
    """Log training to TensorBoard (``tf.keras.callbacks.TensorBoard``).

    Args:
        log_dir: root of the ``train`` and ``validation`` runs.
        histogram_freq: epochs between weight histograms (0: never).
        write_graph: write the model graph (its ``to_json`` and traced train function).
        write_images: also write weights as images with the histograms.
        write_steps_per_second: log ``epoch_steps_per_second`` and
            ``batch_steps_per_second``.
        update_freq: ``'epoch'``, ``'batch'`` or N: write ``batch_*`` logs every N batches.
        profile_batch: batch (or ``(start, stop)`` / ``"start,stop"``) to profile; 0: off.
        embeddings_freq: accepted for compatibility; embeddings are not written.

    Example:
        >>> import tempfile, cuflow as cf
        >>> tb = TensorBoard(log_dir=tempfile.mkdtemp())
        >>> tb.set_model(None); tb.on_train_begin()
        >>> tb.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.7}); tb.on_train_end()
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = int(histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        if update_freq == "batch":
            update_freq = 1
        if update_freq != "epoch" and (not isinstance(update_freq, (int, np.integer))
                                       or update_freq < 1):
            raise ValueError(f"update_freq must be 'epoch', 'batch' or a positive int, got "
                             f"{update_freq!r}")
        self.update_freq = update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        if embeddings_freq:
            warnings.warn("cuflow's TensorBoard callback does not write embeddings "
                          "(embeddings_freq is ignored)", stacklevel=2)
        self._start_batch, self._stop_batch = _parse_profile_batch(profile_batch)
        self._should_trace = not (self._start_batch == 0 and self._stop_batch == 0)
        self._writers = {}
        self._prev_summary_state = []
        self._train_step = _Counter()
        self._val_step = _Counter()
        self._profiler_started = False
        self._is_tracing = False
        self._batch_trace = None
        self._batch_start_time = 0.0
        self._epoch_start_time = time.time()
        self._epoch_start_batch = 0
        self._gpu = None
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        self._should_write_train_graph = False

    # ---- model and writers -------------------------------------------------------------
    def set_model(self, model):
        """Attach the model; writes its Keras JSON graph when ``write_graph``."""
        super().set_model(model)
        self._close_writers()
        self._should_write_train_graph = False
        if self.write_graph and model is not None:
            with self._train_writer.as_default():
                if hasattr(model, "to_json"):
                    graph_ops.keras_model_summary("keras", model, step=0)
            self._should_write_train_graph = True

    @property
    def _train_writer(self):
        if "train" not in self._writers:
            self._writers["train"] = _writer.create_file_writer(self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self):
        if "val" not in self._writers:
            self._writers["val"] = _writer.create_file_writer(self._val_dir)
        return self._writers["val"]

    def _close_writers(self):
        for w in self._writers.values():
            w.close()
        self._writers = {}

    def _push_writer(self, writer, step):
        """Make ``writer`` the default (step ``step``) for batch-level summaries."""
        if self.update_freq == "epoch":
            return
        freq = int(self.update_freq)
        contexts = (writer.as_default(step), _writer.record_if(lambda: int(step) % freq == 0))
        self._prev_summary_state.append(contexts)
        contexts[0].__enter__()
        contexts[1].__enter__()

    def _pop_writer(self):
        if self.update_freq == "epoch" or not self._prev_summary_state:
            return
        contexts = self._prev_summary_state.pop()
        contexts[1].__exit__(*sys.exc_info())
        contexts[0].__exit__(*sys.exc_info())

    # ---- training -------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._train_step.value = 0
        self._epoch_start_batch = 0
        self._gpu = _GpuStats()
        self._push_writer(self._train_writer, self._train_step)

    def on_train_end(self, logs=None):
        self._pop_writer()
        if self._is_tracing:
            self._stop_trace()
        if self._gpu is not None:
            self._gpu.close()
        self._close_writers()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_start_time = time.time()
        self._epoch_start_batch = self._train_step.value

    def on_train_batch_begin(self, batch, logs=None):
        self._train_step.value += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()
        if not self._should_trace:
            return
        if self._train_step.value == self._start_batch:
            self._start_trace()
        if self._profiler_started:
            self._batch_trace = _profiler.experimental.Trace(
                "Profiled Step", step_num=self._train_step.value, _r=1)
            self._batch_trace.__enter__()

    def on_train_batch_end(self, batch, logs=None):
        if self._should_write_train_graph:
            self._write_train_graph()
            self._should_write_train_graph = False
        step = self._train_step.value
        # update_freq="epoch": Keras 3 still writes batch_* scalars, into whatever default
        # writer is set (a user's file_writer.set_as_default(); nothing when there is none)
        self._log_batch(step, logs)
        if not self._should_trace or not self._is_tracing:
            return
        if self._batch_trace is not None:
            self._batch_trace.__exit__(None, None, None)
            self._batch_trace = None
        if step >= self._stop_batch:
            self._stop_trace()

    def _log_batch(self, step, logs):
        if self.write_steps_per_second:
            elapsed = max(time.time() - self._batch_start_time, 1e-9)
            summary_ops.scalar("batch_steps_per_second", 1.0 / elapsed, step=step)
        if isinstance(logs, dict):
            for name, value in logs.items():
                value = _scalar_value(value)
                if value is not None:
                    summary_ops.scalar("batch_" + name, value, step=step)

    def on_epoch_end(self, epoch, logs=None):
        """Epoch metrics, learning rate, device stats; histograms every histogram_freq."""
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)

    # ---- evaluation -------------------------------------------------------------------
    def on_test_begin(self, logs=None):
        self._push_writer(self._val_writer, self._val_step)

    def on_test_batch_end(self, batch, logs=None):
        self._val_step.value += 1

    def on_test_end(self, logs=None):
        iterations = getattr(getattr(self.model, "optimizer", None), "iterations", None)
        if iterations is not None and logs:
            with self._val_writer.as_default():
                for name, value in logs.items():
                    value = _scalar_value(value)
                    if value is not None:
                        summary_ops.scalar("evaluation_" + name + "_vs_iterations", value,
                                           step=iterations)
        self._pop_writer()

    # ---- helpers -----------------------------------------------------------------------
    def _log_epoch_metrics(self, epoch, logs):
        logs = dict(logs or {})
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        lr = self._learning_rate()
        if lr is not None:
            train["learning_rate"] = lr
        if self.write_steps_per_second:
            steps = self._train_step.value - self._epoch_start_batch
            train["steps_per_second"] = steps / max(time.time() - self._epoch_start_time, 1e-9)
        if self._gpu is not None:
            train.update(self._gpu.read())
        with _writer.record_if(True):
            for run, items in (("train", train), ("val", val)):
                if not items:
                    continue
                writer = self._train_writer if run == "train" else self._val_writer
                with writer.as_default():
                    for name, value in items.items():
                        value = _scalar_value(value)
                        if value is not None:
                            summary_ops.scalar("epoch_" + name, value, step=epoch)

    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        lr = getattr(optimizer, "learning_rate", None)
        if lr is None:
            return None
        if callable(lr) and not hasattr(lr, "numpy"):  # a LearningRateSchedule
            try:
                lr = lr(getattr(optimizer, "iterations", 0))
            except Exception:  # noqa: BLE001 - a schedule we cannot call: no lr log
                return None
        return _scalar_value(lr)

    def _log_weights(self, epoch):
        weights = getattr(self.model, "weights", None) or []
        with _writer.record_if(True), self._train_writer.as_default():
            for weight in weights:
                name = (getattr(weight, "path", None) or getattr(weight, "name", "weight"))
                name = str(name).replace(":", "_")
                summary_ops.histogram(name + "/histogram", weight, step=epoch)
                if self.write_images:
                    self._log_weight_as_image(weight, name + "/image", epoch)

    def _log_weight_as_image(self, weight, tag, epoch):
        w = np.squeeze(np.asarray(weight.numpy() if hasattr(weight, "numpy") else weight,
                                  dtype=np.float32))
        if w.ndim == 1:
            w = w.reshape(1, w.shape[0], 1, 1)
        elif w.ndim == 2:
            if w.shape[0] > w.shape[1]:
                w = w.T
            w = w.reshape(1, w.shape[0], w.shape[1], 1)
        elif w.ndim == 3:  # channels-last conv kernel: one image per output channel
            w = np.transpose(w, (2, 0, 1))[..., None]
        else:
            return
        span = float(w.max() - w.min()) if w.size else 0.0
        w = (w - w.min()) / span if span > 0 else np.zeros_like(w)  # show the full range
        summary_ops.image(tag, w, step=epoch, max_outputs=w.shape[0])

    def _write_train_graph(self):
        fn = getattr(self.model, "train_function", None)
        if fn is None:
            return
        with self._train_writer.as_default():
            try:
                graph_ops.graph(fn)
            except ValueError:  # not a traced function (eager fit): nothing to draw
                pass

    def _start_trace(self):
        graph_ops.trace_off()
        graph_ops.trace_on(graph=True, profiler=False)
        try:
            _profiler.experimental.start(self._train_dir)
            self._profiler_started = True
        except Exception as e:  # noqa: BLE001 - another profiler owns the session
            _log.warning("TensorBoard callback could not start the profiler: %s", e)
        self._is_tracing = True

    def _stop_trace(self, batch=None):
        batch = self._stop_batch if batch is None else batch
        if self._batch_trace is not None:
            self._batch_trace.__exit__(None, None, None)
            self._batch_trace = None
        with self._train_writer.as_default():
            graph_ops.trace_export(name=f"batch_{batch}", step=batch)
        if self._profiler_started:
            _profiler.experimental.stop()
            self._profiler_started = False
        self._is_tracing = False
