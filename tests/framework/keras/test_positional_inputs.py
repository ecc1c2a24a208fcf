"""Keras 3 refuses Python numbers/lists as a layer's input ("Only input tensors may be
passed as positional arguments"); arrays and tensors, and lists of them, are fine."""
import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers


@pytest.mark.parametrize("call", [
    lambda: L.Dense(2)([[1.0, 2.0]]),
    lambda: L.Dense(2)((1.0, 2.0)),
    lambda: L.Activation("relu")(3.0),
    lambda: cf.keras.Sequential([L.Dense(2)])([[1.0, 2.0]]),
])
def test_python_values_refused(call):
    with pytest.raises(ValueError, match="Only input tensors"):
        call()


def test_tensors_and_arrays_accepted():
    assert L.Dense(2)(np.ones((1, 2), "float32")).shape == (1, 2)
    assert L.Dense(2)(cf.ones((1, 2))).shape == (1, 2)
    assert L.Add()([np.ones((1, 2)), np.ones((1, 2))]).shape == (1, 2)
    assert L.StringLookup(vocabulary=["a"])(["a", "b"]).numpy().tolist() == [1, 0]
