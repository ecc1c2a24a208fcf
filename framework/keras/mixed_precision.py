"""Dtype policies: 'float32', 'mixed_float16', 'mixed_bfloat16' (Keras 3 names)."""
from __future__ import annotations


class Policy:
    """compute_dtype / variable_dtype of a layer (``keras.mixed_precision.Policy``)."""

    def __init__(self, name="float32"):
        if isinstance(name, Policy):
            name = name.name
        self.name = name
        if name == "mixed_float16":
            self.compute_dtype, self.variable_dtype = "float16", "float32"
        elif name == "mixed_bfloat16":
            self.compute_dtype, self.variable_dtype = "bfloat16", "float32"
        elif name in ("float16", "float32", "float64", "bfloat16"):
            self.compute_dtype = self.variable_dtype = name
        else:
            raise ValueError(f"Cannot convert {name!r} to a mixed precision Policy, which "
                             "should be one of 'mixed_float16', 'mixed_bfloat16' or a "
                             "float dtype name")

    def __repr__(self):
        return f'<DTypePolicy "{self.name}">'

    def __eq__(self, other):
        return isinstance(other, Policy) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


DTypePolicy = Policy
_global = Policy("float32")


def set_global_policy(policy):
    global _global
    _global = Policy(policy if policy is not None else "float32")


def global_policy():
    return _global


def set_dtype_policy(policy):
    set_global_policy(policy)


def dtype_policy():
    return _global
