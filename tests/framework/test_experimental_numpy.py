"""cf.experimental.numpy: NumPy's dtypes and promotion on tensors (checked against TF 2.21's
tf.experimental.numpy)."""
import subprocess
import sys

import numpy as np

import cuflow as cf

tnp = cf.experimental.numpy


def test_numpy_default_dtypes_and_promotion():
    assert tnp.array([1, 2, 3]).dtype == cf.int64
    assert tnp.array([1.0]).dtype == cf.float64 and tnp.ones([2]).dtype == cf.float64
    assert tnp.add(tnp.array([1, 2]), tnp.array([0.5, 0.5])).dtype == cf.float64
    assert tnp.sqrt(tnp.array([4, 9])).numpy().tolist() == [2.0, 3.0]
    assert tnp.mean(tnp.array([1, 2, 3, 4])).dtype == cf.float64
    assert tnp.sum(tnp.ones([2, 3], dtype=tnp.float32), axis=0).dtype == cf.float32
    assert tnp.tile(tnp.array([1, 2]), 2).numpy().tolist() == [1, 2, 1, 2]
    assert tnp.matmul(tnp.ones([2, 3]), tnp.ones(3)).shape == (2,)
    assert tnp.result_type(tnp.int32, tnp.float32) == cf.float64
    assert bool(tnp.allclose([1.0], [1.0 + 1e-9]))
    assert np.allclose(tnp.round(tnp.array([1.26, 2.5]), 1).numpy(), [1.3, 2.5])


def test_enable_numpy_behavior_in_a_fresh_process():
    code = """
import cuflow as cf
tnp = cf.experimental.numpy
tnp.experimental_enable_numpy_behavior()
assert (cf.constant([1, 2]) + cf.constant([0.5, 0.5])).dtype == cf.float64
assert (cf.constant([1, 2]) + 1.5).dtype == cf.float64
assert (cf.constant([1], cf.int8) + cf.constant([1], cf.uint8)).dtype == cf.int16
assert cf.constant([1, 2, 3, 4]).reshape((2, 2)).shape == (2, 2)
assert cf.ones([2, 3]).T.shape == (3, 2) and int(cf.ones([2, 3]).size) == 6
assert cf.constant([1, 2]).astype(tnp.float32).dtype == cf.float32
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert out.stdout.strip() == "ok", out.stderr
