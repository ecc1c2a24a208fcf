"""cuflow Keras vs Keras 3 on TensorFlow: weights and History after ``fit``.

    .venv/bin/python -m bench.keras_parity [--tf-python /work/tfenv/bin/python] [CASE ...]

Every case builds the same small model on both sides (the same code, given ``cf.keras``
or ``keras``), sets identical initial weights (drawn here with NumPy from the weight
shapes), trains with ``shuffle=False`` on identical data, and compares every weight
(max |difference| <= 1e-4) and every History key and value. TensorFlow and cuflow may live
in different virtual environments: the TF half runs in a subprocess
(``python bench/keras_parity.py --worker out.npz CASE ...`` under TF's interpreter) and
sends its results back through an .npz file. Exits 0 (skipped) when no interpreter with
TensorFlow is found, 1 when any case is off.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import numpy as np

TOL = 1e-4
N, FEATURES, CLASSES = 96, 12, 4


# --- data and models ---------------------------------------------------------------------
def data(kind="mlp", labels="onehot"):
    rng = np.random.default_rng(0)
    shape = {"mlp": (N, FEATURES), "conv": (N, 6, 6, 2), "lstm": (N, 5, 3),
             "gru": (N, 5, 3), "tokens": (N, 6)}[kind]
    x = rng.standard_normal(shape).astype(np.float32)
    score = x.reshape(N, -1)[:, :CLASSES] + 0.3 * rng.standard_normal((N, CLASSES))
    if kind == "tokens":
        x = rng.integers(0, 20, shape).astype(np.int32)
        score = np.stack([(x == c).sum(1) for c in range(CLASSES)], 1) + \
            0.1 * rng.standard_normal((N, CLASSES))
    cls = np.argmax(score, 1)
    onehot = np.eye(CLASSES, dtype=np.float32)[cls]
    if labels == "two":
        return x, {"cls": onehot, "reg": score[:, :2].astype(np.float32)}
    y = {"onehot": onehot,
         "sparse": cls.astype(np.int32),
         "binary": (cls < 2).astype(np.float32)[:, None],
         "regression": score[:, :2].astype(np.float32)}[labels]
    return x, y


def build(keras, kind="mlp", out_units=CLASSES, out_act="softmax"):
    L = keras.layers
    if kind == "mlp":
        body = [L.Input((FEATURES,)), L.Dense(16, activation="relu")]
    elif kind == "conv":
        body = [L.Input((6, 6, 2)), L.Conv2D(3, 3, activation="relu"),
                L.MaxPooling2D(2), L.Flatten()]
    elif kind == "lstm":
        body = [L.Input((5, 3)), L.LSTM(6)]
    else:
        body = [L.Input((5, 3)), L.GRU(6)]
    return keras.Sequential(body + [L.Dense(out_units, activation=out_act)])


def initial_weights(model):
    rng = np.random.default_rng(1)
    return [rng.uniform(-0.4, 0.4, np.shape(w)).astype(np.float32)
            for w in model.get_weights()]


def _opt(name, **kw):
    return lambda k: getattr(k.optimizers, name)(**kw)


def _obj(module, name, **kw):
    return lambda k: getattr(getattr(k, module), name)(**kw)


# Each case: optimizer, loss, metrics (factories of a keras module), model/labels, fit kwargs.
def _two_outputs(keras):
    L = keras.layers
    inp = L.Input((FEATURES,))
    h = L.Dense(16, activation="relu")(inp)
    return keras.Model(inp, [L.Dense(CLASSES, activation="softmax", name="cls")(h),
                             L.Dense(2, name="reg")(h)])


def _embedding(keras):
    L = keras.layers
    return keras.Sequential([L.Input((6,), dtype="int32"), L.Embedding(20, 5),
                             L.GlobalAveragePooling1D(), L.Dense(CLASSES, "softmax")])


def _batchnorm(keras):
    L = keras.layers
    # no bias before the batch norm: its gradient is 0 up to rounding, which Adam would
    # amplify to +-lr steps (noise, not semantics)
    return keras.Sequential([L.Input((FEATURES,)), L.Dense(16, use_bias=False),
                             L.BatchNormalization(),
                             L.Activation("relu"), L.Dense(CLASSES, activation="softmax")])


def _regularized(keras):
    L = keras.layers
    return keras.Sequential([
        L.Input((FEATURES,)),
        L.Dense(16, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01),
                bias_regularizer=keras.regularizers.L1(0.01)),
        L.Dense(CLASSES, activation="softmax",
                activity_regularizer=keras.regularizers.L2(0.001))])


def _seq(*layers, shape=(5, 3)):
    def make(keras):
        L = keras.layers
        body = [f(L) for f in layers]
        return keras.Sequential([L.Input(shape)] + body +
                                [L.Dense(CLASSES, activation="softmax")])
    return make


def _attention(keras):
    L = keras.layers
    inp = L.Input((5, 3))
    h = L.MultiHeadAttention(num_heads=2, key_dim=4)(inp, inp)
    h = L.LayerNormalization()(L.Add()([inp, h]))
    return keras.Model(inp, L.Dense(CLASSES, activation="softmax")(L.Flatten()(h)))


def _masked_lstm(keras):
    L = keras.layers
    return keras.Sequential([L.Input((6,), dtype="int32"), L.Embedding(20, 4, mask_zero=True),
                             L.LSTM(5), L.Dense(CLASSES, activation="softmax")])


_ADAM = _opt("Adam", learning_rate=0.01)
CASES = {
    "sgd": dict(opt=_opt("SGD", learning_rate=0.1)),
    "sgd_momentum": dict(opt=_opt("SGD", learning_rate=0.05, momentum=0.9)),
    "sgd_nesterov": dict(opt=_opt("SGD", learning_rate=0.05, momentum=0.9, nesterov=True)),
    "adam": dict(opt=_ADAM),
    "adam_amsgrad": dict(opt=_opt("Adam", learning_rate=0.01, amsgrad=True)),
    "adamw": dict(opt=_opt("AdamW", learning_rate=0.01, weight_decay=0.05)),
    "rmsprop": dict(opt=_opt("RMSprop", learning_rate=0.01)),
    "rmsprop_centered_momentum": dict(opt=_opt("RMSprop", learning_rate=0.01, momentum=0.5,
                                               centered=True)),
    "adagrad": dict(opt=_opt("Adagrad", learning_rate=0.1)),
    "adadelta": dict(opt=_opt("Adadelta", learning_rate=1.0)),
    "adamax": dict(opt=_opt("Adamax", learning_rate=0.01)),
    "nadam": dict(opt=_opt("Nadam", learning_rate=0.01)),
    "lion": dict(opt=_opt("Lion", learning_rate=0.003)),
    "sgd_clipnorm": dict(opt=_opt("SGD", learning_rate=0.1, clipnorm=0.05)),
    "adam_global_clipnorm": dict(opt=_opt("Adam", learning_rate=0.01, global_clipnorm=0.1)),
    "sgd_clipvalue": dict(opt=_opt("SGD", learning_rate=0.1, clipvalue=0.01)),
    "sgd_weight_decay": dict(opt=_opt("SGD", learning_rate=0.1, weight_decay=0.1)),
    "cce_label_smoothing": dict(opt=_ADAM, loss=_obj(
        "losses", "CategoricalCrossentropy", label_smoothing=0.1)),
    "cce_from_logits": dict(opt=_ADAM, out_act=None, loss=_obj(
        "losses", "CategoricalCrossentropy", from_logits=True),
        metrics=lambda k: ["accuracy", k.metrics.CategoricalAccuracy(name="cacc")]),
    "sparse_cce": dict(opt=_ADAM, labels="sparse", loss=lambda k: "sparse_categorical_crossentropy",
                       metrics=lambda k: ["accuracy", "sparse_top_k_categorical_accuracy"]),
    "sparse_cce_from_logits": dict(opt=_ADAM, labels="sparse", out_act=None, loss=_obj(
        "losses", "SparseCategoricalCrossentropy", from_logits=True)),
    "binary": dict(opt=_ADAM, labels="binary", out_units=1, out_act="sigmoid",
                   loss=lambda k: "binary_crossentropy",
                   metrics=lambda k: ["accuracy", k.metrics.AUC(name="auc"),
                                      k.metrics.Precision(name="p"),
                                      k.metrics.Recall(name="r")]),
    "binary_logits_smoothing": dict(opt=_ADAM, labels="binary", out_units=1, out_act=None,
                                    loss=_obj("losses", "BinaryCrossentropy",
                                              from_logits=True, label_smoothing=0.1),
                                    metrics=lambda k: ["accuracy"]),
    "mse_mae": dict(opt=_ADAM, labels="regression", out_units=2, out_act=None,
                    loss=lambda k: "mse", metrics=lambda k: ["mae", "mse"]),
    "huber": dict(opt=_ADAM, labels="regression", out_units=2, out_act=None,
                  loss=_obj("losses", "Huber", delta=0.5)),
    "class_weight": dict(opt=_ADAM, fit=dict(class_weight={0: 1.0, 1: 2.0, 2: 0.5, 3: 1.5})),
    "sample_weight": dict(opt=_ADAM, sample_weight=True,
                          metrics=lambda k: ["accuracy"],
                          weighted_metrics=lambda k: ["accuracy"]),
    "validation_split": dict(opt=_ADAM, fit=dict(validation_split=0.25)),
    "validation_data": dict(opt=_ADAM, validation_data=True,
                            metrics=lambda k: ["accuracy", "categorical_crossentropy"]),
    "duplicate_metric_names": dict(opt=_ADAM, metrics=lambda k: ["accuracy", "accuracy"]),
    "two_outputs_loss_weights": dict(
        opt=_ADAM, build=_two_outputs, labels="two", loss=lambda k: {
            "cls": "categorical_crossentropy", "reg": "mse"},
        loss_weights=lambda k: {"cls": 1.0, "reg": 0.5},
        metrics=lambda k: {"cls": ["accuracy"], "reg": ["mae"]}),
    # SGD: Keras-on-TF hands Adam the Embedding gradient as tf.IndexedSlices and its
    # ops.square squares each token's slice before duplicates are summed (v gets
    # sum(g_i^2), not (sum g_i)^2): a TF-backend artifact cuflow's dense gradient does not
    # reproduce (a known deviation, bench/RESULTS_keras.md).
    "embedding": dict(opt=_opt("SGD", learning_rate=0.5, momentum=0.9), build=_embedding,
                      kind="tokens"),
    "batchnorm": dict(opt=_ADAM, build=_batchnorm),
    "regularizers": dict(opt=_ADAM, build=_regularized),
    "exponential_decay": dict(opt=lambda k: k.optimizers.SGD(
        k.optimizers.schedules.ExponentialDecay(0.2, decay_steps=4, decay_rate=0.5),
        momentum=0.5)),
    "cosine_decay_warmup": dict(opt=lambda k: k.optimizers.Adam(
        k.optimizers.schedules.CosineDecay(0.0, decay_steps=10, warmup_target=0.02,
                                           warmup_steps=5))),
    "adam_ema": dict(opt=_opt("Adam", learning_rate=0.01, use_ema=True, ema_momentum=0.9)),
    "kld_poisson_hinge_metrics": dict(opt=_ADAM, loss=lambda k: "kl_divergence",
                                      metrics=lambda k: ["poisson", "categorical_hinge",
                                                         "top_k_categorical_accuracy",
                                                         k.metrics.F1Score(average="macro")]),
    "steps_per_execution": dict(opt=_ADAM, compile=dict(steps_per_execution=3),
                                fit=dict(validation_split=0.25)),
    "simple_rnn": dict(opt=_ADAM, kind="lstm", build=_seq(lambda L: L.SimpleRNN(6))),
    "bidirectional_lstm_sequences": dict(opt=_ADAM, kind="lstm", build=_seq(
        lambda L: L.Bidirectional(L.LSTM(4, return_sequences=True)),
        lambda L: L.GlobalAveragePooling1D())),
    "gru_go_backwards": dict(opt=_ADAM, kind="lstm", build=_seq(
        lambda L: L.GRU(5, go_backwards=True, reset_after=False))),
    "conv1d_pool": dict(opt=_ADAM, kind="lstm", build=_seq(
        lambda L: L.Conv1D(4, 2, padding="same", activation="relu"),
        lambda L: L.MaxPooling1D(2), lambda L: L.Flatten())),
    "layernorm_groupnorm": dict(opt=_ADAM, build=_seq(
        lambda L: L.Dense(8), lambda L: L.LayerNormalization(),
        lambda L: L.Reshape((8, 1)), lambda L: L.GroupNormalization(groups=1),
        lambda L: L.Flatten(), shape=(FEATURES,))),
    "attention": dict(opt=_ADAM, kind="lstm", build=_attention),
    "masked_lstm": dict(opt=_opt("SGD", learning_rate=0.5, momentum=0.9), kind="tokens",
                        build=_masked_lstm),  # SGD: see "embedding"
    "separable_transpose_conv": dict(opt=_ADAM, kind="conv", build=_seq(
        lambda L: L.SeparableConv2D(3, 3, padding="same", activation="relu"),
        lambda L: L.DepthwiseConv2D(2), lambda L: L.Conv2DTranspose(2, 2, strides=2),
        lambda L: L.AveragePooling2D(2), lambda L: L.Flatten(), shape=(6, 6, 2))),
    # a Python generator: finite (epochs end when it runs out: only the first has data),
    # and endless with steps_per_epoch (batches carry over from epoch to epoch)
    "generator_finite": dict(opt=_ADAM, generator="finite", fit=dict(epochs=1)),
    "generator_steps_per_epoch": dict(opt=_ADAM, generator="endless",
                                      fit=dict(steps_per_epoch=4),
                                      compile=dict(steps_per_execution=3)),
    "reduce_lr_on_plateau": dict(opt=_ADAM, fit=dict(epochs=4), callbacks=lambda k: [
        k.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=0, min_delta=1.0)]),
    "early_stopping_restore": dict(opt=_ADAM, fit=dict(epochs=5, validation_split=0.25),
                                   callbacks=lambda k: [k.callbacks.EarlyStopping(
                                       monitor="val_loss", patience=1, min_delta=0.5,
                                       restore_best_weights=True)]),
    "lr_scheduler": dict(opt=_opt("SGD", learning_rate=0.2, momentum=0.5),
                         callbacks=lambda k: [k.callbacks.LearningRateScheduler(
                             lambda epoch, lr: lr * 0.5 if epoch else lr)]),
    "initial_epoch_validation_freq": dict(opt=_ADAM, fit=dict(
        epochs=5, initial_epoch=1, validation_split=0.25, validation_freq=2)),
    "conv": dict(opt=_ADAM, kind="conv"),
    "lstm": dict(opt=_ADAM, kind="lstm"),
    "gru": dict(opt=_ADAM, kind="gru"),
}
FAST = ("sgd_nesterov", "adam")  # the minimum


def _batches(x, y, size, endless):
    while True:
        for i in range(0, len(x), size):
            yield x[i:i + size], y[i:i + size]
        if not endless:
            return


def _recorder(keras):
    """A callback writing down every hook Keras calls: name, index, sorted log keys."""
    events = []

    def hook(name):
        def record(self, *args, **kwargs):
            logs = kwargs.get("logs", args[-1] if args and isinstance(args[-1], dict) else None)
            index = args[0] if args and isinstance(args[0], int) else ""
            events.append(f"{name}({index}){sorted(logs) if logs else ''}")
        return record
    names = [f"on_{w}_{e}" for w in ("train", "test", "predict", "epoch")
             for e in ("begin", "end")] + [f"on_{w}_batch_{e}" for w in
                                           ("train", "test", "predict") for e in ("begin", "end")]
    cls = type("Recorder", (keras.callbacks.Callback,), {n: hook(n) for n in names})
    return cls(), events


def run_case(keras, name):
    """Fits one case; returns (weights after fit, History.history as lists of floats)."""
    spec = CASES[name]
    kind = spec.get("kind", "mlp")
    x, y = data(kind, spec.get("labels", "onehot"))
    if "build" in spec:
        model = spec["build"](keras)
    else:
        model = build(keras, kind, spec.get("out_units", CLASSES),
                      spec.get("out_act", "softmax"))
    model.set_weights(initial_weights(model))
    loss = spec.get("loss", lambda k: "categorical_crossentropy")(keras)
    metrics = spec.get("metrics", lambda k: ["accuracy"])(keras)
    weighted = spec.get("weighted_metrics", lambda k: None)(keras)
    model.compile(optimizer=spec["opt"](keras), loss=loss, metrics=metrics,
                  weighted_metrics=weighted,
                  loss_weights=spec.get("loss_weights", lambda k: None)(keras),
                  **spec.get("compile", {}))
    fit = {**dict(batch_size=16, epochs=3, shuffle=False, verbose=0), **spec.get("fit", {})}
    if spec.get("sample_weight"):
        fit["sample_weight"] = np.linspace(0.2, 2.0, N).astype(np.float32)
    if spec.get("validation_data"):
        vx, vy = data(kind, spec.get("labels", "onehot"))
        fit["validation_data"] = (vx[::-1][:40], vy[::-1][:40])
    recorder, events = _recorder(keras)
    callbacks = spec.get("callbacks", lambda k: [])(keras) + [recorder]
    if spec.get("generator"):
        history = model.fit(_batches(x, y, 16, spec["generator"] == "endless"),
                            callbacks=callbacks, **{k: v for k, v in fit.items()
                                                    if k not in ("batch_size", "shuffle")})
    else:
        history = model.fit(x, y, callbacks=callbacks, **fit)
    hist = {k: [float(v) for v in vals] for k, vals in history.history.items()}
    hist["__callbacks__"] = events  # hook order, batch indices and log keys, compared exactly
    # evaluate's dict and predict's outputs join the History for the comparison
    ev = model.evaluate(x, y, batch_size=32, verbose=0, return_dict=True)
    hist.update({"evaluate/" + k: [float(v)] for k, v in ev.items()})
    pred = model.predict(x[:8], verbose=0)
    for i, p in enumerate(pred if isinstance(pred, (list, tuple)) else
                          (pred.values() if isinstance(pred, dict) else [pred])):
        hist[f"predict/{i}"] = [float(v) for v in np.asarray(p).ravel()]
    return [np.asarray(w) for w in model.get_weights()], hist


# --- the TF half, in TF's interpreter -----------------------------------------------------
def _worker(out_path, names):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    keras.utils.set_random_seed(0)
    arrays, meta = {}, {"keras": keras.__version__, "histories": {}, "errors": {}}
    for name in names:
        try:
            weights, hist = run_case(keras, name)
        except Exception as e:  # reported per case, the others still run
            meta["errors"][name] = f"{type(e).__name__}: {e}"
            continue
        for i, w in enumerate(weights):
            arrays[f"{name}/{i}"] = w
        meta["histories"][name] = hist
    arrays["__meta__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    tmp = out_path + ".tmp.npz"
    np.savez(tmp, **arrays)
    os.replace(tmp, out_path)


def tf_python():
    """An interpreter that imports TensorFlow: $CUFLOW_TF_PYTHON, this one, /work/tfenv."""
    import importlib.util
    candidates = [os.environ.get("CUFLOW_TF_PYTHON")]
    if importlib.util.find_spec("tensorflow") is not None:
        candidates.append(sys.executable)
    candidates.append("/work/tfenv/bin/python")
    for c in candidates:
        if c and os.path.exists(c):
            return c
    return None


def run_tf(names, python=None, timeout=600):
    """{case: (weights, history)} plus {case: error} from Keras-on-TF in a subprocess."""
    python = python or tf_python()
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "tf.npz")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        proc = subprocess.run([python, os.path.abspath(__file__), "--worker", out, *names],
                              capture_output=True, text=True, timeout=timeout, env=env)
        if proc.returncode != 0 or not os.path.exists(out):
            raise RuntimeError(f"TF worker failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        with np.load(out) as z:
            meta = json.loads(bytes(z["__meta__"]).decode())
            results = {}
            for name, hist in meta["histories"].items():
                n = sum(1 for k in z.files if k.startswith(name + "/"))
                results[name] = ([z[f"{name}/{i}"] for i in range(n)], hist)
    return results, meta["errors"], meta["keras"]


def compare(ours, ref):
    """(worst weight difference, worst history difference, list of problems)."""
    (w1, h1), (w2, h2) = ours, ref
    problems = []
    if len(w1) != len(w2):
        return np.inf, np.inf, [f"{len(w1)} weights vs {len(w2)}"]
    wdiff = max(float(np.abs(a - b).max()) for a, b in zip(w1, w2))
    if list(h1) != list(h2):  # the names and their order (Keras 3 sorts its logs)
        problems.append(f"History keys {list(h1)} vs TF {list(h2)}")
    hdiff = 0.0
    for k in set(h1) & set(h2):
        if k.startswith("__"):
            if h1[k] != h2[k]:
                first = next(i for i, (p, q) in enumerate(zip(h1[k] + [None], h2[k] + [None]))
                             if p != q)
                problems.append(f"{k} differ from event {first}: {h1[k][first:first + 3]} vs "
                                f"TF {h2[k][first:first + 3]}")
            continue
        a, b = np.asarray(h1[k]), np.asarray(h2[k])
        if a.shape != b.shape:
            problems.append(f"{k}: {a.shape} values vs {b.shape}")
            continue
        d = float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))
        hdiff = max(hdiff, d)
        if d > TOL:
            problems.append(f"{k}: {a.round(6).tolist()} vs TF {b.round(6).tolist()}")
    if wdiff > TOL:
        problems.append(f"weights differ by {wdiff:.2e}")
    return wdiff, hdiff, problems


def main(argv):
    if "--worker" in argv:
        i = argv.index("--worker")
        _worker(argv[i + 1], argv[i + 2:])
        return 0
    python = None
    if "--tf-python" in argv:
        i = argv.index("--tf-python")
        python = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
    names = [a for a in argv if not a.startswith("-")] or list(CASES)
    python = python or tf_python()
    if python is None:
        print("no interpreter with TensorFlow found: parity check skipped")
        return 0
    import cuflow as cf
    ref, errors, version = run_tf(names, python)
    print(f"Keras {version} on TensorFlow ({python}) vs cuflow; tolerance {TOL}")
    bad = 0
    for name in names:
        if name in errors:
            print(f"{name:28s} TF failed: {errors[name]}")
            bad += 1
            continue
        wdiff, hdiff, problems = compare(run_case(cf.keras, name), ref[name])
        bad += bool(problems)
        print(f"{name:28s} weights {wdiff:.1e}  history {hdiff:.1e}  "
              + ("OK" if not problems else "OFF: " + "; ".join(problems)))
    print(f"{len(names) - bad}/{len(names)} cases within {TOL}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
