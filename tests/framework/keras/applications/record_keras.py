"""Record Keras's structure of each application (run with /work/tfenv/bin/python; not CI).

Writes keras_structure.json next to this file: per config, the model's layer
(name, class) list, count_params(), trainable weight count and output shape.

    /work/tfenv/bin/python tests/framework/keras/applications/record_keras.py
"""
import json
import os
import sys

import keras

SMALL = {"InceptionV3": 75, "Xception": 71, "MobileNet": 32, "MobileNetV2": 32}
MODELS = (["ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2",
           "VGG16", "VGG19", "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large",
           "DenseNet121", "DenseNet169", "DenseNet201", "InceptionV3", "Xception"]
          + [f"EfficientNetB{i}" for i in range(8)])
# "<Model>": the default configuration; "<Model>@small": include_top at a small input
CONFIGS = {m: {"fn": m, "kwargs": {}} for m in MODELS}
CONFIGS.update({f"{m}@small": {"fn": m, "kwargs": {"input_shape": (SMALL.get(m, 32),) * 2 + (3,),
                                                      "classes": 10}} for m in MODELS})
CONFIGS.update({
    "ResNet50_notop64": {"fn": "ResNet50", "kwargs": {"include_top": False,
                                                        "input_shape": (64, 64, 3)}},
    "VGG16_notop_max": {"fn": "VGG16", "kwargs": {"include_top": False, "pooling": "max",
                                                    "input_shape": (48, 48, 3)}},
    "MobileNet_a050": {"fn": "MobileNet", "kwargs": {"alpha": 0.5, "input_shape": (128, 128, 3),
                                                       "include_top": False}},
    "MobileNetV2_a035_96": {"fn": "MobileNetV2", "kwargs": {"alpha": 0.35,
                                                              "input_shape": (96, 96, 3)}},
    "MobileNetV2_a14_notop_avg": {"fn": "MobileNetV2", "kwargs": {
        "alpha": 1.4, "include_top": False, "pooling": "avg", "input_shape": (32, 32, 3)}},
    "MobileNetV3Small_min": {"fn": "MobileNetV3Small", "kwargs": {
        "minimalistic": True, "alpha": 0.75, "input_shape": (32, 32, 3), "include_top": False}},
    "DenseNet121_notop_max": {"fn": "DenseNet121", "kwargs": {
        "include_top": False, "pooling": "max", "input_shape": (32, 32, 3)}},
})


# apis1: the families added later, recorded at small inputs only (their default-size builds
# check the same layers and take minutes in cuflow's shape inference)
NEW = (["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge"]
       + [f"EfficientNetV2{v}" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")]
       + ["InceptionResNetV2", "NASNetMobile", "NASNetLarge"])
CONFIGS.update({f"{m}@small": {"fn": m, "kwargs": {
    "input_shape": (75 if m == "InceptionResNetV2" else 32,) * 2 + (3,), "classes": 10}}
    for m in NEW})
CONFIGS.update({
    "EfficientNetV2S_notop_max": {"fn": "EfficientNetV2S", "kwargs": {
        "include_top": False, "pooling": "max", "input_shape": (32, 32, 3)}},
    "ConvNeXtTiny_notop": {"fn": "ConvNeXtTiny", "kwargs": {
        "include_top": False, "input_shape": (32, 32, 3)}},
    "NASNetMobile_notop_avg": {"fn": "NASNetMobile", "kwargs": {
        "include_top": False, "pooling": "avg", "input_shape": (32, 32, 3)}},
})


def record(key):
    cfg = CONFIGS[key]
    keras.backend.clear_session()
    m = getattr(keras.applications, cfg["fn"])(weights=None, **cfg["kwargs"])
    return {"fn": cfg["fn"], "kwargs": {k: list(v) if isinstance(v, tuple) else v
                                      for k, v in cfg["kwargs"].items()},
                "name": m.name, "layers": [[l.name, type(l).__name__, int(l.count_params())] for l in m.layers],
                "params": int(m.count_params()),
                "trainable": int(sum(int(w.numpy().size) for w in m.trainable_weights)),
                "n_weights": len(m.weights), "output_shape": list(m.output_shape)}


if __name__ == "__main__":
    keys = sys.argv[1:] or list(CONFIGS)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_structure.json")
    data = {}
    if os.path.exists(path):
        with open(path) as f:
            data = json.load(f)
    for k in keys:
        data[k] = record(k)
        print(k, data[k]["params"], len(data[k]["layers"]), flush=True)
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
    os.replace(path + ".tmp", path)
