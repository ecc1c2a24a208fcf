"""DenseNet121/169/201 as ``keras.applications.densenet`` (Keras 3 names and counts).

>>> import cuflow as cf
>>> cf.keras.applications.DenseNet121(weights=None, include_top=False,
...                                   input_shape=(32, 32, 3)).output_shape
(None, 1, 1, 1024)
"""
from .. import backend, layers
from ..models import Model
from . import imagenet_utils as iu

preprocess_input, decode_predictions = iu.family("torch")
_EPS = 1.001e-5
_NAMES = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
          (6, 12, 48, 32): "densenet201"}


def _axis():
    return 3 if backend.image_data_format() == "channels_last" else 1


def _bn_relu(x, name):
    x = layers.BatchNormalization(axis=_axis(), epsilon=_EPS, name=f"{name}_bn")(x)
    return layers.Activation("relu", name=f"{name}_relu")(x)


def dense_block(x, blocks, name):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    x = _bn_relu(x, name)
    x = layers.Conv2D(int(tuple(x.shape)[_axis()] * reduction), 1, use_bias=False,
                      name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def conv_block(x, growth_rate, name):
    x1 = _bn_relu(x, f"{name}_0")
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(x1)
    x1 = _bn_relu(x1, f"{name}_1")
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False,
                       name=f"{name}_2_conv")(x1)
    return layers.Concatenate(axis=_axis(), name=f"{name}_concat")([x, x1])


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", name="densenet"):
    """The DenseNet skeleton with ``blocks`` conv blocks in each of the 4 dense blocks."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                        data_format=backend.image_data_format(),
                                        require_flatten=include_top, weights=weights)
    img_input = iu.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = _bn_relu(x, "conv1")
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, n in enumerate(blocks):
        x = dense_block(x, n, name=f"conv{i + 2}")
        if i < 3:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = layers.BatchNormalization(axis=_axis(), epsilon=_EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.pool(x, pooling, "avg_pool", "max_pool")
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=name)
    base = _NAMES.get(tuple(blocks))
    top = "" if include_top else "_notop"
    return iu.load_weights(model, weights,
                           base and f"{base}_weights_tf_dim_ordering_tf_kernels{top}.h5")


def _make(public, blocks):
    def constructor(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                    pooling=None, classes=1000, classifier_activation="softmax",
                    name=_NAMES[blocks]):
        return DenseNet(list(blocks), include_top, weights, input_tensor, input_shape, pooling,
                        classes, classifier_activation, name)
    constructor.__name__ = constructor.__qualname__ = public
    constructor.__doc__ = f"{public} (dense blocks of {blocks} conv blocks; torch preprocessing)."
    return constructor


DenseNet121 = _make("DenseNet121", (6, 12, 24, 16))
DenseNet169 = _make("DenseNet169", (6, 12, 32, 32))
DenseNet201 = _make("DenseNet201", (6, 12, 48, 32))
