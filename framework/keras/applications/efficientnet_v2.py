"""EfficientNetV2 B0-B3/S/M/L as ``keras.applications.efficientnet_v2`` (Keras 3's layer
names, order and parameter counts, so Keras weight files load).

Inputs are pixels in [0, 255]: the model rescales them itself (``include_preprocessing``),
so ``preprocess_input`` is the identity, as in Keras.

>>> import cuflow as cf
>>> m = cf.keras.applications.EfficientNetV2B0(weights=None, include_top=False,
...                                            input_shape=(32, 32, 3), pooling="avg")
>>> m.count_params(), m.output_shape
(5919312, (None, 1280))
"""
import copy
import math

from .. import backend, initializers, layers
from ..models import Model
from . import imagenet_utils as iu
from .efficientnet import CONV_KERNEL_INITIALIZER, DENSE_KERNEL_INITIALIZER  # noqa: F401


def _stages(*rows):
    keys = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
            "se_ratio", "strides", "conv_type")
    return [dict(zip(keys, r)) for r in rows]


# (kernel, repeats, in, out, expand, se_ratio, strides, conv_type: 1 fused, 0 MBConv)
_B = _stages((3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
             (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
             (3, 8, 112, 192, 6, 0.25, 2, 0))
DEFAULT_BLOCKS_ARGS = {
    "efficientnetv2-s": _stages(
        (3, 2, 24, 24, 1, 0.0, 1, 1), (3, 4, 24, 48, 4, 0.0, 2, 1), (3, 4, 48, 64, 4, 0, 2, 1),
        (3, 6, 64, 128, 4, 0.25, 2, 0), (3, 9, 128, 160, 6, 0.25, 1, 0),
        (3, 15, 160, 256, 6, 0.25, 2, 0)),
    "efficientnetv2-m": _stages(
        (3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1), (3, 5, 48, 80, 4, 0, 2, 1),
        (3, 7, 80, 160, 4, 0.25, 2, 0), (3, 14, 160, 176, 6, 0.25, 1, 0),
        (3, 18, 176, 304, 6, 0.25, 2, 0), (3, 5, 304, 512, 6, 0.25, 1, 0)),
    "efficientnetv2-l": _stages(
        (3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1), (3, 7, 64, 96, 4, 0, 2, 1),
        (3, 10, 96, 192, 4, 0.25, 2, 0), (3, 19, 192, 224, 6, 0.25, 1, 0),
        (3, 25, 224, 384, 6, 0.25, 2, 0), (3, 7, 384, 640, 6, 0.25, 1, 0)),
    **{f"efficientnetv2-b{i}": copy.deepcopy(_B) for i in range(4)},
}


def preprocess_input(x, data_format=None):
    """The identity: EfficientNetV2 models take pixels in [0, 255] (as Keras)."""
    return x


def decode_predictions(preds, top=5):
    return iu.decode_predictions(preds, top=top)


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    filters *= width_coefficient
    minimum = min_depth or depth_divisor
    return int(max(minimum, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _bn_axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def _conv(filters, kernel_size, name, strides=1, **kw):
    return layers.Conv2D(filters, kernel_size=kernel_size, strides=strides, padding="same",
                         kernel_initializer=CONV_KERNEL_INITIALIZER, name=name, **kw)


def _squeeze_excite(x, input_filters, filters, se_ratio, activation, name, bn_axis):
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    se = layers.Reshape((filters, 1, 1) if bn_axis == 1 else (1, 1, filters),
                        name=f"{name}se_reshape")(se)
    se = _conv(filters_se, 1, f"{name}se_reduce", activation=activation)(se)
    se = _conv(filters, 1, f"{name}se_expand", activation="sigmoid")(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _residual(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    if strides == 1 and input_filters == output_filters:
        if survival_probability:  # Keras uses the probability as the dropout rate
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                               name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def MBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                se_ratio=0.0, bn_momentum=0.9, activation="swish", survival_probability=0.8,
                name=None):
    """Expand (1x1), depthwise, squeeze-excite, project (1x1), residual."""
    bn_axis = _bn_axis()
    name = name or backend.get_uid("block0")
    fmt = backend.image_data_format()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, 1, f"{name}expand_conv", data_format=fmt, use_bias=False)(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum,
                                          name=f"{name}expand_bn")(x)
            x = layers.Activation(activation, name=f"{name}expand_activation")(x)
        x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides,
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   padding="same", data_format=fmt, use_bias=False,
                                   name=f"{name}dwconv2")(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name=f"{name}bn")(x)
        x = layers.Activation(activation, name=f"{name}activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, input_filters, filters, se_ratio, activation, name, bn_axis)
        x = _conv(output_filters, 1, f"{name}project_conv", data_format=fmt, use_bias=False)(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum,
                                      name=f"{name}project_bn")(x)
        return _residual(x, inputs, strides, input_filters, output_filters,
                         survival_probability, name)
    return apply


def FusedMBConvBlock(input_filters, output_filters, expand_ratio=1, kernel_size=3, strides=1,
                     se_ratio=0.0, bn_momentum=0.9, activation="swish",
                     survival_probability=0.8, name=None):
    """A full kxk expand conv instead of 1x1 + depthwise, then squeeze-excite, project."""
    bn_axis = _bn_axis()
    name = name or backend.get_uid("block0")
    fmt = backend.image_data_format()

    def apply(inputs):
        filters = input_filters * expand_ratio
        x = inputs
        if expand_ratio != 1:
            x = _conv(filters, kernel_size, f"{name}expand_conv", strides=strides,
                      data_format=fmt, use_bias=False)(x)
            x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum,
                                          name=f"{name}expand_bn")(x)
            x = layers.Activation(activation=activation, name=f"{name}expand_activation")(x)
        if 0 < se_ratio <= 1:
            x = _squeeze_excite(x, input_filters, filters, se_ratio, activation, name, bn_axis)
        expanded = expand_ratio != 1
        x = _conv(output_filters, 1 if expanded else kernel_size, f"{name}project_conv",
                  strides=1 if expanded else strides, use_bias=False)(x)
        x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum,
                                      name=f"{name}project_bn")(x)
        if not expanded:
            x = layers.Activation(activation=activation, name=f"{name}project_activation")(x)
        return _residual(x, inputs, strides, input_filters, output_filters,
                         survival_probability, name)
    return apply


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True, weights_name=None):
    """The EfficientNetV2 skeleton (``blocks_args="default"`` looks the stages up by
    ``name``, as Keras does)."""
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[name]
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                        data_format=backend.image_data_format(),
                                        require_flatten=include_top, weights=weights)
    img_input = iu.image_input(input_tensor, input_shape)
    bn_axis = _bn_axis()
    x = img_input
    if include_preprocessing:
        if name.split("-")[-1].startswith("b") and input_shape[bn_axis - 1] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2],
                                     axis=bn_axis)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    def filters(n):
        return round_filters(n, width_coefficient, min_depth, depth_divisor)

    x = _conv(filters(blocks_args[0]["input_filters"]), 3, "stem_conv", strides=2,
              use_bias=False)(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)
    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    total = float(sum(a["num_repeat"] for a in blocks_args))
    for i, args in enumerate(blocks_args):
        if args["num_repeat"] <= 0:
            raise ValueError("The number of repeats in `EfficientNetV2` must be > 0. "
                             f"Received: num_repeat={args['num_repeat']}")
        args["input_filters"] = filters(args["input_filters"])
        args["output_filters"] = filters(args["output_filters"])
        block = {0: MBConvBlock, 1: FusedMBConvBlock}[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / total,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)(x)
            b += 1
    x = _conv(filters(1280), 1, "top_conv", data_format=backend.image_data_format(),
              use_bias=False)(x)
    x = layers.BatchNormalization(axis=bn_axis, momentum=bn_momentum, name="top_bn")(x)
    x = layers.Activation(activation=activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=DENSE_KERNEL_INITIALIZER,
                         bias_initializer=initializers.Constant(0.0), name="predictions")(x)
    else:
        x = iu.pool(x, pooling, "avg_pool", "max_pool")
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=name)
    return iu.load_weights(model, weights, name + (".h5" if include_top else "_notop.h5"))


_VARIANTS = {"B0": (1.0, 1.0, 224), "B1": (1.0, 1.1, 240), "B2": (1.1, 1.2, 260),
             "B3": (1.2, 1.4, 300), "S": (1.0, 1.0, 384), "M": (1.0, 1.0, 480),
             "L": (1.0, 1.0, 480)}


def _make(variant):
    width, depth, size = _VARIANTS[variant]
    default_name = f"efficientnetv2-{variant.lower()}"

    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000, classifier_activation="softmax",
                    include_preprocessing=True, name=default_name):
        return EfficientNetV2(width_coefficient=width, depth_coefficient=depth,
                              default_size=size, name=name, include_top=include_top,
                              weights=weights, input_tensor=input_tensor,
                              input_shape=input_shape, pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing,
                              weights_name=variant.lower())
    constructor.__name__ = constructor.__qualname__ = f"EfficientNetV2{variant}"
    constructor.__doc__ = (f"EfficientNetV2{variant} (width {width}, depth {depth}, default "
                           f"input {size}x{size}; takes pixels in [0, 255]).")
    return constructor


EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3 = (
    _make(v) for v in ("B0", "B1", "B2", "B3"))
EfficientNetV2S, EfficientNetV2M, EfficientNetV2L = (_make(v) for v in ("S", "M", "L"))
