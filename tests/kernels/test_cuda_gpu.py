"""Every GPU kernel (CuPy and Numba CUDA) against the reference, on a real GPU.

Marked ``gpu``: skipped without CuPy and a CUDA device (make test-gpu runs them).
bfloat16 is left out: CuPy has no bfloat16 arrays.
"""
import importlib

import numpy as np
import pytest

from .cases import CASES, assert_close, copy_args, dtypes_for
from .kernel_modules import module_names, public_functions

pytestmark = pytest.mark.gpu


def _cupy():
    cp = pytest.importorskip("cupy")
    if not cp.cuda.is_available():
        pytest.skip("no CUDA device")
    return cp


def _params():
    out = []
    for mod in module_names("cuda"):
        for fname in sorted(public_functions("cuda", mod)):
            base = fname[:-6] if fname.endswith("_numba") else fname
            for label, _ in CASES.get(base, []):
                for dt in dtypes_for(base):
                    if dt == "bfloat16" or (fname != base and dt == "float16"):
                        continue
                    if mod in ("elementwise", "reductions") and dt == "float16":
                        continue  # the Numba kernels take float32/float64
                    out.append(pytest.param(mod, fname, base, label, dt,
                                            id=f"{mod}.{fname}[{label}]-{dt}"))
    return out


def _to_device(cp, args):
    out = []
    for a in args:
        if isinstance(a, list):
            out.append([cp.asarray(x) for x in a])
        elif isinstance(a, np.ndarray):
            out.append(cp.asarray(a))
        else:
            out.append(a)
    return out


@pytest.mark.parametrize("mod,fname,base,label,dtype", _params())
def test_gpu_matches_reference(mod, fname, base, label, dtype):
    cp = _cupy()
    if base in ("max_rows", "sum_rows") and "(0," in label:
        pytest.skip("zero-row reduction: covered in the simulator")
    ref = getattr(importlib.import_module(f"cuflow_kernels.reference.{mod}"), base)
    gpu = getattr(importlib.import_module(f"cuflow_kernels.cuda.{mod}"), fname)
    dt = "float32" if dtype == "-" else dtype
    args, kwargs = dict(CASES[base])[label](dt, np.random.default_rng(0), np)
    want = ref(*copy_args(args), **kwargs)
    got = gpu(*_to_device(cp, copy_args(args)), **kwargs)
    cp.cuda.Device().synchronize()
    assert_close(got, want, dt, f"cuda.{mod}.{fname}")
