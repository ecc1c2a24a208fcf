"""Learning-rate schedules: called with the step, return the rate (Keras formulas)."""
from __future__ import annotations

import math


class LearningRateSchedule:
    def get_config(self):
        return dict(self._cfg)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self._cfg = dict(initial_learning_rate=initial_learning_rate,
                         decay_steps=decay_steps, decay_rate=decay_rate, staircase=staircase)

    def __call__(self, step):
        c = self._cfg
        p = float(step) / c["decay_steps"]
        if c["staircase"]:
            p = math.floor(p)
        return c["initial_learning_rate"] * c["decay_rate"] ** p


class PiecewiseConstantDecay(LearningRateSchedule):
    def __init__(self, boundaries, values, name=None):
        self._cfg = dict(boundaries=list(boundaries), values=list(values))

    def __call__(self, step):
        for b, v in zip(self._cfg["boundaries"], self._cfg["values"]):
            if step <= b:
                return v
        return self._cfg["values"][-1]


class InverseTimeDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self._cfg = dict(initial_learning_rate=initial_learning_rate,
                         decay_steps=decay_steps, decay_rate=decay_rate, staircase=staircase)

    def __call__(self, step):
        c = self._cfg
        p = float(step) / c["decay_steps"]
        if c["staircase"]:
            p = math.floor(p)
        return c["initial_learning_rate"] / (1 + c["decay_rate"] * p)


class CosineDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None,
                 warmup_target=None, warmup_steps=0):
        self._cfg = dict(initial_learning_rate=initial_learning_rate, decay_steps=decay_steps,
                         alpha=alpha, warmup_target=warmup_target, warmup_steps=warmup_steps)

    def __call__(self, step):
        c = self._cfg
        lr0, ws = c["initial_learning_rate"], c["warmup_steps"]
        if c["warmup_target"] is not None and step < ws:
            return lr0 + (c["warmup_target"] - lr0) * step / ws
        top = lr0 if c["warmup_target"] is None else c["warmup_target"]
        s = min(step - ws, c["decay_steps"])
        cos = 0.5 * (1 + math.cos(math.pi * s / c["decay_steps"]))
        return top * ((1 - c["alpha"]) * cos + c["alpha"])


class PolynomialDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001,
                 power=1.0, cycle=False, name=None):
        self._cfg = dict(initial_learning_rate=initial_learning_rate, decay_steps=decay_steps,
                         end_learning_rate=end_learning_rate, power=power, cycle=cycle)

    def __call__(self, step):
        c = self._cfg
        ds = c["decay_steps"]
        if c["cycle"]:
            ds = ds * max(1.0, math.ceil(step / ds))
        else:
            step = min(step, ds)
        return (c["initial_learning_rate"] - c["end_learning_rate"]) * (
            1 - step / ds) ** c["power"] + c["end_learning_rate"]
