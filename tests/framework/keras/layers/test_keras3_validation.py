"""Keras 3's argument and shape checks, with its error types: data_format values (and
image_data_format as the default), Input shapes, merge shapes, RNN/conv ranks, a second
Input on a Sequential, normalization axes out of range."""
import numpy as np
import pytest

import cuflow as cf

K = cf.keras
L = K.layers


def test_data_format_checked_and_defaults_to_image_data_format():
    with pytest.raises(ValueError, match="data_format"):
        L.Conv2D(2, 3, data_format="nchw")
    with pytest.raises(ValueError, match="data_format"):
        L.MaxPooling2D(data_format="NHWC ")
    assert L.Conv2D(2, 3, data_format="Channels_First").data_format == "channels_first"
    K.config.set_image_data_format("channels_first")
    try:
        layer = L.Conv2D(4, 3)
        assert layer.data_format == "channels_first"
        assert tuple(layer(np.ones((1, 2, 5, 5), "float32")).shape) == (1, 4, 3, 3)
        assert L.GlobalAveragePooling2D().data_format == "channels_first"
    finally:
        K.config.set_image_data_format("channels_last")


def test_input_shapes():
    with pytest.raises(ValueError, match="Cannot convert '3' to a shape"):
        K.Input(shape=3)
    with pytest.raises(ValueError, match="Negative dimensions"):
        K.Input((3,), batch_size=-1)
    with pytest.raises(ValueError, match="both `shape` and `batch_shape`"):
        K.Input(shape=(3,), batch_shape=(None, 3))
    assert K.Input(shape=[2, None]).shape == (None, 2, None)


def test_merge_shapes_checked_at_build():
    with pytest.raises(ValueError, match="matching shapes except for the concatenation"):
        L.Concatenate()([np.ones((2, 3)), np.ones((3, 3))])
    with pytest.raises(ValueError, match=r"incompatible shapes. Received shapes \(3,\) and "
                                         r"\(4,\)"):
        L.Add()([np.ones((2, 3)), np.ones((2, 4))])
    assert tuple(L.Multiply()([np.ones((2, 3)), np.ones((2, 1))]).shape) == (2, 3)
    a, b = K.Input((None, 3)), K.Input((5, 3))
    assert L.Concatenate(axis=1)([a, b]).shape == (None, None, 3)


def test_ranks_sequential_input_and_axes():
    with pytest.raises(ValueError, match="expected ndim=3, found ndim=2"):
        L.LSTM(2)(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="Kernel shape must have the same length"):
        L.Conv1D(2, 3)(np.ones((2, 5, 5, 1), "float32"))
    with pytest.raises(ValueError, match="already been configured"):
        K.Sequential([K.Input((3,)), K.Input((3,))])
    with pytest.raises(IndexError):
        L.BatchNormalization(axis=5)(np.ones((2, 3), "float32"))
    with pytest.raises(IndexError):
        L.LayerNormalization(axis=-3)(np.ones((2, 3), "float32"))


def test_add_weight_with_an_unknown_dtype_is_a_value_error():
    with pytest.raises(ValueError, match="Invalid dtype: foo"):
        L.Dense(1).add_weight(shape=(2,), dtype="foo")


def test_normalization_config_axis_is_a_tuple():
    assert L.Normalization(axis=-1).get_config()["axis"] == (-1,)
    assert L.Normalization(axis=(1, 2)).get_config()["axis"] == (1, 2)


def test_merge_layers_combine_their_inputs_masks():
    """Keras 3: Add & co. OR the masks (None if any input has none); Concatenate widens
    each (all True when unmasked), concatenates along its axis and reduces with any()."""
    emb = L.Embedding(5, 3, mask_zero=True)
    e = emb(np.array([[1, 2, 0, 0], [3, 0, 0, 0]]))
    other = L.Embedding(5, 3, mask_zero=True)(np.array([[1, 1, 1, 0], [1, 1, 0, 0]]))
    plain = np.ones((2, 4, 3), "float32")
    either = [[True, True, True, False], [True, True, False, False]]
    np.testing.assert_array_equal(L.Add()([e, other])._keras_mask.numpy(), either)
    assert getattr(L.Add()([e, plain]), "_keras_mask", None) is None
    np.testing.assert_array_equal(L.Concatenate()([e, other])._keras_mask.numpy(), either)
    assert L.Concatenate()([e, plain])._keras_mask.numpy().all()
    assert tuple(L.Concatenate(axis=1)([e, other])._keras_mask.shape) == (2, 8)
    assert getattr(L.Dot(axes=-1)([e, other]), "_keras_mask", None) is None


def test_only_global_average_pooling_1d_takes_a_mask():
    """Keras 3: GlobalMaxPooling1D has no mask argument (a saved config must not give it
    one, or Keras cannot load the file); GlobalAveragePooling1D averages unmasked steps."""
    import json
    inp = K.Input((4,), dtype="int32")
    e = L.Embedding(6, 2, mask_zero=True)(inp)
    m = K.Model(inp, [L.GlobalMaxPooling1D()(e), L.GlobalAveragePooling1D()(e)])
    kwargs = {c["class_name"]: c["inbound_nodes"][0].get("kwargs")
              for c in json.loads(m.to_json())["config"]["layers"] if c["inbound_nodes"]}
    assert kwargs["GlobalMaxPooling1D"] == {} and "mask" in kwargs["GlobalAveragePooling1D"]
    assert not L.GlobalMaxPooling1D()._call_has_mask
