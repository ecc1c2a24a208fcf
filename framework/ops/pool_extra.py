"""Fractional max/avg pooling (``tf.nn.fractional_*_pool``) and ``with_space_to_batch``.

Pooling sequences follow TF's kernel bit for bit: a Philox stream keyed by
``(87654321, seed)`` (TF's default graph seed with the op seed), window sizes shuffled
by Fisher-Yates with TF's exact-uniform integers, or Graham's pseudo-random sequence
from one uniform double. The pooling is gathers + a reduction, so gradients come free.

>>> import cuflow as cf
>>> x = cf.reshape(cf.range(50.0), [1, 5, 10, 1])
>>> _, rows, cols = cf.nn.fractional_max_pool(x, [1.0, 1.5, 2.5, 1.0], seed=3)
>>> rows.numpy().tolist(), cols.numpy().tolist()
([0, 1, 3, 5], [0, 2, 5, 7, 10])
"""
from __future__ import annotations

import collections
import math
import secrets

import numpy as np

from ..errors import InvalidArgumentError
from . import array_ops as _a
from . import philox as _ph
from . import reduce_ops as _r
from ._util import static_value
from .constant import constant, convert_to_tensor

_DEFAULT_GRAPH_SEED = 87654321


class _Philox32:
    """TF's GuardedPhiloxRandom + SimplePhilox: 32-bit words from reserved blocks."""

    def __init__(self, seed, seed2):
        self.key = (seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF)
        self.seed2, self.pos = seed2 & ((1 << 64) - 1), 0

    def reserve(self, samples32):
        """A word stream starting at the current counter; skips ceil(n/4) blocks."""
        pos, self.pos = self.pos, self.pos + (samples32 + 3) // 4
        counter = (pos & 0xFFFFFFFF, pos >> 32, self.seed2 & 0xFFFFFFFF, self.seed2 >> 32)

        def words():
            off = 0
            while True:
                yield from (int(w) for w in _ph.blocks(self.key, counter, [off])[0])
                off += 1
        return words()


def _uniform_int(words, n):
    """TF's ExactUniformInt<uint32>: masking for powers of two, else rejection."""
    if n & (n - 1) == 0:
        return next(words) & (n - 1)
    rem = (0xFFFFFFFF % n) + 1
    while True:
        r = next(words)
        if r >= rem:
            return r % n


def _pooling_sequence(n_in, n_out, gen, pseudo_random):
    if n_in % n_out == 0:
        diff = [n_in // n_out] * n_out
    elif pseudo_random:
        words = gen.reserve(2)
        x0, x1 = next(words), next(words)
        alpha, k = n_in / n_out, n_in // n_out
        u = float(_ph._u64_to_double(np.uint64(x0), np.uint64(x1))) * min(
            (k + 2) / alpha - 1, (n_in + 1 - k) / alpha - (n_out - 1))
        cum = [1] + [int(math.ceil(alpha * (i + u))) for i in range(1, n_out)] + [n_in + 1]
        diff = [b - a for a, b in zip(cum[:-1], cum[1:])]
    else:
        words = gen.reserve(n_out)
        k, r = divmod(n_in, n_out)
        diff = [k + 1] * r + [k] * (n_out - r)
        for i in range(n_out - 1):
            j = i + _uniform_int(words, n_out - i)
            diff[i], diff[j] = diff[j], diff[i]
    return np.concatenate([[0], np.cumsum(diff)]).astype(np.int64)


def _windows(cum, n_in, overlapping):
    """[n_out, kmax] input indices per window (padded by repeating) and a validity mask."""
    starts = cum[:-1]
    ends = np.minimum(cum[1:] + (1 if overlapping else 0), n_in)   # exclusive
    kmax = int((ends - starts).max())
    idx = starts[:, None] + np.arange(kmax)[None, :]
    mask = idx < ends[:, None]
    return np.where(mask, idx, (ends - 1)[:, None]), mask


def _fractional(op, value, pooling_ratio, pseudo_random, overlapping, seed, reduce):
    x = convert_to_tensor(value)
    if len(x.shape) != 4:
        raise InvalidArgumentError(None, op, f"{op}: input must be 4-dimensional, got "
                                   f"shape {x.shape}")
    ratio = [float(r) for r in (pooling_ratio if np.ndim(pooling_ratio) else
                                [1.0, pooling_ratio, pooling_ratio, 1.0])]
    if len(ratio) == 2:
        ratio = [1.0, *ratio, 1.0]
    if len(ratio) != 4 or ratio[0] != 1.0 or ratio[3] != 1.0 or min(ratio) < 1.0:
        raise InvalidArgumentError(None, op, f"{op}: pooling_ratio must be [1.0, >=1, "
                                   f">=1, 1.0], got {pooling_ratio}")
    n, h, w, c = x.shape.as_list()
    out = [int(math.floor(s / r)) for s, r in zip((h, w), ratio[1:3])]
    if min(out) <= 0:
        raise InvalidArgumentError(None, op, f"{op}: pooling_ratio {ratio} is too large "
                                   f"for input of shape {x.shape}")
    if seed:
        gen = _Philox32(_DEFAULT_GRAPH_SEED, int(seed))
    else:
        gen = _Philox32(secrets.randbits(64), secrets.randbits(64))
    rows = _pooling_sequence(h, out[0], gen, pseudo_random)
    cols = _pooling_sequence(w, out[1], gen, pseudo_random)
    (ri, rm), (ci, cm) = _windows(rows, h, overlapping), _windows(cols, w, overlapping)
    from .index_ops import gather
    # Separable: reduce each window's rows, then its columns (max and sum both split).
    g = _a.reshape(gather(x, constant(ri.reshape(-1)), axis=1), [n, *ri.shape, w, c])
    g = reduce(g, rm[None, :, :, None, None], 2)                      # [N, OH, W, C]
    g = _a.reshape(gather(g, constant(ci.reshape(-1)), axis=2), [n, ri.shape[0],
                                                                  *ci.shape, c])
    y = reduce(g, cm[None, None, :, :, None], 3)                      # [N, OH, OW, C]
    return y, constant(rows), constant(cols)


_Max = collections.namedtuple("FractionalMaxPool",
                              ["output", "row_pooling_sequence", "col_pooling_sequence"])
_Avg = collections.namedtuple("FractionalAvgPool",
                              ["output", "row_pooling_sequence", "col_pooling_sequence"])


def fractional_max_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        seed=0, name=None):
    """Max pooling over windows of fractional average size ``pooling_ratio`` (Graham
    2014); returns the output and the row/col pooling sequences (int64)."""
    return _Max(*_fractional("fractional_max_pool", value, pooling_ratio, pseudo_random,
                             overlapping, seed,
                             lambda g, mask, axis: _r.reduce_max(g, axis=axis)))


def fractional_avg_pool(value, pooling_ratio, pseudo_random=False, overlapping=False,
                        seed=0, name=None):
    """Average pooling over fractional windows (see ``fractional_max_pool``)."""
    def mean(g, mask, axis):
        m = constant(mask.astype(g.dtype.np))
        return _r.reduce_sum(g * m, axis=axis) / _r.reduce_sum(m, axis=axis)
    return _Avg(*_fractional("fractional_avg_pool", value, pooling_ratio, pseudo_random,
                             overlapping, seed, mean))


# --- with_space_to_batch ---------------------------------------------------------------------
def required_space_to_batch_paddings(input_shape, block_shape, base_paddings=None,
                                     name=None):
    """Paddings making ``input_shape`` (+ ``base_paddings``) divisible by
    ``block_shape``, and the crops that undo the extra ones (int32)."""
    shape = np.asarray(static_value(input_shape), np.int64).reshape(-1)
    block = np.asarray(static_value(block_shape), np.int64).reshape(-1)
    base = (np.zeros((len(block), 2), np.int64) if base_paddings is None
            else np.asarray(static_value(base_paddings), np.int64).reshape(-1, 2))
    full = shape + base[:, 0] + base[:, 1]
    extra = (block - full % block) % block
    paddings = np.stack([base[:, 0], base[:, 1] + extra], 1)
    crops = np.stack([np.zeros_like(extra), extra], 1)
    return constant(paddings.astype(np.int32)), constant(crops.astype(np.int32))


def with_space_to_batch(input, dilation_rate, padding, op, filter_shape=None,  # noqa: A002
                        spatial_dims=None, data_format=None):
    """Runs ``op(converted, num_spatial_dims, "VALID")`` on the space-to-batch form of
    ``input`` with block ``dilation_rate``, turning a window op into its atrous form."""
    from .array_extra import batch_to_space, space_to_batch_nd
    x = convert_to_tensor(input)
    rate = np.asarray(static_value(dilation_rate), np.int64).reshape(-1)
    nsd = len(rate)
    first = 2 if data_format is not None and data_format.startswith("NC") else 1
    dims_ = list(range(first, first + nsd)) if spatial_dims is None else \
        [int(d) for d in spatial_dims]
    if dims_ != sorted(set(dims_)) or any(d < 1 for d in dims_):
        raise ValueError("`spatial_dims` must be a monotonically increasing sequence of "
                         f"positive integers. Received: spatial_dims={dims_}")
    if len(x.shape) < dims_[-1] + (0 if first == 2 else 1):
        raise ValueError(f"`input.shape.rank` must be at least {dims_[-1] + 1}. Received: "
                         f"input.shape={x.shape}")
    if (rate < 1).any():
        raise ValueError(f"`dilation_rate` must be positive. Received: "
                         f"dilation_rate={rate.tolist()}")
    if (rate == 1).all():
        return op(x, nsd, padding)
    if padding == "SAME":
        if filter_shape is None:
            raise ValueError("`filter_shape` must be specified for `padding='SAME'`. "
                             f"Received: filter_shape={filter_shape} and padding={padding}")
        extra = (np.asarray(static_value(filter_shape), np.int64)[:nsd] - 1) * rate
        base = np.stack([extra // 2, extra - extra // 2], 1)
    elif padding == "VALID":
        base = np.zeros((nsd, 2), np.int64)
    else:
        raise ValueError(f"`padding` must be one of 'SAME' or 'VALID'. Received: "
                         f"padding={padding}")
    sizes = [x.shape[d] for d in dims_]
    pads, crops = required_space_to_batch_paddings(sizes, rate, base)
    full_block = np.ones(dims_[-1], np.int64)
    full_pads = np.zeros((dims_[-1], 2), np.int64)
    full_crops = np.zeros((dims_[-1], 2), np.int64)
    for i, d in enumerate(dims_):
        full_block[d - 1] = rate[i]
        full_pads[d - 1], full_crops[d - 1] = pads.numpy()[i], crops.numpy()[i]
    converted = space_to_batch_nd(x, full_block.tolist(), full_pads.tolist())
    result = op(converted, nsd, "VALID")
    return batch_to_space(result, full_block.tolist(), full_crops.tolist())
