"""Layers added by keras-layers2 against Keras 3.15 / TF 2.21: outputs with Keras's own
weights copied in (fixtures/tf_layers2.npz, written by fixtures/make_layers2.py), weight
names and order, get_config keys and the config round trip."""
import json
import os

import numpy as np
import pytest

import cuflow as cf

L = cf.keras.layers
TF = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tf_layers2.npz"))
CASES = json.loads(str(TF["cases"]))


def _count(name, prefix):
    n = 0
    while f"{name}/{prefix}{n}" in TF.files:
        n += 1
    return n


def _build(name):
    cls, kw, call_kw = CASES[name]
    kw = dict(kw)
    if cls == "SpectralNormalization":
        kw["layer"] = L.Dense(3)
    layer = getattr(L, cls)(**kw)
    x = TF[f"{name}/x"]
    args = [x] + [TF[f"{name}/a{i}"] for i in range(_count(name, "a"))]
    ck = {k.split("/k_")[1]: TF[k] for k in TF.files if k.startswith(f"{name}/k_")}
    layer(*args, **ck)
    layer.set_weights([TF[f"{name}/w{i}"] for i in range(_count(name, "w"))])
    return layer, args, ck


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_keras(name):
    layer, args, ck = _build(name)
    names = [w.name for w in layer.weights]
    assert names == list(TF[f"{name}/weight_names"])
    y = layer(*args, **ck)
    ys = y if isinstance(y, (list, tuple)) else [y]
    exp = [TF[f"{name}/y{i}"] for i in range(_count(name, "y"))]
    assert len(ys) == len(exp)
    for got, want in zip(ys, exp):
        assert tuple(got.shape) == want.shape
        assert got.dtype.name == str(want.dtype)
        np.testing.assert_allclose(got.numpy(), want, rtol=1e-4, atol=2e-5)
    cfg = json.loads(str(TF[f"{name}/config"]))
    mine = layer.get_config()
    assert set(cfg) <= set(mine) | {"dtype", "build_config"}, set(cfg) - set(mine)
    cls = type(layer)
    if "layer" not in mine:
        clone = cls.from_config(mine)
        assert clone.get_config() == mine


def test_spectral_normalization_training_step_matches_keras():
    layer, args, _ = _build("sn_dense")
    y = layer(args[0], training=True)
    np.testing.assert_allclose(y.numpy(), TF["sn_dense/ytrain"], rtol=1e-4, atol=1e-5)
    for i, w in enumerate(layer.get_weights()):
        np.testing.assert_allclose(w, TF[f"sn_dense/after{i}"], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["rev_emb", "rev_emb_untied"])
def test_reversible_embedding_reverse_matches_keras(name):
    layer, _, _ = _build(name)
    out = layer(TF[f"{name}/h"], reverse=True)
    np.testing.assert_allclose(out.numpy(), TF[f"{name}/rev"], rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((2, 3, 4), reverse=True) == [2, 3, 7]
