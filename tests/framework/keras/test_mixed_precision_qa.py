"""mixed_float16: float16 compute, float32 variables, dynamic loss scaling."""
import numpy as np
import pytest

import cuflow as cf

keras = cf.keras
mp = keras.mixed_precision


@pytest.fixture
def mixed():
    mp.set_global_policy("mixed_float16")
    yield
    mp.set_global_policy("float32")


def test_policy_dtypes(mixed):
    p = mp.global_policy()
    assert p.name == "mixed_float16"
    assert p.compute_dtype == "float16" and p.variable_dtype == "float32"
    layer = keras.layers.Dense(3)
    out = layer(np.ones((2, 4), np.float32))
    assert out.dtype == cf.float16
    assert layer.kernel.dtype == cf.float32


@pytest.mark.parametrize("eager", [True, False])
def test_fit_with_loss_scaling(mixed, eager):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(3,)),
                          keras.layers.Dense(1, dtype="float32")])
    m.compile(keras.optimizers.SGD(0.05), "mse", run_eagerly=eager)
    assert isinstance(m.optimizer, mp.LossScaleOptimizer)
    x = np.random.RandomState(0).rand(64, 3).astype(np.float32)
    y = x.sum(1, keepdims=True)
    h = m.fit(x, y, epochs=4, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert all(w.dtype == np.float32 for w in m.get_weights())


@pytest.mark.parametrize("compiled", [False, True])
def test_loss_scale_skips_inf_step_and_halves(compiled):
    v = cf.Variable([1.0, 2.0])
    opt = mp.LossScaleOptimizer(keras.optimizers.Adam(0.1), initial_scale=1024.0,
                                dynamic_growth_steps=2)

    def step(g):
        opt.apply_gradients([(g, v)])
    run = cf.function(step) if compiled else step
    run(cf.constant([np.inf, 1.0]))
    np.testing.assert_allclose(v.numpy(), [1.0, 2.0])
    assert float(opt.dynamic_scale.numpy()) == 512.0
    assert int(opt.iterations.numpy()) == 0
    run(cf.constant([512.0, 512.0]))  # unscaled: [1, 1]; Adam's first step moves by lr
    np.testing.assert_allclose(v.numpy(), [0.9, 1.9], rtol=1e-5)
    run(cf.constant([512.0, 512.0]))  # second good step in a row: the scale doubles
    assert float(opt.dynamic_scale.numpy()) == 1024.0
    assert int(opt.iterations.numpy()) == 2
    run(cf.constant([np.nan, 0.0]))
    assert float(opt.dynamic_scale.numpy()) == 512.0
    assert int(opt.iterations.numpy()) == 2
