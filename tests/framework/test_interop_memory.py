"""DLPack interop, out-of-memory errors and memory info (CPU here; GPU variants marked)."""
import numpy as np
import pytest

import cuflow as cf


def test_dlpack_round_trip_with_numpy_is_zero_copy():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = cf.experimental.dlpack.from_dlpack(a)
    assert t.shape == (2, 3) and t.dtype == cf.float32
    a[0, 0] = 42.0  # shares memory
    assert t.numpy()[0, 0] == 42.0
    back = np.from_dlpack(t)
    np.testing.assert_array_equal(back, a)
    with pytest.raises(TypeError, match="__dlpack__"):
        cf.experimental.dlpack.from_dlpack(object())


def test_out_of_memory_is_resource_exhausted_naming_the_op():
    with pytest.raises(cf.errors.ResourceExhaustedError, match="constant_fill.*out of memory"):
        cf.zeros([2 ** 22, 2 ** 22])


def test_memory_info_has_current_and_peak():
    info = cf.config.experimental.get_memory_info("CPU:0")
    assert info["current"] > 0 and info["peak"] >= info["current"] // 2


@pytest.mark.gpu
def test_gpu_memory_info_limit_and_async_copy():
    if not cf.config.list_physical_devices("GPU"):
        pytest.skip("no GPU")
    with cf.device("/GPU:0"):
        x = cf.ones([1024, 1024])
    info = cf.config.experimental.get_memory_info("GPU:0")
    assert info["current"] >= 4 << 20 and info["peak"] >= info["current"]
    from cuflow import placement
    be = placement._make("GPU", 0).backend
    host = np.random.default_rng(0).standard_normal((256, 256)).astype(np.float32)
    dev = be.to_device_async(host)
    be.synchronize()
    np.testing.assert_array_equal(dev.get(), host)
    assert float(cf.reduce_sum(x)) == 1024 * 1024
