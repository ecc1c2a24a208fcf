"""compile_ptx: PTX out, registers/spills parsed, cache hits, errors quote the source line."""
import pytest

from cuflow_kernels.cuda.compile import CompileError, compile_ptx, find_nvcc, parse_ptxas

needs_nvcc = pytest.mark.skipif(find_nvcc() is None, reason="nvcc not on PATH (no CUDA toolkit)")

AXPY = r"""
extern "C" __global__ void axpy(float a, const float* x, float* y, int n) {
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += gridDim.x * blockDim.x)
        y[i] += a * x[i];
}
"""


@needs_nvcc
def test_compile_reports_resources_and_caches(tmp_path, monkeypatch):
    monkeypatch.setenv("CUFLOW_CACHE_DIR", str(tmp_path))
    first = compile_ptx(AXPY, "axpy", "sm_80")
    assert ".entry axpy" in first.ptx and not first.cached
    assert first.registers > 0 and first.spills == 0
    assert set(first.kernels) == {"axpy"}
    again = compile_ptx(AXPY, "axpy", "sm_80")
    assert again.cached and again.ptx == first.ptx and again.registers == first.registers
    other = compile_ptx(AXPY, "axpy", "sm_80", options=("-lineinfo",))
    assert not other.cached


@needs_nvcc
def test_compile_error_names_line(tmp_path, monkeypatch):
    monkeypatch.setenv("CUFLOW_CACHE_DIR", str(tmp_path))
    bad = AXPY.replace("a * x[i]", "a * zz[i]")
    with pytest.raises(CompileError, match=r"line 4: y\[i\] \+= a \* zz\[i\]"):
        compile_ptx(bad, "bad_axpy", "sm_90")


def test_bad_arguments():
    with pytest.raises(ValueError, match="arch"):
        compile_ptx(AXPY, "axpy", "volta")
    with pytest.raises(ValueError, match="non-empty"):
        compile_ptx("  ", "empty")


def test_parse_ptxas_log():
    log = """ptxas info    : Compiling entry function 'k1' for 'sm_90'
ptxas info    : Function properties for k1
    8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 255 registers, used 0 barriers
ptxas info    : Compiling entry function 'k2' for 'sm_90'
ptxas info    : Function properties for k2
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 10 registers"""
    got = parse_ptxas(log)
    assert got["k1"] == {"registers": 255, "spill_stores": 4, "spill_loads": 4, "stack": 8}
    assert got["k2"]["registers"] == 10 and got["k2"]["spill_stores"] == 0
