"""sobol_sample (TF's first points), sampled_addmm (TF's documented examples) and
eigh_tridiagonal against dense Hermitian eigendecompositions."""
import numpy as np
import pytest

import cuflow as cf


def test_sobol_sample_matches_tf():
    got = cf.math.sobol_sample(3, 5).numpy()
    np.testing.assert_array_equal(got, [[0.5, 0.5, 0.5], [0.75, 0.25, 0.25],
                                        [0.25, 0.75, 0.75], [0.375, 0.375, 0.625],
                                        [0.875, 0.875, 0.125]])
    skipped = cf.math.sobol_sample(2, 3, skip=4, dtype=cf.float64)
    assert skipped.dtype == cf.float64
    np.testing.assert_array_equal(skipped.numpy(), [[0.875, 0.875], [0.625, 0.125],
                                                    [0.125, 0.625]])


def test_sampled_addmm_examples():
    ind, val, shape = cf.sparse.sampled_addmm(
        [[0, 0], [1, 1]], [0.5, 0.3], [2, 2], np.arange(1, 7).reshape(2, 3),
        np.arange(7, 13).reshape(3, 2), alpha=0.75, beta=0.25)
    np.testing.assert_allclose(val.numpy(), [43.625, 115.575], rtol=1e-6)
    _, val, _ = cf.sparse.sampled_addmm(
        np.array([0, 1, 1, 0, 0, 0, 1, 0]).reshape(2, 2, 2), [[3.0, 5.0], [2.0, 7.0]],
        [2, 2], np.arange(1, 13).reshape(2, 2, 3), np.arange(13, 25).reshape(2, 3, 2),
        alpha=0.75, beta=0.25)
    np.testing.assert_allclose(val.numpy(), [[75.75, 173.0], [381.5, 524.5]])
    with pytest.raises(ValueError, match="does not match"):
        cf.sparse.sampled_addmm([[0, 0]], [1.0], [3, 2], np.ones((2, 3)), np.ones((3, 2)))


@pytest.mark.parametrize("beta", [np.array([0.5, -1.0, 2.0]),
                                  np.array([0.5 + 1j, -1j, 2.0])])
def test_eigh_tridiagonal_is_the_dense_eigh(beta):
    alpha = np.array([1.0, 2.0, 3.0, 4.0]).astype(beta.dtype)
    dense = np.diag(alpha) + np.diag(beta, 1) + np.diag(np.conj(beta), -1)
    w, v = cf.linalg.eigh_tridiagonal(alpha, beta, eigvals_only=False)
    np.testing.assert_allclose(w.numpy(), np.linalg.eigvalsh(dense), rtol=1e-12)
    assert w.dtype == cf.float64 and v.dtype.np == beta.dtype
    np.testing.assert_allclose(dense @ v.numpy(), v.numpy() * w.numpy(), atol=1e-12)
    sel = cf.linalg.eigh_tridiagonal(alpha, beta, select="i", select_range=[1, 2])
    np.testing.assert_allclose(sel.numpy(), np.linalg.eigvalsh(dense)[1:3], rtol=1e-12)


def test_sparse_cross_and_cross_hashed_match_tf():
    a = cf.sparse.from_dense([["a", "b"], ["c", ""]])
    b = cf.constant([["x"], ["y"]])
    c = cf.sparse.SparseTensor([[0, 0], [1, 1]], cf.constant([7, 8], cf.int64), [2, 3])
    d = cf.constant([["1", "2"], ["3", "4"]])
    out = cf.sparse.cross([c, b, d])       # sparse first, the last input fastest
    assert out.values.numpy().tolist() == [b"7_X_x_X_1", b"7_X_x_X_2", b"8_X_y_X_3",
                                           b"8_X_y_X_4"]
    assert out.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    hashed = cf.sparse.cross_hashed([a, b, c])          # TF 2.21's values
    assert hashed.values.numpy().tolist() == [8254750412640015454, 2448219860439020188,
                                              3578959616443910953]
    small = cf.sparse.cross_hashed([cf.constant([[5]], cf.int32),
                                    cf.constant([["q", "r"]])], num_buckets=100,
                                   hash_key=123)
    assert small.values.numpy().tolist() == [24, 15]
    with pytest.raises(cf.errors.InvalidArgumentError, match="batch size"):
        cf.sparse.cross([b, cf.constant([["x"]])])


def test_ragged_cross_keeps_input_order():
    r = cf.ragged.constant([["a", "b"], ["c"]])
    b = cf.constant([["x"], ["y"]])
    out = cf.ragged.cross([b, r])
    assert out.to_list() == [[b"x_X_a", b"x_X_b"], [b"y_X_c"]]
    assert cf.ragged.cross_hashed([r, b], num_buckets=10).to_list() == [[2, 4], [0]]
