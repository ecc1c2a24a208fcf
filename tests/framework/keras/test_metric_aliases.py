"""tf.keras.metrics's short function names and tf.keras.losses.Reduction (TF 2.21)."""
import numpy as np
import pytest

import cuflow as cf

M = cf.keras.metrics
L = cf.keras.losses


@pytest.mark.parametrize("names,fn", [
    (("MSE", "mse"), L.mean_squared_error), (("MAE", "mae"), L.mean_absolute_error),
    (("MAPE", "mape"), L.mean_absolute_percentage_error),
    (("MSLE", "msle"), L.mean_squared_logarithmic_error),
    (("KLD", "kld", "kullback_leibler_divergence"), L.kl_divergence), (("logcosh",), L.log_cosh),
])
def test_metric_function_aliases(names, fn):
    for n in names:
        assert getattr(M, n) is fn


def test_alias_values():
    y, p = np.array([[1.0, 2.0], [0.5, 0.5]]), np.array([[2.0, 2.0], [0.25, 0.75]])
    np.testing.assert_allclose(M.mse(y, p), ((y - p) ** 2).mean(-1))
    np.testing.assert_allclose(M.logcosh(y, p), np.log(np.cosh(p - y)).mean(-1), rtol=1e-6)


def test_reduction():
    R = L.Reduction
    assert R.all() == ("auto", "none", "sum", "sum_over_batch_size")
    assert R.SUM_OVER_BATCH_SIZE == "sum_over_batch_size"
    R.validate("none")
    with pytest.raises(ValueError, match="Invalid Reduction Key: max"):
        R.validate("max")
