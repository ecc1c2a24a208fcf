"""Xception as ``keras.applications.xception`` (Keras 3 layer order and counts; inputs in
[-1, 1]).

>>> import cuflow as cf
>>> cf.keras.applications.Xception(weights=None, include_top=False,
...                                input_shape=(71, 71, 3)).output_shape
(None, 3, 3, 2048)
"""
from .. import backend, layers
from ..models import Model
from . import imagenet_utils as iu

preprocess_input, decode_predictions = iu.family("tf")


def _axis():
    return 1 if backend.image_data_format() == "channels_first" else -1


def _sep_bn(x, filters, name, act_before=True):
    if act_before:
        x = layers.Activation("relu", name=f"{name}_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=_axis(), name=f"{name}_bn")(x)


def _residual(x, filters):
    r = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=_axis())(r)


def _pool(x, name):
    return layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=name)(x)


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="xception"):
    """Xception (default input 299x299x3, at least 71x71)."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(input_shape, default_size=299, min_size=71,
                                        data_format=backend.image_data_format(),
                                        require_flatten=include_top, weights=weights)
    img_input = iu.image_input(input_tensor, input_shape)
    axis = _axis()
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = layers.BatchNormalization(axis=axis, name="block1_conv1_bn")(x)
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = layers.BatchNormalization(axis=axis, name="block1_conv2_bn")(x)
    x = layers.Activation("relu", name="block1_conv2_act")(x)
    residual = _residual(x, 128)
    x = layers.SeparableConv2D(128, (3, 3), padding="same", use_bias=False,
                               name="block2_sepconv1")(x)
    x = layers.BatchNormalization(axis=axis, name="block2_sepconv1_bn")(x)
    x = _sep_bn(layers.Activation("relu", name="block2_sepconv2_act")(x), 128,
                "block2_sepconv2", act_before=False)
    x = layers.add([_pool(x, "block2_pool"), residual])
    for block, filters in ((3, 256), (4, 728)):
        residual = _residual(x, filters)
        x = _sep_bn(x, filters, f"block{block}_sepconv1")
        x = _sep_bn(x, filters, f"block{block}_sepconv2")
        x = layers.add([_pool(x, f"block{block}_pool"), residual])
    for i in range(8):
        residual = x
        for j in (1, 2, 3):
            x = _sep_bn(x, 728, f"block{i + 5}_sepconv{j}")
        x = layers.add([x, residual])
    residual = _residual(x, 1024)
    x = _sep_bn(x, 728, "block13_sepconv1")
    x = _sep_bn(x, 1024, "block13_sepconv2")
    x = layers.add([_pool(x, "block13_pool"), residual])
    x = _sep_bn(x, 1536, "block14_sepconv1", act_before=False)
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = _sep_bn(x, 2048, "block14_sepconv2", act_before=False)
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.pool(x, pooling)
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=name)
    top = "" if include_top else "_notop"
    return iu.load_weights(model, weights, f"xception_weights_tf_dim_ordering_tf_kernels{top}.h5")
