"""The shared check of the metric test files: a metric built from (class name, kwargs),
fed batches by the file's own ``update``, against the dtype and value Keras printed."""
import cuflow as cf
import numpy as np


def run_metric(cls, kw, batches, update):
    m = getattr(cf.keras.metrics, cls)(**kw)
    for yt, yp, sw in batches:
        update(m, yt, yp, sw)
    return m


def assert_matches_keras(case, expected, update):
    got = np.asarray(run_metric(*case, update).result())
    assert got.dtype.name == expected[0]
    np.testing.assert_allclose(got, np.asarray(expected[1], got.dtype), rtol=1e-6, atol=2e-7)
