"""``cf.bitwise``."""
from .ops.math_ops import (bitwise_and, bitwise_or, bitwise_xor, invert,  # noqa: F401
                           left_shift, right_shift)
