"""InceptionV3 as ``keras.applications.inception_v3`` (Keras 3 layer order and counts;
inputs in [-1, 1]).

>>> import cuflow as cf
>>> cf.keras.applications.InceptionV3(weights=None, include_top=False,
...                                   input_shape=(75, 75, 3)).output_shape
(None, 1, 1, 2048)
"""
from .. import backend, layers
from ..models import Model
from . import imagenet_utils as iu

preprocess_input, decode_predictions = iu.family("tf")


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    """Conv (no bias) + BatchNorm (no scale) + ReLU."""
    bn_axis = 1 if backend.image_data_format() == "channels_first" else 3
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=name and f"{name}_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, scale=False, name=name and f"{name}_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _chain(x, specs):
    for spec in specs:
        x = conv2d_bn(x, *spec)
    return x


def _avg_branch(x, filters):
    pool = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(pool, filters, 1, 1)


def _block_35(x, pool_filters, name, axis):
    b1 = conv2d_bn(x, 64, 1, 1)
    b5 = _chain(x, [(48, 1, 1), (64, 5, 5)])
    b3 = _chain(x, [(64, 1, 1), (96, 3, 3), (96, 3, 3)])
    return layers.concatenate([b1, b5, b3, _avg_branch(x, pool_filters)], axis=axis, name=name)


def _block_17(x, f, name, axis):
    b1 = conv2d_bn(x, 192, 1, 1)
    b7 = _chain(x, [(f, 1, 1), (f, 1, 7), (192, 7, 1)])
    b7d = _chain(x, [(f, 1, 1), (f, 7, 1), (f, 1, 7), (f, 7, 1), (192, 1, 7)])
    return layers.concatenate([b1, b7, b7d, _avg_branch(x, 192)], axis=axis, name=name)


def _block_8(x, i, axis):
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=axis,
                            name=f"mixed9_{i}")
    bd = _chain(x, [(448, 1, 1), (384, 3, 3)])
    bd = layers.concatenate([conv2d_bn(bd, 384, 1, 3), conv2d_bn(bd, 384, 3, 1)], axis=axis)
    return layers.concatenate([b1, b3, bd, _avg_branch(x, 192)], axis=axis, name=f"mixed{9 + i}")


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax",
                name="inception_v3"):
    """Inception v3 (default input 299x299x3, at least 75x75)."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(input_shape, default_size=299, min_size=75,
                                        data_format=backend.image_data_format(),
                                        require_flatten=include_top, weights=weights)
    img_input = iu.image_input(input_tensor, input_shape)
    axis = 1 if backend.image_data_format() == "channels_first" else 3
    x = conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = conv2d_bn(x, 32, 3, 3, padding="valid")
    x = conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = conv2d_bn(x, 80, 1, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    for i, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, f"mixed{i}", axis)
    b3 = conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    bd = _chain(x, [(64, 1, 1), (96, 3, 3)])
    bd = conv2d_bn(bd, 96, 3, 3, strides=(2, 2), padding="valid")
    pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, bd, pool], axis=axis, name="mixed3")
    for i, f in enumerate((128, 160, 160, 192)):
        x = _block_17(x, f, f"mixed{4 + i}", axis)
    b3 = conv2d_bn(conv2d_bn(x, 192, 1, 1), 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = _chain(x, [(192, 1, 1), (192, 1, 7), (192, 7, 1)])
    b7 = conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    pool = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = layers.concatenate([b3, b7, pool], axis=axis, name="mixed8")
    for i in range(2):
        x = _block_8(x, i, axis)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.pool(x, pooling)
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=name)
    top = "" if include_top else "_notop"
    return iu.load_weights(model, weights,
                           f"inception_v3_weights_tf_dim_ordering_tf_kernels{top}.h5")
