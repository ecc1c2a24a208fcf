"""Shared pieces of ``cf.keras.applications`` (Keras's ``imagenet_utils``): input-shape
checks, the classifier head, weight-file lookup in the Keras cache, ``preprocess_input``
and ``decode_predictions``.

``weights="imagenet"`` and ``decode_predictions`` read the files Keras downloads into
``$KERAS_HOME/models`` (default ``~/.keras/models``), fetching them from Keras's URLs first
when missing (``keras.utils.get_file``; with ``CUFLOW_OFFLINE=1`` a clear error instead).
"""
import json
import os
import warnings

import numpy as np

from .. import backend, layers

CLASS_INDEX = None
CLASS_INDEX_FILE = "imagenet_class_index.json"
_CAFFE_MEAN = (103.939, 116.779, 123.68)
_TORCH_MEAN, _TORCH_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def cache_dir():
    """The folder Keras downloads application weights into (``~/.keras/models``)."""
    base = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.join(base, "models")


# Where Keras publishes each file (its applications' BASE_WEIGHTS_PATH), by file name
_KERAS_APPS = "https://storage.googleapis.com/tensorflow/keras-applications/"
_ORIGINS = (
    (CLASS_INDEX_FILE, "https://storage.googleapis.com/download.tensorflow.org/data/"),
    ("efficientnetv2", _KERAS_APPS + "efficientnet_v2/"),
    ("efficientnet", "https://storage.googleapis.com/keras-applications/"),
    ("weights_mobilenet_v3", _KERAS_APPS + "mobilenet_v3/"),
    ("mobilenet_v2", _KERAS_APPS + "mobilenet_v2/"), ("mobilenet", _KERAS_APPS + "mobilenet/"),
    ("inception_resnet_v2", _KERAS_APPS + "inception_resnet_v2/"),
    ("inception_v3", _KERAS_APPS + "inception_v3/"), ("xception", _KERAS_APPS + "xception/"),
    ("vgg16", _KERAS_APPS + "vgg16/"), ("vgg19", _KERAS_APPS + "vgg19/"),
    ("resnet", _KERAS_APPS + "resnet/"), ("densenet", _KERAS_APPS + "densenet/"),
    ("convnext", _KERAS_APPS + "convnext/"), ("nasnet", _KERAS_APPS + "nasnet/"),
)


def _cached_file(filename, what):
    """``filename`` from Keras's model cache, downloaded from Keras's URL when missing."""
    path = os.path.join(cache_dir(), filename)
    if os.path.exists(path):
        return path
    base = next((url for prefix, url in _ORIGINS if filename.startswith(prefix)), None)
    if base is not None:
        from ..utils.file_utils import get_file
        try:
            return get_file(filename, base + filename, cache_subdir="models",
                            cache_dir=os.path.dirname(cache_dir()))
        except FileNotFoundError:   # downloads are off (CUFLOW_OFFLINE)
            pass
    raise FileNotFoundError(
        f"{what} needs the file {filename!r}, which Keras downloads into {cache_dir()}; "
        f"downloads are off (CUFLOW_OFFLINE) or none is known for it. Copy the file there "
        f"(e.g. from a machine where tf.keras.applications has run) or pass "
        f"weights=<path to the .h5 file>.")


# --- constructor helpers ----------------------------------------------------------------

def check_weights(weights, include_top, classes):
    if not (weights in {"imagenet", None} or os.path.exists(str(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded.  Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError("If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000.  Received classes={classes}")


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten,
                       weights=None):
    """Keras's rule for the image shape a model is built for (channels_last or first)."""
    first = data_format == "channels_first"
    if input_shape is not None:
        input_shape = tuple(input_shape)
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        ch = input_shape[0] if first else input_shape[-1]
        if ch not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was "
                          f"passed an input_shape with {ch} input channels.", stacklevel=3)
        default = (ch, default_size, default_size) if first else (default_size, default_size, ch)
    else:
        default = (3, default_size, default_size) if first else (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, "
                             f"`input_shape` should be {default}.  Received: "
                             f"input_shape={input_shape}")
        return default
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        ch, spatial = (input_shape[0], input_shape[1:]) if first else (input_shape[-1],
                                                                       input_shape[:2])
        if ch != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received "
                             f"`input_shape={input_shape}`")
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default
    else:
        input_shape = (3, None, None) if first else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def image_input(input_tensor, input_shape):
    """The model's input: ``input_tensor`` when it is a Keras tensor, else a new Input."""
    from ..keras_tensor import is_keras_tensor
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if not is_keras_tensor(input_tensor):
        raise ValueError("`input_tensor` must be a Keras tensor (the output of "
                         f"`keras.Input()` or of a layer); received {type(input_tensor)}")
    return input_tensor


def source_inputs(input_tensor, img_input):
    """The Input tensors upstream of ``input_tensor`` (Keras ``get_source_inputs``)."""
    if input_tensor is None:
        return img_input
    from ..layers.core import InputLayer
    found, stack, seen = [], [input_tensor], set()
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        if t.node is None or isinstance(t.node.layer, InputLayer) or not t.node.input_tensors:
            found.append(t)
        else:
            stack.extend(reversed(t.node.input_tensors))
    return found[0] if len(found) == 1 else found


def validate_activation(classifier_activation, weights):
    if weights is None:
        return
    from .. import activations
    act = activations.get(classifier_activation)
    if act not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the "
                         "`classifier_activation` argument when using pretrained weights, "
                         "with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


def pool(x, pooling, avg_name=None, max_name=None):
    """The ``pooling="avg"|"max"`` head used when ``include_top=False``."""
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=avg_name)(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=max_name)(x)
    return x


def correct_pad(inputs, kernel_size):
    """Padding that makes a stride-2 'valid' conv match TF's 'same' (Keras ``correct_pad``)."""
    axis = 2 if backend.image_data_format() == "channels_first" else 1
    size = tuple(inputs.shape)[axis:axis + 2]
    k = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(kernel_size)
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    c = (k[0] // 2, k[1] // 2)
    return ((c[0] - adjust[0], c[0]), (c[1] - adjust[1], c[1]))


def load_weights(model, weights, filename):
    """``weights="imagenet"``: the cached Keras file ``filename``; a path: that file."""
    if weights == "imagenet":
        if filename is None:
            raise ValueError(f"No ImageNet weights are published for {model.name} with this "
                             "configuration.")
        model.load_weights(_cached_file(filename, f"{model.name}(weights='imagenet')"))
    elif weights is not None:
        model.load_weights(weights)
    return model


# --- preprocessing and decoding ---------------------------------------------------------

def preprocess_input(x, data_format=None, mode="caffe"):
    """Scale a batch of RGB images in [0, 255] as the ImageNet models expect.

    ``caffe``: RGB->BGR and subtract the ImageNet mean; ``tf``: to [-1, 1]; ``torch``: to
    [0, 1] then normalize per channel. NumPy input is modified in place when it is floating
    (as Keras does) and returned as NumPy; tensors give tensors.

    >>> import numpy as np, cuflow as cf
    >>> cf.keras.applications.imagenet_utils.preprocess_input(
    ...     np.full((1, 1, 1, 3), 255.0), mode="tf").ravel().tolist()
    [1.0, 1.0, 1.0]
    """
    if mode not in {"caffe", "tf", "torch"}:
        raise ValueError("Expected mode to be one of `caffe`, `tf` or `torch`. "
                         f"Received: mode={mode}")
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in {"channels_first", "channels_last"}:
        raise ValueError("Expected data_format to be one of `channels_first` or "
                         f"`channels_last`. Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        if not issubclass(x.dtype.type, np.floating):
            x = x.astype(backend.floatx(), copy=False)
        return _preprocess(x, data_format, mode, np, inplace=True)
    from ...ops.constant import convert_to_tensor
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        from ...ops.math_ops import cast
        x = cast(x, backend.floatx())
    return _preprocess(x, data_format, mode, None, inplace=False)


def _channel_shape(x, data_format):
    nd = len(x.shape)
    if data_format == "channels_first":
        return (3, 1, 1) if nd == 3 else (1, 3) + (1,) * (nd - 2)
    return (1,) * (nd - 1) + (3,)


def _preprocess(x, data_format, mode, xp, inplace):
    if mode == "tf":
        if inplace:
            x /= 127.5
            x -= 1.0
            return x
        return x / 127.5 - 1.0
    shape = _channel_shape(x, data_format)
    if mode == "torch":
        mean, std = np.array(_TORCH_MEAN), np.array(_TORCH_STD)
        x = x / 255.0 if not inplace else _div(x, 255.0)
    else:
        mean, std = np.array(_CAFFE_MEAN), None
        axis = (0 if len(x.shape) == 3 else 1) if data_format == "channels_first" else -1
        x = _flip_channels(x, axis, inplace)
    mean = mean.reshape(shape).astype(_np_dtype(x))
    if inplace:
        x -= mean
        if std is not None:
            x /= std.reshape(shape).astype(x.dtype)
        return x
    x = x - mean
    return x / std.reshape(shape).astype(_np_dtype(x)) if std is not None else x


def _div(x, v):
    x /= v
    return x


def _np_dtype(x):
    return x.dtype if isinstance(x, np.ndarray) else x.dtype.as_numpy_dtype


def _flip_channels(x, axis, inplace):
    if isinstance(x, np.ndarray):
        index = [slice(None)] * x.ndim
        index[axis] = slice(None, None, -1)
        return x[tuple(index)]  # a view, as Keras (later in-place ops write through it)
    from ... import reverse
    return reverse(x, [axis])


def decode_predictions(preds, top=5):
    """Top-``top`` ``(class_id, class_name, score)`` per row of ImageNet predictions.

    Reads ``imagenet_class_index.json`` from the Keras cache (``~/.keras/models``).
    """
    global CLASS_INDEX
    shape = tuple(preds.shape)
    if len(shape) != 2 or shape[1] != 1000:
        raise ValueError("`decode_predictions` expects a batch of predictions (i.e. a 2D array "
                         f"of shape (samples, 1000)). Received array with shape: {shape}")
    if CLASS_INDEX is None:
        with open(_cached_file(CLASS_INDEX_FILE, "decode_predictions")) as f:
            CLASS_INDEX = json.load(f)
    preds = np.asarray(preds.numpy() if hasattr(preds, "numpy") else preds)
    results = []
    for pred in preds:
        top_indices = pred.argsort()[-top:][::-1]
        result = [tuple(CLASS_INDEX[str(i)]) + (pred[i],) for i in top_indices]
        result.sort(key=lambda r: r[2], reverse=True)
        results.append(result)
    return results


def family(mode):
    """``(preprocess_input, decode_predictions)`` for a model family using ``mode``."""
    def preprocess(x, data_format=None):
        return preprocess_input(x, data_format=data_format, mode=mode)
    preprocess.__doc__ = f"``imagenet_utils.preprocess_input`` with ``mode={mode!r}``."
    return preprocess, decode_predictions


def make_divisible(v, divisor=8, min_value=None):
    """Round channel counts to a multiple of ``divisor`` (never below 90% of ``v``)."""
    min_value = divisor if min_value is None else min_value
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    return new_v + divisor if new_v < 0.9 * v else new_v


def square_default_size(input_shape, input_tensor, sizes=(96, 128, 160, 192, 224)):
    """MobileNet's default size: the square input's side when ImageNet weights exist for it."""
    first = backend.image_data_format() == "channels_first"
    if input_shape is not None:
        rows, cols = (input_shape[1], input_shape[2]) if first else (input_shape[0],
                                                                     input_shape[1])
    elif input_tensor is not None:
        shape = tuple(input_tensor.shape)
        rows, cols = (shape[2], shape[3]) if first else (shape[1], shape[2])
    else:
        return 224
    return rows if rows == cols and rows in sizes else 224
