"""Two Keras 3 callbacks: ``SwapEMAWeights`` (evaluate/predict with the optimizer's
moving-average weights) and ``RemoteMonitor`` (POST each epoch's logs to a server).

    >>> import cuflow as cf
    >>> cb = cf.keras.callbacks.RemoteMonitor(root="http://localhost:9000", send_as_json=True)
    >>> cb.root + cb.path
    'http://localhost:9000/publish/epoch/end/'
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from .callbacks import Callback

__all__ = ["RemoteMonitor", "SwapEMAWeights"]


class SwapEMAWeights(Callback):
    """Swaps the model's weights with the optimizer's EMA weights (``use_ema=True``) around
    evaluation and prediction, and with ``swap_on_epoch=True`` at each epoch's end (so
    epoch-end callbacks such as ModelCheckpoint see the EMA weights)."""

    def __init__(self, swap_on_epoch=False):
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _pairs(self):
        """(variable, moving average) of every EMA optimizer (the inner ones of a
        LossScaleOptimizer or MultiOptimizer); Keras's ValueErrors when there is none."""
        optimizer = self.model.optimizer
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)
        if hasattr(optimizer, "optimizers"):
            if not any(getattr(o, "use_ema", False) for o in optimizer.optimizers):
                raise ValueError("SwapEMAWeights must be used when at least one inner "
                                 "optimizer has `use_ema=True` set. Received a MultiOptimizer "
                                 "with all inner optimizers having `use_ema=False`.")
            optimizers = [o for o in optimizer.optimizers if getattr(o, "use_ema", False)]
        else:
            optimizers = [optimizer]
        pairs = []
        for opt in optimizers:
            slots = getattr(opt, "_slots", {})
            found = [(v, slots[id(v)]["ema"]) for v in self.model.trainable_variables
                     if "ema" in slots.get(id(v), {})]
            if not getattr(opt, "use_ema", False) or not found:
                use_ema = getattr(opt, "use_ema", None)
                raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on "
                                 f"the optimizer. Received: use_ema={use_ema}")
            pairs += found
        return pairs

    def _swap_variables(self):
        for var, average in self._pairs():
            value = var.numpy()
            var.assign(average)
            average.assign(value)

    def _finalize_ema_values(self):
        for var, average in self._pairs():
            average.assign(var)

    def on_epoch_begin(self, epoch, logs=None):
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch, logs=None):
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            if epoch == self.params["epochs"] - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_test_end(self, logs=None):
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs=None):
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_predict_end(self, logs=None):
        # Keras 3.15 tests `not self._ema_weights_in_model` here, so after predict() the
        # EMA weights stay in the model (until the next evaluate swaps them back); kept
        # as in Keras so that results match.
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False


class RemoteMonitor(Callback):
    """POSTs ``{"epoch": e, **logs}`` to ``root + path`` at each epoch's end: a form field
    ``field`` holding the JSON (default) or a JSON body (``send_as_json=True``). An
    unreachable server gives a warning, as in Keras (which uses ``requests``; this uses
    ``urllib``, so no extra dependency)."""

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data",
                 headers=None, send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            send[k] = v.item() if isinstance(v, (np.ndarray, np.generic)) else v
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode()
            headers.setdefault("Content-Type", "application/json")
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn(f"Could not reach RemoteMonitor root server at {self.root}",
                          stacklevel=2)
