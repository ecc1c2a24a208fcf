"""``get_file``: Keras's cached-file download.

``get_file`` resolves the cache path Keras uses (``$KERAS_HOME`` or ``~/.keras``, then
``cache_subdir``); a file not cached yet is downloaded from ``origin`` into a temporary
file beside it and renamed into place once complete (an interrupted download never
leaves a partial file under the real name), then its hash is checked when one is given
and tar/zip archives are extracted when asked, as Keras does. ``CUFLOW_OFFLINE=1``
turns downloading off: a missing file is then a ``FileNotFoundError`` naming the path
to place it at and the URL to fetch it from (the test suite runs this way).

>>> import os, tempfile
>>> from cuflow.keras.utils import get_file
>>> home = tempfile.mkdtemp()
>>> os.makedirs(os.path.join(home, "datasets"))
>>> open(os.path.join(home, "datasets", "x.txt"), "w").close()
>>> get_file("x.txt", "https://example.com/x.txt", cache_dir=home) == \\
...     os.path.join(home, "datasets", "x.txt")
True
"""
from __future__ import annotations

import hashlib
import os
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

DOWNLOAD_TIMEOUT_S = 60   # per network read: a dead connection raises instead of hanging


def keras_home():
    return os.path.expanduser(os.environ.get("KERAS_HOME", os.path.join("~", ".keras")))


def _hash(path, algorithm, file_hash):
    if algorithm == "auto":
        algorithm = "sha256" if file_hash and len(file_hash) == 64 else "md5"
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return algorithm, h.hexdigest()


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """True when ``fpath``'s md5/sha256 equals ``file_hash``."""
    return _hash(fpath, algorithm, file_hash)[1] == str(file_hash)


def _targets(datadir, fname, provided, extract):
    """(archive or file path, extraction dir or None), as Keras 3 names them."""
    if not extract:
        return os.path.join(datadir, fname), None
    if provided and "." in fname:
        return os.path.join(datadir, fname), os.path.join(datadir,
                                                          fname[:fname.find(".")] + "_extracted")
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar or zip archive into ``path``; False when it is neither."""
    formats = ["tar", "zip"] if archive_format == "auto" else \
        [archive_format] if isinstance(archive_format, str) else list(archive_format)
    for fmt in formats:
        if fmt == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                archive.extractall(path, filter="data")
            return True
        if fmt == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                archive.extractall(path)
            return True
    return False


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None, force_download=False):
    """The local path of ``origin``'s file in Keras's cache (extracted when ``extract``),
    downloaded first when it is not there (see the module docstring)."""
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    datadir = os.path.join(os.path.expanduser(cache_dir or keras_home()), cache_subdir)
    provided = fname
    fname = os.fspath(fname) if fname else ""
    if not fname:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'."
                             "Please specify the `fname` argument.")
    elif os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify the "
                         "file's parent directory, use the `cache_dir` argument. Received: "
                         f"fname={fname}")
    target, extract_dir = _targets(datadir, fname, provided, extract or untar)
    if extract_dir and not os.path.exists(target) and os.path.isdir(extract_dir) and \
            os.listdir(extract_dir) and not force_download:
        return extract_dir                      # only the extracted copy was kept
    downloaded = False
    exists = os.path.exists(target)
    stale = exists and file_hash is not None and not validate_file(target, file_hash,
                                                                   hash_algorithm)
    if force_download or not exists or stale:
        if os.environ.get("CUFLOW_OFFLINE", "0") not in ("", "0"):
            if stale:
                _corrupted(target, file_hash, hash_algorithm)
            raise FileNotFoundError(
                f"get_file: {target} is not in the Keras cache and downloads are off "
                f"(CUFLOW_OFFLINE). Fetch {origin} and save it as {target} (or pass "
                "cache_dir=...).")
        _download(origin, target)
        downloaded = True
    if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
        _corrupted(target, file_hash, hash_algorithm)
    if extract_dir:
        if downloaded or not (os.path.isdir(extract_dir) and os.listdir(extract_dir)):
            if not extract_archive(target, extract_dir, "tar" if untar else archive_format):
                import warnings
                warnings.warn("Could not extract archive.", stacklevel=2)
        return extract_dir
    return target


def _corrupted(target, file_hash, hash_algorithm):
    algo = _hash(target, hash_algorithm, file_hash)[0]
    raise ValueError(f"Incomplete or corrupted file detected: {target}. The {algo} file "
                     f"hash does not match the provided value of {file_hash}.")


def _download(origin, target):
    """``origin`` -> ``target``, through a temporary file in the same folder renamed into
    place when complete; Keras's message and progress bar; Keras's error on failure."""
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    print(f"Downloading data from {origin}", flush=True)
    fd, part = tempfile.mkstemp(prefix=os.path.basename(target) + ".", suffix=".part",
                                dir=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(origin, timeout=DOWNLOAD_TIMEOUT_S) as response:
                    total = response.headers.get("Content-Length")
                    bar = None
                    if total and sys.stdout.isatty():
                        from .progbar import Progbar
                        bar = Progbar(int(total))
                    done = 0
                    for chunk in iter(lambda: response.read(1 << 20), b""):
                        out.write(chunk)
                        done += len(chunk)
                        if bar is not None:
                            bar.update(done)
            except urllib.error.HTTPError as e:
                raise Exception(  # noqa: TRY002 - Keras raises this plain Exception
                    f"URL fetch failure on {origin}: {e.code} -- {e.msg}") from e
            except urllib.error.URLError as e:
                raise Exception(  # noqa: TRY002
                    f"URL fetch failure on {origin}: {e.errno} -- {e.reason}") from e
        os.chmod(part, 0o644)   # mkstemp's 0600 would hide the cache from other users
        os.replace(part, target)
    except BaseException:
        if os.path.exists(part):
            os.remove(part)
        raise
