"""cf.test: TestCase assertions (tolerances, structures, errors), compute_gradient."""
import collections
import os
import unittest

import numpy as np
import pytest

import cuflow as cf


@pytest.fixture
def tc():
    t = cf.test.TestCase("run")
    t.setUp()
    yield t
    t.doCleanups()


def test_assert_all_close_nested_and_tolerance(tc):
    Pt = collections.namedtuple("Pt", "x y")
    tc.assertAllClose({"a": cf.constant([1., 2.]), "b": Pt(1, [2, 3])},
                      {"a": np.array([1., 2. + 5e-7]), "b": Pt(1, (2, 3))})
    with pytest.raises(AssertionError, match="not close"):
        tc.assertAllClose([1., 2.], [1., 2.1])
    with pytest.raises(AssertionError, match="Shape mismatch"):
        tc.assertAllClose(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="dict to non-dict"):
        tc.assertAllClose({"a": 1}, [1])
    tc.assertAllClose(np.nan, np.nan)
    tc.assertNotAllClose([1., 2.], [1., 3.])


def test_according_to_type_widens_for_half(tc):
    a = np.array([1.0], np.float16)
    tc.assertAllCloseAccordingToType(a, np.array([1.0005], np.float16))
    with pytest.raises(AssertionError):
        tc.assertAllClose(np.array([1.0], np.float32), np.array([1.0005], np.float32))


def test_equal_and_ordering(tc):
    tc.assertAllEqual(cf.constant([np.nan, 1.]), [np.nan, 1.])
    with pytest.raises(AssertionError):
        tc.assertAllEqual([1, 2], [1, 3])
    tc.assertNotAllEqual([1, 2], [1, 3])
    tc.assertAllEqual(cf.ragged.constant([[1], [2, 3]]), [[1], [2, 3]])
    tc.assertAllLessEqual(cf.constant([1, 2]), 2)
    tc.assertAllGreater([3, 4], 2)
    tc.assertAllInRange(cf.constant([1., 2.]), 1, 2)
    with pytest.raises(AssertionError, match="outside"):
        tc.assertAllInRange([1., 2.], 1, 2, open_upper_bound=True)
    with pytest.raises(AssertionError, match="NaN"):
        tc.assertAllInRange([np.nan], 0, 1)
    tc.assertAllInSet([1, 2, 1], {1, 2})
    tc.assertNear(1.0, 1.05, 0.1)
    with pytest.raises(AssertionError):
        tc.assertArrayNear([1., 2.], [1., 2.5], 0.1)


def test_shape_dtype_device(tc):
    tc.assertShapeEqual(np.zeros((2, 3)), cf.zeros((2, 3)))
    with pytest.raises(TypeError):
        tc.assertShapeEqual([1], cf.zeros(1))
    tc.assertDTypeEqual(cf.constant([1.]), np.float32)
    tc.assertDTypeEqual([np.zeros(1, np.int64)], cf.int64)
    tc.assertDeviceEqual("/cpu:0", "/device:CPU:0")


def test_raises_op_error(tc):
    with tc.assertRaisesOpError("reshape|Reshape|shape"):
        cf.reshape(cf.constant([1, 2, 3]), [2])
    with pytest.raises(AssertionError):
        with tc.assertRaisesOpError("never-matches-xyz"):
            cf.reshape(cf.constant([1, 2, 3]), [2])
    with pytest.raises(AssertionError, match="not raised"):
        with tc.assertRaisesOpError("x"):
            pass


def test_evaluate_and_temp_dir(tc):
    out = tc.evaluate({"a": cf.constant([1, 2]), "s": cf.sparse.SparseTensor([[0]], [5], [2])})
    assert out["a"].tolist() == [1, 2]
    assert out["s"].values.tolist() == [5] and out["s"].dense_shape.tolist() == [2]
    d = tc.get_temp_dir()
    assert os.path.isdir(d) and tc.get_temp_dir() == d


def test_setup_seeds_like_tf():
    class T(cf.test.TestCase):
        def test_a(self):
            self.__class__.vals.append(np.random.rand())
    T.vals = []
    runner = unittest.TextTestRunner(stream=open(os.devnull, "w"))
    runner.run(T("test_a"))
    runner.run(T("test_a"))
    assert T.vals[0] == T.vals[1]
    np.random.seed(87654321)
    assert T.vals[0] == np.random.rand()


def test_compute_gradient_matches_numeric():
    x = cf.constant([[1., 2.], [3., 4.], [5., 6.]], cf.float64)
    t, n = cf.test.compute_gradient(lambda a: cf.reduce_sum(a ** 2, axis=1), [x])
    assert t[0].shape == (3, 6)
    np.testing.assert_allclose(t[0], n[0], atol=1e-6)
    t, n = cf.test.compute_gradient(lambda a, b: a * b, [cf.constant([1., 2.]),
                                                          cf.constant([3., 4.])])
    np.testing.assert_allclose(t[1], np.diag([1., 2.]))
    with pytest.raises(ValueError):
        cf.test.compute_gradient(lambda a: a, cf.constant(1.))


def test_build_queries():
    assert cf.test.is_built_with_rocm() is False and cf.test.is_built_with_xla() is False
    assert cf.test.is_gpu_available() == (cf.test.gpu_device_name() == "/device:GPU:0")
    assert isinstance(cf.test.is_built_with_cuda(), bool)


def test_benchmark_report_prints_tf_entry(capsys):
    class B(cf.test.Benchmark):
        def benchmark_y(self):
            self.report_benchmark(iters=3, cpu_time=2, throughput=1e-5,
                                  extras={"a": 1.5}, metrics=[{"name": "acc", "value": 0.9}])
    B().benchmark_y()
    out = capsys.readouterr().out
    assert out.startswith('entry {\n  name: "B.benchmark_y"\n  iters: 3\n  cpu_time: 2\n'
                          '  throughput: 1e-05\n  extras {\n    key: "a"\n')
    assert "double_value: 1.5" in out and '    name: "acc"\n    value: 0.9' in out
    assert not B.is_abstract() and cf.test.Benchmark.is_abstract()
    assert B().evaluate(cf.constant([1, 2])).tolist() == [1, 2]


def test_disable_with_predicate_and_sync_devices():
    class T(cf.test.TestCase):
        @cf.test.disable_with_predicate(lambda: True, "off")
        def test_off(self):
            raise AssertionError("must not run")

        @cf.test.disable_with_predicate(lambda: False, "on")
        def test_on(self):
            pass
    runner = unittest.TextTestRunner(stream=open(os.devnull, "w"))
    off, on = runner.run(T("test_off")), runner.run(T("test_on"))
    assert len(off.skipped) == 1 and off.wasSuccessful() and on.wasSuccessful()
    assert cf.test.experimental.sync_devices() is None
