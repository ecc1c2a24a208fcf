"""``cf.keras.random``: Keras 3's seeded random draws.

``seed`` is an int (the same draw every call, as Keras's stateless seeds), a
:class:`SeedGenerator` (advances on each draw, reproducible from its seed), or None (a
global generator, seeded by ``cf.keras.utils.set_random_seed`` / ``cf.random.set_seed``).
Int seeds use cuflow's stateless ops; generators use ``cf.random.Generator``, whose state
is a variable, so draws also work inside ``cf.function``. The streams differ from
TensorFlow's, as Keras allows.

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
    """A stateful random source: each draw advances it; equal seeds give equal streams.

    >>> import cuflow as cf
    >>> g = cf.keras.random.SeedGenerator(1)
    >>> a, b = cf.keras.random.uniform((1,), seed=g), cf.keras.random.uniform((1,), seed=g)
    >>> bool(a.numpy()[0] != b.numpy()[0])
    True
    """

    def __init__(self, seed=None, name=None, **kwargs):
        from .backend import unique_name
        from .variable import Variable
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        if seed is None:
            seed = secrets.randbits(31)
        if not isinstance(seed, (int, np.integer)):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        self.name = name or unique_name("seed_generator")   # Keras: auto_name
        self._initial_seed = int(seed)
        # Keras 3's state: an int64 [seed, counter] variable (listed in layer.variables);
        # draws read it when they run (eagerly or in a traced step) and advance it
        self.state = Variable(np.array([int(seed), 0], np.int64), dtype="int64",
                              trainable=False, name="seed_generator_state")
        self.state.path = f"{self.name}/seed_generator_state"
        self._generator = _StateStream(self.state)

    def next(self, ordered=True):
        """Keras's next(): the current [seed, counter] (a stateless op's seed); the
        counter advances."""
        value = self.state.value * 1
        self.state.assign_add(_cf.constant([0, 1], dtype="int64"))
        return value

    def get_config(self):
        return {"seed": self._initial_seed}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _StateStream(_cf.random.Generator):
    """A ``cf.random.Generator`` whose (key, counter) come from a SeedGenerator's
    [seed, counter] variable, read and advanced by each draw when it runs."""

    def __init__(self, state):   # no Generator state of its own
        import threading as _threading
        self._lock, self._alg, self._var = _threading.Lock(), "philox", state

    def _take(self):
        from ..ops.random_generator import _mix
        with self._lock:
            seed, count = (int(v) for v in np.asarray(self._var._tensor._value))
            self._var._tensor = _cf.constant(np.array([seed, count + 1], np.int64))
        return _mix(seed), count

    def _reserve(self, n):
        key, count = self._take()
        counter = count << 64   # one block of 2**64 per draw: draws never overlap
        return ((key & 0xFFFFFFFF, key >> 32),
                tuple((counter >> (32 * i)) & 0xFFFFFFFF for i in range(4)))

    def _next_bitgen(self):
        key, count = self._take()
        return np.random.Generator(np.random.Philox(key=key, counter=count << 192))

    @property
    def state(self):
        return self._var.value


_global = {"gen": None, "epoch": None}
_global_lock = threading.Lock()


def _global_generator():
    from ..ops.random_ops import _SeedState
    with _global_lock:
        # every cf.random.set_seed call installs a fresh ``streams`` dict: restart then
        epoch = _SeedState.streams
        if _global["gen"] is None or _global["epoch"] is not epoch:
            _global["gen"] = SeedGenerator(_SeedState.global_seed)
            _global["epoch"] = epoch
        return _global["gen"]


class _Stateless:
    """Draws from an int seed: the k-th draw of one op uses seed (seed, k)."""

    def __init__(self, seed):
        self.seed, self.k = int(seed), 0

    def _next(self):
        self.k += 1
        return [self.seed, self.k - 1]

    def normal(self, shape, dtype):
        return _cf.random.stateless_normal(shape, self._next(), dtype=dtype)

    def uniform(self, shape, dtype, minval=0, maxval=None):
        return _cf.random.stateless_uniform(shape, self._next(), minval=minval,
                                            maxval=maxval, dtype=dtype)

    def truncated_normal(self, shape, dtype):
        return _cf.random.stateless_truncated_normal(shape, self._next(), dtype=dtype)


class _Stateful:
    """Draws from a ``cf.random.Generator`` (advancing its state variable)."""

    def __init__(self, gen):
        self.gen = gen

    def normal(self, shape, dtype):
        return self.gen.normal(shape, dtype=dtype)

    def uniform(self, shape, dtype, minval=0, maxval=None):
        return self.gen.uniform(shape, minval=minval, maxval=maxval, dtype=dtype)

    def truncated_normal(self, shape, dtype):
        return self.gen.truncated_normal(shape, dtype=dtype)


def _source(seed):
    if isinstance(seed, SeedGenerator):
        return _Stateful(seed._generator)
    if seed is None:
        return _Stateful(_global_generator()._generator)
    if isinstance(seed, (int, np.integer)):
        return _Stateless(seed)
    raise ValueError("Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")


def draw_seed(seed):
    """A shape-[2] int64 seed tensor for a stateless op (int seeds: static)."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if seed is None:
        return _global_generator().next()
    if isinstance(seed, (int, np.integer)):
        return _cf.constant([int(seed), 0], dtype="int64")
    return _source(seed)  # raises


def _dt(dtype):
    return standardize_dtype(dtype or floatx())


def _shape(shape):
    return [shape] if isinstance(shape, int) else list(shape)


def _affine(x, mean, stddev):
    dt = x.dtype
    return x * _cf.cast(convert_to_tensor(stddev), dt) + _cf.cast(convert_to_tensor(mean), dt)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2)."""
    return _affine(_source(seed).normal(_shape(shape), _dt(dtype)), mean, stddev)


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples from U[minval, maxval) (float dtypes)."""
    dt = _dt(dtype)
    if not _cf.as_dtype(dt).is_floating:
        raise ValueError("`keras.random.uniform` requires a floating point `dtype`. "
                         f"Received: dtype={dtype} ")
    return _source(seed).uniform(_shape(shape), dt, minval, maxval)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples from N(mean, stddev^2) redrawn beyond two standard deviations."""
    return _affine(_source(seed).truncated_normal(_shape(shape), _dt(dtype)), mean, stddev)


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Integers uniform in [minval, maxval)."""
    dt = standardize_dtype(dtype)
    if not _cf.as_dtype(dt).is_integer:
        raise ValueError("`keras.random.randint` requires an integer `dtype`. "
                         f"Received: dtype={dtype} ")
    return _source(seed).uniform(_shape(shape), dt, minval, maxval)


def categorical(logits, num_samples, dtype="int32", seed=None):
    """``num_samples`` class indices per row of 2-D ``logits`` (Gumbel-max)."""
    logits = convert_to_tensor(logits)
    if logits.shape.rank != 2:
        raise ValueError("`logits` should be a 2-D tensor with shape [batch_size, "
                         f"num_classes]. Received: logits={logits}")
    b, n = logits.shape.as_list()
    u = _source(seed).uniform([b, num_samples, n], "float32", 1e-20, 1.0)
    gumbel = -_cf.math.log(-_cf.math.log(u))
    scores = _cf.expand_dims(_cf.cast(logits, "float32"), 1) + gumbel
    return _cf.math.argmax(scores, axis=-1, output_type=standardize_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes elements with probability ``rate`` and scales the rest by 1 / (1 - rate)."""
    x = convert_to_tensor(inputs)
    shape = x.shape.as_list() if noise_shape is None else [
        x.shape[i] if d is None else d for i, d in enumerate(noise_shape)]
    u = _source(seed).uniform(shape, x.dtype.name)
    keep = _cf.greater_equal(u, _cf.constant(rate, x.dtype))
    scale = _cf.constant(1.0 / (1.0 - rate), x.dtype) if rate < 1 else _cf.zeros([], x.dtype)
    return _cf.where(keep, x * scale, _cf.zeros_like(x))


def shuffle(x, axis=0, seed=None):
    """``x`` with its slices along ``axis`` randomly permuted."""
    x = convert_to_tensor(x)
    keys = _source(seed).uniform([x.shape[axis]], "float32")
    return _cf.gather(x, _cf.argsort(keys), axis=axis)


def _gamma(src, shape, alpha, dtype, tries=12):
    """Marsaglia-Tsang gamma draws with a fixed number of candidates (traceable; each
    candidate is accepted with probability > 0.95, so 12 tries leave ~1e-16 unresolved,
    which keep the last candidate); alpha < 1 is boosted by U ** (1 / alpha)."""
    a = _cf.broadcast_to(_cf.cast(convert_to_tensor(alpha), "float64"), shape)
    small = _cf.less(a, 1.0)
    ab = _cf.where(small, a + 1.0, a)
    d = ab - 1.0 / 3.0
    c = 1.0 / _cf.math.sqrt(9.0 * d)
    z = src.normal([tries] + shape, "float64")
    u = src.uniform([tries] + shape, "float64")
    v = (1.0 + c * z) ** 3
    ok = _cf.logical_and(_cf.greater(v, 0.0), _cf.less(
        _cf.math.log(u), 0.5 * z * z + d - d * v + d * _cf.math.log(_cf.maximum(v, 1e-300))))
    # the first accepted candidate (the last one when none is)
    ok = _cf.concat([ok[:-1], _cf.ones_like(ok[-1:])], axis=0)
    first = _cf.math.argmax(_cf.cast(ok, "int32"), axis=0, output_type="int32")
    n = int(np.prod(shape)) if shape else 1
    flat = _cf.gather_nd(_cf.transpose(_cf.reshape(d * v, [tries, n])),
                         _cf.stack([_cf.range(n), _cf.reshape(first, [n])], axis=1))
    g = _cf.reshape(flat, shape)
    boost = src.uniform(shape, "float64", 1e-300, 1.0) ** (1.0 / a)
    g = _cf.where(small, g * boost, g)
    return _cf.cast(g, dtype)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples from Gamma(alpha, 1)."""
    return _gamma(_source(seed), _shape(shape), alpha, _dt(dtype))


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples from Beta(alpha, beta) as X / (X + Y) of two gamma draws."""
    src = _source(seed)
    x = _gamma(src, _shape(shape), alpha, "float64")
    y = _gamma(src, _shape(shape), beta, "float64")
    return _cf.cast(x / (x + y), _dt(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples from Binomial(counts, probabilities) by counting Bernoulli trials (as floats
    by default; ``counts`` must be known when the function is traced)."""
    dt = _dt(dtype)
    shape = _shape(shape)
    c = np.asarray(counts.numpy() if hasattr(counts, "numpy") else counts)
    n = int(np.max(c))
    u = _source(seed).uniform(shape + [n], "float32")
    p = _cf.expand_dims(_cf.cast(convert_to_tensor(probabilities), "float32"), -1)
    trial = _cf.less(_cf.range(n), _cf.expand_dims(_cf.cast(convert_to_tensor(counts),
                                                            "int32"), -1))
    hits = _cf.logical_and(_cf.less(u, p), trial)
    return _cf.cast(_cf.reduce_sum(_cf.cast(hits, "int32"), axis=-1), dt)
