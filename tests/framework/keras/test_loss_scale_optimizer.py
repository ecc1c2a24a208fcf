"""LossScaleOptimizer as Keras 3 builds it: an Optimizer of its own with lazily built
step_counter / dynamic_scale, config with name and the initial scale, from_config."""
import numpy as np
import pytest

import cuflow as cf

keras = cf.keras
LSO = keras.optimizers.LossScaleOptimizer


def test_variables_built_on_first_apply_own_then_inner():
    opt = LSO(keras.optimizers.SGD(0.1), initial_scale=4.0, name="lso")
    assert isinstance(opt, keras.optimizers.Optimizer)
    assert not opt.built and not hasattr(opt, "dynamic_scale")
    assert float(opt.scale_loss(cf.constant(2.0))) == 8.0  # initial scale before build
    v = cf.Variable([1.0])
    opt.apply([cf.constant([4.0])], [v])
    assert [x.path for x in opt.variables] == [
        "lso/iteration", "lso/learning_rate", "lso/step_counter", "lso/dynamic_scale",
        f"{opt.inner_optimizer.name}/iteration", f"{opt.inner_optimizer.name}/learning_rate"]
    np.testing.assert_allclose(v.numpy(), [0.9])
    assert int(opt.iterations) == 1 and int(opt.step_counter) == 1


def test_halving_has_no_floor_and_growth_after_n_good_steps():
    opt = LSO(keras.optimizers.SGD(0.1), initial_scale=1.0, dynamic_growth_steps=2)
    v = cf.Variable([1.0])
    opt.apply([cf.constant([np.inf])], [v])
    assert float(opt.dynamic_scale) == 0.5  # Keras halves below 1 too
    opt.apply([cf.constant([0.0])], [v])
    opt.apply([cf.constant([0.0])], [v])
    assert float(opt.dynamic_scale) == 1.0 and int(opt.step_counter) == 0


def test_config_round_trip_keeps_initial_scale_and_name():
    opt = LSO(keras.optimizers.Adam(0.01), initial_scale=1024.0, dynamic_growth_steps=3,
              name="my_lso")
    v = cf.Variable([1.0])
    opt.apply([cf.constant([np.nan])], [v])  # the scale moves; the config does not
    cfg = opt.get_config()
    assert sorted(cfg) == ["dynamic_growth_steps", "initial_scale", "inner_optimizer", "name"]
    assert cfg["initial_scale"] == 1024.0 and cfg["name"] == "my_lso"
    assert cfg["inner_optimizer"]["class_name"] == "Adam"
    again = LSO.from_config(cfg)
    assert type(again.inner_optimizer).__name__ == "Adam"
    assert again.initial_scale == 1024.0 and again.dynamic_growth_steps == 3


def test_scale_loss_promotes_a_float16_loss():
    opt = LSO(keras.optimizers.SGD(), initial_scale=8.0)
    opt.build([cf.Variable([1.0])])
    assert opt.scale_loss(cf.constant(1.0, "float16")).dtype == cf.float32


def test_bad_arguments():
    with pytest.raises(ValueError, match="dynamic=False"):
        LSO(keras.optimizers.SGD(), dynamic=False)
    with pytest.raises(ValueError, match="clipnorm"):
        LSO(keras.optimizers.SGD(), clipnorm=1.0)
    with pytest.raises(ValueError, match="foo"):
        LSO(keras.optimizers.SGD(), foo=1)
    LSO(keras.optimizers.SGD(), clipnorm=None, use_ema=False)  # defaults of old configs


def test_compile_names_the_wrapper_loss_scale_optimizer_each_time():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        for _ in range(2):
            m = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
            m.compile("sgd", "mse")
            assert m.optimizer.name == "loss_scale_optimizer"
    finally:
        keras.mixed_precision.set_global_policy("float32")
