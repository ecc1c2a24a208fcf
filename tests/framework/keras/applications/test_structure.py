"""cf.keras.applications against structure recorded from Keras 3 (keras_structure.json,
written by record_keras.py under TensorFlow): layer classes, names and order, per-layer and
total parameter counts, weight counts and output shapes."""
import json
import os
import re

import cuflow as cf
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "keras_structure.json")) as f:
    KERAS = json.load(f)

FAST = ["ResNet50@small", "MobileNetV2@small", "VGG16@small", "EfficientNetB0@small",
        "DenseNet121@small", "InceptionV3@small", "MobileNet@small", "MobileNetV3Small@small",
        "Xception@small", "ResNet50V2@small", "ResNet50_notop64", "VGG16_notop_max",
        "MobileNet_a050", "MobileNetV2_a035_96", "MobileNetV2_a14_notop_avg",
        "MobileNetV3Small_min", "DenseNet121_notop_max",
        # apis1's families: one small build each (the rest run as slow)
        "EfficientNetV2B0@small", "EfficientNetV2S_notop_max", "ConvNeXtTiny_notop",
        "NASNetMobile_notop_avg"]
# default-size builds of the big-input EfficientNets take minutes: their "@small" records
# check the same layers
SLOW = sorted(set(KERAS) - set(FAST) - {f"EfficientNetB{i}" for i in range(2, 8)})


def _snake(name):
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _auto_named(name, cls):
    """Keras chose the name from the class and a global counter (e.g. ``conv2d_3``)."""
    return re.sub(r"_\d+$", "", name) == _snake(cls)


def _build(key):
    rec = KERAS[key]
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in rec["kwargs"].items()}
    return getattr(cf.keras.applications, rec["fn"])(weights=None, **kwargs)


def _check(key):
    rec = KERAS[key]
    model = _build(key)
    # MobileNetV3's hard_sigmoid writes `x + 3` / `x * (1/6)` on symbolic tensors: Keras 3
    # records those as operations, cuflow as small operator layers.
    ours = [(layer.name, type(layer).__name__, layer.count_params()) for layer in model.layers
            if type(layer).__name__ != "_OpLayer"]
    theirs = [tuple(x) for x in rec["layers"]]
    assert [c for _, c, _ in ours] == [c for _, c, _ in theirs]
    assert [p for _, _, p in ours] == [p for _, _, p in theirs]
    for (name, _, _), (kname, kcls, _) in zip(ours, theirs):
        if not _auto_named(kname, kcls):
            assert name == kname
    assert model.name == rec["name"]
    assert model.count_params() == rec["params"]
    assert sum(int(w.shape.num_elements()) for w in model.trainable_weights) == rec["trainable"]
    assert len(model.weights) == rec["n_weights"]
    assert list(model.output_shape) == rec["output_shape"]


@pytest.mark.parametrize("key", FAST)
def test_structure_matches_keras(key):
    _check(key)


@pytest.mark.slow
@pytest.mark.parametrize("key", SLOW)
def test_structure_matches_keras_slow(key):
    _check(key)
