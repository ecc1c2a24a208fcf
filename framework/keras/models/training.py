"""compile / fit / evaluate / predict. The train step is a per-replica function plus a
gradient-aggregation hook (``_aggregate_gradients``) a distribution strategy overrides."""
from __future__ import annotations

import math

import numpy as np

import cuflow as cf
from cuflow.tensor import Tensor

from .. import callbacks as cbks
from .. import losses as losses_mod
from .. import metrics as metrics_mod
from .. import optimizers as opt_mod
from . import data_adapter as da


def _tensor(x, dtype=None):
    if isinstance(x, (Tensor, cf.Variable)) or x is None:
        return x
    a = np.asarray(x)
    if a.dtype == np.float64:
        a = a.astype(np.float32 if dtype is None else dtype)
    return cf.constant(a)


def _struct_tensor(x):
    return cf.nest.map_structure(_tensor, x) if x is not None else None


class TrainingMixin:
    def _init_training(self):
        self.optimizer = None
        self.compiled_loss = None
        self.stop_training = False
        self.history = None
        self._is_compiled = False
        self._run_eagerly = False

    # --- weights in layer order (Keras 3) ------------------------------------------------
    @property
    def weights(self):
        out, seen = [], set()
        for w in self._weights:
            if id(w) not in seen:
                seen.add(id(w))
                out.append(w)
        for layer in self._sublayers():
            for w in layer.weights:
                if id(w) not in seen:
                    seen.add(id(w))
                    out.append(w)
        return out

    # --- compile ----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True, **kwargs):
        from .. import mixed_precision as mp
        self.optimizer = opt_mod.get(optimizer)
        if auto_scale_loss and mp.global_policy().name == "mixed_float16" and not isinstance(
                self.optimizer, mp.LossScaleOptimizer):
            self.optimizer = mp.LossScaleOptimizer(self.optimizer)
        self.loss = loss
        self.loss_weights = loss_weights
        self._loss_fns = self._resolve_losses(loss)
        self._metric_specs = metrics
        self._weighted_specs = weighted_metrics
        self._metrics_built = False
        self._run_eagerly = bool(run_eagerly)
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit_compile
        self._is_compiled = True
        self._loss_tracker = metrics_mod.Mean(name="loss")

    @property
    def run_eagerly(self):
        return self._run_eagerly

    @run_eagerly.setter
    def run_eagerly(self, value):
        self._run_eagerly = bool(value)

    def _output_names(self):
        outs = getattr(self, "outputs", None)
        if outs and len(outs) > 1:
            return [o.name for o in outs]
        return None

    def _resolve_losses(self, loss):
        if loss is None:
            return None
        names = self._output_names()
        if isinstance(loss, dict):
            return [losses_mod.get(loss.get(n)) for n in names]
        if isinstance(loss, (list, tuple)):
            return [losses_mod.get(x) for x in loss]
        if names:
            return [losses_mod.get(loss) for _ in names]
        return [losses_mod.get(loss)]

    def _build_metrics(self):
        names = self._output_names()
        n_out = len(names) if names else 1
        specs = self._metric_specs
        per_out = []
        if specs is None:
            per_out = [[] for _ in range(n_out)]
        elif isinstance(specs, dict):
            per_out = [list(cf.nest.flatten(specs.get(n, []))) for n in names]
        elif n_out > 1 and specs and isinstance(specs[0], (list, tuple)):
            per_out = [list(s) for s in specs]
        else:
            per_out = [list(specs) for _ in range(n_out)]
        self._out_metrics = []
        for i, specs_i in enumerate(per_out):
            lf = self._loss_fns[i] if self._loss_fns else None
            ms = []
            for s in specs_i:
                m = metrics_mod.get(s, loss=getattr(lf, "fn", lf) if lf is not None else None)
                if not isinstance(s, metrics_mod.Metric) and n_out > 1:
                    m.name = f"{names[i]}_{m.name}"
                ms.append(m)
            self._out_metrics.append(ms)
        self._metrics_built = True

    @property
    def metrics(self):
        out = [self._loss_tracker] if self._is_compiled else []
        if self._is_compiled and self._metrics_built:
            for ms in self._out_metrics:
                out += ms
        return out

    @property
    def metrics_names(self):
        return [m.name for m in self.metrics]

    # --- steps ------------------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        total = None
        if self._loss_fns is not None:
            ys = cf.nest.flatten(y) if self._output_names() else [y]
            ps = cf.nest.flatten(y_pred) if self._output_names() else [y_pred]
            lw = self.loss_weights
            if isinstance(lw, dict):
                lw = [lw.get(n, 1.0) for n in self._output_names()]
            for i, (fn, yt, yp) in enumerate(zip(self._loss_fns, ys, ps)):
                if fn is None:
                    continue
                val = fn(yt, yp, sample_weight)
                if val.dtype != cf.float32:
                    val = cf.cast(val, cf.float32)
                if lw is not None:
                    val = val * float(lw[i])
                total = val if total is None else total + val
        extra = self.losses
        if extra:
            reg = cf.add_n(extra) if hasattr(cf, "add_n") and len(extra) > 1 else sum(
                extra[1:], extra[0])
            total = reg if total is None else total + cf.cast(reg, cf.float32)
        if total is None:
            raise ValueError("No loss to compute. Provide a `loss` argument in `compile()`.")
        return total

    def _aggregate_gradients(self, grads):
        """Hook for distribution strategies (all-reduce); identity on one replica."""
        return grads

    def _per_replica_train_step(self, x, y, sw):
        self._clear_losses()
        opt = self.optimizer
        tvars = self.trainable_variables
        with cf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compute_loss(x, y, y_pred, sw)
            scaled = opt.scale_loss(loss) if hasattr(opt, "scale_loss") else loss
        grads = tape.gradient(scaled, tvars)
        grads = self._aggregate_gradients(grads)
        opt.apply_gradients(zip(grads, tvars))
        return loss, y_pred

    def train_step(self, data):
        x, y, sw = da.unpack(data) if isinstance(data, tuple) else (data, None, None)
        loss, y_pred = self._per_replica_train_step(x, y, sw)
        return self._update_metrics(loss, y, y_pred, sw)

    def test_step(self, data):
        x, y, sw = da.unpack(data) if isinstance(data, tuple) else (data, None, None)
        self._clear_losses()
        y_pred = self(x, training=False)
        loss = self.compute_loss(x, y, y_pred, sw, training=False)
        return self._update_metrics(loss, y, y_pred, sw)

    def predict_step(self, data):
        x = da.unpack(data)[0] if isinstance(data, tuple) else data
        return self(x, training=False)

    def _update_metrics(self, loss, y, y_pred, sw):
        if not self._metrics_built:
            self._build_metrics()
        n = cf.nest.flatten(y_pred)[0].shape[0] or 1
        self._loss_tracker.update_state(float(loss.numpy()) * n if sw is None else loss,
                                        None)
        if sw is None:
            self._loss_tracker._count += n - 1
        ys = cf.nest.flatten(y) if self._output_names() else [y]
        ps = cf.nest.flatten(y_pred) if self._output_names() else [y_pred]
        for ms, yt, yp in zip(self._out_metrics, ys, ps):
            for m in ms:
                m.update_state(yt, yp, sw)
        return {m.name: m.result() for m in self.metrics}

    def _logs(self):
        return {m.name: float(m.result().numpy()) for m in self.metrics}

    def reset_metrics(self):
        for m in self.metrics:
            m.reset_state()

    # --- fit -------------------------------------------------------------------------------
    def _check_compiled(self):
        if not self._is_compiled:
            raise RuntimeError("You must compile your model before training/testing. "
                               "Use `model.compile(optimizer, loss)`.")

    def _cbk_list(self, callbacks, verbose, epochs, steps, add_history=True):
        cbs = list(callbacks or [])
        hist = None
        if add_history:
            hist = cbks.History()
            cbs.append(hist)
        if verbose and not any(isinstance(c, cbks.ProgbarLogger) for c in cbs):
            cbs.insert(0, cbks.ProgbarLogger())
        clist = cbks.CallbackList(cbs, model=self, params={"verbose": verbose,
                                                          "epochs": epochs, "steps": steps})
        return clist, hist

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None,
            validation_steps=None, validation_batch_size=None, validation_freq=1):
        self._check_compiled()
        verbose = 1 if verbose == "auto" else verbose
        if validation_split and validation_data is None:
            if not da.is_array_like(x):
                raise ValueError("`validation_split` is only supported for Tensors or "
                                 "NumPy arrays")
            x, y, sample_weight = (da.structure_to_np(x), da.structure_to_np(y),
                                   None if sample_weight is None else da._to_np(
                                       sample_weight))
            (x, y, sample_weight), validation_data = da.split_validation(
                x, y, sample_weight, validation_split)
        if class_weight is not None:
            yn = da._to_np(y)
            cls = np.argmax(yn, -1) if yn.ndim > 1 and yn.shape[-1] > 1 else yn.reshape(
                len(yn)).astype(np.int64)
            cw = np.array([class_weight.get(int(c), 1.0) for c in cls], np.float32)
            sample_weight = cw if sample_weight is None else cw * da._to_np(sample_weight)
        train = da.make_batches(x, y, sample_weight, batch_size, shuffle, steps_per_epoch)
        val = None
        if validation_data is not None:
            if isinstance(validation_data, tuple):
                vx, vy, vsw = da.unpack(validation_data)
                val = da.make_batches(vx, vy, vsw, validation_batch_size or batch_size,
                                      False, validation_steps)
            else:
                val = da.make_batches(validation_data, steps=validation_steps)
        clist, hist = self._cbk_list(callbacks, verbose, epochs, train.steps)
        self.history = hist
        self.stop_training = False
        clist.on_train_begin()
        logs = {}
        for epoch in range(initial_epoch, epochs):
            self.reset_metrics()
            clist.on_epoch_begin(epoch)
            step = -1
            for step, (xb, yb, swb) in enumerate(train.epoch()):
                clist.on_train_batch_begin(step)
                self.train_step((_struct_tensor(xb), _struct_tensor(yb), _tensor(swb)))
                clist.on_train_batch_end(step, self._logs())
                if self.stop_training:
                    break
            if step < 0:
                break
            logs = self._logs()
            if val is not None and (epoch + 1) % validation_freq == 0:
                vlogs = self._evaluate(val, callbacks=None, verbose=0)
                logs.update({"val_" + k: v for k, v in vlogs.items()})
            clist.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        if hasattr(self.optimizer, "finalize_variable_values"):
            self.optimizer.finalize_variable_values(self.trainable_variables)
        clist.on_train_end(logs)
        return hist

    # --- evaluate / predict ----------------------------------------------------------------
    def _evaluate(self, batches, callbacks, verbose):
        self.reset_metrics()
        clist = cbks.CallbackList(callbacks or [], model=self,
                                  params={"verbose": verbose, "steps": batches.steps})
        clist.on_test_begin()
        for step, (xb, yb, swb) in enumerate(batches.epoch()):
            clist.on_test_batch_begin(step)
            self.test_step((_struct_tensor(xb), _struct_tensor(yb), _tensor(swb)))
            clist.on_test_batch_end(step, self._logs())
        logs = self._logs()
        clist.on_test_end(logs)
        return logs

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False, **kwargs):
        self._check_compiled()
        batches = da.make_batches(x, y, sample_weight, batch_size, False, steps)
        logs = self._evaluate(batches, callbacks, 0 if verbose == "auto" else verbose)
        if verbose and verbose != "auto":
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        vals = [logs[m.name] for m in self.metrics]
        return vals[0] if len(vals) == 1 else vals

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        batches = da.make_batches(x, None, None, batch_size, False, steps)
        clist = cbks.CallbackList(callbacks or [], model=self)
        clist.on_predict_begin()
        outs = []
        for step, (xb, _, _) in enumerate(batches.epoch()):
            clist.on_predict_batch_begin(step)
            out = self.predict_step(_struct_tensor(xb))
            outs.append(cf.nest.map_structure(lambda t: np.asarray(t.numpy()), out))
            clist.on_predict_batch_end(step, {"outputs": out})
        clist.on_predict_end()
        if not outs:
            raise ValueError("Unexpected result of `predict_function` (Empty batch_outputs)."
                             " Please use `Model.compile(..., run_eagerly=True)`, or "
                             "check that your data is not empty.")
        flat = [cf.nest.flatten(o) for o in outs]
        cat = [np.concatenate([f[i] for f in flat]) for i in range(len(flat[0]))]
        return cf.nest.pack_sequence_as(outs[0], cat)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        self._check_compiled()
        self.reset_metrics()
        self.train_step((_struct_tensor(x), _struct_tensor(y), _tensor(sample_weight)))
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._check_compiled()
        self.reset_metrics()
        self.test_step((_struct_tensor(x), _struct_tensor(y), _tensor(sample_weight)))
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        out = self.predict_step(_struct_tensor(x))
        return cf.nest.map_structure(lambda t: np.asarray(t.numpy()), out)

    def _batch_result(self, return_dict):
        logs = self._logs()
        if return_dict:
            return logs
        vals = list(logs.values())
        return vals[0] if len(vals) == 1 else vals


_ = math
