"""The three kernel families line up: same module names, same function names, and every
function has sample inputs. A gap must be listed (with the reason) below."""
import subprocess
import sys

from .cases import CASES
from .kernel_modules import module_names, public_functions

# reference module -> families allowed to lack it, and why.
ALLOWED_GAPS = {
    # NumPy's fancy indexing and np.add.at are already compiled loops; nothing to fuse.
    ("cpu", "embedding"): "NumPy gather/scatter is already vectorized",
    # Philox in NumPy runs vectorized over uint64 lanes; training-time dropout runs on GPUs.
    ("cpu", "dropout"): "NumPy Philox is vectorized; the hot path is the GPU kernel",
    # An int8 GPU GEMM needs cuBLASLt IMMA or a tensor-core kernel: not written yet.
    ("cuda", "quant"): "no GPU int8 GEMM yet (see the kernels report)",
}

NUMBA_SUFFIX = "_numba"  # cuda/x.py's Numba CUDA twin of a CuPy kernel: f_numba ~ reference f


def test_every_reference_module_has_cpu_and_cuda_counterparts():
    ref = set(module_names("reference"))
    for family in ("cpu", "cuda"):
        have = set(module_names(family))
        missing = {m for m in ref - have if (family, m) not in ALLOWED_GAPS}
        assert not missing, f"{family}/ lacks {sorted(missing)}: add them or list them in " \
                            "ALLOWED_GAPS with a reason"
        stale = {m for (f, m) in ALLOWED_GAPS if f == family and m in have}
        assert not stale, f"{family}/ now has {sorted(stale)}: drop them from ALLOWED_GAPS"
        extra = have - ref
        assert not extra, f"{family}/ modules without a reference: {sorted(extra)}"


def test_every_kernel_function_has_a_reference_and_cases():
    for family in ("cpu", "cuda"):
        for mod in module_names(family):
            ref = public_functions("reference", mod)
            for fname in public_functions(family, mod):
                base = fname[:-len(NUMBA_SUFFIX)] if fname.endswith(NUMBA_SUFFIX) else fname
                assert base in ref, f"{family}.{mod}.{fname} has no reference.{mod}.{base}"
                assert base in CASES, f"{base} has no sample inputs in cases.py"


def test_importing_kernels_imports_neither_numba_nor_cupy():
    code = ("import sys, importlib\n"
            "import cuflow_kernels\n"
            "for fam in ('reference', 'cpu', 'cuda'):\n"
            "    for m in ('softmax', 'layernorm', 'pooling', 'im2col', 'optim'):\n"
            "        importlib.import_module(f'cuflow_kernels.{fam}.{m}')\n"
            "import cuflow_kernels.cuda.dropout, cuflow_kernels.cuda.reductions\n"
            "import cuflow_kernels.cuda.compile, cuflow_kernels.microbench\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('numba', 'cupy')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)
