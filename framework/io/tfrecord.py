"""TFRecord files, TensorFlow's exact format, and CRC32C (Castagnoli).

A record is ``uint64 length`` (little-endian), ``uint32 masked_crc32c(length bytes)``,
``length`` bytes of data, ``uint32 masked_crc32c(data)``; a mask is
``((crc >> 15) | (crc << 17)) + 0xa282ead8``. Files may be GZIP or ZLIB compressed as
whole streams. CRC32C uses ``google_crc32c`` or ``crc32c`` when installed, else a
table-driven loop (NumPy-accelerated slicing for long records).
"""
from __future__ import annotations

import gzip
import io
import os
import struct
import tempfile
import zlib

import numpy as np

from ..errors import DataLossError, InvalidArgumentError, NotFoundError

_POLY = 0x82F63B78
_MASK_DELTA = 0xA282EAD8


def _make_tables():
    t0 = np.zeros(256, np.uint32)
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        t0[i] = c
    tables = [t0]
    for _ in range(7):  # slicing-by-8 tables
        prev = tables[-1]
        tables.append((prev >> 8) ^ t0[prev & 0xFF])
    return [t.tolist() for t in tables]


_T = _make_tables()


def _crc_python(data: bytes, crc: int = 0) -> int:
    t0, t1, t2, t3, t4, t5, t6, t7 = _T
    crc ^= 0xFFFFFFFF
    n = len(data)
    i = 0
    end8 = n - n % 8
    mv = memoryview(data)
    if end8:
        words = struct.unpack_from(f"<{end8 // 4}I", mv, 0)
        for k in range(0, len(words), 2):
            a = words[k] ^ crc
            b = words[k + 1]
            crc = (t7[a & 0xFF] ^ t6[(a >> 8) & 0xFF] ^ t5[(a >> 16) & 0xFF] ^ t4[a >> 24] ^
                   t3[b & 0xFF] ^ t2[(b >> 8) & 0xFF] ^ t1[(b >> 16) & 0xFF] ^ t0[b >> 24])
        i = end8
    for byte in mv[i:]:
        crc = t0[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _pick_impl():
    try:
        import google_crc32c
        return lambda data: google_crc32c.value(bytes(data))
    except ImportError:
        pass
    try:
        import crc32c as _c
        return lambda data: _c.crc32c(bytes(data))
    except ImportError:
        return _crc_python


crc32c = _pick_impl()
crc32c.__doc__ = "CRC32C (Castagnoli) of ``data``: crc32c(b'123456789') == 0xE3069283."


def masked_crc32c(data) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return (length + struct.pack("<I", masked_crc32c(length)) + data +
            struct.pack("<I", masked_crc32c(data)))


def _compression(options):
    if options is None:
        return ""
    if isinstance(options, TFRecordOptions):
        return options.compression_type
    kind = str(options.decode() if isinstance(options, bytes) else options).upper()
    if kind not in ("", "GZIP", "ZLIB", "NONE"):
        raise InvalidArgumentError(None, "TFRecord", f"Unsupported compression_type "
                                   f"{options!r}; use '', 'GZIP' or 'ZLIB'")
    return "" if kind == "NONE" else kind


class TFRecordOptions:
    """``cf.io.TFRecordOptions(compression_type='GZIP')``."""

    def __init__(self, compression_type=None, flush_mode=None, input_buffer_size=None,
                 output_buffer_size=None, window_bits=None, compression_level=None,
                 compression_method=None, mem_level=None, compression_strategy=None):
        self.compression_type = _compression(compression_type or "")
        self.compression_level = 6 if compression_level is None else compression_level


class TFRecordWriter:
    """Writes records to a TFRecord file (written to a temp file, renamed on close).

    >>> import cuflow as cf, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "x.tfrecord")
    >>> with cf.io.TFRecordWriter(path) as w:
    ...     w.write(b"hello")
    >>> [r.numpy() for r in cf.data.TFRecordDataset(path)]
    [b'hello']
    """

    def __init__(self, path, options=None):
        self._path = os.fspath(path)
        self._kind = _compression(options)
        level = options.compression_level if isinstance(options, TFRecordOptions) else 6
        directory = os.path.dirname(os.path.abspath(self._path))
        if not os.path.isdir(directory):
            raise NotFoundError(None, "TFRecordWriter", f"{directory}; No such file or "
                                "directory")
        fd, self._tmp = tempfile.mkstemp(dir=directory, prefix=".tfrecord-", suffix=".tmp")
        self._raw = os.fdopen(fd, "wb")
        if self._kind == "GZIP":
            self._f = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=level)
        else:
            self._f = self._raw
        self._z = zlib.compressobj(level) if self._kind == "ZLIB" else None
        self._closed = False

    def write(self, record):
        if self._closed:
            raise ValueError("write() on a closed TFRecordWriter")
        if hasattr(record, "numpy"):
            record = record.numpy()
        if isinstance(record, str):
            record = record.encode()
        data = encode_record(bytes(record))
        self._f.write(self._z.compress(data) if self._z else data)

    def flush(self):
        if self._z is not None:
            self._f.write(self._z.flush(zlib.Z_SYNC_FLUSH))
        self._f.flush()

    def close(self):
        if self._closed:
            return
        self._closed = True
        if self._z is not None:
            self._f.write(self._z.flush())
        if self._f is not self._raw:
            self._f.close()
        self._raw.close()
        os.replace(self._tmp, self._path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is not None and not self._closed:
            self._closed = True
            self._raw.close()
            os.unlink(self._tmp)
            return False
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass


class _ZlibReader(io.RawIOBase):
    def __init__(self, f):
        self.f, self.d, self.buf = f, zlib.decompressobj(), b""

    def readable(self):
        return True

    def readinto(self, b):
        while len(self.buf) < len(b):
            chunk = self.f.read(1 << 16)
            if not chunk:
                self.buf += self.d.flush()
                break
            self.buf += self.d.decompress(chunk)
        n = min(len(b), len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n

    def close(self):
        self.f.close()
        super().close()


def open_input(path, compression_type, stage):
    """A readable binary file, decompressed as asked; NotFoundError names the stage."""
    kind = _compression(compression_type)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed by the reader
    except FileNotFoundError:
        raise NotFoundError(None, stage, f"{stage}: {path}; No such file or directory") \
            from None
    except OSError as e:
        raise NotFoundError(None, stage, f"{stage}: cannot open {path}: {e}") from e
    if kind == "GZIP":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if kind == "ZLIB":
        return io.BufferedReader(_ZlibReader(raw), 1 << 16)
    return io.BufferedReader(raw, 1 << 16) if not isinstance(raw, io.BufferedReader) else raw


def read_records(f, path, stage="TFRecordDataset"):
    """Yields the records of an open TFRecord stream, checking both CRCs."""
    offset = 0
    while True:
        try:
            header = f.read(12)
        except (OSError, EOFError, zlib.error) as e:
            raise DataLossError(None, stage, f"{stage}: cannot decompress {path} at offset "
                                f"{offset}: {e}") from e
        if not header:
            return
        if len(header) < 12:
            raise DataLossError(None, stage, f"{stage}: truncated record at {offset} in "
                                f"{path}")
        length, crc = struct.unpack("<QI", header)
        if masked_crc32c(header[:8]) != crc:
            raise DataLossError(None, stage, f"{stage}: corrupted record at {offset} in "
                                f"{path} (length CRC mismatch)")
        body = f.read(length + 4)
        if len(body) < length + 4:
            raise DataLossError(None, stage, f"{stage}: truncated record at {offset} in "
                                f"{path}")
        data = body[:length]
        if masked_crc32c(data) != struct.unpack("<I", body[length:])[0]:
            raise DataLossError(None, stage, f"{stage}: corrupted record at {offset} in "
                                f"{path} (data CRC mismatch)")
        offset += 16 + length
        yield data


def tf_record_iterator(path, options=None):
    """Yields the records of a TFRecord file as bytes (``tf.compat.v1.io``'s helper)."""
    with open_input(os.fspath(path), _compression(options), "tf_record_iterator") as f:
        yield from read_records(f, path)
