"""``cf.keras.random``: Keras 3's seeded random draws.

``seed`` is an int (the same draw every call, as Keras's stateless seeds), a
:class:`SeedGenerator` (advances on each draw, reproducible from its seed), or None (a
global generator, seeded by ``cf.keras.utils.set_random_seed`` / ``cf.random.set_seed``).
Draws use cuflow's stateless (counter-based) ops, so they also run traced and on GPUs.
The streams differ from TensorFlow's, as Keras allows.

    >>> import cuflow as cf
    >>> g = cf.keras.random.SeedGenerator(42)
    >>> cf.keras.random.normal((2,), seed=g).shape
    TensorShape([2])
"""
from __future__ import annotations

import secrets
import threading

import numpy as np

import cuflow as _cf

from .ops._base import convert_to_tensor, floatx, standardize_dtype

__all__ = ["SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "categorical",
           "dropout", "shuffle", "gamma", "beta", "binomial"]


class SeedGenerator:
    """A stateful seed: each draw takes the next (seed, counter) pair.

    >>> import cuflow as cf
    >>> g = cf.keras.random.SeedGenerator(1)
    >>> a, b = cf.keras.random.uniform((1,), seed=g), cf.keras.random.uniform((1,), seed=g)
    >>> bool(a.numpy()[0] != b.numpy()[0])
    True
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if seed is None:
            seed = secrets.randbits(31)
        if not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self.name = name or "seed_generator"
        self._initial_seed = int(seed)
        self.state = _cf.Variable(np.array([int(seed), 0], np.int64), trainable=False,
                                  name=f"{self.name}_state")
        self._lock = threading.Lock()

    def next(self, ordered=True):
        """The current (seed, counter) pair; the counter advances by one."""
        with self._lock:
            s = self.state.value()
            self.state.assign_add(np.array([0, 1], np.int64))
        return s

    def get_config(self):
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


_global = {"gen": None, "seed": None}
_global_lock = threading.Lock()


def _global_generator():
    from ..ops.random_ops import _SeedState
    with _global_lock:
        gseed = _SeedState.global_seed
        if _global["gen"] is None or _global["seed"] != gseed:
            _global["gen"] = SeedGenerator(gseed)
            _global["seed"] = gseed
        return _global["gen"]


def draw_seed(seed):
    """A shape-[2] int64 seed tensor for a stateless op."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return _global_generator().next()
    if isinstance(seed, (int, np.integer)):
        return _cf.constant([int(seed), 0], dtype="int64")
    t = convert_to_tensor(seed)
    if t.shape.rank == 1 and t.shape[0] == 2:
        return _cf.cast(t, "int64")
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")


def _dt(dtype):
    return standardize_dtype(dtype or floatx())


def _shape(shape):
    return [shape] if isinstance(shape, int) else list(shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2)."""
    return _cf.random.stateless_normal(_shape(shape), draw_seed(seed), mean=mean,
                                       stddev=stddev, dtype=_dt(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from U[minval, maxval) (float dtypes)."""
    dt = _dt(dtype)
    if not _cf.as_dtype(dt).is_floating:
        raise ValueError("`keras.random.uniform` requires a floating point `dtype`. "
                         f"Received: dtype={dtype} ")
    return _cf.random.stateless_uniform(_shape(shape), draw_seed(seed), minval=minval,
                                        maxval=maxval, dtype=dt)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2) redrawn beyond two standard deviations."""
    return _cf.random.stateless_truncated_normal(_shape(shape), draw_seed(seed), mean=mean,
                                                 stddev=stddev, dtype=_dt(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniform in [minval, maxval)."""
    dt = standardize_dtype(dtype)
    if not _cf.as_dtype(dt).is_integer:
        raise ValueError("`keras.random.randint` requires an integer `dtype`. "
                         f"Received: dtype={dtype} ")
    return _cf.random.stateless_uniform(_shape(shape), draw_seed(seed), minval=minval,
                                        maxval=maxval, dtype=dt)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class indices per row of 2-D ``logits``."""
    logits = convert_to_tensor(logits)
    if logits.shape.rank != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, "
                         f"num_classes]. Received: logits={logits}")
    return _cf.random.stateless_categorical(logits, num_samples, draw_seed(seed),
                                            dtype=standardize_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes elements with probability ``rate`` and scales the rest by 1 / (1 - rate)."""
    x = convert_to_tensor(inputs)
    shape = _cf.shape(x) if noise_shape is None else [
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape)]
    u = _cf.random.stateless_uniform(shape, draw_seed(seed), dtype=x.dtype)
    keep = _cf.greater_equal(u, _cf.constant(rate, x.dtype))
    scale = _cf.constant(1.0 / (1.0 - rate), x.dtype) if rate < 1 else _cf.zeros([], x.dtype)
    return _cf.where(keep, x * scale, _cf.zeros_like(x))


def shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` randomly permuted."""
    x = convert_to_tensor(x)
    n = x.shape[axis]
    keys = _cf.random.stateless_uniform([n], draw_seed(seed), dtype="float32")
    return _cf.gather(x, _cf.argsort(keys), axis=axis)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from Gamma(alpha, 1)."""
    dt = _dt(dtype)
    return _cf.random.stateless_gamma(_shape(shape), draw_seed(seed), alpha=alpha, dtype=dt)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from Beta(alpha, beta) as X / (X + Y) of two gamma draws."""
    dt = _dt(dtype)
    s = draw_seed(seed)
    x = _cf.random.stateless_gamma(_shape(shape), s, alpha=alpha, dtype=dt)
    y = _cf.random.stateless_gamma(_shape(shape), s + _cf.constant([0, 1 << 20], "int64"),
                                   alpha=beta, dtype=dt)
    return x / (x + y)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples from Binomial(counts, probabilities), as floats by default."""
    dt = _dt(dtype)
    shape = _shape(shape)
    c = np.asarray(counts.numpy() if hasattr(counts, "numpy") else counts)
    n = int(np.max(c))
    u = _cf.random.stateless_uniform(shape + [n], draw_seed(seed), dtype="float32")
    p = _cf.expand_dims(_cf.cast(convert_to_tensor(probabilities), "float32"), -1)
    trial = _cf.less(_cf.range(n), _cf.expand_dims(_cf.cast(convert_to_tensor(counts),
                                                            "int32"), -1))
    hits = _cf.logical_and(_cf.less(u, p), trial)
    return _cf.cast(_cf.reduce_sum(_cf.cast(hits, "int32"), axis=-1), dt)
