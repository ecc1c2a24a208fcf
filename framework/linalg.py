"""``cf.linalg``: linear algebra (re-exports from cuflow.ops)."""
from .ops.linalg_decomp import (cholesky, cholesky_solve, det, eigh, eigvalsh, inv,  # noqa: F401
                                logdet, lstsq, norm, pinv, qr, slogdet, solve, svd,
                                triangular_solve)
from .ops.linalg_ops import (adjoint, band_part, cross, einsum, eye, matmul,  # noqa: F401
                             matrix_transpose, matvec, set_diag, tensor_diag,
                             tensor_diag_part, tensordot, trace)
from .ops.linalg_ops import matrix_diag as diag  # noqa: F401
from .ops.linalg_ops import matrix_diag_part as diag_part  # noqa: F401
from .ops.linalg_ops import matrix_transpose as transpose  # noqa: F401
from .ops.linalg_functions import (expm, global_norm, matrix_rank, normalize,  # noqa: F401
                                   sqrtm)
from .ops.linalg_functions import sqrtm as matrix_square_root  # noqa: F401
# --- tf-compat ---
from .ops.nn_impl import l2_normalize  # noqa: F401,E402
from .ops.linalg_extra import (banded_triangular_solve, eig, eigvals, logm, lu,  # noqa: F401,E402
                               lu_matrix_inverse, lu_reconstruct, lu_solve, tridiagonal_matmul,
                               tridiagonal_solve)
# --- apis3 ---
from .ops.linalg_tridiag import eigh_tridiagonal  # noqa: F401,E402


def __getattr__(name):
    """The LinearOperator classes and ``experimental`` load on first use (their module
    costs ~13 ms, kept out of ``import cuflow``)."""
    from .ops import linear_operator as _lo
    if name == "experimental":
        import types
        mod = types.ModuleType("cuflow.linalg.experimental",
                               "Experimental solvers (``tf.linalg.experimental``).")
        mod.conjugate_gradient = _lo.conjugate_gradient
        globals()[name] = mod
        return mod
    if name.startswith("LinearOperator") and hasattr(_lo, name):
        value = getattr(_lo, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cuflow.linalg' has no attribute {name!r}")


def __dir__():
    from .ops import linear_operator as _lo
    return sorted(set(globals()) | {"experimental"} |
                  {n for n in dir(_lo) if n.startswith("LinearOperator")})
