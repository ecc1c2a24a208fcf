"""``tf.io.gfile`` on local paths: ``GFile`` and the file-system helpers, raising TF's
error classes (NotFoundError, AlreadyExistsError, ...). Files opened for writing are
written to a temporary file beside the target and renamed into place on close."""
from __future__ import annotations

import glob as _glob
import os
import shutil
import tempfile

from ..errors import (
    AlreadyExistsError,
    FailedPreconditionError,
    NotFoundError,
    PermissionDeniedError,
)

__all__ = ["GFile", "copy", "exists", "get_registered_schemes", "glob", "isdir", "join",
           "listdir", "makedirs", "mkdir", "remove", "rename", "rmtree", "stat", "walk"]


def _path(p):
    if hasattr(p, "numpy"):
        p = p.numpy()
    return p.decode() if isinstance(p, bytes) else os.fspath(p)


def _missing(path):
    return NotFoundError(None, None, f"{path}; No such file or directory")


class GFile:
    """A file object (``tf.io.gfile.GFile``): ``mode`` r/w/a, with 'b' for bytes.

    >>> import cuflow as cf, os, tempfile
    >>> p = os.path.join(tempfile.mkdtemp(), "a.txt")
    >>> with cf.io.gfile.GFile(p, "w") as f:
    ...     _ = f.write("one\\ntwo\\n")
    >>> [line for line in cf.io.gfile.GFile(p)]
    ['one\\n', 'two\\n']
    """

    def __init__(self, name, mode="r"):
        self.name = _path(name)
        self.mode = mode
        if mode.replace("b", "") not in ("r", "w", "a"):
            raise ValueError(f"GFile: mode must be r, w or a (optionally with b), got {mode!r}")
        self._binary = "b" in mode
        self._tmp = None
        self._f = None

    def _file(self):
        if self._f is None:
            kind = self.mode.replace("b", "")
            try:
                if kind == "r":
                    self._f = open(self.name, "rb")  # noqa: SIM115 - lives with self
                elif kind == "w":
                    fd, self._tmp = tempfile.mkstemp(dir=os.path.dirname(
                        os.path.abspath(self.name)), suffix=".tmp")
                    self._f = os.fdopen(fd, "wb")
                else:
                    self._f = open(self.name, "ab")  # noqa: SIM115 - lives with self
            except FileNotFoundError:
                raise _missing(self.name) from None
            except PermissionError:
                raise PermissionDeniedError(None, None, f"{self.name}; Permission denied") \
                    from None
        return self._f

    def _out(self, data):
        return data if self._binary else data.decode("utf-8")

    def _check(self, reading):
        if reading != (self.mode.replace("b", "") == "r"):
            raise PermissionDeniedError(None, None, f"File isn't open for "
                                        f"{'reading' if reading else 'writing'}")

    def read(self, n=-1):
        self._check(True)
        return self._out(self._file().read(-1 if n is None else n))

    def readline(self):
        self._check(True)
        return self._out(self._file().readline())

    def readlines(self):
        self._check(True)
        return [self._out(line) for line in self._file().readlines()]

    def write(self, file_content):
        self._check(False)
        data = file_content.encode() if isinstance(file_content, str) else bytes(file_content)
        self._file().write(data)

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def tell(self):
        return self._file().tell()

    def seek(self, offset=None, whence=0, position=None):
        self._file().seek(position if offset is None else offset, whence)

    def size(self):
        if self._f is not None and self.mode.replace("b", "") != "r":
            self._f.flush()
            return os.fstat(self._f.fileno()).st_size
        return stat(self.name).length

    def flush(self):
        if self._f is not None:
            self._f.flush()

    def seekable(self):
        return True

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None
            if self._tmp is not None:
                os.replace(self._tmp, self.name)
                self._tmp = None
        elif self.mode.replace("b", "") == "w":  # opened for writing, nothing written
            self._file()
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FileStatistics:
    def __init__(self, length, mtime_nsec, is_directory):
        self.length = length
        self.mtime_nsec = mtime_nsec
        self.is_directory = is_directory

    def __repr__(self):
        return (f"FileStatistics(length={self.length}, mtime_nsec={self.mtime_nsec}, "
                f"is_directory={self.is_directory})")


def exists(path):
    return os.path.exists(_path(path))


def isdir(path):
    return os.path.isdir(_path(path))


def join(path, *paths):
    return os.path.join(_path(path), *map(_path, paths))


def get_registered_schemes():
    return ["", "file"]


def listdir(path):
    p = _path(path)
    if not os.path.isdir(p):
        raise NotFoundError(None, None, f"Could not find directory {p}")
    return os.listdir(p)


def glob(pattern):
    p = pattern if isinstance(pattern, (list, tuple)) else [pattern]
    return sorted({m for q in p for m in _glob.glob(_path(q))})


def makedirs(path):
    os.makedirs(_path(path), exist_ok=True)


def mkdir(path):
    p = _path(path)
    try:
        os.mkdir(p)
    except FileExistsError:
        pass
    except FileNotFoundError:
        raise _missing(os.path.dirname(p)) from None


def remove(path):
    p = _path(path)
    try:
        os.remove(p)
    except FileNotFoundError:
        raise _missing(p) from None
    except IsADirectoryError:
        raise FailedPreconditionError(None, None, f"{p}; Is a directory") from None


def rmtree(path):
    p = _path(path)
    if not os.path.exists(p):
        raise _missing(p)
    shutil.rmtree(p)


def copy(src, dst, overwrite=False):
    s, d = _path(src), _path(dst)
    if not os.path.exists(s):
        raise _missing(s)
    if os.path.exists(d) and not overwrite:
        raise AlreadyExistsError(None, None, "file already exists")
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(d)), suffix=".tmp")
    os.close(fd)
    shutil.copyfile(s, tmp)
    os.replace(tmp, d)


def rename(src, dst, overwrite=False):
    s, d = _path(src), _path(dst)
    if not os.path.exists(s):
        raise _missing(s)
    if os.path.exists(d) and not overwrite:
        raise AlreadyExistsError(None, None, "file already exists")
    os.replace(s, d)


def stat(path):
    p = _path(path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise _missing(p) from None
    return FileStatistics(st.st_size, st.st_mtime_ns, os.path.isdir(p))


def walk(top, topdown=True, onerror=None):
    yield from os.walk(_path(top), topdown=topdown, onerror=onerror)
