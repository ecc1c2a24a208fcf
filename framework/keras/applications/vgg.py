"""VGG16 / VGG19 as ``keras.applications.vgg16`` / ``vgg19`` (Keras 3 names and counts).

>>> import cuflow as cf
>>> cf.keras.applications.VGG16(weights=None, include_top=False,
...                             input_shape=(32, 32, 3)).count_params()
14714688
"""
from .. import backend, layers
from ..models import Model
from . import imagenet_utils as iu

preprocess_input, decode_predictions = iu.family("caffe")
_CONVS = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}
_FILTERS = (64, 128, 256, 512, 512)


def VGG(depth_name, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
        pooling=None, classes=1000, classifier_activation="softmax", name=None):
    """The VGG skeleton: five blocks of 3x3 convs + 2x2 max-pools, then the dense head."""
    iu.check_weights(weights, include_top, classes)
    input_shape = iu.obtain_input_shape(input_shape, default_size=224, min_size=32,
                                        data_format=backend.image_data_format(),
                                        require_flatten=include_top, weights=weights)
    img_input = iu.image_input(input_tensor, input_shape)
    x = img_input
    for b, (n, filters) in enumerate(zip(_CONVS[depth_name], _FILTERS), start=1):
        for c in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{b}_conv{c}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{b}_pool")(x)
    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        iu.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = iu.pool(x, pooling)
    model = Model(iu.source_inputs(input_tensor, img_input), x, name=name or depth_name)
    top = "" if include_top else "_notop"
    return iu.load_weights(model, weights,
                           f"{depth_name}_weights_tf_dim_ordering_tf_kernels{top}.h5")


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """VGG16 (13 conv + 3 dense layers; caffe preprocessing)."""
    return VGG("vgg16", include_top, weights, input_tensor, input_shape, pooling, classes,
               classifier_activation, name)


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    """VGG19 (16 conv + 3 dense layers; caffe preprocessing)."""
    return VGG("vgg19", include_top, weights, input_tensor, input_shape, pooling, classes,
               classifier_activation, name)
