"""Keras 3 runs a Sequential with a known input shape as a Functional, which adds or drops
a trailing size-1 axis (the "Basic regression" tutorial predicts on (batch,) data)."""
import numpy as np

import cuflow as cf


def test_sequential_input_shape_1_accepts_rank_1_data():
    m = cf.keras.Sequential([cf.keras.Input(shape=(1,)), cf.keras.layers.Dense(1)])
    m.set_weights([np.full((1, 1), 2.0, "float32"), np.zeros(1, "float32")])
    out = m.predict(np.array([1.0, 2.0, 3.0], "float32"), verbose=0)
    assert out.shape == (3, 1)
    np.testing.assert_allclose(out[:, 0], [2.0, 4.0, 6.0])
    m.compile(loss="mae", optimizer="sgd")
    m.fit(np.array([1.0, 2.0], "float32"), np.array([1.0, 2.0], "float32"), verbose=0)


def test_sequential_drops_trailing_one():
    m = cf.keras.Sequential([cf.keras.Input(shape=(3,)), cf.keras.layers.Dense(2)])
    assert m(np.ones((4, 3, 1), "float32")).shape == (4, 2)


def test_built_sequential_rejects_other_feature_shapes():
    import pytest
    m = cf.keras.Sequential([cf.keras.layers.Rescaling(0.5)])
    m(np.ones((1, 6, 5, 3), "float32"))          # builds with (None, 6, 5, 3)
    assert m(np.ones((4, 6, 5, 3), "float32")).shape == (4, 6, 5, 3)
    with pytest.raises(ValueError, match="incompatible"):
        m(np.ones((1, 4, 4, 3), "float32"))
