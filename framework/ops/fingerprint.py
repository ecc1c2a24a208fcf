"""Fingerprint64 (FarmHash's farmhashna::Hash64), the hash behind TF's
``strings.to_hash_bucket_fast`` and Keras's ``Hashing`` layer. Pure Python on bytes; the
algorithm (Google's FarmHash, MIT licence) restated with explicit 64-bit wrap-around.

>>> fingerprint64(b"") == 0x9ae16a3b2f90404f
True
"""
from __future__ import annotations

import struct

_M = (1 << 64) - 1
K0, K1, K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def _ror(v, s):
    return v if s == 0 else ((v >> s) | (v << (64 - s))) & _M


def _u64(s, i):
    return struct.unpack_from("<Q", s, i)[0]


def _u32(s, i):
    return struct.unpack_from("<I", s, i)[0]


def _smix(v):
    return v ^ (v >> 47)


def _len16(u, v, mul):
    a = ((u ^ v) * mul) & _M
    a ^= a >> 47
    b = ((v ^ a) * mul) & _M
    b ^= b >> 47
    return (b * mul) & _M


def _short(s, n):
    if n >= 8:
        mul = (K2 + n * 2) & _M
        a = (_u64(s, 0) + K2) & _M
        b = _u64(s, n - 8)
        c = (_ror(b, 37) * mul + a) & _M
        d = ((_ror(a, 25) + b) * mul) & _M
        return _len16(c, d, mul)
    if n >= 4:
        mul = (K2 + n * 2) & _M
        return _len16((n + (_u32(s, 0) << 3)) & _M, _u32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_smix(((y * K2) ^ (z * K0)) & _M) * K2) & _M
    return K2


def _medium(s, n):
    mul = (K2 + n * 2) & _M
    a = (_u64(s, 0) * K1) & _M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _M
    d = (_u64(s, n - 16) * K2) & _M
    return _len16((_ror((a + b) & _M, 43) + _ror(c, 30) + d) & _M,
                  (a + _ror((b + K2) & _M, 18) + c) & _M, mul)


def _long(s, n):
    mul = (K2 + n * 2) & _M
    a = (_u64(s, 0) * K2) & _M
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _M
    d = (_u64(s, n - 16) * K2) & _M
    y = (_ror((a + b) & _M, 43) + _ror(c, 30) + d) & _M
    z = _len16(y, (a + _ror((b + K2) & _M, 18) + c) & _M, mul)
    e = (_u64(s, 16) * mul) & _M
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & _M
    h = ((z + _u64(s, n - 24)) * mul) & _M
    return _len16((_ror((e + f) & _M, 43) + _ror(g, 30) + h) & _M,
                  (e + _ror((f + a) & _M, 18) + g) & _M, mul)


def _weak32(s, i, a, b):
    w, x, y, z = (_u64(s, i + k) for k in (0, 8, 16, 24))
    a = (a + w) & _M
    b = _ror((b + a + z) & _M, 21)
    c = a
    a = (a + x + y) & _M
    b = (b + _ror(a, 44)) & _M
    return (a + z) & _M, (b + c) & _M


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """TF's FingerprintCat64: combines two 64-bit fingerprints (feature crosses)."""
    mul = 0xC6A4A7935BD1E995
    r = fp1 ^ mul
    r ^= (_smix((fp2 * mul) & _M) * mul) & _M
    r = (r * mul) & _M
    r = (_smix(r) * mul) & _M
    return _smix(r)


def fingerprint64(s: bytes) -> int:
    """The unsigned 64-bit FarmHash Fingerprint64 of ``s``."""
    n = len(s)
    if n <= 16:
        return _short(s, n)
    if n <= 32:
        return _medium(s, n)
    if n <= 64:
        return _long(s, n)
    x = 81
    y = (81 * K1 + 113) & _M
    z = (_smix((y * K2 + 113) & _M) * K2) & _M
    v, w = (0, 0), (0, 0)
    x = (x * K2 + _u64(s, 0)) & _M
    end = ((n - 1) // 64) * 64
    last = n - 64
    i = 0
    while True:
        x = (_ror((x + y + v[0] + _u64(s, i + 8)) & _M, 37) * K1) & _M
        y = (_ror((y + v[1] + _u64(s, i + 48)) & _M, 42) * K1) & _M
        x ^= w[1]
        y = (y + v[0] + _u64(s, i + 40)) & _M
        z = (_ror((z + w[0]) & _M, 33) * K1) & _M
        v = _weak32(s, i, (v[1] * K1) & _M, (x + w[0]) & _M)
        w = _weak32(s, i + 32, (z + w[1]) & _M, (y + _u64(s, i + 16)) & _M)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = (K1 + ((z & 0xff) << 1)) & _M
    w = ((w[0] + ((n - 1) & 63)) & _M, w[1])
    v = ((v[0] + w[0]) & _M, v[1])
    w = ((w[0] + v[0]) & _M, w[1])
    x = (_ror((x + y + v[0] + _u64(s, last + 8)) & _M, 37) * mul) & _M
    y = (_ror((y + v[1] + _u64(s, last + 48)) & _M, 42) * mul) & _M
    x ^= (w[1] * 9) & _M
    y = (y + v[0] * 9 + _u64(s, last + 40)) & _M
    z = (_ror((z + w[0]) & _M, 33) * mul) & _M
    v = _weak32(s, last, (v[1] * mul) & _M, (x + w[0]) & _M)
    w = _weak32(s, last + 32, (z + w[1]) & _M, (y + _u64(s, last + 16)) & _M)
    z, x = x, z
    return _len16((_len16(v[0], w[0], mul) + _smix(y) * K0 + z) & _M,
                  (_len16(v[1], w[1], mul) + x) & _M, mul)


_SIP_INIT = (0x736f6d6570736575, 0x646f72616e646f6d, 0x6c7967656e657261, 0x7465646279746573)


def _rotl(v, s):
    return ((v << s) | (v >> (64 - s))) & _M


def _sip_rounds(v, n):
    v0, v1, v2, v3 = v
    for _ in range(n):
        v0 = (v0 + v1) & _M
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _M
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _M
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _M
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)
    return [v0, v1, v2, v3]


def siphash24(k0, k1, data):
    """SipHash-2-4 of ``data`` under the 128-bit key (k0, k1): TF's StrongKeyedHash, behind
    ``strings.to_hash_bucket_strong`` and Keras's salted ``Hashing``.

    >>> hex(siphash24(0x0706050403020100, 0x0f0e0d0c0b0a0908, bytes(range(15))))
    '0xa129ca6149be45e5'
    """
    k0, k1 = k0 & _M, k1 & _M
    v = [k0 ^ _SIP_INIT[0], k1 ^ _SIP_INIT[1], k0 ^ _SIP_INIT[2], k1 ^ _SIP_INIT[3]]
    n = len(data)
    end = n - n % 8
    for i in range(0, end, 8):
        m = _u64(data, i)
        v[3] ^= m
        v = _sip_rounds(v, 2)
        v[0] ^= m
    last = ((n & 0xff) << 56) | int.from_bytes(data[end:], "little")
    v[3] ^= last
    v = _sip_rounds(v, 2)
    v[0] ^= last
    v[2] ^= 0xff
    v = _sip_rounds(v, 4)
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def _fingerprint_rows(arr):
    """TF's Fingerprint kernel on a host array: one Fingerprint64 per row (axis 0), as 8
    little-endian bytes. Numbers: of the row's raw bytes; strings: of the string, and for
    rank > 1, of the row's concatenated per-string fingerprints."""
    import numpy as np
    n = arr.shape[0]
    out = np.empty((n, 8), np.uint8)
    if arr.dtype == object:
        flat = arr.reshape(n, -1)
        for i in range(n):
            if arr.ndim == 1:
                fp = fingerprint64(bytes(flat[i, 0]))
            else:
                fp = fingerprint64(b"".join(fingerprint64(bytes(s)).to_bytes(8, "little")
                                            for s in flat[i]))
            out[i] = np.frombuffer(fp.to_bytes(8, "little"), np.uint8)
        return out
    rows = np.ascontiguousarray(arr).reshape(n, -1).view(np.uint8).reshape(n, -1)
    for i in range(n):
        out[i] = np.frombuffer(fingerprint64(rows[i].tobytes()).to_bytes(8, "little"),
                               np.uint8)
    return out


def fingerprint(data, method="farmhash64", name=None):
    """``tf.fingerprint``: a uint8 ``[batch, 8]`` fingerprint of each row of ``data``
    (rank >= 1), the same bytes TF computes.

    >>> import cuflow as cf
    >>> cf.fingerprint(cf.constant(["hello"])).numpy().tolist()
    [[232, 12, 56, 49, 169, 229, 139, 180]]
    """
    import numpy as np

    from .. import dtypes as _dt
    from ..errors import InvalidArgumentError
    from .constant import constant, convert_to_tensor
    if method != "farmhash64":
        raise InvalidArgumentError(None, "Fingerprint",
                                   f"Unsupported fingerprint method: {method}")
    data = convert_to_tensor(data)
    if data.shape.rank == 0:
        raise InvalidArgumentError(None, "Fingerprint", "`data` should have at least one "
                                   f"dimension: {data.shape.as_list()}")
    if data._sym is not None:
        from .script_ops import numpy_function
        shape = [data.shape[0] if data.shape.rank else None, 8]
        return numpy_function(lambda a: _fingerprint_rows(_host_bytes(a)), [data], _dt.uint8,
                              _shapes=[shape])
    return constant(_fingerprint_rows(_host_bytes(np.asarray(data.numpy()))))


def _host_bytes(a):
    import numpy as np
    a = np.asarray(a)
    if a.dtype.kind in "US":
        a = a.astype(object)
    if a.dtype == object:
        a = np.vectorize(lambda s: s.encode() if isinstance(s, str) else bytes(s),
                         otypes=[object])(a) if a.size else a
    return a


# --- TF's Hash64 (tensorflow/core/lib/hash/hash.cc): DenseHashTable, to_hash_bucket ---
_M64 = (1 << 64) - 1
_MUL = 0xC6A4A7935BD1E995


def hash64(data: bytes, seed: int = 0xDECAFCAFFE) -> int:
    """TF's ``Hash64`` (tensorflow/core/lib/hash/hash.cc): MurmurHash64A."""
    n = len(data)
    h = (seed ^ (n * _MUL)) & _M64
    full = n - n % 8
    for i in range(0, full, 8):
        k = int.from_bytes(data[i:i + 8], "little")
        k = (k * _MUL) & _M64
        k ^= k >> 47
        k = (k * _MUL) & _M64
        h ^= k
        h = (h * _MUL) & _M64
    rest = data[full:]
    if rest:
        for j in range(len(rest) - 1, -1, -1):
            h ^= rest[j] << (8 * j)
        h = (h * _MUL) & _M64
    h ^= h >> 47
    h = (h * _MUL) & _M64
    h ^= h >> 47
    return h
