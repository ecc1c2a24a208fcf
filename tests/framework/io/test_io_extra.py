"""matching_files, sparse (de)serialization, decode_json_example, decode_compressed
(expected bytes from TensorFlow 2.21)."""
import gzip
import zlib

import pytest

import cuflow as cf


def test_matching_files(tmp_path):
    for n in ("b.txt", "a.txt", "c.csv"):
        (tmp_path / n).write_text("x")
    got = cf.io.matching_files(str(tmp_path / "*.txt")).numpy().tolist()
    assert got == [str(tmp_path / "a.txt").encode(), str(tmp_path / "b.txt").encode()]
    got = cf.io.matching_files([str(tmp_path / "*.csv"), str(tmp_path / "a*")])
    assert len(got.numpy()) == 2
    assert cf.io.matching_files(str(tmp_path / "none*")).shape == (0,)
    v = cf.io.match_filenames_once(str(tmp_path / "*.txt"))
    assert not v.trainable and v.dtype == cf.string and v.shape == (2,)


def test_serialize_sparse_bytes_match_tf():
    sp = cf.sparse.SparseTensor([[0, 1], [2, 0]], [1.5, 2.5], [3, 4])
    s = cf.io.serialize_sparse(sp)
    assert [x.hex() for x in s.numpy()] == [
        "08091208120208021202080222200000000000000000010000000000000002000000000000000000"
        "000000000000", "080112041202080222080000c03f00002040",
        "0809120412020802221003000000000000000400000000000000"]


def test_serialize_many_and_deserialize_many():
    sp = cf.sparse.SparseTensor([[0, 1], [2, 0], [2, 3]], [1, 2, 3], [3, 4])
    m = cf.io.serialize_many_sparse(sp)
    assert m.shape == (3, 3)
    assert m.numpy()[1].tolist() == [bytes.fromhex("08091206120012020801"),
                                     bytes.fromhex("080312021200"),
                                     bytes.fromhex("080912041202080122080400000000000000")]
    d = cf.io.deserialize_many_sparse(m, cf.int32)
    assert d.indices.numpy().tolist() == [[0, 1], [2, 0], [2, 3]]
    assert d.values.numpy().tolist() == [1, 2, 3] and d.dense_shape.numpy().tolist() == [3, 4]
    d = cf.io.deserialize_many_sparse(cf.stack([m[2], m[0]]), cf.int32, rank=2)
    assert d.indices.numpy().tolist() == [[0, 0], [0, 3], [1, 1]]
    assert d.dense_shape.numpy().tolist() == [2, 4]
    with pytest.raises(cf.errors.InvalidArgumentError, match="3 columns"):
        cf.io.deserialize_many_sparse(m[:, :2], cf.int32)
    with pytest.raises(cf.errors.InvalidArgumentError, match="Type mismatch"):
        cf.io.deserialize_many_sparse(m, cf.float32)


def test_decode_json_example_bytes_match_tf():
    ex = ('{"features": {"feature": {"a": {"int64List": {"value": ["1", 2]}}, '
          '"b": {"float_list": {"value": [1.5]}}, "c": {"bytesList": {"value": ["aGk="]}}}}}')
    out = cf.io.decode_json_example([ex, "{}"]).numpy()
    assert out[0].hex() == ("0a280a0b0a016112061a04080108020a0c0a0162120712050d0000c03f0a0b0a01"
                            "6312060a040a026869") and out[1] == b""
    parsed = cf.io.parse_single_example(out[0], {"c": cf.io.FixedLenFeature([], cf.string)})
    assert parsed["c"].numpy() == b"hi"
    with pytest.raises(cf.errors.InvalidArgumentError, match="JSON"):
        cf.io.decode_json_example('{"bogus": 1}')
    with pytest.raises(cf.errors.InvalidArgumentError, match="JSON"):
        cf.io.decode_json_example("not json")


def test_decode_compressed():
    out = cf.io.decode_compressed([zlib.compress(b"hello"), zlib.compress(b"")], "ZLIB")
    assert out.numpy().tolist() == [b"hello", b""]
    assert cf.io.decode_compressed(gzip.compress(b"hey"), "GZIP").numpy() == b"hey"
    assert cf.io.decode_compressed(b"raw").numpy() == b"raw"
    with pytest.raises(cf.errors.DataLossError):
        cf.io.decode_compressed(b"notzlib", "ZLIB")
    f = cf.function(lambda s: cf.io.decode_compressed(s, "ZLIB"))
    assert f(cf.constant([zlib.compress(b"ab")])).numpy().tolist() == [b"ab"]


def test_write_graph_text_and_binary(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.compat.proto import graph_pb2
    f = cf.function(lambda x: cf.nn.relu(x) * 2)
    c = f.get_concrete_function(cf.TensorSpec([2], cf.float32))
    p = cf.io.write_graph(c, str(tmp_path / "out"), "g.pbtxt")
    text = open(p).read()
    assert p.endswith("g.pbtxt") and 'op: "Placeholder"' in text and "relu" in text
    p = cf.io.write_graph(f, str(tmp_path), "g.pb", as_text=False)
    gd = graph_pb2.GraphDef.FromString(open(p, "rb").read())
    assert [n.op for n in gd.node][0] == "Placeholder" and len(gd.node) >= 3
