"""Weight regularizers: L1, L2, L1L2 (Keras defaults 0.01)."""
from __future__ import annotations

import cuflow as cf


class Regularizer:
    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class L1L2(Regularizer):
    def __init__(self, l1=0.0, l2=0.0):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        out = 0.0
        if self.l1:
            out = out + self.l1 * cf.reduce_sum(cf.abs(x))
        if self.l2:
            out = out + self.l2 * cf.reduce_sum(cf.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


class L1(L1L2):
    def __init__(self, l1=0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2=0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_ALL = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, dict):
        return _ALL[identifier["class_name"]].from_config(identifier["config"])
    return _ALL[identifier]()


def serialize(r):
    return None if r is None else {"class_name": type(r).__name__, "config": r.get_config()}
