"""strings.to_hash_bucket (TF's Hash64), unsorted_segment_join, unicode_split_with_offsets
(expected values from TensorFlow 2.21)."""
import pytest

import cuflow as cf


def test_to_hash_bucket_legacy_hash():
    got = cf.strings.to_hash_bucket(["Hello", "TensorFlow", "2.x", ""], 3)
    assert got.dtype == cf.int64 and got.numpy().tolist() == [2, 0, 1, 1]
    got = cf.strings.to_hash_bucket(cf.constant([["a", "b"], ["c", "d"]]), 1000)
    assert got.numpy().tolist() == [[868, 370], [197, 939]]


def test_unsorted_segment_join():
    got = cf.strings.unsorted_segment_join(["this", "is", "a", "test"], [0, 0, 1, 1], 3,
                                           separator=":")
    assert got.numpy().tolist() == [b"this:is", b"a:test", b""]
    got = cf.strings.unsorted_segment_join([["Y", "q", "c"], ["Y", "6", "6"], ["p", "G", "a"]],
                                           [1, 0, 1], num_segments=2, separator=":")
    assert got.numpy().tolist() == [[b"Y", b"6", b"6"], [b"Y:p", b"q:G", b"c:a"]]
    for ids in ([5], [-1]):
        with pytest.raises(cf.errors.InvalidArgumentError, match="not allowed"):
            cf.strings.unsorted_segment_join(["a"], ids, 2)


def test_unicode_split_with_offsets():
    c, s = cf.strings.unicode_split_with_offsets(["Hello", "héllo"], "UTF-8")
    assert c.to_list()[1] == [b"h", "é".encode(), b"l", b"l", b"o"]
    assert s.to_list() == [[0, 1, 2, 3, 4], [0, 1, 3, 4, 5]]
    c, s = cf.strings.unicode_split_with_offsets("héllo", "UTF-8")
    assert s.numpy().tolist() == [0, 1, 3, 4, 5]
    _, s = cf.strings.unicode_split_with_offsets([b"a\xffb"], "UTF-8", errors="replace")
    assert s.to_list() == [[0, 1, 2]]
    _, s = cf.strings.unicode_decode_with_offsets([b"a\xff\xfeb\xc3\xa9"], "UTF-8",
                                                  errors="ignore")
    assert s.to_list() == [[0, 3, 4]]
