"""Edge cases of composite ops, checked against TF 2.21's results."""
import cuflow as cf


def test_bincount_of_an_empty_list_counts_int32():
    out = cf.math.bincount([], minlength=3)
    assert out.dtype == cf.int32 and out.numpy().tolist() == [0, 0, 0]


def test_count_nonzero_of_strings_and_bools():
    assert int(cf.math.count_nonzero(cf.constant(["", "a", "b"]))) == 2
    assert int(cf.math.count_nonzero([True, False, True])) == 2
    assert cf.math.count_nonzero([[0, 1], [2, 0]], axis=0).numpy().tolist() == [1, 1]


def test_format_of_tensors_is_numpys():
    assert f"{cf.constant([1.0, 2.0])}" == "[1. 2.]"
    assert f"{cf.constant(2.5):.3f}" == "2.500" and f"{cf.constant(1.5)}" == "1.5"


def test_zeros_of_strings_are_empty_strings():
    assert cf.zeros([2], cf.string).numpy().tolist() == [b"", b""]
