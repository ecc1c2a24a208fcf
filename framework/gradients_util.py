"""``cf.AggregationMethod``: how TF's ``tf.gradients`` may sum a value's cotangents.

cuflow's reverse pass always adds cotangents as they arrive (``ADD_N``'s result; the
experimental methods only change TF's summation order and memory use).
"""
from __future__ import annotations


class AggregationMethod:
    """TF's constants: ``ADD_N`` (= ``DEFAULT``), ``EXPERIMENTAL_TREE``,
    ``EXPERIMENTAL_ACCUMULATE_N``.

    >>> import cuflow as cf
    >>> cf.AggregationMethod.DEFAULT == cf.AggregationMethod.ADD_N
    True
    """
    ADD_N = 0
    DEFAULT = ADD_N
    EXPERIMENTAL_TREE = 1
    EXPERIMENTAL_ACCUMULATE_N = 2
