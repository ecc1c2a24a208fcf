"""The GPU path end to end (marker ``gpu``; run with ``make test-gpu`` on a CUDA machine).

Placement, transfers both ways, gradients through the kernel overrides, memory info and
DLPack exchange with CuPy and PyTorch. Op-by-op GPU = CPU checks live with the registry
tests: tests/framework/ops/test_registry_ops.py::test_gpu_matches_cpu (every OpInfo, the
array-namespace impls under CuPy) and tests/framework/ops/test_kernel_overrides.py::
test_gpu_override_matches_cpu_impl (every GPU kernel override, forward and gradients).
"""
from __future__ import annotations

import numpy as np
import pytest

import cuflow as cf

pytestmark = pytest.mark.gpu


@pytest.fixture(autouse=True)
def _need_gpu():
    if not cf.config.list_physical_devices("GPU"):
        pytest.skip("no CUDA GPU visible to CuPy")


def _host(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def test_placement_follows_the_device_scope_and_the_inputs():
    with cf.device("/GPU:0"):
        x = cf.constant(_host((4, 5)))
        y = cf.nn.relu(x) + 1.0
    assert x.device.endswith("GPU:0") and y.device.endswith("GPU:0")
    z = y * 2.0  # outside the scope: the op runs where its input lives
    assert z.device.endswith("GPU:0")
    with cf.device("/CPU:0"):
        c = cf.constant(_host((4, 5)))
    mixed = z + c  # a CPU input joins a GPU input on the GPU
    assert mixed.device.endswith("GPU:0")
    np.testing.assert_allclose(mixed.numpy(), (np.maximum(_host((4, 5)), 0) + 1) * 2 +
                               _host((4, 5)), rtol=1e-6)


def test_transfers_both_ways_keep_values_and_dtypes():
    for dtype in (np.float32, np.float64, np.int32, np.float16):
        host = _host((3, 7), dtype=dtype)
        with cf.device("/GPU:0"):
            g = cf.constant(host)
        assert g.device.endswith("GPU:0") and g.dtype == cf.as_dtype(dtype)
        back = g.cpu()
        assert back.device.endswith("CPU:0")
        np.testing.assert_array_equal(back.numpy(), host)
        with cf.device("/GPU:0"):
            again = cf.identity(back)
        assert again.device.endswith("GPU:0")
        np.testing.assert_array_equal(again.numpy(), host)


def test_gradients_through_gpu_kernel_overrides_equal_the_cpu():
    x, w = _host((2, 9, 9, 3)), _host((3, 3, 3, 4), seed=1)

    def loss_and_grads():
        xt, wt = cf.constant(x), cf.Variable(w)
        with cf.GradientTape() as tape:
            tape.watch(xt)
            y = cf.nn.conv2d(xt, wt, 1, "SAME")
            y = cf.nn.max_pool2d(y, 3, 2, "SAME")
            logits = cf.reshape(y, [2, -1])
            loss = cf.reduce_mean(cf.nn.sparse_softmax_cross_entropy_with_logits(
                cf.constant([1, 3]), logits))
        gx, gw = tape.gradient(loss, [xt, wt])
        return [loss.numpy(), gx.numpy(), gw.numpy()], gx.device
    cpu, _ = loss_and_grads()
    with cf.device("/GPU:0"):
        gpu, dev = loss_and_grads()
    assert dev.endswith("GPU:0")
    for a, b in zip(gpu, cpu):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-5)


def test_memory_info_grows_with_an_allocation():
    before = cf.config.experimental.get_memory_info("GPU:0")["current"]
    with cf.device("/GPU:0"):
        big = cf.zeros([1024, 1024, 4])
    after = cf.config.experimental.get_memory_info("GPU:0")
    assert after["current"] >= before + (16 << 20) - (1 << 20)
    assert after["peak"] >= after["current"]
    del big


def test_dlpack_with_cupy_shares_memory():
    cp = pytest.importorskip("cupy")
    with cf.device("/GPU:0"):
        t = cf.constant(_host((4, 4)))
    arr = cp.from_dlpack(t)
    assert arr.data.ptr == t._value.data.ptr
    back = cf.experimental.dlpack.from_dlpack(arr)
    assert back.device.endswith("GPU:0")
    np.testing.assert_array_equal(back.numpy(), _host((4, 4)))
    src = cp.arange(6, dtype=cp.float32)
    view = cf.experimental.dlpack.from_dlpack(src)
    src[0] = 42
    assert float(view.numpy()[0]) == 42.0


def test_dlpack_with_pytorch_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("PyTorch without CUDA")
    tt = torch.arange(12, dtype=torch.float32, device="cuda").reshape(3, 4)
    t = cf.experimental.dlpack.from_dlpack(tt)
    assert t.device.endswith("GPU:0")
    np.testing.assert_array_equal(t.numpy(), np.arange(12, dtype=np.float32).reshape(3, 4))
    with cf.device("/GPU:0"):
        y = cf.nn.softmax(cf.constant(_host((3, 4))))
    back = torch.from_dlpack(y)
    assert back.is_cuda
    np.testing.assert_allclose(back.cpu().numpy(), y.numpy())
