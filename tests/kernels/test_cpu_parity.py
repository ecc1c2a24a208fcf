"""Every public function of cpu/X.py against reference/X.py, over dtypes and edge shapes."""
import importlib

import numpy as np
import pytest

from .cases import CASES, assert_close, copy_args, dtypes_for
from .kernel_modules import module_names, public_functions


def _params():
    out = []
    for mod in module_names("cpu"):
        for fname in sorted(public_functions("cpu", mod)):
            for label, _ in CASES.get(fname, [("missing", None)]):
                dtypes = dtypes_for(fname)
                out += [pytest.param(mod, fname, label, dt, id=f"{mod}.{fname}[{label}]-{dt}")
                        for dt in dtypes]
    return out


@pytest.mark.parametrize("mod,fname,label,dtype", _params())
def test_cpu_matches_reference(mod, fname, label, dtype):
    assert fname in CASES, f"cpu.{mod}.{fname} has no sample inputs in tests/kernels/cases.py"
    ref = getattr(importlib.import_module(f"cuflow_kernels.reference.{mod}"), fname, None)
    assert ref is not None, f"cpu.{mod}.{fname} has no reference.{mod}.{fname}"
    cpu = getattr(importlib.import_module(f"cuflow_kernels.cpu.{mod}"), fname)
    build = dict(CASES[fname])[label]
    args, kwargs = build("float32" if dtype == "-" else dtype, np.random.default_rng(0), np)
    want = ref(*copy_args(args), **kwargs)
    got = cpu(*copy_args(args), **kwargs)
    assert_close(got, want, "float32" if dtype == "-" else dtype, f"cpu.{mod}.{fname}")
