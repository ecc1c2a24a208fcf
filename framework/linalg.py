"""``cf.linalg``: linear algebra (re-exports from cuflow.ops)."""
from .ops.linalg_ops import matmul  # noqa: F401
