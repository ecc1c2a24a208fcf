"""cf.errors status codes, cf.config(.experimental) settings, cf.dtypes additions,
top-level DeviceSpec / AggregationMethod / fingerprint / Keras module aliases."""
import numpy as np
import pytest

import cuflow as cf


def test_error_codes_match_tf():
    e = cf.errors
    assert (e.OK, e.CANCELLED, e.INVALID_ARGUMENT, e.OUT_OF_RANGE, e.UNAUTHENTICATED) == \
        (0, 1, 3, 11, 16)
    assert e.InvalidArgumentError(None, None, "m").error_code == e.INVALID_ARGUMENT
    assert e.UnsupportedDtypeError(None, None, "m").error_code == e.INVALID_ARGUMENT
    assert e.NotFoundError(None, None, "m").error_code == e.NOT_FOUND
    assert e.OpError(None, None, "m", e.ABORTED).error_code == e.ABORTED
    classes = {n: getattr(e, n) for n in dir(e) if n.endswith("Error") and n != "OpError"
               and n not in ("UnsupportedDtypeError", "OperatorNotAllowedInGraphError",
                             "SymbolicValueError")}
    codes = sorted(c(None, None, "m").error_code for c in classes.values())
    assert codes == list(range(1, 17))


def test_config_aliases_and_policies():
    cf.config.experimental_run_functions_eagerly(True)
    try:
        assert cf.config.functions_run_eagerly() and \
            cf.config.experimental_functions_run_eagerly()
    finally:
        cf.config.run_functions_eagerly(False)
    x = cf.config.experimental
    assert x.get_device_policy() == "silent"
    x.set_device_policy("warn")
    assert x.get_device_policy() == "warn"
    x.set_device_policy(None)
    assert x.get_device_policy() == "silent"
    with pytest.raises(ValueError, match="device_policy"):
        x.set_device_policy("bogus")
    assert x.get_synchronous_execution() is True
    x.set_synchronous_execution(False)
    assert x.get_synchronous_execution() is False
    x.set_synchronous_execution(True)
    assert isinstance(x.get_memory_usage("CPU:0"), int)
    assert x.list_logical_devices("CPU")[0].name == "/device:CPU:0"
    cpu = cf.config.list_physical_devices("CPU")[0]
    assert x.get_virtual_device_configuration(cpu) is None


def test_tensor_float_32_flag(monkeypatch):
    monkeypatch.delenv("CUPY_TF32", raising=False)
    from cuflow import config
    monkeypatch.setitem(config._exec, "tf32", None)
    assert config.experimental.tensor_float_32_execution_enabled() is False
    config.experimental.enable_tensor_float_32_execution(True)
    import os
    assert config.experimental.tensor_float_32_execution_enabled() is True
    assert os.environ["CUPY_TF32"] == "1"
    config.experimental.enable_tensor_float_32_execution(False)
    assert os.environ["CUPY_TF32"] == "0"


def test_visible_devices_hide_gpus():
    from cuflow import config
    saved = dict(config._visible)
    try:
        cf.config.experimental.set_visible_devices([], "GPU")
        assert cf.config.experimental.get_visible_devices("GPU") == []
        from cuflow import placement
        assert placement.gpu_count() == 0 and placement.default_device().device_type == "CPU"
        with pytest.raises(ValueError, match="CPU"):
            cf.config.set_visible_devices([], "CPU")
        with pytest.raises(ValueError, match="Unrecognized"):
            cf.config.set_visible_devices([cf.config.PhysicalDevice("/physical_device:GPU:7",
                                                                    "GPU")], "GPU")
        cpus = cf.config.list_physical_devices("CPU")
        cf.config.set_visible_devices(cpus, "CPU")
        assert cf.config.get_visible_devices("CPU") == cpus
    finally:
        config._visible.clear()
        config._visible.update(saved)


def test_quantized_and_resource_dtypes():
    q = cf.qint8
    assert q.is_quantized and not q.is_integer and q.is_numeric and q.size == 1
    assert q.as_numpy_dtype == np.dtype([("qint8", np.int8)])
    assert cf.as_dtype(np.dtype([("qint8", np.int8)])) is q and cf.as_dtype("quint16") is \
        cf.quint16
    assert cf.dtypes.QUANTIZED_DTYPES == {cf.qint8, cf.quint8, cf.qint16, cf.quint16, cf.qint32}
    with pytest.raises(TypeError, match="quantized"):
        q.min
    with pytest.raises(ValueError, match="limits"):
        q.limits
    t = cf.constant([1, 2], cf.qint8)
    assert t.dtype is cf.qint8 and t.numpy()["qint8"].tolist() == [1, 2]
    with pytest.raises(TypeError):
        t + t           # no arithmetic on quantized values (TF has no kernel either)
    assert cf.resource.name == "resource" and not cf.resource.is_numeric
    assert str(cf.dtypes.resource) == "<dtype: 'resource'>"
    assert cf.dtypes.cast is cf.cast and cf.dtypes.saturate_cast is cf.saturate_cast
    assert cf.dtypes.complex is cf.complex


def test_device_spec():
    D = cf.DeviceSpec
    d = D(job="ps", replica=0, task=1, device_type="GPU", device_index=2)
    assert d.to_string() == "/job:ps/replica:0/task:1/device:GPU:2"
    assert D.from_string("/job:worker/task:3/device:cpu:0").to_string() == \
        "/job:worker/task:3/device:CPU:0"
    assert D.from_string("gpu:1").to_string() == "/device:GPU:1"
    assert D.from_string("/GPU:*").device_index is None
    assert d.replace(job="w", device_index=None).to_string() == \
        "/job:w/replica:0/task:1/device:GPU:*"
    assert d.make_merged_spec(D(device_type="CPU")).to_string() == \
        "/job:ps/replica:0/task:1/device:CPU:2"
    assert D.from_string("/CPU:0") == D(device_type="CPU", device_index=0)
    assert len({D.from_string("/CPU:0"), D(device_type="cpu", device_index=0)}) == 1
    with pytest.raises(ValueError, match="bogus"):
        D.from_string("/bogus:1")
    with pytest.raises(AttributeError):
        d.job = "x"
    with cf.device(D(device_type="CPU", device_index=0)):
        assert cf.constant(1.).device.endswith("CPU:0")


def test_fingerprint_matches_tf():
    assert cf.fingerprint(cf.constant(["hello", "a"])).numpy().tolist() == \
        [[232, 12, 56, 49, 169, 229, 139, 180], [227, 117, 223, 182, 101, 66, 69, 179]]
    assert cf.fingerprint(cf.constant([[1, 2], [3, 4]])).numpy().tolist() == \
        [[76, 18, 253, 133, 168, 204, 240, 10], [254, 162, 60, 240, 103, 244, 53, 255]]
    assert cf.fingerprint(cf.constant([[b"ab", b"c"], [b"d", b"e"]])).numpy().tolist() == \
        [[65, 83, 39, 149, 164, 245, 170, 22], [234, 62, 180, 96, 191, 13, 17, 56]]
    out = cf.function(cf.fingerprint)(cf.constant([1.5, 2.5]))
    assert out.dtype == cf.uint8 and out.numpy()[0].tolist() == [64, 181, 56, 72, 223, 224,
                                                                  189, 72]
    with pytest.raises(cf.errors.InvalidArgumentError, match="at least one dimension"):
        cf.fingerprint(cf.constant("x"))


def test_top_level_aliases():
    assert cf.initializers is cf.keras.initializers and cf.losses is cf.keras.losses
    assert cf.metrics is cf.keras.metrics and cf.optimizers is cf.keras.optimizers
    assert cf.as_string is cf.strings.as_string
    assert cf.AggregationMethod.DEFAULT == cf.AggregationMethod.ADD_N == 0
    assert cf.AggregationMethod.EXPERIMENTAL_ACCUMULATE_N == 2
