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


def test_built_sequential_checks_shapes_as_keras3():
    import pytest
    m = cf.keras.Sequential([cf.keras.layers.Rescaling(0.5)])
    m(np.ones((1, 6, 5, 3), "float32"))          # builds with (None, 6, 5, 3)
    # eager calls with other sizes of the same rank run (Keras's Functional.call)
    assert m(np.ones((2, 4, 4, 3), "float32")).shape == (2, 4, 4, 3)
    with pytest.raises(ValueError, match="incompatible"):     # symbolic calls are checked
        m(cf.keras.Input((4, 4, 3)))
    u = cf.keras.Sequential([cf.keras.layers.Rescaling(0.5)])
    u(np.ones((6, 5, 3), "float32"))             # built unbatched: (None, 5, 3)
    assert u(np.ones((6, 5, 3), "float32")).shape == (6, 5, 3)
    with pytest.raises(ValueError):
        u(np.ones((1, 6, 5, 3), "float32"))      # rank 4 for a rank-3 Functional
    inner = cf.keras.Sequential([cf.keras.layers.Rescaling(0.5)])
    inner(np.ones((1, 6, 5, 3), "float32"))
    outer = cf.keras.Sequential([cf.keras.layers.Resizing(4, 4), inner])
    with pytest.raises(ValueError):              # Keras's build of the outer model raises
        outer(np.ones((1, 6, 5, 3), "float32"))
