"""Load the .cu sources through CuPy and launch their kernels (CuPy imported lazily).

Each source is compiled once per process by CuPy's ``RawModule`` (NVRTC, cached on disk
by CuPy) with this folder on the include path. Kernels are instantiated per storage
dtype with ``extern "C"`` names ending in a suffix (``_f32``, ``_f64``, ``_f16``,
``_bf16``), so no C++ name mangling leaks into Python.
"""
from __future__ import annotations

import functools
import os

import numpy as np

from .compile import KERNEL_DIR

SUFFIX = {"float32": "f32", "float64": "f64", "float16": "f16", "bfloat16": "bf16"}


def cupy():
    """The cupy module; a clear error when it is missing (install cuflow[gpu])."""
    try:
        import cupy as cp
    except ImportError as e:  # pragma: no cover - depends on the machine
        raise RuntimeError("cuflow_kernels.cuda needs CuPy: pip install 'cuflow[gpu]'") from e
    return cp


def source(name: str) -> str:
    with open(os.path.join(KERNEL_DIR, name + ".cu")) as f:
        return f.read()


@functools.lru_cache(maxsize=None)
def _module(name: str, device_id: int):
    cp = cupy()
    return cp.RawModule(code=source(name), options=("-std=c++17", f"-I{KERNEL_DIR}"))


def kernel(source_name: str, kernel_name: str):
    """The CuPy RawKernel ``kernel_name`` from ``<source_name>.cu`` on the current device."""
    cp = cupy()
    return _module(source_name, cp.cuda.Device().id).get_function(kernel_name)


def suffix(op: str, x) -> str:
    name = np.dtype(x.dtype).name
    if name not in SUFFIX:
        raise ValueError(f"{op}: unsupported dtype {name} for shape {tuple(x.shape)}; "
                         f"expected one of {sorted(SUFFIX)}")
    return SUFFIX[name]


def grid_for(n: int, block: int = 256, max_blocks: int = 65535 * 8) -> tuple:
    """Grid for a grid-stride loop over n items."""
    return (max(1, min((n + block - 1) // block, max_blocks)),)


def acc_of(x):
    return np.float64 if np.dtype(x.dtype) == np.float64 else np.float32


def ptr_or_null(a):
    """An array argument, or a null pointer for an optional one."""
    return np.uint64(0) if a is None else a
