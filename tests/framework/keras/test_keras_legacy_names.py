"""keras.initializers.STFT, keras.utils.legacy (Keras 2 serialization) and
keras.optimizers.legacy (TF 2.21's ImportError stubs).

Values marked "TF 2.21" came from /work/tfenv (TensorFlow 2.21, Keras 3.15)."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras


def test_stft_initializer():
    init = K.initializers.STFT()
    assert K.initializers.STFTInitializer is K.initializers.stft is K.initializers.STFT
    out = init((4, 1, 3))
    assert out.shape == (4, 1, 3) and out.dtype == cf.float32
    np.testing.assert_allclose(out.numpy().ravel(), [  # TF 2.21
        0.0, 0.0, 0.0, 0.70710683, 0.0, -0.70710683, 0.70710683, -0.70710683, 0.70710683,
        0.0, 0.0, 0.0], atol=1e-6)
    assert K.initializers.STFT(window=None)((2, 1, 2)).numpy().ravel().tolist() == [1, 1, 1, -1]
    imag = K.initializers.STFT("imag", None, None)((4, 1, 3)).numpy()[:, 0, 1]
    np.testing.assert_allclose(imag, np.sin(-2 * np.arange(4) * 0.25 * np.pi), atol=1e-6)
    assert isinstance(K.initializers.get("stft"), K.initializers.STFT)
    cfg = K.initializers.serialize(K.initializers.STFT("imag", None))
    assert cfg["class_name"] == "STFT" and cfg["config"] == {
        "side": "imag", "window": None, "periodic": False, "scaling": "density"}
    with pytest.raises(ValueError, match="side should be"):
        K.initializers.STFT(side="both")
    with pytest.raises(ValueError, match="Scaling is invalid"):
        K.initializers.STFT(scaling="l3")
    with pytest.raises(ValueError, match="frame_length"):
        K.initializers.STFT(window=[1.0, 2.0])((3, 1, 2))


def test_legacy_serialization_round_trip():
    ser = K.utils.legacy.serialize_keras_object
    de = K.utils.legacy.deserialize_keras_object
    assert ser(K.initializers.Ones()) == {"class_name": "Ones", "config": {}}  # TF 2.21
    assert ser(None) is None
    cfg = ser(K.layers.Dense(2, kernel_initializer="ones"))
    assert cfg["class_name"] == "Dense" and cfg["config"]["units"] == 2
    layer = de({"class_name": "Dense", "config": {"units": 3}},
               module_objects={"Dense": K.layers.Dense})
    assert isinstance(layer, K.layers.Dense) and layer.units == 3
    with pytest.raises(ValueError, match="Unknown object: 'Nope'"):
        de({"class_name": "Nope", "config": {}}, module_objects={})
    with pytest.raises(ValueError, match="Improper config format"):
        de({"config": {}})

    def fn(x):
        return x
    assert de(fn) is fn and de("fn", custom_objects={"fn": fn}) is fn


def test_legacy_optimizers_raise_like_tf():
    for name in ["Adagrad", "Adam", "Ftrl", "Optimizer", "RMSprop", "SGD"]:
        with pytest.raises(ImportError, match="tf_keras"):
            getattr(K.optimizers.legacy, name)(learning_rate=0.1)


def test_keras_legacy_saving_namespace():
    assert K.legacy.saving.serialize_keras_object is K.utils.legacy.serialize_keras_object
    assert K.legacy.saving.deserialize_keras_object is K.utils.legacy.deserialize_keras_object


def test_remat_and_remat_scope():
    from cuflow.keras.remat_scope import get_current_remat_mode
    dense = K.layers.Dense(2, kernel_initializer="ones")
    dense.build((None, 3))
    x = cf.constant(np.ones((1, 3), "float32"))
    with cf.GradientTape() as tape:
        y = cf.reduce_sum(K.remat(dense)(x) ** 2)
    grads = tape.gradient(y, dense.trainable_variables)
    np.testing.assert_allclose(grads[0], np.full((3, 2), 6.0))  # 2 * 3 per output, x = 1
    np.testing.assert_allclose(grads[1], [6.0, 6.0])
    assert get_current_remat_mode() is None
    with K.RematScope(mode="list_of_layers", layer_names=["d"]):
        with K.RematScope(mode=None):
            assert get_current_remat_mode().mode is None
        assert get_current_remat_mode() == ("list_of_layers", 1024, ["d"])
    assert get_current_remat_mode() is None
    with pytest.raises(ValueError, match="Invalid mode 'x'"):
        K.RematScope(mode="x")
