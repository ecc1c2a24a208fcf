"""tf.config.list_logical_devices names devices as TF does ('/device:CPU:0')."""
import cuflow as cf


def test_logical_device_names_are_tf_short_names_and_usable_in_device_scopes():
    devices = cf.config.list_logical_devices("CPU")
    assert devices[0].name == "/device:CPU:0" and devices[0].device_type == "CPU"
    with cf.device(devices[0].name):
        x = cf.constant(1.0)
    assert x.device.endswith("device:CPU:0")
