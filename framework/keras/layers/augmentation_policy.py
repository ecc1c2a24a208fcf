"""Augmentation policies (Keras 3): RandAugment and AugMix, built from the single
augmentation layers with Keras's operation lists and factor wiring.

RandAugment applies ``num_ops`` operations chosen uniformly (one choice per call for
the whole batch, as Keras). AugMix blends ``num_chains`` chains of up to ``chain_depth``
random operations with Dirichlet(alpha) weights, then mixes the result with the input
by a Beta(alpha, alpha) weight.

>>> import cuflow as cf, numpy as np
>>> cf.keras.layers.RandAugment(seed=0)(np.ones((2, 8, 8, 3), "float32") * 100).shape
TensorShape([2, 8, 8, 3])
"""
from __future__ import annotations

import random as _pyrandom

from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops import random_ops as _rand
from ...ops import reduce_ops as _r
from .augmentation import (RandomBrightness, RandomContrast, RandomRotation,
                           RandomTranslation, _ImageAugmentation)
from .augmentation_color import (AutoContrast, Equalization, RandomColorDegeneration,
                                 RandomPosterization, RandomSharpness, Solarization)
from .augmentation_geometric import RandomShear

_GEOMETRIC_AND_TONE = ["random_shear", "random_translation", "random_rotation",
                       "random_posterization", "solarization", "auto_contrast",
                       "equalization"]
_COLOUR = ["random_brightness", "random_color_degeneration", "random_contrast",
           "random_sharpness"]


def _ops(owner, names, interpolation):
    """The named sub-layers, wired as Keras wires them (channels_last inside)."""
    f, vr, s = owner.factor, owner.value_range, owner.seed
    make = {
        "random_shear": lambda: RandomShear(f, f, interpolation=interpolation, seed=s),
        "random_translation": lambda: RandomTranslation(f, f, interpolation=interpolation,
                                                        seed=s),
        "random_rotation": lambda: RandomRotation(f, interpolation=interpolation, seed=s),
        "random_brightness": lambda: RandomBrightness(f, value_range=vr, seed=s),
        "random_color_degeneration": lambda: RandomColorDegeneration(f, value_range=vr,
                                                                     seed=s),
        "random_contrast": lambda: RandomContrast(f, value_range=vr, seed=s),
        "random_sharpness": lambda: RandomSharpness(f, value_range=vr, seed=s),
        "solarization": lambda: Solarization(f, f, value_range=vr, seed=s),
        "random_posterization": lambda: RandomPosterization(max(1, int(8 * f[1])),
                                                            value_range=vr, seed=s),
        "auto_contrast": lambda: AutoContrast(value_range=vr),
        "equalization": lambda: Equalization(value_range=vr),
    }
    for name in names:
        layer = make[name]()
        layer._autocast = False
        setattr(owner, name, layer)
    return [getattr(owner, n) for n in names]


class RandAugment(_ImageAugmentation):
    """Applies ``num_ops`` operations drawn from Keras's RandAugment list."""

    _FACTOR_BOUNDS = (0, 1)
    _AUGMENT_LAYERS = ["random_shear", "random_translation", "random_rotation",
                       "random_brightness", "random_color_degeneration", "random_contrast",
                       "random_sharpness", "random_posterization", "solarization",
                       "auto_contrast", "equalization"]

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5,
                 interpolation="bilinear", seed=None, data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range, self.num_ops = value_range, num_ops
        self.factor = self._set_factor(factor)
        self.interpolation = interpolation
        self._op_layers = _ops(self, self._AUGMENT_LAYERS, interpolation)

    def _augment(self, x):
        n_layers = len(self._op_layers)
        picks = _m.cast(_m.floor(self._uniform((self.num_ops,), 0.0, float(n_layers))),
                        "int32")
        for i in range(self.num_ops):
            out = x
            for idx, layer in enumerate(self._op_layers):  # Keras: every op, then select
                out = _m.where_v(_m.equal(picks[i], idx), layer._augment(x), out)
            x = out
        return x

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_ops": self.num_ops, "factor": self.factor,
                "interpolation": self.interpolation}


class AugMix(_ImageAugmentation):
    """AugMix: chains of random operations mixed with Dirichlet weights, blended with
    the input by a Beta(alpha, alpha) weight and clipped to ``value_range``."""

    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(seed=seed, data_format=data_format, **kwargs)
        self.value_range, self.num_chains, self.chain_depth = value_range, num_chains, \
            chain_depth
        self.factor = self._set_factor(factor)
        self.alpha, self.all_ops, self.interpolation = alpha, all_ops, interpolation
        names = _GEOMETRIC_AND_TONE + (_COLOUR if all_ops else [])
        self._augment_layers = names
        _ops(self, names, interpolation)
        self._chooser = _pyrandom.Random(seed)

    def _augment(self, x):
        g = _rand.gamma([self.num_chains], self.alpha, seed=self.seed)
        weights = _m.cast(g / _r.reduce_sum(g, axis=-1, keepdims=True), x.dtype.name)
        a = _rand.gamma([], self.alpha, seed=self.seed)
        b = _rand.gamma([], self.alpha, seed=self.seed)
        mix = _m.cast(a / (a + b), x.dtype.name)
        aug = _a.zeros_like(x)
        for c in range(self.num_chains):
            chain = x
            for _ in range(self.chain_depth):
                name = self._chooser.choice(self._augment_layers + [None])
                if name is not None:
                    chain = getattr(self, name)._augment(chain)
            aug = aug + chain * weights[c]
        out = mix * x + (1.0 - mix) * aug
        return _m.minimum(_m.maximum(out, float(self.value_range[0])),
                          float(self.value_range[1]))

    def get_config(self):
        return {**super().get_config(), "value_range": self.value_range,
                "num_chains": self.num_chains, "chain_depth": self.chain_depth,
                "factor": self.factor, "alpha": self.alpha, "all_ops": self.all_ops,
                "interpolation": self.interpolation}
