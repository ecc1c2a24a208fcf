"""Keras-created variables behave as Keras 3's on the TF backend: ``dtype`` is the str
'float32' (still usable as a cuflow dtype), Keras's repr, ``path`` under the name scopes
of the layers being built ('sequential/dense/kernel'), and optimizer variables named
'iteration', 'sequential_dense_kernel_momentum', with paths 'adam/...'."""
import copy
import pickle

import cuflow as cf
import numpy as np

keras = cf.keras
L = keras.layers


def test_weight_dtype_is_a_str_that_is_still_a_dtype():
    model = keras.Sequential([keras.Input((3,)), L.Dense(2)])
    w = model.weights[0]
    assert isinstance(w.dtype, str) and w.dtype == "float32"
    assert str(w.dtype) == "float32" and repr(w.dtype) == "'float32'"
    assert w.dtype == cf.float32 and cf.float32 == w.dtype
    assert w.dtype.is_floating and w.dtype.np == np.float32 and w.dtype.name == "float32"
    assert cf.as_dtype(w.dtype) is cf.float32
    assert np.zeros(2, dtype=w.dtype).dtype == np.float32
    assert {w.dtype: 1}[cf.float32] == 1 and {"float32": 1}[w.dtype] == 1
    assert pickle.loads(pickle.dumps(w.dtype)) == "float32"
    assert copy.deepcopy(w.dtype).np == np.float32
    assert cf.Variable(1.0).dtype is cf.float32  # plain variables keep DType


def test_repr_is_keras():
    model = keras.Sequential([keras.Input((3,)), L.Dense(2, bias_initializer="ones",
                                                         name="d")], name="sq")
    assert repr(model.weights[1]) == \
        "<Variable path=sq/d/bias, shape=(2,), dtype=float32, value=[1. 1.]>"
    assert str(model.weights[1]) == repr(model.weights[1])


def test_paths_follow_keras_name_scopes():
    model = keras.Sequential([keras.Input((3,)), L.Dense(2, name="a")], name="s")
    assert [w.path for w in model.weights] == ["s/a/kernel", "s/a/bias"]
    inp = keras.Input((3,))
    functional = keras.Model(inp, L.Dense(2, name="c")(inp))
    assert [w.path for w in functional.weights] == ["c/kernel", "c/bias"]

    class Block(L.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.inner = L.Dense(2, name="inner")

        def call(self, x):
            return self.inner(x)
    nested = keras.Sequential([keras.Input((3,)), Block(name="blk")], name="s2")
    assert [w.path for w in nested.weights] == ["s2/blk/inner/kernel", "s2/blk/inner/bias"]
    prebuilt = L.Dense(2, name="pre")
    prebuilt.build((None, 3))
    keras.Sequential([keras.Input((3,)), prebuilt])
    assert prebuilt.kernel.path == "pre/kernel"


def test_optimizer_variables_are_keras_named():
    keras.backend.clear_session()   # optimizers take auto names (adam, adam_1, ...)
    model = keras.Sequential([keras.Input((3,)), L.Dense(2, name="q")], name="s9")
    model.compile(keras.optimizers.Adam(name="opt"), "mse")
    model.fit(np.ones((2, 3)), np.ones((2, 2)), verbose=0)
    opt = model.optimizer
    assert [v.path for v in opt.variables][:4] == [
        "opt/iteration", "opt/learning_rate", "opt/s9_q_kernel_momentum",
        "opt/s9_q_kernel_velocity"]
    assert opt.iterations.name == "iteration" and opt.iterations.dtype == "int64"
    assert repr(opt.iterations) == \
        "<Variable path=opt/iteration, shape=(), dtype=int64, value=1>"


def test_layer_weights_are_keras_variables():
    """Keras 3: add_weight's variables are keras.Variable instances; plain cf.Variables
    are not."""
    layer = cf.keras.layers.Dense(2)
    layer.build((None, 3))
    assert isinstance(layer.kernel, cf.keras.Variable)
    assert issubclass(type(layer.bias), cf.keras.Variable)
    assert isinstance(cf.keras.Variable(1.0), cf.keras.Variable)
    assert not isinstance(cf.Variable(1.0), cf.keras.Variable)
