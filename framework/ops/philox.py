"""TensorFlow's Philox4x32-10 streams, bit for bit, in NumPy (the stateless random ops).

``tf.random.stateless_*`` derive a Philox key and 128-bit counter from the [2] seed
(TF's ``GenerateKey``), then fill the output group by group: group ``g`` of a
fixed-size distribution uses counter ``+ g``; truncated normal (rejection sampling)
starts group ``g`` at counter ``+ g * 256 * size / 4``. The bit-to-float conversions
and Box-Muller below are TF's (``random_distributions.h``), so the same seed gives
TF's numbers.

>>> key, counter = key_counter_from_seed(1, 2)
>>> draw("full_int", key, counter, (2,), np.dtype(np.int32)).tolist()
[1105988140, 1738052849]
"""
from __future__ import annotations

import numpy as np

_M32 = 0xFFFFFFFF
_M64 = (1 << 64) - 1
_MUL_A, _MUL_B = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_WEYL_A, _WEYL_B = 0x9E3779B9, 0xBB67AE85
_U32 = np.uint64(_M32)
_S32 = np.uint64(32)


def blocks(key, counter, offsets):
    """Philox4x32-10 of ``counter + offsets`` under ``key``: uint64 array [len, 4] of
    32-bit words (``key``: 2 ints, ``counter``: 4 ints, low word first)."""
    offsets = np.asarray(offsets, dtype=np.uint64)
    lo = np.uint64(counter[0] | counter[1] << 32)
    hi = np.uint64(counter[2] | counter[3] << 32)
    with np.errstate(over="ignore"):
        low = lo + offsets
        high = hi + (low < lo).astype(np.uint64)  # 128-bit carry
        c0, c1 = low & _U32, low >> _S32
        c2, c3 = high & _U32, high >> _S32
        k0, k1 = int(key[0]), int(key[1])
        for _ in range(10):
            p0, p1 = _MUL_A * c0, _MUL_B * c2
            c0, c1, c2, c3 = ((p1 >> _S32) ^ c1 ^ np.uint64(k0), p1 & _U32,
                              (p0 >> _S32) ^ c3 ^ np.uint64(k1), p0 & _U32)
            k0, k1 = (k0 + _WEYL_A) & _M32, (k1 + _WEYL_B) & _M32
    return np.stack([c0, c1, c2, c3], axis=-1)


def key_counter_from_seed(seed0, seed1):
    """TF's ``GenerateKey``: scramble the two seed words into a key and a counter."""
    s0, s1 = int(seed0) & _M64, int(seed1) & _M64
    counter = (s0 & _M32, s0 >> 32, s1 & _M32, s1 >> 32)
    mix = [int(v) for v in blocks((0x3EC8F720, 0x02461E29), counter, [0])[0]]
    return (mix[0], mix[1]), (0, 0, mix[2], mix[3])


# --- bits to numbers (random_distributions.h) ---------------------------------------------------
def _u32_to_float(x):
    return ((x & np.uint64(0x7FFFFF)) | np.uint64(0x3F800000)).astype(np.uint32).view(
        np.float32) - np.float32(1)


def _u64_to_double(x0, x1):
    man = ((x0 & np.uint64(0xFFFFF)) << _S32) | x1
    return (man | np.uint64(1023 << 52)).view(np.float64) - 1.0


def _uniform(words, n, dt):
    if dt == np.float64:
        return _u64_to_double(words[0::2], words[1::2])[:n]
    if dt == np.float16:
        bits = (words[:n] & np.uint64(0x3FF)) | np.uint64(15 << 10)
        return bits.astype(np.uint16).view(np.float16) - np.float16(1)
    if dt.name == "bfloat16":
        bits = (words[:n] & np.uint64(0x7F)) | np.uint64(127 << 7)
        return (bits.astype(np.uint16).view(dt).astype(np.float32) - 1).astype(dt)
    return _u32_to_float(words[:n])


def _box_muller_float(x0, x1):
    u1 = np.maximum(_u32_to_float(x0), np.float32(1e-7))
    v1 = (2 * np.pi * _u32_to_float(x1).astype(np.float64)).astype(np.float32)
    u2 = np.sqrt(np.float32(-2) * np.log(u1))
    return np.sin(v1) * u2, np.cos(v1) * u2


def _box_muller_double(x0, x1, x2, x3):
    u1 = np.maximum(_u64_to_double(x0, x1), 1e-7)
    v1 = 2 * np.pi * _u64_to_double(x2, x3)
    u2 = np.sqrt(-2.0 * np.log(u1))
    return np.sin(v1) * u2, np.cos(v1) * u2


def _interleave(a, b):
    return np.stack([a, b], axis=-1).reshape(-1)


def _normal(b, n, dt):
    if dt == np.float64:
        return _interleave(*_box_muller_double(b[:, 0], b[:, 1], b[:, 2], b[:, 3]))[:n]
    w = b.reshape(-1)
    return _interleave(*_box_muller_float(w[0::2], w[1::2]))[:n].astype(dt)


def _candidates(key, counter, groups, per, skip, double):
    """Box-Muller candidates of ``per`` blocks from each group's counter region."""
    offs = groups[:, None] * np.uint64(skip) + np.arange(per, dtype=np.uint64)[None, :]
    b = blocks(key, counter, offs.reshape(-1)).reshape(len(groups), per, 4)
    if double:
        cand = np.stack(_box_muller_double(*(b[..., i] for i in range(4))), -1)
    else:
        f0a, f1a = _box_muller_float(b[..., 0], b[..., 1])
        f0b, f1b = _box_muller_float(b[..., 2], b[..., 3])
        cand = np.stack([f0a, f1a, f0b, f1b], -1)
    return cand.reshape(len(groups), -1)


def _first_accepted(cand, group):
    ok = np.abs(cand) < 2
    first = np.argsort(~ok, axis=1, kind="stable")[:, :group]
    return np.take_along_axis(cand, first, 1), ok.sum(axis=1) >= group


def _truncated(key, counter, n, dt):
    """Rejection sampling, |z| < 2; each output group has its own counter region of
    256 * group / 4 blocks (TF's kReservedSamplesPerOutput)."""
    double = dt == np.float64
    group = 2 if double else 4
    skip = group * 256 // 4
    n_groups = -(-n // group)
    all_groups = np.arange(n_groups, dtype=np.uint64)
    out, done = _first_accepted(_candidates(key, counter, all_groups, 2, skip, double), group)
    per = 8
    while not done.all() and per <= skip:  # the rare groups that rejected too often
        todo = np.nonzero(~done)[0]
        vals, ok = _first_accepted(_candidates(key, counter, all_groups[todo], per, skip,
                                               double), group)
        out[todo] = vals
        done[todo] = ok
        per *= 4
    return out.reshape(-1)[:n].astype(dt)


def draw(kind, key, counter, shape, dt, minval=None, maxval=None):
    """``shape`` numbers of NumPy dtype ``dt`` from TF's stream ``(key, counter)``."""
    n = int(np.prod(shape, dtype=np.int64))
    if kind == "truncated_normal":
        return _truncated(key, counter, n, dt).reshape(shape)
    wide = dt.itemsize == 8
    per_group = 2 if wide else 4
    b = blocks(key, counter, np.arange(-(-n // per_group), dtype=np.uint64))
    words = b.reshape(-1)
    if kind == "uniform":
        out = _uniform(words, n, dt)
    elif kind == "normal":
        out = _normal(b, n, dt)
    elif kind in ("uniform_int", "full_int"):
        bits = (words[0::2] | (words[1::2] << _S32))[:n] if wide else words[:n]
        if kind == "full_int":
            out = bits.astype(np.uint64 if wide else np.uint32).view(
                np.int64 if dt.kind == "i" and wide else np.uint64 if wide else
                np.int32 if dt.kind == "i" else np.uint32)
        else:
            span = np.uint64((int(maxval) - int(minval)) & (_M64 if wide else _M32))
            with np.errstate(over="ignore"):
                out = (np.uint64(int(minval) & _M64) + bits % span).view(np.int64)
    else:
        raise ValueError(f"unknown distribution {kind!r}")
    return np.asarray(out).astype(dt).reshape(shape)
