"""The op registry and every op family. ``cuflow.ops`` is the flat namespace of ops;
the public namespaces (``cf``, ``cf.math``, ``cf.nn``...) re-export from it."""
from __future__ import annotations

from .. import tensor as _tensor_module
from . import registry
from .array_ops import *  # noqa: F401,F403
from .array_ops import (broadcast_to, concat, copy_to_device, expand_dims, fill, getitem,
                        ones, ones_like, range, rank, reshape, shape, size, split, squeeze,
                        stack, transpose, unstack, zeros, zeros_like)
from .constant import broadcastable, constant, convert_to_tensor, is_comparable
from .dispatch import apply
from .linalg_ops import matmul, matmul_operator
from .math_ops import *  # noqa: F401,F403
from .math_ops import _add_op  # noqa: F401  (the + operators)
from .math_ops import (abs, add, cast, divide, equal, floordiv, floormod, greater,  # noqa: A004
                       greater_equal, identity, invert_or_not, less, less_equal,
                       logical_and_or_bitwise, logical_or_or_bitwise, logical_xor_or_bitwise,
                       multiply, negative, not_equal, pow, stop_gradient, subtract, truediv)
from .reduce_ops import *  # noqa: F401,F403
from .registry import all_ops, defop, get
from .state_ops import assign_variable

_tensor_module._ops = __import__(__name__, fromlist=["*"])
from . import kernel_overrides as _kernel_overrides  # noqa: E402,F401  (device kernels)
