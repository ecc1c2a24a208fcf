"""Clipping: clip_by_value, clip_by_norm, global_norm, clip_by_global_norm (composites,
written as TF's clip_ops.py writes them, so gradients match TF's)."""
from __future__ import annotations

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from ..indexed_slices import IndexedSlices
from ._util import shape_of


def clip_by_value(t, clip_value_min, clip_value_max, name=None):
    """Clamps ``t`` to [clip_value_min, clip_value_max]; the gradient flows where
    ``min <= t <= max``. (TF does not check min <= max; neither does cuflow: when
    min > max the result is min, as TF's minimum-then-maximum.)

    >>> import cuflow as cf
    >>> cf.clip_by_value([-2.0, 0.5, 3.0], -1.0, 1.0).numpy().tolist()
    [-1.0, 0.5, 1.0]
    """
    from .constant import convert_to_tensor
    from .math_ops import maximum, minimum
    t = convert_to_tensor(t)
    out = maximum(minimum(t, clip_value_max), clip_value_min)  # TF's order: max wins
    if tuple(out.shape) != tuple(t.shape):
        raise InvalidArgumentError(
            None, "clip_by_value", f"clip_by_value: clip values must broadcast to t's shape "
            f"{tuple(t.shape)}, got min {tuple(shape_of(clip_value_min))} and max "
            f"{tuple(shape_of(clip_value_max))}")
    return out


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """Rescales ``t`` so that its L2 norm (over ``axes``) is at most ``clip_norm``.

    >>> import cuflow as cf
    >>> [round(float(v), 3) for v in cf.clip_by_norm([3.0, 4.0], 1.0)]
    [0.6, 0.8]
    """
    from .array_ops import ones_like
    from .constant import convert_to_tensor
    from .math_ops import cast, greater, identity, maximum, sqrt, where_v
    from .reduce_ops import reduce_sum
    if isinstance(t, IndexedSlices):    # TF clips the slices by their own norm
        return t._with_values(clip_by_norm(t.values, clip_norm, axes))
    t = convert_to_tensor(t)
    if not (t.dtype.is_floating or t.dtype.is_complex):
        raise InvalidArgumentError(None, "clip_by_norm", f"clip_by_norm: t must be a float "
                                   f"tensor, got {t.dtype.name}")
    clip_norm = cast(clip_norm, t.dtype)
    l2sum = reduce_sum(t * t, axes, keepdims=True)
    pred = greater(l2sum, 0)
    l2sum_safe = where_v(pred, l2sum, ones_like(l2sum))
    l2norm = where_v(pred, sqrt(l2sum_safe), l2sum)
    return identity(t * clip_norm / maximum(l2norm, clip_norm))


def global_norm(t_list, name=None):
    """sqrt(sum of squared L2 norms) of the tensors in ``t_list`` (None entries skipped).

    >>> import cuflow as cf
    >>> float(cf.linalg.global_norm([[3.0], None, [4.0]]))
    5.0
    """
    from .constant import convert_to_tensor
    from .math_ops import add, cast, sqrt
    from .reduce_ops import reduce_sum
    if isinstance(t_list, (str, bytes)) or not hasattr(t_list, "__iter__"):
        raise TypeError(f"`t_list` should be a sequence of tensors. Received {type(t_list)}.")
    parts = [reduce_sum(t * t) for t in (convert_to_tensor(_values(v)) for v in t_list
                                         if v is not None)]
    if not parts:
        from .constant import constant
        return constant(0.0, _dt.float32)
    dt = parts[0].dtype
    total = parts[0]
    for p in parts[1:]:
        total = add(total, cast(p, dt))
    return sqrt(total)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """Scales every tensor of ``t_list`` by clip_norm / max(global_norm, clip_norm).
    Returns ``(list_clipped, global_norm)``; None entries stay None; an infinite or NaN
    norm makes every entry NaN, as TF.

    >>> import cuflow as cf
    >>> clipped, norm = cf.clip_by_global_norm([[3.0], [4.0]], 1.0)
    >>> float(norm), [round(float(c[0]), 3) for c in clipped]
    (5.0, [0.6, 0.8])
    """
    from .constant import convert_to_tensor
    from .math_ops import cast, identity, minimum
    t_list = list(t_list)
    if use_norm is None:
        use_norm = global_norm(t_list)
    use_norm = convert_to_tensor(use_norm)
    clip_norm = cast(clip_norm, use_norm.dtype)
    scale = clip_norm * minimum(1.0 / use_norm, 1.0 / clip_norm)
    scale = scale + (use_norm - use_norm)  # NaN when the norm is inf or NaN
    out = []
    for v in t_list:
        if v is None:
            out.append(None)
            continue
        if isinstance(v, IndexedSlices):
            out.append(v._with_values(identity(v.values * cast(scale, v.dtype))))
            continue
        v = convert_to_tensor(v)
        out.append(identity(v * cast(scale, v.dtype)))
    return out, use_norm


def _values(t):
    """What TF's norms read of an IndexedSlices: its slices (duplicates not summed)."""
    return t.values if isinstance(t, IndexedSlices) else t
