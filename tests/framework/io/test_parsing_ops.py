"""tf.io parsers against TensorFlow: TensorProto bytes from fixtures/tensor_proto.npz
(tf.io.serialize_tensor), decode_raw / decode_csv against TF's outputs for the same calls
(recorded inline from TF 2.21)."""
from __future__ import annotations

import os

import cuflow as cf
import ml_dtypes
import numpy as np
import pytest
from cuflow.errors import InvalidArgumentError

FIX = np.load(os.path.join(os.path.dirname(__file__), "fixtures", "tensor_proto.npz"))
VALUES = {
    "f32": np.array([[1.5, -2.0, 3.25]], np.float32), "f64": np.array([1e-3, 2.0], np.float32),
    "f16": np.array([.5, 1], np.float16), "bf16": np.array([1.5, -2], ml_dtypes.bfloat16),
    "i32": np.int32(7), "i64": np.array([[1, -2], [3, 4]], np.int64),
    "u8": np.array([0, 255], np.uint8), "i8": np.array([-1, 5], np.int8),
    "i16": np.array([-300], np.int16), "u16": np.array([65535], np.uint16),
    "u32": np.array([7], np.uint32), "u64": np.array([9], np.uint64),
    "b": np.array([True, False, True]), "c64": np.array([1 + 2j], np.complex64),
    "c128": np.array([[1 - 1j]]), "s": np.array([b"ab", b"", b"xyz" * 50], object),
    "s0": np.array(b"hello", object), "empty": np.zeros((0, 3), np.float32),
    "scalar_f": np.float32(2.5)}


@pytest.mark.parametrize("key", sorted(VALUES))
def test_serialize_parse_tensor_match_tf_bytes(key):
    t = cf.constant(VALUES[key])
    assert cf.io.serialize_tensor(t).numpy() == FIX[key].tobytes()
    back = cf.io.parse_tensor(FIX[key].tobytes(), t.dtype)
    assert back.dtype == t.dtype and back.shape == t.shape
    np.testing.assert_array_equal(np.asarray(back.numpy()), np.asarray(VALUES[key]))


def test_parse_tensor_typed_fields_and_errors():
    # TF's make_tensor_proto writes small constants as typed repeated fields: float_val=5
    proto = b"\x08\x01\x12\x04\x12\x02\x08\x03\x2a\x04" + np.float32(2.5).tobytes()
    np.testing.assert_array_equal(cf.io.parse_tensor(proto, cf.float32).numpy(), [2.5] * 3)
    with pytest.raises(InvalidArgumentError, match=r"Type mismatch .*\(float\) and dtype "
                                                   r"\(int32\)"):
        cf.io.parse_tensor(FIX["f32"].tobytes(), cf.int32)


def test_serialize_in_function_and_dataset():
    def fn(x):
        t = cf.io.parse_tensor(cf.io.serialize_tensor(x), cf.float32)
        t.set_shape([2])  # parse_tensor's shape is unknown while tracing, as in TF
        return t * 2
    fn = cf.function(fn)
    np.testing.assert_array_equal(fn(cf.constant([1.0, 2.0])).numpy(), [2.0, 4.0])
    ds = cf.data.Dataset.from_tensor_slices(np.arange(6, dtype=np.int64).reshape(3, 2)).map(
        cf.io.serialize_tensor).map(lambda s: cf.io.parse_tensor(s, cf.int64))
    assert [x.numpy().tolist() for x in ds] == [[0, 1], [2, 3], [4, 5]]


def test_decode_raw_matches_tf():
    got = cf.io.decode_raw([b"\x01\x00\x02\x00", b"\x03\x00\x04\x00"], cf.int16)
    assert got.dtype == cf.int16 and got.numpy().tolist() == [[1, 2], [3, 4]]
    got = cf.io.decode_raw(b"\x01\x00\x02\x00", cf.int16, little_endian=False)
    assert got.numpy().tolist() == [256, 512]
    got = cf.io.decode_raw([b"\x01\x02", b"\x03"], cf.uint8, fixed_length=4)
    assert got.numpy().tolist() == [[1, 2, 0, 0], [3, 0, 0, 0]]
    f = np.array([1.5, -2], np.float32).tobytes()
    np.testing.assert_array_equal(cf.io.decode_raw(f, cf.float32).numpy(), [1.5, -2])
    with pytest.raises(InvalidArgumentError, match="all be the same size, but element 1"):
        cf.io.decode_raw([b"\x01\x02", b"\x03"], cf.uint8)
    with pytest.raises(InvalidArgumentError, match="not a multiple of 2, the size of int16"):
        cf.io.decode_raw(b"abc", cf.int16)


def _vals(ts):
    return [np.asarray(t.numpy()).tolist() for t in ts]


def test_decode_csv_matches_tf():
    out = cf.io.decode_csv(["1,2.5,a", "3,,b"], [[0], [1.0], ["z"]])
    assert [t.dtype.name for t in out] == ["int32", "float32", "string"]
    assert _vals(out) == [[1, 3], [2.5, 1.0], [b"a", b"b"]]
    out = cf.io.decode_csv("1;x", [cf.constant([], cf.int64), ["q"]], field_delim=";")
    assert out[0].dtype == cf.int64 and _vals(out) == [1, b"x"]
    assert _vals(cf.io.decode_csv(['NA,2,"a,b"'], [[0], [1], [""]], na_value="NA")) == [
        [0], [2], [b"a,b"]]
    assert _vals(cf.io.decode_csv(["1,2,3"], [[0], [1.0]], select_cols=[0, 2])) == [[1],
                                                                                   [3.0]]
    assert _vals(cf.io.decode_csv([["1,2"], ["3,4"]], [[0], [0]])) == [[[1], [3]], [[2], [4]]]
    out = cf.io.decode_csv(["1e3,2"], [[0.0], cf.constant([1], cf.float64)])
    assert out[1].dtype == cf.float64 and _vals(out) == [[1000.0], [2.0]]
    assert _vals(cf.io.decode_csv([" 1, 2"], [[0.0], [""]])) == [[1.0], [b" 2"]]


@pytest.mark.parametrize("call,msg", [
    (lambda: cf.io.decode_csv(["1,2"], [[0], [1], [2]]),
     "Expect 3 fields but have 2 in record 0"),
    (lambda: cf.io.decode_csv(["x,2"], [[0], [1]]), "Field 0 in record 0 is not a valid int32"),
    (lambda: cf.io.decode_csv(["1,"], [[0], cf.constant([], cf.int32)]),
     "Field 1 is required but missing in record 0"),
])
def test_decode_csv_errors(call, msg):
    with pytest.raises(InvalidArgumentError, match=msg):
        call()


def test_decode_csv_in_dataset_and_function(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("1,0.5\n2,1.5\n")
    ds = cf.data.TextLineDataset(str(p)).map(lambda line: cf.io.decode_csv(line, [[0], [0.0]]))
    assert [(int(a), float(b)) for a, b in ds] == [(1, 0.5), (2, 1.5)]
    fn = cf.function(lambda s: cf.io.decode_csv(s, [[0], [0.0]])[1] * 2)
    assert fn(cf.constant(["1,2", "3,4"])).numpy().tolist() == [4.0, 8.0]
