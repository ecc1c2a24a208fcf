"""Every hand-written .cu source compiles with nvcc for sm_80 and sm_90, without spills.

No GPU needed (tinygrad's NULL-device idea): PTX from nvcc, registers and spills from
ptxas. Sources compile in parallel and are cached by compile_ptx, so a warm run takes
well under a second.
"""
import os

import pytest

from cuflow_kernels.cuda.compile import (KERNEL_DIR, compile_many, compile_nvrtc, find_nvcc,
                                         find_nvrtc)

needs_nvcc = pytest.mark.skipif(find_nvcc() is None,
                                reason="nvcc not on PATH: install the CUDA toolkit")

ARCHS = ("sm_80", "sm_90")
SOURCES = sorted(f[:-3] for f in os.listdir(KERNEL_DIR) if f.endswith(".cu"))
# Kernels on training's hot path: any spill to local memory there is a regression.
HOT_PREFIXES = ("softmax_rows", "log_softmax_rows", "logsumexp_rows", "layernorm_",
                "xent_", "adam_multi", "sgd_momentum", "dropout_", "im2col_", "max_pool",
                "avg_pool", "gather_rows", "scatter_add_rows")

# Kernel names each loader asks for: a loader and its source must agree.
EXPECTED = {
    "softmax": [f"{op}_{v}_{s}" for op in ("softmax_rows", "log_softmax_rows",
                                           "logsumexp_rows")
                for v in ("warp", "block") for s in ("f32", "f64", "f16", "bf16")],
    "layernorm": [f"layernorm_{k}_{s}" for k in ("fwd", "bwd_dx", "bwd_params")
                  for s in ("f32", "f64", "f16", "bf16")],
    "pooling": [f"{k}_{s}" for k in ("max_pool_fwd", "max_pool_bwd", "avg_pool_fwd",
                                     "avg_pool_bwd") for s in ("f32", "f64", "f16", "bf16")],
    "im2col": ["im2col_u16", "im2col_u32", "im2col_u64"] + [
        f"col2im_{s}" for s in ("f32", "f64", "f16", "bf16")],
    "embedding": [f"gather_rows_u{b}_{i}" for b in (16, 32, 64) for i in ("i32", "i64")] + [
        f"scatter_add_rows_{s}_{i}" for s in ("f32", "f64", "f16", "bf16")
        for i in ("i32", "i64")],
    "dropout": ["philox_uniform_f32"] + [f"dropout_{s}" for s in ("f32", "f64", "f16",
                                                                   "bf16")],
    "optim": [f"{k}_{s}" for k in ("sgd_momentum", "adam_multi") for s in ("f32", "f64")],
    "crossentropy": [f"xent_dense_{s}" for s in ("f32", "f64", "f16", "bf16")] + [
        f"xent_sparse_{s}_{i}" for s in ("f32", "f64", "f16", "bf16") for i in ("i32", "i64")],
}


@pytest.fixture(scope="module")
def compiled():
    sources = {}
    for name in SOURCES:
        with open(os.path.join(KERNEL_DIR, name + ".cu")) as f:
            sources[name] = f.read()
    return {arch: compile_many(sources, arch) for arch in ARCHS}


@needs_nvcc
@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("name", SOURCES)
def test_source_compiles_without_spills(compiled, arch, name):
    res = compiled[arch][name]
    print(f"\n{name} {arch}: {res.seconds:.2f}s{' (cached)' if res.cached else ''}")
    for kname, info in sorted(res.kernels.items()):
        print(f"  {kname:34s} regs={info['registers']:3d} spill_st={info['spill_stores']} "
              f"spill_ld={info['spill_loads']} stack={info['stack']}")
    assert res.ptx.startswith("//") and ".entry" in res.ptx
    spilling = {k: v for k, v in res.kernels.items() if k.startswith(HOT_PREFIXES)
                and (v["spill_stores"] or v["spill_loads"])}
    assert not spilling, f"{name} {arch}: hot kernels spill: {spilling}"


@needs_nvcc
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_loader_kernel_names_exist(compiled, name):
    have = set(compiled["sm_90"][name].kernels)
    missing = [k for k in EXPECTED[name] if k not in have]
    assert not missing, f"{name}.cu lacks kernels its loader launches: {missing}"


def test_every_source_is_checked():
    assert set(EXPECTED) == set(SOURCES), "add the new source's kernel names to EXPECTED"


@pytest.mark.skipif(find_nvrtc() is None, reason="libnvrtc not found (pip install "
                    "nvidia-cuda-nvrtc-cu12, or set CUFLOW_NVRTC_LIB)")
@pytest.mark.parametrize("name", SOURCES)
def test_source_compiles_with_nvrtc_as_cupy_does(name):
    """NVRTC has no host headers (no NAN/INFINITY macros): what CuPy will actually run."""
    with open(os.path.join(KERNEL_DIR, name + ".cu")) as f:
        ptx = compile_nvrtc(f.read(), name, "compute_90")
    assert all(f".entry {k}(" in ptx for k in EXPECTED[name])
