"""Keras 3.15 fidelity details checked against the real Keras (session 5 gaps)."""
import numpy as np
import pytest

import cuflow as cf

keras = cf.keras


def test_optimizer_attribute_absent_before_compile():
    # Keras 3: Trainer.__init__ never sets ``optimizer``; compile does
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    assert not hasattr(model, "optimizer")
    with pytest.raises(AttributeError):
        model.optimizer
    assert model.get_compile_config() == {}
    with pytest.raises(ValueError, match="compile"):
        model.fit(np.ones((4, 3)), np.ones((4, 2)), verbose=0)
    model.compile("adam", "mse")
    assert isinstance(model.optimizer, keras.optimizers.Adam)
