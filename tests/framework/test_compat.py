"""cf.compat: TF's conversion helpers and the eager-meaningful part of compat.v1
(values checked against TF 2.21)."""
import logging

import numpy as np
import pytest

import cuflow as cf


def test_conversions_and_dimensions():
    c = cf.compat
    assert c.as_bytes("é") == "é".encode() and c.as_bytes(bytearray(b"x")) == b"x"
    assert c.as_text(b"y") == "y" and c.as_str("z") == "z" and c.as_str_any(3) == "3"
    with pytest.raises(TypeError, match="Expected binary or unicode string"):
        c.as_bytes(3)
    shape = cf.TensorShape([3, None])
    assert c.dimension_value(shape[0]) == 3 and c.dimension_value(shape[1]) is None
    assert c.dimension_at_index(shape, 0) == 3
    assert c.dimension_at_index(cf.TensorShape(None), 2) is None
    assert c.forward_compatible(2020, 1, 1) is True
    assert isinstance(np.int64(1), c.integral_types) and c.v2 is cf
    import pathlib
    assert c.path_to_str(pathlib.Path("/a/b")) == "/a/b"


def test_v1_logging_drives_the_tensorflow_logger():
    v1 = cf.compat.v1
    old = logging.getLogger("tensorflow").level
    try:
        v1.logging.set_verbosity(v1.logging.ERROR)
        assert v1.logging.ERROR == 40 and v1.logging.get_verbosity() == 40
        assert cf.get_logger().getEffectiveLevel() == logging.ERROR
    finally:
        logging.getLogger("tensorflow").setLevel(old)


def test_v1_seeds_eager_switches_and_clear_errors():
    v1 = cf.compat.v1
    v1.set_random_seed(3)
    a = cf.random.uniform([2])
    v1.random.set_random_seed(3)
    np.testing.assert_array_equal(a.numpy(), cf.random.uniform([2]).numpy())
    v1.enable_eager_execution()
    v1.enable_v2_behavior()
    assert v1.executing_eagerly() and cf.executing_eagerly()
    with pytest.raises(AttributeError, match="TF2's eager API"):
        v1.Session()
    with pytest.raises(AttributeError, match="TF2's eager API"):
        v1.disable_eager_execution()
