"""Compile CUDA C to PTX with nvcc, report registers/spills with ptxas, cache on disk.

Used by the hand-written kernels' compile test and by the graph compiler's generated
kernels, so it needs no GPU and no CuPy: only ``nvcc`` and ``ptxas`` on the PATH (or in
``$CUDA_HOME/bin``). Results are cached by a hash of (source, arch, options, nvcc
version) under ``$CUFLOW_CACHE_DIR/ptx`` (default ``~/.cache/cuflow/ptx``).

    >>> res = compile_ptx(src, "my_kernel", arch="sm_90")   # doctest: +SKIP
    >>> res.registers, res.spills, res.ptx[:20]              # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

__all__ = ["CompileResult", "CompileError", "compile_ptx", "compile_many", "find_nvcc",
           "compile_nvrtc", "find_nvrtc", "cache_dir", "KERNEL_DIR"]

KERNEL_DIR = os.path.dirname(os.path.abspath(__file__))
"""Folder of the hand-written ``.cu``/``.cuh`` sources; always on the include path."""


@dataclasses.dataclass(frozen=True)
class CompileResult:
    """What one compilation produced.

    ``registers``: the most registers any kernel in the module uses; ``spills``: total
    spill bytes (stores + loads) over all kernels; ``kernels`` has the per-kernel detail
    ``{mangled_name: {"registers", "spill_stores", "spill_loads", "stack"}}``.
    """

    ptx: str
    registers: int
    spills: int
    seconds: float
    log: str
    kernels: dict = dataclasses.field(default_factory=dict)
    cached: bool = False


class CompileError(RuntimeError):
    """nvcc or ptxas rejected a source; the message quotes the offending lines."""


def find_nvcc() -> str | None:
    """Path of nvcc, or None when no CUDA toolkit is installed."""
    found = shutil.which("nvcc")
    if found:
        return found
    home = os.environ.get("CUDA_HOME") or os.environ.get("CUDA_PATH") or "/usr/local/cuda"
    cand = os.path.join(home, "bin", "nvcc")
    return cand if os.path.exists(cand) else None


def _tool(name: str) -> str:
    nvcc = find_nvcc()
    if nvcc is None:
        raise CompileError("nvcc not found: install the CUDA toolkit or set CUDA_HOME")
    path = os.path.join(os.path.dirname(nvcc), name)
    return path if os.path.exists(path) else (shutil.which(name) or name)


_VERSION_CACHE: dict[str, str] = {}


def _nvcc_version() -> str:
    nvcc = _tool("nvcc")
    if nvcc not in _VERSION_CACHE:
        out = subprocess.run([nvcc, "--version"], capture_output=True, text=True)
        _VERSION_CACHE[nvcc] = out.stdout.strip().splitlines()[-1] if out.stdout else "?"
    return _VERSION_CACHE[nvcc]


def cache_dir() -> str:
    """Folder holding cached PTX (created on first use)."""
    root = os.environ.get("CUFLOW_CACHE_DIR",
                          os.path.join(os.path.expanduser("~"), ".cache", "cuflow"))
    return os.path.join(root, "ptx")


def _key(source: str, arch: str, options: tuple) -> str:
    h = hashlib.sha256()
    for part in (source, arch, "\0".join(options), _nvcc_version(), _headers_digest()):
        h.update(part.encode())
        h.update(b"\x01")
    return h.hexdigest()[:32]


def _headers_digest() -> str:
    """Hash of our own .cuh headers so editing a header invalidates the cache."""
    h = hashlib.sha256()
    for fn in sorted(os.listdir(KERNEL_DIR)):
        if fn.endswith(".cuh"):
            with open(os.path.join(KERNEL_DIR, fn), "rb") as f:
                h.update(fn.encode() + f.read())
    return h.hexdigest()


_PTXAS_ENTRY = re.compile(r"Compiling entry function '([^']+)'")
_PTXAS_PROPS = re.compile(r"Function properties for (\S+)")
_PTXAS_STACK = re.compile(r"(\d+) bytes stack frame, (\d+) bytes spill stores, "
                          r"(\d+) bytes spill loads")
_PTXAS_REGS = re.compile(r"Used (\d+) registers")


def parse_ptxas(log: str) -> dict:
    """Per-kernel registers/spills from ``ptxas -v`` output."""
    kernels: dict = {}
    current = None
    for line in log.splitlines():
        m = _PTXAS_ENTRY.search(line) or _PTXAS_PROPS.search(line)
        if m:
            current = kernels.setdefault(m.group(1), {"registers": 0, "spill_stores": 0,
                                                      "spill_loads": 0, "stack": 0})
            continue
        if current is None:
            continue
        m = _PTXAS_STACK.search(line)
        if m:
            current["stack"], current["spill_stores"], current["spill_loads"] = map(
                int, m.groups())
        m = _PTXAS_REGS.search(line)
        if m:
            current["registers"] = int(m.group(1))
    return kernels


_ERR_LINE = re.compile(r"\((\d+)\): (error|warning)")


def _explain(name: str, arch: str, source: str, log: str, tool: str) -> str:
    """Error message quoting each failing line of ``source`` with a line number."""
    lines = source.splitlines()
    quoted = []
    for m in _ERR_LINE.finditer(log):
        if m.group(2) != "error":
            continue
        n = int(m.group(1))
        if 1 <= n <= len(lines):
            quoted.append(f"  line {n}: {lines[n - 1].strip()}")
    msg = f"{tool} failed to compile {name!r} for {arch}:\n{log.strip()}"
    if quoted:
        msg += "\nsource lines:\n" + "\n".join(dict.fromkeys(quoted))
    return msg


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "kernel"


def _run_nvcc(source: str, name: str, arch: str, options: tuple) -> CompileResult:
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cuflow_nvcc_") as tmp:
        cu = os.path.join(tmp, _safe(name) + ".cu")
        ptx_path = os.path.join(tmp, _safe(name) + ".ptx")
        with open(cu, "w") as f:
            f.write(source)
        cmd = [_tool("nvcc"), "--ptx", f"-arch={arch}", "-I", KERNEL_DIR, *options,
               cu, "-o", ptx_path]
        p = subprocess.run(cmd, capture_output=True, text=True)
        log = (p.stdout + p.stderr).replace(cu, _safe(name) + ".cu")
        if p.returncode != 0:
            raise CompileError(_explain(name, arch, source, log, "nvcc"))
        with open(ptx_path) as f:
            ptx = f.read()
        # ptxas turns the PTX into SASS only to report the resource use.
        p = subprocess.run([_tool("ptxas"), "-v", f"-arch={arch}", ptx_path,
                            "-o", os.devnull], capture_output=True, text=True)
        ptxas_log = p.stdout + p.stderr
        if p.returncode != 0:
            raise CompileError(_explain(name, arch, source, ptxas_log, "ptxas"))
    kernels = parse_ptxas(ptxas_log)
    return CompileResult(
        ptx=ptx,
        registers=max((k["registers"] for k in kernels.values()), default=0),
        spills=sum(k["spill_stores"] + k["spill_loads"] for k in kernels.values()),
        seconds=time.perf_counter() - start,
        log=(log + ptxas_log).strip(),
        kernels=kernels,
    )


def compile_ptx(source: str, name: str, arch: str = "sm_90",
                options=()) -> CompileResult:
    """Compile CUDA C ``source`` to PTX for ``arch`` (e.g. "sm_80", "sm_90").

    ``name`` labels the compilation in errors and file names; ``options`` are extra
    nvcc flags (``("-lineinfo", "--use_fast_math")``). The folder of the hand-written
    kernels is on the include path. Raises :class:`CompileError` (with the failing
    source lines) on failure. A cache hit returns ``cached=True`` and the original
    compile's ``seconds``.
    """
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"compile_ptx({name!r}): source must be a non-empty string")
    if not re.fullmatch(r"(sm|compute)_\d+[a-z]?", arch):
        raise ValueError(f"compile_ptx({name!r}): arch must look like 'sm_90', got {arch!r}")
    options = tuple(str(o) for o in options)
    key = _key(source, arch, options)
    folder = cache_dir()
    meta_path = os.path.join(folder, key + ".json")
    if os.path.exists(meta_path):
        try:
            with open(meta_path) as f:
                meta = json.load(f)
            with open(os.path.join(folder, key + ".ptx")) as f:
                ptx = f.read()
            return CompileResult(ptx=ptx, registers=meta["registers"], spills=meta["spills"],
                                 seconds=meta["seconds"], log=meta["log"],
                                 kernels=meta["kernels"], cached=True)
        except (OSError, ValueError, KeyError):
            pass  # a torn or stale entry: recompile and overwrite it
    result = _run_nvcc(source, name, arch, options)
    _store(folder, key, result)
    return result


def _store(folder: str, key: str, result: CompileResult) -> None:
    """Write the cache entry atomically (PTX first, metadata last marks it complete)."""
    try:
        os.makedirs(folder, exist_ok=True)
        for suffix, text in ((".ptx", result.ptx), (".json", json.dumps({
                "registers": result.registers, "spills": result.spills,
                "seconds": result.seconds, "log": result.log,
                "kernels": result.kernels}))):
            fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                f.write(text)
            os.replace(tmp, os.path.join(folder, key + suffix))
    except OSError:
        pass  # a read-only cache only costs speed


def compile_many(sources: dict, arch: str = "sm_90", options=(),
                 jobs: int | None = None) -> dict:
    """Compile ``{name: source}`` in parallel (``jobs`` nvcc processes at a time).

    Returns ``{name: CompileResult}``; the first failure raises its CompileError.
    """
    jobs = jobs or max(1, min(len(sources), os.cpu_count() or 1))
    with ThreadPoolExecutor(jobs) as pool:
        futures = {n: pool.submit(compile_ptx, s, n, arch, options)
                   for n, s in sources.items()}
        return {n: f.result() for n, f in futures.items()}


# --- NVRTC: the compiler CuPy's RawModule uses at run time ---------------------------------

def find_nvrtc() -> str | None:
    """Path of libnvrtc (``$CUFLOW_NVRTC_LIB``, the nvidia-cuda-nvrtc wheel, the toolkit)."""
    import ctypes.util
    import glob
    import importlib.util
    env = os.environ.get("CUFLOW_NVRTC_LIB")
    if env:
        return env
    try:
        spec = importlib.util.find_spec("nvidia.cuda_nvrtc")
    except ImportError:  # no "nvidia" namespace package at all
        spec = None
    if spec and spec.submodule_search_locations:
        for folder in spec.submodule_search_locations:
            libs = sorted(glob.glob(os.path.join(folder, "lib", "libnvrtc.so*")))
            if libs:
                return libs[0]
    nvcc = find_nvcc()
    if nvcc:
        libs = sorted(glob.glob(os.path.join(os.path.dirname(os.path.dirname(nvcc)),
                                             "lib*", "libnvrtc.so*")))
        if libs:
            return libs[0]
    return ctypes.util.find_library("nvrtc")


def compile_nvrtc(source: str, name: str, arch: str = "compute_90", options=()) -> str:
    """Compile ``source`` to PTX with NVRTC (as CuPy does at run time); returns the PTX.

    Catches what nvcc's implicit host headers hide (e.g. ``NAN`` is undefined under
    NVRTC). The kernels folder is on the include path. Raises CompileError.
    """
    import ctypes
    path = find_nvrtc()
    if path is None:
        raise CompileError("libnvrtc not found: install nvidia-cuda-nvrtc-cu12 or set "
                           "CUFLOW_NVRTC_LIB")
    lib = ctypes.CDLL(path)
    prog = ctypes.c_void_p()
    check = _nvrtc_checker(lib, name)
    check(lib.nvrtcCreateProgram(ctypes.byref(prog), source.encode(), (name + ".cu").encode(),
                                 0, None, None), "create")
    opts = [f"-arch={arch}", "-std=c++17", f"-I{KERNEL_DIR}", *options]
    c_opts = (ctypes.c_char_p * len(opts))(*[o.encode() for o in opts])
    try:
        status = lib.nvrtcCompileProgram(prog, len(opts), c_opts)
        size = ctypes.c_size_t()
        lib.nvrtcGetProgramLogSize(prog, ctypes.byref(size))
        log = ctypes.create_string_buffer(size.value)
        lib.nvrtcGetProgramLog(prog, log)
        if status != 0:
            raise CompileError(_explain(name, arch, source, log.value.decode(), "NVRTC"))
        lib.nvrtcGetPTXSize(prog, ctypes.byref(size))
        ptx = ctypes.create_string_buffer(size.value)
        check(lib.nvrtcGetPTX(prog, ptx), "get PTX")
        return ptx.value.decode()
    finally:
        lib.nvrtcDestroyProgram(ctypes.byref(prog))


def _nvrtc_checker(lib, name):
    import ctypes
    lib.nvrtcGetErrorString.restype = ctypes.c_char_p

    def check(status, what):
        if status != 0:
            raise CompileError(f"NVRTC {what} failed for {name!r}: "
                               f"{lib.nvrtcGetErrorString(status).decode()}")
    return check
