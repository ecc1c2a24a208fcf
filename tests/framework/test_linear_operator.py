"""tf.linalg.LinearOperator family: every operator's structured methods agree with its
dense matrix, dense forms match NumPy constructions, gradients reach the parameters."""
import numpy as np
import pytest
import scipy.linalg as sl

import cuflow as cf

L = cf.linalg
rng = np.random.default_rng(6)
A = rng.normal(size=(3, 3)) + 3 * np.eye(3)
V = np.array([1.0, 2.0, -1.0])
CASES = {  # name -> (operator, dense NumPy matrix)
    "full": (lambda: L.LinearOperatorFullMatrix(A), A),
    "diag": (lambda: L.LinearOperatorDiag(np.array([1.0, -2.0, 4.0])), np.diag([1.0, -2.0, 4.0])),
    "identity": (lambda: L.LinearOperatorIdentity(3, dtype=cf.float64), np.eye(3)),
    "scaled": (lambda: L.LinearOperatorScaledIdentity(3, cf.constant(2.5, cf.float64)),
               2.5 * np.eye(3)),
    "lower": (lambda: L.LinearOperatorLowerTriangular(A), np.tril(A)),
    "composition": (lambda: L.LinearOperatorComposition(
        [L.LinearOperatorFullMatrix(A), L.LinearOperatorDiag(np.array([1.0, 2.0, 3.0]))]),
        A @ np.diag([1.0, 2.0, 3.0])),
    "adjoint": (lambda: L.LinearOperatorAdjoint(L.LinearOperatorFullMatrix(A)), A.T),
    "inversion": (lambda: L.LinearOperatorInversion(L.LinearOperatorFullMatrix(A)),
                  np.linalg.inv(A)),
    "blockdiag": (lambda: L.LinearOperatorBlockDiag(
        [L.LinearOperatorFullMatrix(A[:2, :2]), L.LinearOperatorDiag(np.array([5.0]))]),
        sl.block_diag(A[:2, :2], [[5.0]])),
    "blocklower": (lambda: L.LinearOperatorBlockLowerTriangular(
        [[L.LinearOperatorFullMatrix(A[:2, :2])],
         [L.LinearOperatorFullMatrix(A[2:, :2]), L.LinearOperatorDiag(np.array([5.0]))]]),
        np.block([[A[:2, :2], np.zeros((2, 1))], [A[2:, :2], np.array([[5.0]])]])),
    "kronecker": (lambda: L.LinearOperatorKronecker(
        [L.LinearOperatorFullMatrix(A[:2, :2]),
         L.LinearOperatorFullMatrix(np.array([[2.0, 1.0], [0.5, 3.0]]))]),
        np.kron(A[:2, :2], [[2.0, 1.0], [0.5, 3.0]])),
    "lowrank": (lambda: L.LinearOperatorLowRankUpdate(
        L.LinearOperatorDiag(np.array([3.0, 4.0, 5.0])),
        np.array([[1.0, 0.0], [0.5, 1.0], [2.0, 0.3]]), diag_update=np.array([2.0, 0.5])),
        np.diag([3.0, 4, 5]) + np.array([[1, 0], [0.5, 1], [2, 0.3]]) @ np.diag([2, 0.5])
        @ np.array([[1, 0], [0.5, 1], [2, 0.3]]).T),
    "perm": (lambda: L.LinearOperatorPermutation([2, 0, 1], dtype=cf.float64),
             np.eye(3)[[2, 0, 1]]),
    "toeplitz": (lambda: L.LinearOperatorToeplitz(np.array([4.0, 2.0, 3.0]),
                                                  np.array([4.0, 1.0, 5.0])),
                 sl.toeplitz([4.0, 2.0, 3.0], [4.0, 1.0, 5.0])),
    "householder": (lambda: L.LinearOperatorHouseholder(V),
                    np.eye(3) - 2 * np.outer(V, V) / V.dot(V)),
    "tridiag": (lambda: L.LinearOperatorTridiag(np.array([[0.5, 1.0, 2.0], [4.0, 5.0, 6.0],
                                                          [6.0, 7.0, 0.0]])),
                np.diag([4.0, 5, 6]) + np.diag([0.5, 1.0], 1) + np.diag([7.0, 0.0], -1)),
    "circulant": (lambda: L.LinearOperatorCirculant(
        np.fft.fft([3.0, 1.0, 2.0]).astype(np.complex128)), sl.circulant([3.0, 1.0, 2.0])),
}


@pytest.mark.parametrize("name", list(CASES))
def test_methods_agree_with_the_dense_matrix(name):
    make, want = CASES[name]
    op = make()
    dense = op.to_dense().numpy()
    np.testing.assert_allclose(dense, want, atol=1e-6)
    assert op.shape.as_list() == list(want.shape)
    x = rng.normal(size=(3 if name not in ("kronecker",) else 4, 2)).astype(dense.dtype)
    np.testing.assert_allclose(op.matmul(x).numpy(), want @ x, atol=1e-6)
    np.testing.assert_allclose(op.matmul(x, adjoint=True).numpy(), want.conj().T @ x,
                               atol=1e-6)
    np.testing.assert_allclose(op.solve(x).numpy(), np.linalg.solve(want, x), atol=1e-6)
    np.testing.assert_allclose(float(np.real(op.log_abs_determinant().numpy())),
                               np.linalg.slogdet(want)[1], atol=1e-6)
    np.testing.assert_allclose(op.trace().numpy(), np.trace(want), atol=1e-6)
    np.testing.assert_allclose(op.inverse().to_dense().numpy(), np.linalg.inv(want),
                               atol=1e-6)
    np.testing.assert_allclose((op @ op).to_dense().numpy(), want @ want, atol=1e-6)


def test_gradients_reach_the_parameters():
    d = cf.Variable([1.0, 2.0, 3.0], dtype=cf.float64)
    with cf.GradientTape() as tape:
        op = L.LinearOperatorComposition([L.LinearOperatorDiag(d),
                                          L.LinearOperatorFullMatrix(A)])
        loss = op.log_abs_determinant()
    np.testing.assert_allclose(tape.gradient(loss, d).numpy(), [1.0, 0.5, 1 / 3])


def test_hints_and_errors():
    assert L.LinearOperatorDiag(np.array([1.0, 2.0])).is_self_adjoint
    inv = L.LinearOperatorDiag(np.array([1.0, 2.0])).inverse()
    assert type(inv).__name__ == "LinearOperatorDiag"
    with pytest.raises(TypeError, match="same dtype"):
        L.LinearOperatorComposition([L.LinearOperatorFullMatrix(A),
                                     L.LinearOperatorDiag([1.0, 2.0, 3.0])])
    with pytest.raises(ValueError, match="always square"):
        L.LinearOperatorZeros(2, 3, is_square=False)
    z = L.LinearOperatorZeros(2, 3, is_square=False, is_self_adjoint=False)
    assert z.to_dense().shape == [2, 3]
    with pytest.raises(ValueError, match="positive definite"):
        L.LinearOperatorFullMatrix(A, is_positive_definite=True, is_non_singular=False)


def test_conjugate_gradient_matches_tf():
    g = np.random.default_rng(0)
    m = g.normal(size=(4, 4))
    a = m @ m.T + 4 * np.eye(4)
    op = L.LinearOperatorFullMatrix(a, is_self_adjoint=True, is_positive_definite=True)
    b = g.normal(size=(4,))
    state = L.experimental.conjugate_gradient(op, b)
    assert int(state.i) == 4
    np.testing.assert_allclose(state.x.numpy(), np.linalg.solve(a, b), atol=1e-10)
    two = L.experimental.conjugate_gradient(op, b, max_iter=2, x=np.ones(4))
    np.testing.assert_allclose(two.r.numpy(), [-0.63332142, 0.72491498, -0.3169444,
                                               0.06501839], atol=1e-8)   # TF 2.21's
    pre = L.LinearOperatorDiag(1 / np.diag(a), is_self_adjoint=True,
                               is_positive_definite=True)
    both = L.experimental.conjugate_gradient(op, np.stack([b, 2 * b]), preconditioner=pre,
                                             tol=1e-8)
    np.testing.assert_allclose(both.x.numpy()[1], 2 * np.linalg.solve(a, b), atol=1e-10)
    with pytest.raises(ValueError, match="positive definite"):
        L.experimental.conjugate_gradient(L.LinearOperatorFullMatrix(a), b)
