"""Record Keras's structure of each application (run with /work/tfenv/bin/python; not CI).

Writes keras_structure.json next to this file: per config, the model's layer
(name, class) list, count_params(), trainable weight count and output shape.

    /work/tfenv/bin/python tests/framework/keras/applications/record_keras.py
"""
import json
import os
import sys

import keras

CONFIGS = {
    "ResNet50": dict(fn="ResNet50", kwargs={}),
    "ResNet50_notop64": dict(fn="ResNet50", kwargs=dict(include_top=False,
                                                        input_shape=(64, 64, 3))),
    "ResNet101": dict(fn="ResNet101", kwargs={}),
    "ResNet152": dict(fn="ResNet152", kwargs={}),
    "ResNet50V2": dict(fn="ResNet50V2", kwargs={}),
    "ResNet101V2": dict(fn="ResNet101V2", kwargs={}),
    "ResNet152V2": dict(fn="ResNet152V2", kwargs={}),
    "VGG16": dict(fn="VGG16", kwargs={}),
    "VGG19": dict(fn="VGG19", kwargs={}),
    "VGG16_notop_max": dict(fn="VGG16", kwargs=dict(include_top=False, pooling="max",
                                                    input_shape=(48, 48, 3))),
    "MobileNet": dict(fn="MobileNet", kwargs={}),
    "MobileNet_a050": dict(fn="MobileNet", kwargs=dict(alpha=0.5, input_shape=(128, 128, 3),
                                                       include_top=False)),
    "MobileNetV2": dict(fn="MobileNetV2", kwargs={}),
    "MobileNetV2_a035_96": dict(fn="MobileNetV2", kwargs=dict(alpha=0.35,
                                                              input_shape=(96, 96, 3))),
    "MobileNetV2_notop64": dict(fn="MobileNetV2", kwargs=dict(include_top=False,
                                                              input_shape=(64, 64, 3))),
    "MobileNetV3Small": dict(fn="MobileNetV3Small", kwargs={}),
    "MobileNetV3Large": dict(fn="MobileNetV3Large", kwargs={}),
    "DenseNet121": dict(fn="DenseNet121", kwargs={}),
    "DenseNet169": dict(fn="DenseNet169", kwargs={}),
    "DenseNet201": dict(fn="DenseNet201", kwargs={}),
    **{f"EfficientNetB{i}": dict(fn=f"EfficientNetB{i}", kwargs={}) for i in range(8)},
    "InceptionV3": dict(fn="InceptionV3", kwargs={}),
    "InceptionV3_notop": dict(fn="InceptionV3", kwargs=dict(include_top=False,
                                                            input_shape=(75, 75, 3))),
    "Xception": dict(fn="Xception", kwargs={}),
}


def record(key):
    cfg = CONFIGS[key]
    keras.backend.clear_session()
    m = getattr(keras.applications, cfg["fn"])(weights=None, **cfg["kwargs"])
    return dict(fn=cfg["fn"], kwargs={k: list(v) if isinstance(v, tuple) else v
                                      for k, v in cfg["kwargs"].items()},
                name=m.name, layers=[[l.name, type(l).__name__] for l in m.layers],
                params=int(m.count_params()),
                trainable=int(sum(int(w.numpy().size) for w in m.trainable_weights)),
                n_weights=len(m.weights), output_shape=list(m.output_shape))


if __name__ == "__main__":
    keys = sys.argv[1:] or list(CONFIGS)
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_structure.json")
    data = json.load(open(path)) if os.path.exists(path) else {}
    for k in keys:
        data[k] = record(k)
        print(k, data[k]["params"], len(data[k]["layers"]), flush=True)
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
    os.replace(path + ".tmp", path)
