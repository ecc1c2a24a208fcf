"""Compiles generated kernels and caches them in memory and on disk.

Numba: the source is written to ``$CUFLOW_CACHE_DIR/codegen/<key>.py`` (atomically) and
imported as a module, so Numba's own ``cache=True`` keeps the machine code next to it:
a warm process loads instead of compiling. Signatures are explicit, so compilation
happens (and is timed) at import. CUDA: CuPy RawKernel at run time (NVRTC); the CI
check compiles every generated source to PTX for sm_80 and sm_90.
"""
from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import tempfile
import threading
import time

from . import render_c, render_cuda, render_numba

VERSION = "5"     # bump when the renderers change what they emit
_lock = threading.Lock()
_MEMORY: dict = {}
SEEN: dict = {}     # kernel key -> (program, patterns, ndim): every kernel generated here
SEEN_ROWS: dict = {}  # kernel key -> RowProgram: every row kernel generated here
STATS = {"compiled": 0, "loaded": 0, "seconds": 0.0}


def cache_dir():
    base = os.environ.get("CUFLOW_CACHE_DIR") or os.path.join(
        os.path.expanduser("~"), ".cache", "cuflow")
    return os.path.join(base, "codegen")


class Kernel:
    """A compiled kernel: ``fn``, its ``source``, ``name`` and ``compile_seconds``."""

    def __init__(self, name, source, fn, seconds, target, cached):
        self.name = name
        self.source = source
        self.fn = fn
        self.compile_seconds = seconds
        self.target = target
        self.cached = cached

    def __repr__(self):
        return f"<Kernel {self.name} {self.target} {self.compile_seconds * 1e3:.0f} ms>"


def _numba_sig(program, ndim):
    """Explicit signature (compiles at import): outputs writable, inputs read-only, so
    read-only inputs (np.broadcast_to views, constants) are accepted as they are."""
    def arr(d, readonly):
        t = "boolean" if d == "bool" else d
        return f'types.Array(types.{t}, 1, "C"{", readonly=True" if readonly else ""})'
    parts = [arr(e.dtype, False) for e in program.outputs]
    parts += [arr(d, True) for d in program.in_dtypes] + ["types.intp"] * ndim
    return f"types.void({', '.join(parts)})"


def kernel_key(program, patterns, ndim, target, extra=""):
    text = f"{VERSION}|{target}|{program.key()}|{patterns}|{ndim}|{extra}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def get_numba(program, patterns, ndim, fastmath=True, parallel=True):
    """The compiled Numba CPU kernel for this program and broadcast pattern (``parallel``:
    a prange loop over threads, for large arrays; else one thread, no launch cost)."""
    # OpenMP threads that spin after each parallel loop starve the BLAS threads of the
    # matmuls around them (a train step ran 5-10x slower); a user's setting wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    key = kernel_key(program, patterns, ndim, "numba", (fastmath, parallel))
    SEEN.setdefault(kernel_key(program, patterns, ndim, "cuda"), (program, patterns, ndim))
    k = _MEMORY.get(key)
    if k is not None:
        return k
    with _lock:
        k = _MEMORY.get(key)
        if k is not None:
            return k
        name = f"fused_{key[:12]}"
        body = render_numba.render(program, patterns, ndim, name, fastmath, parallel)
        sig = _numba_sig(program, ndim)
        body = body.replace("@njit(parallel=", f"@njit({sig}, parallel=", 1)
        k = _load_numba(name, body)
        _MEMORY[key] = k
        return k


C_FLAGS = ("-fno-trapping-math",)   # lets float selects vectorize; results unchanged


def get_c(program, patterns, ndim):
    """The C CPU kernel (render_c) for this program and broadcast pattern, or None when
    no C compiler is available. ``fn(out.., in.., n..)`` takes NumPy arrays, as Numba's."""
    key = kernel_key(program, patterns, ndim, "c")
    SEEN.setdefault(kernel_key(program, patterns, ndim, "cuda"), (program, patterns, ndim))
    k = _MEMORY.get(key, False)
    if k is not False:
        return k
    from ..cpu import native
    name = f"fused_{key[:12]}"
    source = render_c.render(program, patterns, ndim, name)
    t0 = time.perf_counter()
    lib = native.load_source(name, source, C_FLAGS)
    if lib is None:
        _MEMORY[key] = None
        return None
    sig = "p" * (len(program.outputs) + len(program.in_dtypes)) + "n" * ndim
    k = Kernel(name, source, native.bind(lib, name, sig), time.perf_counter() - t0, "c", False)
    k.fn_nogil = native.bind(lib, name, sig, nogil=True)   # for long calls (fused.py)
    STATS["compiled"] += 1
    STATS["seconds"] += k.compile_seconds
    _MEMORY[key] = k
    _debug(k)
    return k


def get_cuda(program, patterns, ndim):
    """A CuPy RawKernel for this program (needs a GPU); source in ``.source``."""
    key = kernel_key(program, patterns, ndim, "cuda")
    k = _MEMORY.get(key)
    if k is not None:
        return k
    import cupy
    name = f"fused_{key[:12]}"
    source = render_cuda.render(program, patterns, ndim, name)
    t0 = time.perf_counter()
    raw = cupy.RawKernel(source, name, options=("-std=c++17",))
    raw.compile()
    k = Kernel(name, source, raw, time.perf_counter() - t0, "cuda", False)
    _MEMORY[key] = k
    _debug(k)
    return k


def _debug(k):
    """CUFLOW_DEBUG=2 prints each kernel and its compile time, =4 also its source."""
    try:
        level = int(os.environ.get("CUFLOW_DEBUG", "0"))
    except ValueError:
        level = 0
    if level >= 2:
        how = "loaded from cache" if k.cached else "compiled"
        print(f"[cuflow codegen] {k.name} ({k.target}) {how} in "
              f"{k.compile_seconds * 1e3:.0f} ms", file=sys.stderr)
    if level >= 4:
        print(k.source, file=sys.stderr)


def cuda_source(program, patterns, ndim):
    key = kernel_key(program, patterns, ndim, "cuda")
    name = f"fused_{key[:12]}"
    return name, render_cuda.render(program, patterns, ndim, name)


def compile_ptx(source, name, arch="sm_90"):
    """PTX of a CUDA source (no GPU needed): cuflow_kernels.cuda.compile when present,
    else nvcc directly. Returns an object with ``.ptx`` and ``.seconds``."""
    try:
        from ..cuda.compile import compile_ptx as _compile
    except ImportError:
        _compile = None
    if _compile is not None:
        return _compile(source, name, arch=arch, options=("-std=c++17",))
    import subprocess
    import types
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, f"{name}.cu")
        with open(src, "w") as f:
            f.write(source)
        t0 = time.perf_counter()
        proc = subprocess.run(["nvcc", "--ptx", f"-arch={arch}", "-std=c++17", "-o",
                               os.path.join(d, "out.ptx"), src],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"nvcc failed for {name} ({arch}):\n{proc.stderr}\n{source}")
        with open(os.path.join(d, "out.ptx")) as f:
            ptx = f.read()
        return types.SimpleNamespace(ptx=ptx, seconds=time.perf_counter() - t0)


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _write_atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# --- row kernels (rows.py) -----------------------------------------------------------------
def _numba_rows_sig(program):
    def arr(d, readonly):
        t = "boolean" if d == "bool" else d
        return f'types.Array(types.{t}, 1, "C"{", readonly=True" if readonly else ""})'
    parts = [arr(e.dtype, False) for e in program.outputs]
    parts += [arr(d, True) for d in program.in_dtypes] + ["types.intp"] * 2
    return f"types.void({', '.join(parts)})"


def rows_key(program, target, extra=""):
    text = f"{VERSION}|rows|{target}|{program.key()}|{extra}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def get_numba_rows(program, parallel=True):
    """The compiled Numba CPU row kernel of a RowProgram (``parallel``: prange rows)."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    key = rows_key(program, "numba", parallel)
    SEEN_ROWS.setdefault(rows_key(program, "cuda"), program)
    k = _MEMORY.get(key)
    if k is not None:
        return k
    with _lock:
        k = _MEMORY.get(key)
        if k is None:
            name = f"fused_rows_{key[:12]}"
            body = render_numba.render_rows(program, name, parallel)
            body = body.replace("@njit(parallel=",
                                f"@njit({_numba_rows_sig(program)}, parallel=", 1)
            k = _load_numba(name, body)
            _MEMORY[key] = k
        return k


def _load_numba(name, body):
    """Writes PRELUDE + body to the disk cache (if changed) and imports it, timed."""
    source = render_numba.PRELUDE + "\n\n" + body
    folder = cache_dir()
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{name}.py")
    cached = os.path.exists(path) and _read(path) == source
    if not cached:
        _write_atomic(path, source)
    t0 = time.perf_counter()
    spec = importlib.util.spec_from_file_location(f"cuflow_codegen_{name}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    fn = getattr(mod, name)
    seconds = time.perf_counter() - t0
    STATS["loaded" if cached else "compiled"] += 1
    STATS["seconds"] += seconds
    k = Kernel(name, body, fn, seconds, "numba-cpu", cached)
    _debug(k)
    return k


def cuda_rows_source(program):
    """(name, CUDA C source) of a RowProgram's row kernel (one block per row)."""
    name = f"fused_rows_{rows_key(program, 'cuda')[:12]}"
    return name, render_cuda.render_rows(program, name)


def get_cuda_rows(program):
    """A CuPy RawKernel for a RowProgram (needs a GPU)."""
    key = rows_key(program, "cuda")
    k = _MEMORY.get(key)
    if k is not None:
        return k
    import cupy
    name, source = cuda_rows_source(program)
    t0 = time.perf_counter()
    raw = cupy.RawKernel(source, name, options=("-std=c++17",))
    raw.compile()
    k = Kernel(name, source, raw, time.perf_counter() - t0, "cuda", False)
    _MEMORY[key] = k
    _debug(k)
    return k
