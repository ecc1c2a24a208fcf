"""``cf.keras.backend``: global Keras settings (floatx, epsilon, layer-name counters)."""
from __future__ import annotations

import collections
import threading

_config = {"floatx": "float32", "epsilon": 1e-7, "image_data_format": "channels_last"}
_name_counts: collections.Counter = collections.Counter()
_lock = threading.Lock()
_local = threading.local()


def floatx() -> str:
    return _config["floatx"]


def set_floatx(value: str) -> None:
    _config["floatx"] = str(value)


def epsilon() -> float:
    return _config["epsilon"]


def set_epsilon(value: float) -> None:
    _config["epsilon"] = float(value)


def image_data_format() -> str:
    return _config["image_data_format"]


def set_image_data_format(fmt: str) -> None:
    _config["image_data_format"] = fmt


def standardize_shape(shape) -> tuple:
    """Keras's shape check: a tuple of non-negative ints or None (ValueError else)."""
    if not isinstance(shape, tuple):
        if shape is None:
            raise ValueError("Undefined shapes are not supported.")
        if not hasattr(shape, "__iter__"):
            raise ValueError(f"Cannot convert '{shape}' to a shape.")
        if hasattr(shape, "as_list"):  # TensorShape
            shape = shape.as_list()
    out = []
    for d in shape:
        if d is None:
            out.append(d)
            continue
        if isinstance(d, (str, float)):
            raise ValueError(f"Cannot convert '{shape}' to a shape. Found invalid dimension "
                             f"'{d}' of type '{type(d)}'. ")
        try:
            d = int(d)
        except Exception as e:
            raise ValueError(f"Cannot convert '{shape}' to a shape. Found invalid dimension "
                             f"'{d}' of type '{type(d)}'. ") from e
        if d < 0:
            raise ValueError(f"Cannot convert '{shape}' to a shape. Negative dimensions are "
                             "not allowed.")
        out.append(d)
    return tuple(out)


def standardize_data_format(data_format) -> str:
    """Keras's rule for a layer's ``data_format``: None means the configured
    ``image_data_format()``; anything but channels_first/last is a ValueError."""
    if data_format is None:
        return image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format


def unique_name(base: str) -> str:
    """'dense', then 'dense_1', 'dense_2'... per base name, as Keras names layers."""
    with _lock:
        n = _name_counts[base]
        _name_counts[base] += 1
    return base if n == 0 else f"{base}_{n}"


def clear_session(free_memory=True) -> None:
    """Resets layer-name counters (Keras's clear_session)."""
    with _lock:
        _name_counts.clear()


def learning_phase():
    return int(bool(getattr(_local, "training", False)))


def in_training() -> bool | None:
    return getattr(_local, "training", None)


class training_scope:
    """Sets the default ``training`` flag for layers called inside (nested calls)."""

    def __init__(self, training):
        self._training = training

    def __enter__(self):
        self._prev = getattr(_local, "training", None)
        _local.training = self._training

    def __exit__(self, *exc):
        _local.training = self._prev
        return False


def in_stand_in() -> bool:
    """True while layers run on stand-in arrays to infer symbolic shapes (Functional
    construction, Model.build), where Keras would trace them symbolically."""
    return getattr(_local, "stand_in", False)


class stand_in_scope:
    def __enter__(self):
        self._prev = getattr(_local, "stand_in", False)
        _local.stand_in = True

    def __exit__(self, *exc):
        _local.stand_in = self._prev
        return False


def int_shape(x):
    return tuple(x.shape)


def get_value(x):
    return x.numpy()


def set_value(x, value):
    x.assign(value)


_PYTHON_DTYPES = {bool: "bool", int: "int64", float: "float32", str: "string",
                  "int": "int64", complex: "complex128"}  # Keras on TF's map
_ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64",
                   "int8", "int16", "int32", "int64", "bfloat16", "bool", "string",
                   "float8_e4m3fn", "float8_e5m2", "complex64", "complex128")


_STANDARD: dict = {}   # name -> Keras name (keras.ops calls this per op: kept cheap)


def standardize_dtype(dtype):
    """Keras's canonical dtype name: None is floatx, Python types map as on TF, DTypes,
    NumPy dtypes and names give their name; anything else raises ValueError."""
    if dtype is None:
        return floatx()
    if type(dtype) is str:
        found = _STANDARD.get(dtype)
        if found is None:
            found = _STANDARD[dtype] = _standard_name(dtype)
        return found
    return _standard_name(dtype)


def _standard_name(dtype):
    try:
        dtype = _PYTHON_DTYPES.get(dtype, dtype)
    except TypeError:  # unhashable
        pass
    if isinstance(dtype, str):
        name = dtype
    elif hasattr(dtype, "name") and not isinstance(dtype, type):
        name = dtype.name
    elif hasattr(dtype, "__name__"):
        name = dtype.__name__
    else:
        name = str(dtype)
    if name not in _ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return name


def result_type(*dtypes):
    """Keras's dtype of an op mixing ``dtypes`` (its promotion lattice; Python ``int`` /
    ``float`` are weak): ``result_type("int32", "float16") == "float16"``."""
    from .ops._base import result_type as keras_result_type
    return keras_result_type(*dtypes)


def is_float_dtype(dtype):
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype):
    return standardize_dtype(dtype).startswith(("int", "uint"))


def get_uid(prefix=""):
    """1, 2, ... per prefix (Keras's counter behind default layer names)."""
    with _lock:
        _name_counts[prefix] += 1
        return _name_counts[prefix]


def backend():
    """The backend name Keras reports; cuflow implements Keras on TensorFlow's API."""
    return "tensorflow"


def is_keras_tensor(x):
    from .keras_tensor import is_keras_tensor as _is
    return _is(x)


def to_snake_case(name):
    """Keras's default-name rule for a class name: 'AdamW' -> 'adam_w', 'Dense' -> 'dense'."""
    import re
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()



# --- Keras 1/2 legacy functions (tf.keras.backend re-exports keras.src.legacy.backend) ---
from .backend_legacy import *  # noqa: E402,F401,F403
from .backend_legacy_nn import *  # noqa: E402,F401,F403
