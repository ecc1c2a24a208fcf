"""``cf.math``: elementwise math and reductions (re-exports from cuflow.ops)."""
from .ops.math_ops import (abs, acos, acosh, add, angle, asin, asinh, atan, atan2,  # noqa: F401,A004
                           atanh, bitwise_and, cast, ceil, conj, cos, cosh, digamma,
                           div_no_nan, divide, divide_no_nan, equal, erf, erfc, erfinv, exp,
                           expm1, floor, floordiv, floormod, greater, greater_equal, imag,
                           is_finite, is_inf, is_nan, lgamma, less, less_equal, log, log1p,
                           logical_and, logical_not, logical_or, logical_xor, maximum,
                           minimum, mod, multiply, negative, not_equal, pow, real,
                           reciprocal, rint, round, rsqrt, sigmoid, sign, sin, sinh, sqrt,
                           square, squared_difference, subtract, tan, tanh, truediv,
                           truncatediv, truncatemod, xdivy, xlogy)
from .ops.math_ops import complex_named as complex  # noqa: F401,A004
from .ops.math_ops import invert as _invert  # noqa: F401
from .ops.reduce_ops import (argmax, argmin, count_nonzero, reduce_all,  # noqa: F401
                             reduce_any, reduce_euclidean_norm, reduce_logsumexp, reduce_max,
                             reduce_mean, reduce_min, reduce_prod, reduce_std, reduce_sum,
                             reduce_variance)
# --- nn ---
from .ops.nn_impl import l2_normalize  # noqa: F401,E402
from .ops.nn_ops import log_sigmoid, softplus  # noqa: F401,E402
# --- ops-array ---
from .ops.index_ops import invert_permutation, where  # noqa: F401,E402
from .ops.segment_ops import (cumprod, cumsum, cumulative_logsumexp, segment_max,  # noqa: F401,E402
                              segment_mean, segment_min, segment_prod, segment_sum,
                              unsorted_segment_max, unsorted_segment_mean,
                              unsorted_segment_min, unsorted_segment_prod,
                              unsorted_segment_sqrt_n, unsorted_segment_sum)
from .ops.sort_ops import bincount, confusion_matrix, in_top_k, top_k  # noqa: F401,E402
# --- tf-compat ---
from .ops.math_extra import (accumulate_n, add_n, is_non_decreasing,  # noqa: F401,E402
                             is_strictly_increasing, lbeta, multiply_no_nan, nextafter,
                             polyval, realdiv, reciprocal_no_nan, scalar_mul, xlog1py)
from .ops.nn_ops import log_softmax, softmax, softsign, zero_fraction  # noqa: F401,E402
from .ops.special_ops import (bessel_i0, bessel_i0e, bessel_i1, bessel_i1e,  # noqa: F401,E402
                              betainc, erfcinv, igamma, igammac, ndtri, polygamma, zeta)
from . import special  # noqa: F401,E402
# --- apis3 ---
from .ops.sampled_ops import sobol_sample  # noqa: F401,E402


def __getattr__(name):
    """approx_max_k / approx_min_k load their module on first use."""
    if name in ("approx_max_k", "approx_min_k"):
        from .ops import nn_extra
        value = getattr(nn_extra, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cuflow.math' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | {"approx_max_k", "approx_min_k"})
