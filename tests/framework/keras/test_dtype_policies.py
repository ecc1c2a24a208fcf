"""keras.dtype_policies (float policies) against what Keras 3.15 prints."""
import pytest

import cuflow as cf

keras = cf.keras
D = keras.dtype_policies


def test_float_policies_as_keras():
    p = D.get("mixed_float16")
    assert (type(p).__name__, p.name, p.compute_dtype, p.variable_dtype, repr(p)) == (
        "DTypePolicy", "mixed_float16", "float16", "float32", '<DTypePolicy "mixed_float16">')
    assert D.serialize(p) == {"module": "keras", "class_name": "DTypePolicy",
                              "config": {"name": "mixed_float16"}, "registered_name": None}
    assert D.deserialize(D.serialize(p)) == p and D.get(p) is p
    assert D.get({"class_name": "DTypePolicy", "config": {"name": "bfloat16"}}).name == \
        "bfloat16"
    f = D.FloatDTypePolicy("float16")
    assert isinstance(f, D.DTypePolicy) and keras.FloatDTypePolicy is D.FloatDTypePolicy
    assert repr(f) == '<DTypePolicy "float16">'
    assert D.serialize(f)["class_name"] == "FloatDTypePolicy"
    layer = keras.layers.Dense(2, dtype=D.DTypePolicy("mixed_bfloat16"))
    assert (layer.compute_dtype, layer.dtype) == ("bfloat16", "float32")


def test_errors_as_keras():
    with pytest.raises(ValueError, match=r"^Cannot interpret `dtype` argument. Expected a "
                                         r"string or an instance of DTypePolicy. Received: "
                                         r"dtype=3$"):
        D.get(3)
    with pytest.raises(ValueError, match="to instantiate `QuantizedDTypePolicy`. Received: "
                                         "policy=int8_x"):
        D.get("int8_x")


def test_any_dtype_names_a_policy_and_hashing_defaults_to_int64():
    """Keras 3: DTypePolicy('int64') is valid (a Keras-saved Hashing layer carries one);
    Hashing computes in int64 for output_mode='int' and refuses a float dtype there."""
    import pytest
    K = cf.keras
    p = K.mixed_precision.Policy("int64")
    assert (p.compute_dtype, p.variable_dtype) == ("int64", "int64")
    with pytest.raises(ValueError, match="float17"):
        K.mixed_precision.Policy("float17")
    h = K.layers.Hashing(4)
    assert h.dtype_policy.name == "int64" and h.get_config()["dtype"]["config"]["name"] == \
        "int64"
    assert K.layers.Hashing(4, output_mode="one_hot").dtype_policy.name == "float32"
    with pytest.raises(ValueError, match="integer type"):
        K.layers.Hashing(4, dtype="float32")
    again = K.layers.Hashing.from_config(h.get_config())
    assert again(cf.constant([[1, 2]])).dtype == cf.int64
