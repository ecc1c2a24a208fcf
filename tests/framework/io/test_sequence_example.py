"""SequenceExample protos and parse_(single_)sequence_example; RaggedFeature and
SparseFeature in parse_example (expected values from TensorFlow 2.21)."""
import numpy as np
import pytest

import cuflow as cf

F, FL, FLs = cf.train.Feature, cf.train.FeatureList, cf.train.FeatureLists


def i64(v):
    return F(int64_list=cf.train.Int64List(value=v))


def fl(v):
    return F(float_list=cf.train.FloatList(value=v))


def by(v):
    return F(bytes_list=cf.train.BytesList(value=v))


def _examples():
    ex1 = cf.train.SequenceExample(
        context=cf.train.Features(feature={"len": i64([3]), "name": by([b"a"])}),
        feature_lists=FLs(feature_list={
            "tok": FL(feature=[i64([1]), i64([2]), i64([3])]),
            "vec": FL(feature=[fl([1., 2.]), fl([3., 4.]), fl([5., 6.])]),
            "var": FL(feature=[i64([7, 8]), i64([]), i64([9])])}))
    ex2 = cf.train.SequenceExample(
        context=cf.train.Features(feature={"len": i64([1])}),
        feature_lists=FLs(feature_list={"tok": FL(feature=[i64([4])]),
                                        "vec": FL(feature=[fl([0., 1.])]),
                                        "var": FL(feature=[i64([1, 2, 3])])}))
    return ex1.SerializeToString(), ex2.SerializeToString()


CTX = {"len": cf.io.FixedLenFeature([], cf.int64),
       "name": cf.io.FixedLenFeature([], cf.string, default_value="zz")}
SEQ = {"tok": cf.io.FixedLenSequenceFeature([], cf.int64),
       "vec": cf.io.FixedLenSequenceFeature([2], cf.float32),
       "var": cf.io.VarLenFeature(cf.int64)}


def test_roundtrip():
    s1, _ = _examples()
    ex = cf.train.SequenceExample.FromString(s1)
    assert ex.feature_lists.feature_list["tok"].feature[1].int64_list.value == [2]
    assert ex.context.feature["name"].bytes_list.value == [b"a"]
    assert cf.train.SequenceExample.FromString(ex.SerializeToString()) == ex
    with pytest.raises(cf.errors.DataLossError):
        cf.train.SequenceExample.FromString(b"\x0a\xff")


def test_parse_single_sequence_example():
    s1, _ = _examples()
    c, s = cf.io.parse_single_sequence_example(s1, CTX, SEQ)
    assert int(c["len"]) == 3 and c["name"].numpy() == b"a"
    assert s["tok"].numpy().tolist() == [1, 2, 3]
    assert s["vec"].numpy().tolist() == [[1, 2], [3, 4], [5, 6]]
    assert s["var"].indices.numpy().tolist() == [[0, 0], [0, 1], [2, 0]]
    assert s["var"].dense_shape.numpy().tolist() == [3, 2]
    assert list(s) == ["var", "tok", "vec"]          # TF's order: sparse, dense, ragged
    _, r = cf.io.parse_single_sequence_example(s1, None, {"var": cf.io.RaggedFeature(cf.int64)})
    assert r["var"].to_list() == [[7, 8], [], [9]]
    with pytest.raises(cf.errors.InvalidArgumentError, match="required"):
        cf.io.parse_single_sequence_example(
            s1, None, {"missing": cf.io.FixedLenSequenceFeature([], cf.int64)})
    _, m = cf.io.parse_single_sequence_example(
        s1, None, {"missing": cf.io.FixedLenSequenceFeature([], cf.int64, allow_missing=True)})
    assert m["missing"].shape == (0,) and m["missing"].dtype == cf.int64


def test_parse_sequence_example_batch_pads_and_reports_lengths():
    c, s, n = cf.io.parse_sequence_example(list(_examples()), CTX, SEQ)
    assert c["len"].numpy().tolist() == [3, 1] and c["name"].numpy().tolist() == [b"a", b"zz"]
    assert s["tok"].numpy().tolist() == [[1, 2, 3], [4, 0, 0]]
    assert s["vec"].numpy()[1].tolist() == [[0, 1], [0, 0], [0, 0]]
    assert s["var"].indices.numpy().tolist() == [[0, 0, 0], [0, 0, 1], [0, 2, 0], [1, 0, 0],
                                                 [1, 0, 1], [1, 0, 2]]
    assert s["var"].dense_shape.numpy().tolist() == [2, 3, 3]
    assert {k: v.numpy().tolist() for k, v in n.items()} == {"tok": [3, 1], "vec": [3, 1]}
    _, r, n = cf.io.parse_sequence_example(list(_examples()), None,
                                           {"var": cf.io.RaggedFeature(cf.int64)})
    assert r["var"].to_list() == [[[7, 8], [], [9]], [[1, 2, 3]]] and n == {}


def test_ragged_and_sparse_feature_in_parse_example():
    e1 = cf.train.Example(features=cf.train.Features(feature={
        "r": i64([1, 2, 3]), "ix": i64([4, 1]), "val": fl([0.5, 1.5]), "d": fl([1.])}))
    e2 = cf.train.Example(features=cf.train.Features(feature={
        "r": i64([]), "ix": i64([0]), "val": fl([2.5]), "d": fl([2.])}))
    ser = [e1.SerializeToString(), e2.SerializeToString()]
    spec = {"r": cf.io.RaggedFeature(cf.int64),
            "sp": cf.io.SparseFeature("ix", "val", cf.float32, 5),
            "d": cf.io.FixedLenFeature([], cf.float32), "v": cf.io.VarLenFeature(cf.int64)}
    out = cf.io.parse_example(ser, spec)
    assert list(out) == ["v", "d", "r", "sp"]
    assert out["r"].to_list() == [[1, 2, 3], []]
    assert out["sp"].indices.numpy().tolist() == [[0, 1], [0, 4], [1, 0]]
    assert out["sp"].values.numpy().tolist() == [1.5, 0.5, 2.5]
    assert out["sp"].dense_shape.numpy().tolist() == [2, 5]
    one = cf.io.parse_single_example(ser[0], spec)
    assert one["r"].numpy().tolist() == [1, 2, 3]
    assert one["sp"].indices.numpy().tolist() == [[1], [4]]
    ds = cf.data.Dataset.from_tensor_slices(ser).map(lambda s: cf.io.parse_single_example(
        s, {"r": cf.io.RaggedFeature(cf.int64)}))
    assert [x["r"].numpy().tolist() for x in ds] == [[1, 2, 3], []]
    with pytest.raises(ValueError, match="partitions"):
        cf.io.RaggedFeature(cf.int64, partitions=("x",))
    assert np.dtype(np.int64) == out["v"].indices.numpy().dtype
