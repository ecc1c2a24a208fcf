"""``cf.keras.config``: Keras 3's global settings (floatx, epsilon, image data format,
dtype policy, interactive logging, unsafe deserialization, training caps).

    >>> import cuflow as cf
    >>> cf.keras.config.backend()
    'tensorflow'
"""
from __future__ import annotations

from . import backend as _backend
from .utils.io_utils import (disable_interactive_logging, enable_interactive_logging,
                             is_interactive_logging_enabled)

__all__ = ["backend", "set_backend", "floatx", "set_floatx", "epsilon", "set_epsilon",
           "image_data_format", "set_image_data_format", "dtype_policy", "set_dtype_policy",
           "enable_interactive_logging", "disable_interactive_logging",
           "is_interactive_logging_enabled", "enable_unsafe_deserialization",
           "enable_traceback_filtering", "disable_traceback_filtering",
           "is_traceback_filtering_enabled", "enable_flash_attention",
           "disable_flash_attention", "is_flash_attention_enabled", "is_nnx_enabled",
           "max_epochs", "set_max_epochs", "max_steps_per_epoch", "set_max_steps_per_epoch"]

_state = {"unsafe": False, "traceback_filtering": True, "flash": None, "max_epochs": None,
          "max_steps": None}
_FLOATS = ("float16", "bfloat16", "float32", "float64")


def backend():
    """The backend's name: cuflow stands in for TensorFlow."""
    return "tensorflow"


def set_backend(backend):
    """Only 'tensorflow' (cuflow) is available."""
    if backend != "tensorflow":
        raise ValueError(f"cuflow provides the 'tensorflow' backend only. Received: {backend}")


def floatx():
    """The default float dtype name ('float32')."""
    return _backend.floatx()


def set_floatx(value):
    """Sets the default float dtype ('float16', 'bfloat16', 'float32' or 'float64')."""
    if value not in _FLOATS:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {set(_FLOATS)}")
    _backend.set_floatx(value)


def epsilon():
    """The fuzz factor used in numeric expressions (1e-7)."""
    return _backend.epsilon()


def set_epsilon(value):
    """Sets the fuzz factor."""
    _backend.set_epsilon(value)


def image_data_format():
    """'channels_last' or 'channels_first'."""
    return _backend.image_data_format()


def set_image_data_format(data_format):
    """Sets the default image layout."""
    fmt = str(data_format).lower()
    if fmt not in ("channels_first", "channels_last"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    _backend.set_image_data_format(fmt)


def dtype_policy():
    """The global ``DTypePolicy``."""
    from . import mixed_precision
    return mixed_precision.global_policy()


def set_dtype_policy(policy):
    """Sets the global dtype policy (a name such as 'mixed_float16' or a policy)."""
    from . import mixed_precision
    mixed_precision.set_global_policy(policy)


def enable_unsafe_deserialization():
    """Lets ``load_model`` rebuild Lambda layers (runs code from the file)."""
    _state["unsafe"] = True


def unsafe_deserialization_enabled():
    return _state["unsafe"]


def enable_traceback_filtering():
    """Turns traceback filtering on (cuflow's errors already name the user's line)."""
    _state["traceback_filtering"] = True


def disable_traceback_filtering():
    """Turns traceback filtering off."""
    _state["traceback_filtering"] = False


def is_traceback_filtering_enabled():
    """Whether traceback filtering is on."""
    return _state["traceback_filtering"]


def enable_flash_attention():
    """Requests flash attention (cuflow has none: ``dot_product_attention`` refuses it)."""
    _state["flash"] = True


def disable_flash_attention():
    """Disables flash attention."""
    _state["flash"] = False


def is_flash_attention_enabled():
    """The flash-attention setting (None: automatic)."""
    return _state["flash"]


def is_nnx_enabled():
    """Flax NNX integration is a JAX feature: always False."""
    return False


def max_epochs():
    """The cap on epochs per ``fit`` (None: no cap); fit warns and stops there."""
    return _state["max_epochs"]


def set_max_epochs(max_epochs):
    """Caps epochs per ``fit`` (for quick test runs)."""
    _state["max_epochs"] = max_epochs


def max_steps_per_epoch():
    """The cap on steps per epoch (None: no cap); fit/evaluate warn and stop there."""
    return _state["max_steps"]


def set_max_steps_per_epoch(max_steps_per_epoch):
    """Caps steps per epoch (for quick test runs)."""
    _state["max_steps"] = max_steps_per_epoch
