"""Differential cases: matmul, einsum, tensordot and cf.linalg."""
from __future__ import annotations

import numpy as np

from .inputs import CaseList, arr, grad

A = arr("A", (3, 3), "float64")
SPD = A @ A.T + 3 * np.eye(3)
B = arr("B", (2, 3, 3), "float32")
R = arr("R", (3, 2), "float32")
LT = np.tril(SPD)


def _matmul(c):
    for dt in ("float16", "bfloat16", "float32", "float64", "int32", "int64", "complex64",
               "int8", "uint8", "bool"):
        a, b = arr("mma", (2, 3), dt, -2, 2), arr("mmb", (3, 2), dt, -2, 2)
        c.add(f"matmul/{dt}", lambda T, a=a, b=b, dt=dt: T.matmul(
            T.cast(T.constant(a), T.bfloat16) if dt == "bfloat16" else T.constant(a),
            T.cast(T.constant(b), T.bfloat16) if dt == "bfloat16" else T.constant(b)),
            tol=(5e-2, 5e-2) if dt in ("bfloat16", "float16") else None)
    m = arr("mm", (2, 3), "float32")
    c.add("matmul/transpose_a", lambda T: T.matmul(m, m, transpose_a=True))
    c.add("matmul/transpose_b", lambda T: T.matmul(m, m, transpose_b=True))
    c.add("matmul/adjoint", lambda T: T.matmul(m.astype(np.complex64) * 1j, m,
                                               adjoint_a=True))
    c.add("matmul/batch_bcast", lambda T: T.matmul(B, R))
    c.add("matmul/batch_bcast2", lambda T: T.matmul(arr("b1", (2, 1, 2, 3), "float32"),
                                                    arr("b2", (4, 3, 2), "float32")))
    c.add("matmul/vec_bad", lambda T: T.matmul(m, np.ones(3, np.float32)))
    c.add("matmul/bad", lambda T: T.matmul(m, m))
    c.add("matmul/mixed", lambda T: T.matmul(m, m.T.astype(np.float64)))
    c.add("matmul/empty", lambda T: T.matmul(np.zeros((2, 0), np.float32),
                                             np.zeros((0, 3), np.float32)))
    c.add("matmul/output_type", lambda T: T.linalg.matmul(m, m.T))
    c.add("grad/matmul", lambda T: grad(T, lambda a, b: T.matmul(a, b) ** 2, B, R))
    c.add("grad/matmul_tb", lambda T: grad(T, lambda a, b: T.matmul(a, b, transpose_b=True),
                                           m, m))
    c.add("matvec", lambda T: T.linalg.matvec(B, np.ones(3, np.float32)))
    for eq, ops in (("ij,jk->ik", (m, m.T)), ("bij,bjk->bik", (B, B)), ("ii->i", (A,)),
                    ("ij->", (m,)), ("i,j->ij", (m[0], m[1])), ("...ij,...jk", (B, B)),
                    ("ij,ij->i", (m, m)), ("bij->bji", (B,)), ("ij,jk", (m, m.T))):
        c.add(f"einsum/{eq}", lambda T, eq=eq, ops=ops: T.einsum(eq, *ops))
    c.add("einsum/bad", lambda T: T.einsum("ij,jk->ik", m, m))
    c.add("grad/einsum", lambda T: grad(T, lambda a, b: T.einsum("bij,jk->bik", a, b), B, R))
    for axes in (1, 2, [[1], [0]], ([1, 2], [0, 1]), 0):
        c.add(f"tensordot/{axes}", lambda T, axes=axes: T.tensordot(
            arr("td", (2, 3, 2), "float32"), arr("td2", (3, 2, 4), "float32")
            if axes in (2, ([1, 2], [0, 1])) else arr("td3", (2, 5), "float32")
            if axes == 1 else arr("td4", (3, 2), "float32"), axes))


def _abs_vectors(T, eigh):
    return eigh[0], T.abs(eigh[1])  # eigenvectors are defined up to sign


def _linalg(c):
    L = lambda T: T.linalg
    for dt in ("float32", "float64"):
        spd, a, lt = SPD.astype(dt), A.astype(dt), LT.astype(dt)
        rhs = arr("rhs", (3, 2), dt)
        c.add(f"linalg/det/{dt}", lambda T, a=a: L(T).det(a))
        c.add(f"linalg/inv/{dt}", lambda T, a=a: L(T).inv(a), tol=(1e-4, 1e-4))
        c.add(f"linalg/cholesky/{dt}", lambda T, a=spd: L(T).cholesky(a))
        c.add(f"linalg/cholesky_solve/{dt}", lambda T, a=spd, r=rhs: L(T).cholesky_solve(
            L(T).cholesky(a), r))
        c.add(f"linalg/solve/{dt}", lambda T, a=a, r=rhs: L(T).solve(a, r), tol=(1e-4, 1e-4))
        c.add(f"linalg/solve_adj/{dt}", lambda T, a=a, r=rhs: L(T).solve(a, r, adjoint=True),
              tol=(1e-4, 1e-4))
        c.add(f"linalg/triangular_solve/{dt}", lambda T, a=lt, r=rhs: L(T).triangular_solve(
            a, r))
        c.add(f"linalg/triangular_solve_upper/{dt}", lambda T, a=lt, r=rhs: L(T)
              .triangular_solve(a.T.copy(), r, lower=False, adjoint=True))
        c.add(f"linalg/eigvalsh/{dt}", lambda T, a=spd: L(T).eigvalsh(a))
        c.add(f"linalg/eigh_abs/{dt}", lambda T, a=spd: _abs_vectors(T, L(T).eigh(a)))
        c.add(f"linalg/svd_s/{dt}", lambda T, a=a: L(T).svd(a, compute_uv=False))
        c.add(f"linalg/svd_full/{dt}", lambda T, a=a: [T.abs(t) for t in L(T).svd(a)])
        c.add(f"linalg/svd_rect/{dt}", lambda T, a=a: [T.shape(t) for t in L(T).svd(
            a[:2], full_matrices=True)])
        c.add(f"linalg/qr_abs/{dt}", lambda T, a=a: [T.abs(t) for t in L(T).qr(a[:, :2])])
        c.add(f"linalg/qr_full_shape/{dt}", lambda T, a=a: [T.shape(t) for t in L(T).qr(
            a[:, :2], full_matrices=True)])
        c.add(f"linalg/slogdet/{dt}", lambda T, a=a: L(T).slogdet(a))
        c.add(f"linalg/logdet/{dt}", lambda T, a=spd: L(T).logdet(a))
        c.add(f"linalg/pinv/{dt}", lambda T, a=a: L(T).pinv(a[:2]), tol=(1e-4, 1e-4))
        c.add(f"linalg/lstsq/{dt}", lambda T, a=a, r=rhs: L(T).lstsq(a, r), tol=(1e-4, 1e-4))
        c.add(f"linalg/expm/{dt}", lambda T, a=a: L(T).expm(a * 0.3), tol=(1e-4, 1e-4))
        c.add(f"linalg/sqrtm/{dt}", lambda T, a=spd: L(T).sqrtm(a), tol=(1e-4, 1e-4))
        c.add(f"linalg/trace/{dt}", lambda T, a=a: L(T).trace(a))
        c.add(f"linalg/matrix_rank/{dt}", lambda T, a=a: L(T).matrix_rank(a))
        c.add(f"grad/det/{dt}", lambda T, a=a: grad(T, L(T).det, a), tol=(1e-3, 1e-4))
        c.add(f"grad/inv/{dt}", lambda T, a=a: grad(T, L(T).inv, a), tol=(1e-3, 1e-4))
        c.add(f"grad/cholesky/{dt}", lambda T, a=spd: grad(T, L(T).cholesky, a),
              tol=(1e-3, 1e-4))
        c.add(f"grad/solve/{dt}", lambda T, a=a, r=rhs: grad(T, L(T).solve, a, r),
              tol=(1e-3, 1e-4))
        c.add(f"grad/eigvalsh/{dt}", lambda T, a=spd: grad(T, lambda x: L(T).eigvalsh(x) *
                                                           T.constant([1, 2, 3], x.dtype), a),
              tol=(1e-3, 1e-4))
        c.add(f"grad/svd_s/{dt}", lambda T, a=a: grad(T, lambda x: L(T).svd(
            x, compute_uv=False), a), tol=(1e-3, 1e-4))
        c.add(f"grad/slogdet/{dt}", lambda T, a=a: grad(T, lambda x: L(T).slogdet(x)[1], a),
              tol=(1e-3, 1e-4))
        c.add(f"grad/norm/{dt}", lambda T, a=a: grad(T, L(T).norm, a), tol=(1e-4, 1e-5))
    c.add("linalg/det/batch", lambda T: L(T).det(B))
    c.add("linalg/det/int", lambda T: L(T).det(np.eye(2, dtype=np.int32)))
    c.add("linalg/det/nonsquare", lambda T: L(T).det(R))
    c.add("linalg/det/empty", lambda T: L(T).det(np.zeros((0, 0), np.float32)))
    c.add("linalg/inv/singular", lambda T: L(T).inv(np.zeros((2, 2), np.float32)))
    c.add("linalg/cholesky/not_pd", lambda T: L(T).cholesky(-np.eye(2, dtype=np.float32)))
    c.add("linalg/inv/complex", lambda T: L(T).inv((A + 1j * A.T).astype(np.complex128)))
    for tag, kw in (("fro", {}), ("euclid_ax", {"axis": 1}), ("ord1", {"ord": 1, "axis": 0}),
                    ("inf", {"ord": np.inf, "axis": -1}), ("mat1", {"ord": 1, "axis": [0, 1]}),
                    ("matinf", {"ord": np.inf, "axis": [-2, -1]}),
                    ("keep", {"axis": 1, "keepdims": True}), ("ord2_mat", {"ord": 2, "axis": [0, 1]}),
                    ("bad_ord", {"ord": 3, "axis": [0, 1]}), ("ordfro_vec", {"ord": "fro", "axis": 0}),
                    ("ord0.5", {"ord": 0.5, "axis": 1})):
        c.add(f"norm/{tag}", lambda T, kw=kw: T.norm(R, **kw))
    c.add("linalg/norm/euclidean", lambda T: L(T).norm(R, ord="euclidean"))
    c.add("linalg/global_norm", lambda T: L(T).global_norm([R, A.astype(np.float32)]))
    c.add("linalg/matrix_transpose", lambda T: L(T).matrix_transpose(B))
    c.add("linalg/adjoint", lambda T: L(T).adjoint(B.astype(np.complex64) * 1j))
    c.add("linalg/band_part", lambda T: L(T).band_part(B, 1, 0))
    c.add("linalg/band_part_neg", lambda T: L(T).band_part(B, -1, 1))
    c.add("linalg/diag", lambda T: L(T).diag([1.0, 2.0]))
    c.add("linalg/diag_k", lambda T: L(T).diag([1.0, 2.0], k=1))
    c.add("linalg/diag_part", lambda T: L(T).diag_part(B))
    c.add("linalg/diag_part_k", lambda T: L(T).diag_part(B, k=-1))
    c.add("linalg/set_diag", lambda T: L(T).set_diag(B, np.zeros((2, 3), np.float32)))
    c.add("linalg/tensor_diag", lambda T: L(T).tensor_diag([1, 2]))
    c.add("linalg/tensor_diag_part", lambda T: L(T).tensor_diag_part(A))
    c.add("linalg/cross", lambda T: L(T).cross(R.T.copy(), R.T[::-1].copy()))
    c.add("linalg/normalize", lambda T: L(T).normalize(R, axis=0))
    c.add("linalg/eye", lambda T: L(T).eye(2, dtype=T.float64))
    c.add("linalg/l2_normalize", lambda T: L(T).l2_normalize(R, axis=0))
    c.add("linalg/tridiagonal_solve", lambda T: L(T).tridiagonal_solve(
        np.array([[1.0, 2.0, 0.0], [4.0, 5.0, 6.0], [0.0, 8.0, 9.0]]), np.ones(3)))
    c.add("linalg/tridiagonal_matmul", lambda T: L(T).tridiagonal_matmul(
        np.array([[1.0, 2.0, 0.0], [4.0, 5.0, 6.0], [0.0, 8.0, 9.0]]), np.ones((3, 2))))
    c.add("linalg/lu", lambda T: L(T).lu(A))
    c.add("linalg/lu_solve", lambda T: L(T).lu_solve(*L(T).lu(A), np.ones((3, 1))))
    c.add("linalg/lu_reconstruct", lambda T: L(T).lu_reconstruct(*L(T).lu(A)))
    c.add("linalg/lu_matrix_inverse", lambda T: L(T).lu_matrix_inverse(*L(T).lu(A)))
    c.add("linalg/logm", lambda T: L(T).logm(SPD.astype(np.complex128)))
    c.add("linalg/eigvals", lambda T: T.sort(T.math.real(L(T).eigvals(SPD))))
    c.add("linalg/eig", lambda T: T.sort(T.math.real(L(T).eig(SPD)[0])))
    B3 = B.astype(np.float64)
    c.add("linalg/lu_batch", lambda T: L(T).lu(B3 + 3 * np.eye(3)))
    c.add("linalg/lu_i64", lambda T: L(T).lu(A, output_idx_type=T.int64).p)
    c.add("linalg/lu_solve_batch", lambda T: L(T).lu_solve(*L(T).lu(B3 + 3 * np.eye(3)),
                                                           np.ones((2, 3, 2))))
    c.add("linalg/lu_reconstruct_batch", lambda T: L(T).lu_reconstruct(*L(T).lu(B3)))
    c.add("grad/linalg/lu_solve", lambda T: grad(T, lambda r: L(T).lu_solve(
        *L(T).lu(A), r) ** 2, np.ones((3, 2))))
    c.add("linalg/tridiagonal_solve_compact", lambda T: L(T).tridiagonal_solve(
        T.constant([[2.0, 1.0, 9.0], [4.0, 5.0, 6.0], [7.0, 1.0, 3.0]]), T.ones((3, 2))))
    c.add("linalg/tridiagonal_solve_seq", lambda T: L(T).tridiagonal_solve(
        [T.constant([2.0, 1.0, 0.0]), T.constant([4.0, 5.0, 6.0]), T.constant([0.0, 1.0, 3.0])],
        T.ones((3, 1)), diagonals_format="sequence"))
    c.add("linalg/diag_multi_k", lambda T: L(T).diag(T.constant([[1.0, 2.0], [3.0, 4.0]]),
                                                     k=(0, 1)))
    band = arr("band", (2, 3, 4), "float32")
    for al in ("RIGHT_LEFT", "LEFT_RIGHT", "LEFT_LEFT", "RIGHT_RIGHT"):
        c.add(f"linalg/diag_band/{al}", lambda T, al=al: L(T).diag(band, k=(-1, 1), align=al))
        c.add(f"linalg/diag_band_rect/{al}", lambda T, al=al: L(T).diag(
            band[0], k=(-2, 0), num_rows=6, num_cols=4, padding_value=9.0, align=al))
        c.add(f"linalg/diag_part_band/{al}", lambda T, al=al: L(T).diag_part(
            arr("bp", (2, 4, 5), "float32"), k=(-1, 2), padding_value=-1.0, align=al))
    c.add("linalg/diag_part_band_rect", lambda T: L(T).diag_part(
        arr("bp2", (5, 3), "float32"), k=(-3, 1)))
    c.add("grad/linalg/diag_band", lambda T: grad(
        T, lambda a: L(T).diag(a, k=(-1, 1)) * T.range(16.0)[:, None], band[0]))
    c.add("linalg/diag_k_list1", lambda T: L(T).diag([1.0, 2.0], k=[1]))
    c.add("linalg/tridiagonal_matmul_c", lambda T: L(T).tridiagonal_matmul(
        np.array([[2.0, 1.0, 9.0], [4.0, 5.0, 6.0], [7.0, 1.0, 3.0]]), np.eye(3)))
    c.add("linalg/banded_upper", lambda T: L(T).banded_triangular_solve(
        np.array([[2.0, 3.0, 0.0], [1.0, 4.0, 5.0]]), np.ones((3, 1)), lower=False))
    c.add("linalg/banded_3", lambda T: L(T).banded_triangular_solve(
        np.array([[2.0, 3.0, 4.0], [0.0, 4.0, 5.0], [0.0, 0.0, 1.0]]), np.ones((3, 2))))
    c.add("linalg/eig_complex", lambda T: T.sort(T.math.imag(L(T).eigvals(
        np.array([[0.0, -1.0], [1.0, 0.0]], np.float32)))))
    c.add("linalg/eig_dtype", lambda T: [t.dtype for t in L(T).eig(A.astype(np.float32))])
    c.add("linalg/banded_triangular_solve", lambda T: L(T).banded_triangular_solve(
        np.array([[0.0, 2.0, 3.0], [1.0, 4.0, 5.0]]), np.ones((3, 1))))


def cases():
    c = CaseList()
    _matmul(c)
    _linalg(c)
    return c.items
