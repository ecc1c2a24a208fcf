"""``cf.keras.applications``: Keras's ImageNet model zoo (ResNet, VGG, MobileNet, DenseNet,
EfficientNet(V2), ConvNeXt, Inception(ResNet), NASNet, Xception) built from cuflow layers,
with Keras 3's layer names, order and parameter counts so that Keras weight files load into
them.

Loaded lazily: ``import cuflow`` does not import it; the families import on first use.

>>> import cuflow as cf
>>> m = cf.keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3),
...                                       include_top=False, pooling="avg")
>>> m.output_shape
(None, 1280)
"""
import importlib as _importlib

from . import imagenet_utils  # noqa: F401

# public constructor -> family module
_MODELS = {
    "ResNet50": "resnet", "ResNet101": "resnet", "ResNet152": "resnet",
    "ResNet50V2": "resnet_v2", "ResNet101V2": "resnet_v2", "ResNet152V2": "resnet_v2",
    "VGG16": "vgg16", "VGG19": "vgg19",
    "MobileNet": "mobilenet", "MobileNetV2": "mobilenet_v2",
    "MobileNetV3Small": "mobilenet_v3", "MobileNetV3Large": "mobilenet_v3",
    "DenseNet121": "densenet", "DenseNet169": "densenet", "DenseNet201": "densenet",
    **{f"EfficientNetB{i}": "efficientnet" for i in range(8)},
    "InceptionV3": "inception_v3", "Xception": "xception",
    **{f"ConvNeXt{v}": "convnext" for v in ("Tiny", "Small", "Base", "Large", "XLarge")},
    **{f"EfficientNetV2{v}": "efficientnet_v2" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")},
    "InceptionResNetV2": "inception_resnet_v2", "NASNetMobile": "nasnet", "NASNetLarge": "nasnet",
}
_MODULES = {"resnet", "resnet50", "resnet_v2", "vgg16", "vgg19", "mobilenet", "mobilenet_v2",
            "mobilenet_v3", "densenet", "efficientnet", "inception_v3", "xception",
            "convnext", "efficientnet_v2", "inception_resnet_v2", "nasnet"}


def __getattr__(name):
    if name in _MODELS:
        value = getattr(_importlib.import_module("." + _MODELS[name], __name__), name)
    elif name in _MODULES:
        value = _importlib.import_module("." + name, __name__)
    else:
        raise AttributeError(f"module 'cuflow.keras.applications' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_MODELS) | _MODULES)
