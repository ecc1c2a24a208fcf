"""HashedCrossing, STFTSpectrogram and MelSpectrogram against Keras 3.15 / TF 2.21
(fixtures/tf_layers2_signal.npz, written by fixtures/make_layers2_signal.py)."""
import json
import os

import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
TF = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_layers2_signal.npz"))
CASES = json.loads(str(TF["cases"]))
rng = np.random.RandomState(0)
SIG = rng.randn(2, 300, 2).astype("float32")
AUD = rng.randn(2, 1000).astype("float32")
INPUTS = {"SIG": SIG, "SIG_CF": SIG.transpose(0, 2, 1), "SIG1": SIG[..., :1], "AUD": AUD,
          "AUD0": AUD[0]}
STR = np.array([["A"], ["B"], ["A"], ["C"]])
INT = np.array([[1], [2], [3], [-1]], "int64")


@pytest.mark.parametrize("name", sorted(CASES))
def test_spectrograms_match_keras(name):
    cls, kw, src = CASES[name]
    layer = getattr(L, cls)(**kw)
    y = layer(INPUTS[src])
    want = TF[name]
    assert tuple(y.shape) == want.shape and y.dtype == cf.float32
    got = y.numpy()
    if kw.get("mode") == "angle":   # +-pi where imag is a signed zero: compare mod 2 pi
        got = np.angle(np.exp(1j * (got - want))) + want
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=1e-4)
    assert [w.name for w in layer.weights] == json.loads(str(TF[f"{name}/weights"]))
    cfg = json.loads(str(TF[f"{name}/config"]))
    assert set(cfg) - {"dtype"} <= set(layer.get_config())
    assert type(layer).from_config(layer.get_config()).get_config() == layer.get_config()
    assert tuple(layer.compute_output_shape(INPUTS[src].shape)) == want.shape \
        if cls == "MelSpectrogram" else True


def test_hashed_crossing_matches_keras():
    out = L.HashedCrossing(num_bins=7)((STR, INT))
    assert out.dtype == cf.int64
    np.testing.assert_array_equal(out.numpy(), TF["cross_int"])
    np.testing.assert_array_equal(L.HashedCrossing(1000)((STR, STR, INT)).numpy(),
                                  TF["cross_3"])
    np.testing.assert_array_equal(
        L.HashedCrossing(5, output_mode="one_hot")((STR[:, 0], INT[:, 0])).numpy(),
        TF["cross_onehot"])
    np.testing.assert_array_equal(L.HashedCrossing(11)(("x", 4)).numpy(), TF["cross_scalar"])
    layer = L.HashedCrossing(7)
    assert L.deserialize(L.serialize(layer)).get_config()["num_bins"] == 7
    with pytest.raises(ValueError, match="at least two"):
        layer((STR,))
    with pytest.raises(ValueError, match="equal shape"):
        layer((STR, INT[:2]))


def test_stft_spectrogram_kernels_are_trainable_weights():
    layer = L.STFTSpectrogram(frame_length=8)
    layer(SIG)
    assert [w.name for w in layer.trainable_weights] == ["real_kernel", "imag_kernel"]
    assert layer.real_kernel.shape == (8, 1, 5)
    with pytest.raises(ValueError):
        L.STFTSpectrogram(mode="nope")
    with pytest.raises(ValueError):
        L.MelSpectrogram(fft_length=64, sequence_length=128)


def test_hashed_crossing_traced_matches_eager():
    layer = L.HashedCrossing(num_bins=7)
    a, b = cf.constant(STR), cf.constant(INT)
    traced = cf.function(lambda a, b: layer((a, b)))(a, b)
    assert traced.dtype == cf.int64 and tuple(traced.shape) == (4, 1)
    np.testing.assert_array_equal(traced.numpy(), TF["cross_int"])
    onehot = cf.function(lambda a, b: L.HashedCrossing(5, output_mode="one_hot")((a, b)))
    np.testing.assert_array_equal(onehot(a[:, 0], b[:, 0]).numpy(), TF["cross_onehot"])
