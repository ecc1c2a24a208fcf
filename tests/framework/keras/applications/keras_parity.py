"""Numerical parity of cf.keras.applications with Keras 3 (a script, not a CI test).

Step 1, under TensorFlow/Keras: build each model with seeded random weights (BatchNorm
moving statistics randomized too), run it on a fixed batch, save weights + input + output:

    /work/tfenv/bin/python tests/framework/keras/applications/keras_parity.py dump /tmp/parity

Step 2, under cuflow: build the same model, copy the weights layer by layer (in order),
compare predictions (inference mode) with the saved Keras output:

    .venv/bin/python tests/framework/keras/applications/keras_parity.py check /tmp/parity
"""
import os
import sys

import numpy as np

CASES = {
    "ResNet50": {"input_shape": (64, 64, 3), "classes": 1000, "classifier_activation": None},
    "MobileNetV2": {"input_shape": (64, 64, 3), "classes": 1000, "classifier_activation": None},
    "VGG16": {"input_shape": (32, 32, 3), "include_top": False, "pooling": "avg"},
    "DenseNet121": {"input_shape": (64, 64, 3), "classes": 10},
    "EfficientNetB0": {"input_shape": (64, 64, 3), "classes": 10},
    "InceptionV3": {"input_shape": (75, 75, 3), "classes": 10},
    "MobileNetV3Small": {"input_shape": (64, 64, 3), "classes": 10},
    "Xception": {"input_shape": (71, 71, 3), "classes": 10},
    "ResNet50V2": {"input_shape": (64, 64, 3), "classes": 10},
    "MobileNet": {"input_shape": (64, 64, 3), "classes": 10},
}


def dump(folder):
    import keras
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for name, kwargs in CASES.items():
        keras.utils.set_random_seed(0)
        model = getattr(keras.applications, name)(weights=None, **kwargs)
        arrays = {}
        for layer in model.layers:
            ws = layer.get_weights()
            if type(layer).__name__ == "BatchNormalization":  # [gamma,] [beta,] mean, var
                affine = [w + rng.normal(0, 0.1, w.shape).astype(w.dtype) for w in ws[:-2]]
                mean = rng.normal(0, 0.1, ws[-2].shape).astype(ws[-2].dtype)
                var = rng.uniform(0.5, 1.5, ws[-1].shape).astype(ws[-1].dtype)
                layer.set_weights(affine + [mean, var])
        weighted = [layer for layer in model.layers if layer.get_weights()]
        for k, layer in enumerate(weighted):
            for i, w in enumerate(layer.get_weights()):
                arrays[f"w/{k}/{i}"] = w
        arrays["names"] = np.array([layer.name for layer in weighted])
        x = rng.uniform(0, 255, (2,) + kwargs["input_shape"]).astype("float32")
        if name in ("ResNet50", "VGG16"):
            x = keras.applications.resnet.preprocess_input(x.copy())
        elif name not in ("EfficientNetB0", "MobileNetV3Small"):
            x = x / 127.5 - 1.0
        arrays["x"] = x
        arrays["y"] = np.asarray(model(x, training=False))
        np.savez(os.path.join(folder, f"{name}.npz"), **arrays)
        print(name, model.count_params(), arrays["y"].shape, flush=True)


def check(folder):
    import cuflow as cf
    worst = {}
    for name, kwargs in CASES.items():
        data = np.load(os.path.join(folder, f"{name}.npz"))
        model = getattr(cf.keras.applications, name)(weights=None, **kwargs)
        # copy in layer order, as Keras's legacy H5 loader does; names must agree where
        # Keras chose them (auto-generated names depend on global counters)
        weighted = [layer for layer in model.layers if layer.get_weights()]
        assert len(weighted) == len(data["names"]), (len(weighted), len(data["names"]))
        for k, layer in enumerate(weighted):
            n = len(layer.get_weights())
            layer.set_weights([data[f"w/{k}/{i}"] for i in range(n)])
        copied = len(weighted)
        y = model(data["x"], training=False).numpy()
        ref = data["y"]
        err = float(np.max(np.abs(y - ref)))
        scale = float(np.max(np.abs(ref)))
        worst[name] = err
        ok = np.allclose(y, ref, rtol=1e-4, atol=1e-4 * max(1.0, scale))
        print(f"{name}: layers copied {copied}, output {y.shape}, max|diff| {err:.2e} "
              f"(max|ref| {scale:.2e}) {'OK' if ok else 'MISMATCH'}", flush=True)
    return worst


if __name__ == "__main__":
    mode, folder = sys.argv[1], sys.argv[2]
    dump(folder) if mode == "dump" else check(folder)
