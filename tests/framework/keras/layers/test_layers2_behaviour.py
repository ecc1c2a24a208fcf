"""keras-layers2 layers beyond the fixed-weight numbers: Keras configs deserialized,
masks, training-only behaviour, fit smoke tests and .keras round trips."""
import json
import os

import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
TF = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_layers2.npz"))
CASES = json.loads(str(TF["cases"]))


@pytest.mark.parametrize("name", sorted(CASES))
def test_keras_config_deserializes(name):
    cls = CASES[name][0]
    cfg = json.loads(str(TF[f"{name}/config"]))
    layer = L.deserialize({"module": "keras.layers", "class_name": cls, "config": cfg,
                           "registered_name": None})
    assert type(layer).__name__ in (cls, "GroupedQueryAttention")
    again = L.deserialize(json.loads(json.dumps(L.serialize(layer))))
    assert again.get_config() == layer.get_config()


def test_deserialize_rejects_non_layers():
    with pytest.raises(ValueError, match="not a `keras.layers.Layer`"):
        L.deserialize({"module": "keras.initializers", "class_name": "Zeros", "config": {}})


def _fit_and_reload(tmp_path, model, x, y):
    model.compile("adam", "mse")
    hist = model.fit(x, y, epochs=2, batch_size=4, verbose=0).history["loss"]
    assert np.all(np.isfinite(hist))
    path = str(tmp_path / "m.keras")
    model.save(path)
    again = cf.keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


def test_conv_lstm2d_fits_and_saves(tmp_path):
    rng = np.random.RandomState(0)
    model = cf.keras.Sequential([cf.keras.Input((3, 4, 4, 2)),
                                 L.ConvLSTM2D(2, 3, padding="same", dropout=0.2,
                                              recurrent_dropout=0.2),
                                 L.GlobalAveragePooling2D(), L.Dense(1)])
    _fit_and_reload(tmp_path, model, rng.rand(8, 3, 4, 4, 2).astype("float32"),
                    rng.rand(8, 1).astype("float32"))


def test_norm_layers_fit_and_save(tmp_path):
    rng = np.random.RandomState(0)
    model = cf.keras.Sequential([cf.keras.Input((6,)), L.SpectralNormalization(L.Dense(4)),
                                 L.RMSNormalization(), L.Dense(1)])
    _fit_and_reload(tmp_path, model, rng.rand(8, 6).astype("float32"),
                    rng.rand(8, 1).astype("float32"))
    sn = model.layers[0]
    assert [w.name for w in sn.weights] == ["kernel", "vector_u", "bias"]
    assert [w.name for w in sn.non_trainable_weights] == ["vector_u"]
    # training normalizes the kernel in place: its top singular value goes to 1 (seeded:
    # power iteration from a random start converges at a rate set by the spectral gap)
    cf.keras.utils.set_random_seed(0)
    sn = L.SpectralNormalization(L.Dense(4), power_iterations=20)
    x = np.ones((2, 6), "float32")
    before = sn(x).numpy()
    np.testing.assert_array_equal(sn(x, training=False).numpy(), before)
    sn(x, training=True)
    assert abs(np.linalg.svd(sn.layer.kernel.numpy())[1][0] - 1) < 1e-3
    zero = L.SpectralNormalization(L.Dense(2, kernel_initializer="zeros"))
    zero(x, training=True)
    assert np.all(zero.layer.kernel.numpy() == 0)


def test_group_query_attention_fits_and_saves(tmp_path):
    rng = np.random.RandomState(0)
    inp = cf.keras.Input((5, 6))
    h = L.GroupQueryAttention(4, 4, 2, use_gate=True, sliding_window=2)(
        inp, inp, use_causal_mask=True)
    model = cf.keras.Model(inp, L.Dense(1)(L.GlobalAveragePooling1D()(h)))
    _fit_and_reload(tmp_path, model, rng.rand(8, 5, 6).astype("float32"),
                    rng.rand(8, 1).astype("float32"))


def test_group_query_attention_masks_and_scores():
    rng = np.random.RandomState(1)
    q = rng.rand(2, 4, 6).astype("float32")
    v = rng.rand(2, 3, 6).astype("float32")
    gqa = L.GroupQueryAttention(2, 4, 1)
    out, scores = gqa(q, v, return_attention_scores=True, use_causal_mask=True)
    assert out.shape == (2, 4, 6) and scores.shape == (2, 4, 4, 3)
    s = scores.numpy()
    assert np.allclose(s.sum(-1), 1, atol=1e-6)
    assert np.all(s[:, :, 0, 1:] == 0)               # causal: row 0 sees column 0 only
    vm = np.array([[1, 1, 0], [1, 0, 0]], bool)
    _, s2 = gqa(q, v, value_mask=vm, return_attention_scores=True)
    assert np.all(s2.numpy()[0, :, :, 2] == 0) and np.all(s2.numpy()[1, :, :, 1:] == 0)
    with pytest.raises(ValueError, match="divisible"):
        L.GroupQueryAttention(2, 3, 2)


def test_conv_lstm_masks_hold_state_and_output():
    rng = np.random.RandomState(2)
    x = rng.rand(2, 4, 5, 2).astype("float32")
    layer = L.ConvLSTM1D(3, 2, return_sequences=True)
    mask = np.array([[1, 1, 0, 0], [1, 1, 1, 1]], bool)
    y = layer(x, mask=mask).numpy()
    np.testing.assert_array_equal(y[0, 2], y[0, 1])   # masked steps repeat the last output
    full = layer(x[:1, :2]).numpy()
    np.testing.assert_allclose(y[0, :2], full[0], rtol=1e-6)
    seq, h, c = L.ConvLSTM1D(3, 2, return_state=True)(x), None, None
    assert len(seq) == 3 and seq[1].shape == (2, 4, 3)


def test_conv_lstm_training_dropout_only_when_training():
    x = np.ones((2, 3, 4, 4, 1), "float32")
    layer = L.ConvLSTM2D(2, 2, dropout=0.5, recurrent_dropout=0.5)
    a = layer(x).numpy()
    np.testing.assert_array_equal(layer(x).numpy(), a)
    assert not np.allclose(layer(x, training=True).numpy(), a)
    with pytest.raises(ValueError, match="strides > 1"):
        L.ConvLSTM2D(2, 2, strides=2, dilation_rate=2)


def test_spatial_dropout3d_drops_whole_maps():
    x = np.ones((3, 2, 3, 2, 8), "float32")
    layer = L.SpatialDropout3D(0.5, seed=1)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    y = layer(x, training=True).numpy()
    per_map = y.reshape(3, -1, 8)
    assert np.all(per_map.min(1) == per_map.max(1))    # one value per (sample, channel)
    assert set(np.unique(y)) <= {0.0, 2.0}
    yc = L.SpatialDropout3D(0.5, data_format="channels_first")(
        np.ones((2, 4, 2, 2, 2), "float32"), training=True).numpy()
    assert np.all(yc.reshape(2, 4, -1).min(-1) == yc.reshape(2, 4, -1).max(-1))
    assert layer.get_config()["data_format"] == "channels_last"


def test_adaptive_pooling_shapes_and_errors():
    x = np.arange(2 * 9 * 3, dtype="float32").reshape(2, 9, 3)
    np.testing.assert_allclose(L.AdaptiveAveragePooling1D(3)(x).numpy(),
                               x.reshape(2, 3, 3, 3).mean(2))
    assert L.AdaptiveMaxPooling3D((1, 2, 3)).compute_output_shape((4, 5, 6, 7, 2)) == \
        (4, 1, 2, 3, 2)
    with pytest.raises(TypeError):
        L.AdaptiveAveragePooling2D((1, 2, 3))


def test_rms_normalization_half_precision_and_mask():
    x = np.random.RandomState(3).rand(2, 4).astype("float16")
    y = L.RMSNormalization(dtype="float16")(x)
    assert y.dtype == cf.float16
    ref = x.astype("float32") / np.sqrt((x.astype("float32") ** 2).mean(-1, keepdims=True)
                                        + 1e-6)
    np.testing.assert_allclose(y.numpy().astype("float32"), ref, rtol=2e-3)


def test_spectral_normalization_counts_kernel_regularizer_once():
    sn = L.SpectralNormalization(L.Dense(2, kernel_regularizer="l2", kernel_initializer="ones"))
    sn(np.ones((1, 3), "float32"))
    assert len(sn.losses) == 1
    np.testing.assert_allclose(float(sn.losses[0]), 0.01 * 6, rtol=1e-6)


def test_keras_saved_model_loads_and_predicts_as_keras(tmp_path):
    """A Keras 3.15 .keras file with ConvLSTM2D/3D, RMSNormalization,
    GroupQueryAttention, SpectralNormalization, AdaptiveAveragePooling1D and
    DepthwiseConv1D (fixtures/make_layers2_model.py); saved again by cuflow it keeps
    Keras's class names and weight paths."""
    here = os.path.join(os.path.dirname(__file__), "fixtures")
    data = np.load(os.path.join(here, "tf_layers2_model.npz"))
    model = cf.keras.models.load_model(os.path.join(here, "tf_layers2_model.keras"))
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-5,
                               atol=1e-6)
    names = [json.dumps(L.serialize(layer)["class_name"]) for layer in model.layers]
    assert '"GroupQueryAttention"' in names
    path = str(tmp_path / "again.keras")
    model.save(path)
    again = cf.keras.models.load_model(path)
    np.testing.assert_allclose(again.predict(data["x"], verbose=0), data["y"], rtol=1e-5,
                               atol=1e-6)
