"""C kernels built by the system C compiler at first use and called through ctypes.

Why C beside Numba: importing Numba starts LLVM (~110 MiB of resident memory) and a
Numba call costs a few microseconds of type dispatch, while the small per-step kernels of
a training loop (an optimizer update over 100k parameters) run in tens of microseconds.
A C library loaded with ctypes costs ~1 MiB and ~1 us per call. Sources are in csrc/;
each builds into ``$CUFLOW_CACHE_DIR/native/<key>.so`` (key: source, flags, compiler,
CPU; written to a temporary file and renamed into place), so a warm process only loads.
No compiler, a failed build or ``CUFLOW_NATIVE=0``: ``load`` returns None and callers keep
their NumPy or Numba path (``why`` says what happened).

Flags: ``-O3 -march=native`` vectorizes the loops; ``-ffp-contract=off`` keeps every
multiply and add separately rounded, so results are bit-identical to the NumPy reference;
``-fno-math-errno`` lets ``sqrt`` vectorize without changing its result. A source may add
flags on a line ``cuflow-cflags: ...`` in its opening comment (rows.c: finite-math flags,
safe there because its kernels reject non-finite rows before computing).
"""
from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading

FLAGS = ("-O3", "-march=native", "-ffp-contract=off", "-fno-math-errno", "-fPIC", "-shared",
         "-std=c99")
_SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "csrc")
_lock = threading.Lock()
_LIBS: dict = {}
why: dict = {}      # library name -> why it is not available (empty when it loaded)


def cache_dir() -> str:
    base = os.environ.get("CUFLOW_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "cuflow")
    return os.path.join(base, "native")


def compiler():
    """The C compiler to use ($CC, else cc / gcc / clang on the PATH), or None."""
    for name in (os.environ.get("CC"), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _cpu_id() -> str:
    """Identifies the instruction set -march=native compiles for."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = [ln for ln in f if ln.startswith(("model name", "flags"))][:2]
        return "".join(lines)
    except OSError:
        import platform
        return platform.machine() + platform.processor()


def _compiler_version(cc) -> str:
    try:
        return subprocess.run([cc, "--version"], capture_output=True, text=True,
                              timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def source_flags(source: bytes):
    """Extra flags a source asks for on its ``cuflow-cflags:`` line (first 5 lines)."""
    for line in source.decode(errors="replace").splitlines()[:5]:
        if "cuflow-cflags:" in line:
            return tuple(line.split("cuflow-cflags:", 1)[1].replace("*/", "").split())
    return ()


def _build(name, source: bytes, cc, flags, key_extra=b""):
    key = hashlib.sha256(b"|".join([source, key_extra, " ".join(flags).encode(),
                                    _compiler_version(cc).encode(),
                                    _cpu_id().encode()])).hexdigest()[:24]
    folder = cache_dir()
    target = os.path.join(folder, f"{name}-{key}.so")
    if not os.path.exists(target):
        os.makedirs(folder, exist_ok=True)
        fd, src = tempfile.mkstemp(suffix=".c", dir=folder)
        with os.fdopen(fd, "wb") as f:
            f.write(source)
        fd, tmp = tempfile.mkstemp(suffix=".so", dir=folder)
        os.close(fd)
        try:
            r = subprocess.run([cc, *flags, "-o", tmp, src, "-lm"], capture_output=True,
                               text=True, timeout=120)
            if r.returncode != 0:
                raise OSError(f"{cc} failed on {name}: {r.stderr.strip()[:2000]}")
            os.replace(tmp, target)
        finally:
            for path in (tmp, src):
                if os.path.exists(path):
                    os.unlink(path)
    return target


def _why_not():
    """Why no library can be built here, or '' when a compiler is available."""
    if os.environ.get("CUFLOW_NATIVE", "1") == "0":
        return "disabled by CUFLOW_NATIVE=0"
    if compiler() is None:
        return "no C compiler found ($CC, cc, gcc, clang)"
    return ""


def available() -> bool:
    """A C compiler is there (and CUFLOW_NATIVE is not 0)."""
    return not _why_not()


def load_source(name, source, flags=(), key_extra=b""):
    """The ctypes library built from C ``source`` (text) with FLAGS + ``flags``, or None
    (``why[name]`` says why). Built once per process and cached on disk by content
    (``key_extra``: more bytes the build depends on, e.g. included headers)."""
    data = source.encode() if isinstance(source, str) else source
    mem_key = (name, data, tuple(flags), key_extra)
    lib = _LIBS.get(mem_key, False)
    if lib is not False:
        return lib
    with _lock:
        if mem_key in _LIBS:
            return _LIBS[mem_key]
        lib = None
        why[name] = _why_not()
        if not why[name]:
            try:
                lib = ctypes.CDLL(_build(name, data, compiler(), FLAGS + tuple(flags),
                                         key_extra))
            except (OSError, subprocess.SubprocessError) as e:
                why[name] = str(e)
        _LIBS[mem_key] = lib
        return lib


def load(name):
    """The ctypes library built from ``csrc/<name>.c``, or None when it cannot be built."""
    lib = _LIBS.get(name, False)
    if lib is not False:
        return lib
    with open(os.path.join(_SRC, name + ".c"), "rb") as f:
        source = f.read()
    headers = b""     # the csrc/*.h it includes are part of what it builds from
    for header in sorted(set(re.findall(rb'#include "([\w.]+)"', source))):
        with open(os.path.join(_SRC, header.decode()), "rb") as f:
            headers += header + b"\n" + f.read()
    lib = load_source(name, source, source_flags(source) + ("-I" + _SRC,), headers)
    _LIBS[name] = lib
    return lib


def address(a) -> int:
    """The data pointer of a NumPy array (c_char.from_buffer is 3x faster than .ctypes)."""
    try:
        return ctypes.addressof(ctypes.c_char.from_buffer(a))
    except (TypeError, ValueError, BufferError):
        return a.ctypes.data


_PYCALL: list = []


def pycall():
    """The ``cuflow_pycall`` extension (csrc/pycall.c), or None when it cannot be built
    (no C compiler, no Python or NumPy headers, ``CUFLOW_PYCALL=0``): then ``bind`` falls
    back to ctypes. Built against this interpreter and NumPy, cached like the kernels."""
    if _PYCALL:
        return _PYCALL[0]
    with _lock:
        if not _PYCALL:
            _PYCALL.append(_load_pycall())
    return _PYCALL[0]


def _load_pycall():
    import importlib.machinery
    import importlib.util
    import sys
    import sysconfig
    if _why_not() or os.environ.get("CUFLOW_PYCALL", "1") == "0":
        why["pycall"] = _why_not() or "disabled by CUFLOW_PYCALL=0"
        return None
    import numpy as np
    includes = (sysconfig.get_paths()["include"], np.get_include())
    if not all(os.path.exists(os.path.join(d, h)) for d, h in
               zip(includes, ("Python.h", "numpy/arrayobject.h"))):
        why["pycall"] = f"no Python.h / numpy/arrayobject.h under {includes}"
        return None
    with open(os.path.join(_SRC, "pycall.c"), "rb") as f:
        source = f.read()
    flags = FLAGS + tuple("-I" + d for d in includes)
    if sys.platform == "darwin":
        flags += ("-undefined", "dynamic_lookup")
    abi = f"{sys.version}|{sysconfig.get_config_var('EXT_SUFFIX')}|{np.__version__}"
    try:
        path = _build("pycall", source, compiler(), flags, abi.encode())
        loader = importlib.machinery.ExtensionFileLoader("cuflow_pycall", path)
        spec = importlib.util.spec_from_file_location("cuflow_pycall", path, loader=loader)
        module = importlib.util.module_from_spec(spec)
        loader.exec_module(module)
    except (OSError, ImportError, subprocess.SubprocessError) as e:
        why["pycall"] = str(e)
        return None
    why["pycall"] = ""
    return module


_CTYPE = {"p": ctypes.c_void_p, "n": ctypes.c_ssize_t, "i": ctypes.c_int}


def bind(lib, name, sig, restype=None, ctype_floats=ctypes.c_double, nogil=False):
    """A Python callable for C function ``name`` of ``lib``, its arguments given in order by
    the codes of ``sig``: ``p`` an array (C-contiguous; or an int address, or None), ``n``
    an integer (``i``: a C int), ``f`` a float (``ctype_floats`` in C). Through
    cuflow_pycall and the function's ``<name>_entry`` (entry.h) when the extension is
    there (~0.2 us a call; ``nogil``: the GIL is released), else ctypes (~1 us plus
    ~0.5 us per array). The result: the C function's int result (0 for a void one under
    cuflow_pycall, None under ctypes)."""
    ext = pycall()
    if ext is not None and hasattr(lib, name + "_entry"):
        entry = ctypes.cast(getattr(lib, name + "_entry"), ctypes.c_void_p).value
        return functools.partial(ext.call_nogil if nogil else ext.call, entry,
                                 sig.replace("i", "n"))
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = [_CTYPE.get(c, ctype_floats) for c in sig]
    arrays = [k for k, c in enumerate(sig) if c == "p"]

    def call(*args):
        args = list(args)
        for k in arrays:
            a = args[k]
            if a is not None and not isinstance(a, int):
                if not a.flags.c_contiguous:
                    raise ValueError(f"{name}: argument {k} is not a C-contiguous array")
                args[k] = address(a)
        return fn(*args)
    return call
