"""Philox4x32-10 counter-based RNG and dropout built on it (NumPy truth).

Counter-based: the random bits of element ``i`` depend only on (seed, offset, i), so the
CPU, the simulator and the GPU produce the same mask without sharing state, and the
backward pass can regenerate it instead of storing it.

Layout (shared with cuda/dropout.cu and the Numba CUDA kernel): the 64-bit seed is the
key (low word, high word); element ``i`` uses block ``b = offset + i // 4`` as the counter
(low word, high word, 0, 0) and lane ``i % 4`` of that block's output. A 32-bit output
``r`` maps to ``(r >> 8) * 2**-24``, a float32 uniform in [0, 1).
"""
import numpy as np

from .._checks import check_float

PHILOX_M0 = 0xD2511F53
PHILOX_M1 = 0xCD9E8D57
PHILOX_W0 = 0x9E3779B9
PHILOX_W1 = 0xBB67AE85
MASK32 = 0xFFFFFFFF


def philox4x32_10(counters, key):
    """Philox4x32 with 10 rounds. counters: uint32 (n, 4); key: two uint32 -> uint32 (n, 4)."""
    c = np.asarray(counters, dtype=np.uint64).reshape(-1, 4).copy()
    k0, k1 = (int(v) & MASK32 for v in key)
    c0, c1, c2, c3 = c[:, 0], c[:, 1], c[:, 2], c[:, 3]
    for _ in range(10):
        p0 = c0 * np.uint64(PHILOX_M0)  # 32x32 -> 64-bit product, exact in uint64
        p1 = c2 * np.uint64(PHILOX_M1)
        hi0, lo0 = p0 >> np.uint64(32), p0 & np.uint64(MASK32)
        hi1, lo1 = p1 >> np.uint64(32), p1 & np.uint64(MASK32)
        c0, c1, c2, c3 = (hi1 ^ c1 ^ np.uint64(k0), lo1, hi0 ^ c3 ^ np.uint64(k1), lo0)
        k0 = (k0 + PHILOX_W0) & MASK32
        k1 = (k1 + PHILOX_W1) & MASK32
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32)


def _split_seed(seed):
    seed = int(seed) & 0xFFFFFFFFFFFFFFFF
    return seed & MASK32, seed >> 32


def philox_uniform(n, seed, offset=0):
    """n float32 uniforms in [0, 1) for (seed, offset) in the layout described above."""
    if n < 0 or offset < 0:
        raise ValueError(f"philox_uniform: n and offset must be >= 0, got {n}, {offset}")
    blocks = np.arange(-(-n // 4), dtype=np.uint64) + np.uint64(offset)
    ctr = np.zeros((blocks.size, 4), dtype=np.uint64)
    ctr[:, 0] = blocks & np.uint64(MASK32)
    ctr[:, 1] = blocks >> np.uint64(32)
    bits = philox4x32_10(ctr, _split_seed(seed)).reshape(-1)[:n]
    return (bits >> np.uint32(8)).astype(np.float32) * np.float32(2.0 ** -24)


def dropout_mask(shape, rate, seed, offset=0):
    """Boolean keep-mask: element kept when its uniform >= rate (keep probability 1-rate)."""
    if not 0.0 <= rate < 1.0:
        raise ValueError(f"dropout: rate must be in [0, 1), got {rate}")
    n = int(np.prod(shape, dtype=np.int64))
    return (philox_uniform(n, seed, offset) >= np.float32(rate)).reshape(shape)


def dropout(x, rate, seed, offset=0):
    """(y, mask): y = x * mask / (1 - rate), computed in x's accumulation dtype."""
    check_float("dropout", x=x)
    mask = dropout_mask(x.shape, rate, seed, offset)
    acc = np.float64 if x.dtype == np.float64 else np.float32
    scale = acc(1.0 / (1.0 - rate))
    return (x.astype(acc) * mask * scale).astype(x.dtype), mask
