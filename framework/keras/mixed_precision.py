"""``cf.keras.mixed_precision``: dtype policies and loss scaling.

A policy names a compute dtype and a variable dtype: 'mixed_float16' computes in
float16 with float32 variables. Layers cast floating inputs to their compute dtype;
``compile`` wraps the optimizer in a LossScaleOptimizer under 'mixed_float16'.
"""
from __future__ import annotations

from .. import dtypes as _dt

_POLICIES = {"float32": ("float32", "float32"), "float64": ("float64", "float64"),
             "float16": ("float16", "float16"), "bfloat16": ("bfloat16", "bfloat16"),
             "mixed_float16": ("float16", "float32"), "mixed_bfloat16": ("bfloat16", "float32")}


class DTypePolicy:
    """``compute_dtype`` and ``variable_dtype`` of a layer, by policy name."""

    def __init__(self, name="float32"):
        if isinstance(name, DTypePolicy):
            name = name.name
        name = _dt.as_dtype(name).name if not isinstance(name, str) else name
        if name in _POLICIES:
            self._compute, self._variable = _POLICIES[name]
        else:  # Keras: any dtype names a policy (an int64 Hashing layer's, ...)
            try:
                dtype = _dt.as_dtype(name).name
            except TypeError:
                dtype = None
            if dtype is None or dtype != name:
                raise ValueError(f"Cannot convert '{name}' to a mixed precision DTypePolicy. "
                                 "Valid policies include 'mixed_float16', 'mixed_bfloat16', "
                                 "and the name of any float dtype such as 'float32'.")
            self._compute = self._variable = dtype
        self._name = name

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        return self._compute

    @property
    def variable_dtype(self):
        return self._variable

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other._name == self._name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'

    def get_config(self):
        return {"name": self._name}


Policy = DTypePolicy
_global = [None]


def set_global_policy(policy):
    """Sets the default policy of layers created afterwards ('mixed_float16', ...)."""
    _global[0] = None if policy is None else DTypePolicy(policy)


def global_policy():
    if _global[0] is None:
        from .backend import floatx
        return DTypePolicy(floatx())
    return _global[0]


def get_policy(dtype):
    if dtype is None:
        return global_policy()
    if isinstance(dtype, DTypePolicy):
        return dtype
    if isinstance(dtype, dict):
        return DTypePolicy(dtype.get("config", dtype).get("name", "float32"))
    return DTypePolicy(dtype if isinstance(dtype, str) else _dt.as_dtype(dtype).name)


from .loss_scale import LossScaleOptimizer  # noqa: F401


def dtype_policy():
    """Keras 3's name for the global policy."""
    return global_policy()


def set_dtype_policy(policy):
    set_global_policy(policy)
