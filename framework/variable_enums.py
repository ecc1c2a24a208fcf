"""``tf.VariableAggregation`` / ``tf.VariableSynchronization``: how a variable's updates
combine across replicas and when replicas sync (TF's enums, same names and values).

>>> import cuflow as cf
>>> cf.Variable(1.0).aggregation
<VariableAggregation.NONE: 0>
"""
from __future__ import annotations

import enum


class VariableAggregation(enum.Enum):
    NONE = 0
    SUM = 1
    MEAN = 2
    ONLY_FIRST_REPLICA = 3


class VariableSynchronization(enum.Enum):
    AUTO = 0
    NONE = 1
    ON_WRITE = 2
    ON_READ = 3


def as_aggregation(value):
    """An aggregation given as the enum, its name ('sum') or None (NONE)."""
    if value is None:
        return VariableAggregation.NONE
    if isinstance(value, str):
        return VariableAggregation[value.upper()]
    return VariableAggregation(value.value if isinstance(value, enum.Enum) else value)


def as_synchronization(value):
    if value is None:
        return VariableSynchronization.AUTO
    if isinstance(value, str):
        return VariableSynchronization[value.upper()]
    return VariableSynchronization(value.value if isinstance(value, enum.Enum) else value)
