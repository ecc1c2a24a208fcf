"""``cf.strings``: elementwise string functions on bytes tensors (``tf.strings``)."""
from .ops.string_ops import as_string, join, length, lower, reduce_join  # noqa: F401
from .ops.string_ops import regex_full_match, regex_replace, strip, substr  # noqa: F401
from .ops.string_ops import to_number, upper  # noqa: F401
