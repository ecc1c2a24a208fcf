"""Broken gradient chains are explained: where the chain was cut, with the user's line."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import cuflow as cf
from cuflow.autodiff.tape import NoGradientWarning


def test_numpy_round_trip_is_named_with_source_line():
    w = cf.Variable([1.0, 2.0])
    with cf.GradientTape() as t:
        h = w * 2.0
        back = cf.constant(h.numpy() + 1.0)  # LEAVES-CUFLOW
        loss = cf.reduce_sum(back * back)
    with pytest.warns(NoGradientWarning) as rec:
        assert t.gradient(loss, w) is None
    msg = str(rec[0].message)
    assert "NumPy/Python value" in msg and "LEAVES-CUFLOW" in msg
    assert "test_chain_breaks.py" in msg


def test_python_float_and_integer_cast_breaks():
    x = cf.Variable(1.5)
    with cf.GradientTape() as t:
        f = float(x * 3.0)                      # FLOAT-LINE
        k = cf.cast(x * 2.0, cf.int32)          # INT-LINE
        y = cf.constant(f) + cf.cast(k, cf.float32)
    breaks = t.chain_breaks()
    assert any("FLOAT-LINE" in b and "Python value" in b for b in breaks), breaks
    assert any("INT-LINE" in b and "cast to int32" in b for b in breaks), breaks
    with pytest.warns(NoGradientWarning, match="cast to int32"):
        assert t.gradient(y, x) is None


def test_unwatched_constant_and_target_outside_block():
    x = cf.constant(2.0)
    with cf.GradientTape(persistent=True) as t:
        y = x * x
    text = t.explain_gradients(y, x)
    assert "not watched: call tape.watch(x)" in text
    assert "not computed from any watched value" in text
    with pytest.warns(NoGradientWarning):
        t.gradient(y, x)
    assert t.explain_gradients() .startswith("GradientTape.gradient returned None")


def test_integer_source_and_watch_accessed_false():
    v = cf.Variable(2.0)
    with cf.GradientTape(watch_accessed_variables=False) as t:
        y = v * v
    with pytest.warns(NoGradientWarning, match="watch_accessed_variables=False"):
        assert t.gradient(y, v) is None
    n = cf.constant(3)
    with cf.GradientTape() as t:
        t.watch(n)
        y = n * n
    with pytest.warns(NoGradientWarning, match="integer/bool dtype"):
        assert t.gradient(y, n) is None


def test_no_warning_when_some_gradient_exists_or_for_jacobian_rows():
    a = cf.Variable(1.0)
    b = cf.Variable(2.0)
    with cf.GradientTape(persistent=True) as t:
        y = a * 3.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ga, gb = t.gradient(y, [a, b])
        assert float(ga) == 3.0 and gb is None
        assert t.jacobian(cf.stack([y, y]), b) is None


def test_value_free_ops_and_stop_gradient_are_not_noise():
    x = cf.constant([1.0, 2.0])
    with cf.GradientTape() as t:
        t.watch(x)
        _ = cf.zeros_like(x) + cf.ones_like(x)
        _ = cf.shape(x)
        y = cf.stop_gradient(x)
    assert t.chain_breaks() == ["cf.stop_gradient (intentional), at " + t.chain_breaks()[0]
                                .split(", at ", 1)[1]]
    del y


def test_numpy_without_tape_is_untouched():
    from cuflow.ops.dispatch import _tls
    assert _tls.tapes == []
    x = cf.constant(np.arange(3.0))
    assert x.numpy().tolist() == [0.0, 1.0, 2.0]
