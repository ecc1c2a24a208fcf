"""The rest of the LinearOperator family: operators built from operators (composition,
adjoint, inverse, block diagonal / block lower triangular, Kronecker, low-rank update)
and structured ones (permutation, Toeplitz, circulant 1/2/3-d, Householder, tridiagonal).

>>> import cuflow as cf
>>> a = cf.linalg.LinearOperatorFullMatrix([[1.0, 2.0], [3.0, 4.0]])
>>> (a @ a).to_dense().numpy().tolist()
[[7.0, 10.0], [15.0, 22.0]]
"""
from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from . import array_ops as _a
from . import math_ops as _m
from . import reduce_ops as _r
from .constant import convert_to_tensor
from .linear_operator import LinearOperator, _adj


def _dense_matmul(a, b, adjoint_a=False):
    from .linalg_ops import matmul
    return matmul(a, b, adjoint_a=adjoint_a)


class LinearOperatorComposition(LinearOperator):
    """``operators[0] @ operators[1] @ ...``."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._ops = list(operators)
        if not self._ops:
            raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
        if len({o.dtype for o in self._ops}) > 1:
            raise TypeError(f"Expected all operators to have the same dtype.  Found "
                            f"{[o.dtype.name for o in self._ops]}")
        if is_non_singular is None and all(o.is_non_singular for o in self._ops):
            is_non_singular = True
        name = name or "_o_".join(o.name for o in self._ops)
        super().__init__(self._ops[0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name, {"operators": operators})

    @property
    def operators(self):
        return list(self._ops)

    def _shape(self):
        batch = np.broadcast_shapes(*[tuple(o.batch_shape.as_list()) for o in self._ops])
        return list(batch) + [self._ops[0].range_dimension, self._ops[-1].domain_dimension]

    def _to_dense(self):
        out = self._ops[-1].to_dense()
        for op in reversed(self._ops[:-1]):
            out = op.matmul(out)
        return out

    def _matmul(self, x, adjoint=False):
        ops = self._ops if adjoint else list(reversed(self._ops))
        for op in ops:
            x = op.matmul(x, adjoint=adjoint)
        return x

    def _solve(self, rhs, adjoint=False):
        ops = list(reversed(self._ops)) if adjoint else self._ops
        for op in ops:
            rhs = op.solve(rhs, adjoint=adjoint)
        return rhs

    def _log_abs_det(self):
        return sum(op.log_abs_determinant() for op in self._ops)

    def _det(self):
        out = self._ops[0].determinant()
        for op in self._ops[1:]:
            out = out * op.determinant()
        return out


class LinearOperatorAdjoint(LinearOperator):
    """The adjoint (conjugate transpose) of ``operator``."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._op = operator
        super().__init__(operator.dtype, None, is_non_singular or operator.is_non_singular,
                         is_self_adjoint or operator.is_self_adjoint,
                         is_positive_definite or operator.is_positive_definite,
                         is_square if is_square is not None else operator.is_square,
                         name or operator.name + "_adjoint", {"operator": operator})

    @property
    def operator(self):
        return self._op

    def _shape(self):
        s = self._op.shape.as_list()
        return s[:-2] + [s[-1], s[-2]]

    def _to_dense(self):
        return _adj(self._op.to_dense())

    def _matmul(self, x, adjoint=False):
        return self._op.matmul(x, adjoint=not adjoint)

    def _solve(self, rhs, adjoint=False):
        return self._op.solve(rhs, adjoint=not adjoint)

    def _log_abs_det(self):
        return self._op.log_abs_determinant()

    def _det(self):
        d = self._op.determinant()
        return _m.conj(d) if self.dtype.is_complex else d

    def _diag_part(self):
        d = self._op.diag_part()
        return _m.conj(d) if self.dtype.is_complex else d

    def adjoint(self, name="adjoint"):
        return self._op


class LinearOperatorInversion(LinearOperator):
    """The inverse of a square non-singular ``operator`` (matmul is its solve)."""

    def __init__(self, operator, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        if operator.is_non_singular is False or is_non_singular is False:
            raise ValueError(f"operator and supplied hints must be non-singular. "
                             f"{operator.name} is singular")
        if operator.is_square is False:
            raise ValueError(f"operator must be square. {operator.name} is not")
        self._op = operator
        super().__init__(operator.dtype, None, operator.is_non_singular,
                         operator.is_self_adjoint,
                         operator.is_positive_definite, True,
                         name or operator.name + "_inv", {"operator": operator})

    @property
    def operator(self):
        return self._op

    def _shape(self):
        return self._op.shape.as_list()

    def _to_dense(self):
        from .linalg_decomp import inv
        return inv(self._op.to_dense())

    def _matmul(self, x, adjoint=False):
        return self._op.solve(x, adjoint=adjoint)

    def _solve(self, rhs, adjoint=False):
        return self._op.matmul(rhs, adjoint=adjoint)

    def _log_abs_det(self):
        return -self._op.log_abs_determinant()

    def _det(self):
        return 1.0 / self._op.determinant()

    def inverse(self, name="inverse"):
        return self._op


def _blocks_dense(rows, cols, grid):
    """A dense [.., sum(rows), sum(cols)] matrix from a grid of (dense or None) blocks."""
    out = []
    for i, r in enumerate(rows):
        row = []
        for j, c in enumerate(cols):
            blk = grid[i][j]
            row.append(blk if blk is not None else None)
        out.append(row)
    dtype = next(b for row in grid for b in row if b is not None).dtype
    batch = np.broadcast_shapes(*[tuple(b.shape.as_list()[:-2]) for row in grid for b in row
                                  if b is not None])
    filled = [[_a.broadcast_to(b, list(batch) + [r, c]) if b is not None else
               _a.zeros(list(batch) + [r, c], dtype) for b, c in zip(row, cols)]
              for row, r in zip(out, rows)]
    return _a.concat([_a.concat(row, -1) for row in filled], -2)


class LinearOperatorBlockDiag(LinearOperator):
    """Block-diagonal operator of square ``operators``."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=True, name=None):
        self._ops = list(operators)
        if not self._ops:
            raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
        if is_non_singular is None and all(o.is_non_singular for o in self._ops):
            is_non_singular = True
        if is_self_adjoint is None and all(o.is_self_adjoint for o in self._ops):
            is_self_adjoint = True
        if is_positive_definite is None and all(o.is_positive_definite for o in self._ops):
            is_positive_definite = True
        super().__init__(self._ops[0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square,
                         name or "_ds_".join(o.name for o in self._ops),
                         {"operators": operators})

    @property
    def operators(self):
        return list(self._ops)

    def _sizes(self):
        return [o.range_dimension for o in self._ops], [o.domain_dimension for o in self._ops]

    def _shape(self):
        batch = np.broadcast_shapes(*[tuple(o.batch_shape.as_list()) for o in self._ops])
        rows, cols = self._sizes()
        return list(batch) + [sum(rows), sum(cols)]

    def _to_dense(self):
        rows, cols = self._sizes()
        grid = [[o.to_dense() if i == j else None for j in range(len(self._ops))]
                for i, o in enumerate(self._ops)]
        return _blocks_dense(rows, cols, grid)

    def _split_apply(self, x, fn, adjoint):
        rows, cols = self._sizes()
        sizes = rows if adjoint else cols
        parts, start = [], 0
        for op, n in zip(self._ops, sizes):
            parts.append(fn(op, x[..., start:start + n, :]))
            start += n
        return _a.concat(parts, -2)

    def _matmul(self, x, adjoint=False):
        return self._split_apply(x, lambda op, p: op.matmul(p, adjoint=adjoint), adjoint)

    def _solve(self, rhs, adjoint=False):
        return self._split_apply(rhs, lambda op, p: op.solve(p, adjoint=adjoint), not adjoint)

    def _diag_part(self):
        return _a.concat([o.diag_part() for o in self._ops], -1)

    def adjoint(self, name="adjoint"):
        if self.is_self_adjoint:
            return self
        return LinearOperatorBlockDiag([o.adjoint() for o in self._ops])

    def inverse(self, name="inverse"):
        return LinearOperatorBlockDiag([o.inverse() for o in self._ops])

    def _compose(self, other):
        if isinstance(other, LinearOperatorBlockDiag) and [
                o.domain_dimension for o in self._ops] == [o.range_dimension for o in
                                                            other._ops]:
            return LinearOperatorBlockDiag([a.matmul(b) for a, b in zip(self._ops,
                                                                          other._ops)])
        return super()._compose(other)

    def _log_abs_det(self):
        return sum(o.log_abs_determinant() for o in self._ops)

    def _det(self):
        out = self._ops[0].determinant()
        for op in self._ops[1:]:
            out = out * op.determinant()
        return out


class LinearOperatorBlockLowerTriangular(LinearOperator):
    """Block lower-triangular operator: row ``i`` of ``operators`` holds blocks 0..i."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._rows = [list(r) for r in operators]
        if not self._rows or any(len(r) != i + 1 for i, r in enumerate(self._rows)):
            raise ValueError("Argument `operators` must be a list of lists with row i "
                             "holding i + 1 operators.")
        super().__init__(self._rows[0][0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True,
                         name or "_".join(r[-1].name for r in self._rows),
                         {"operators": operators})

    @property
    def operators(self):
        return [list(r) for r in self._rows]

    def _sizes(self):
        return [r[-1].range_dimension for r in self._rows]

    def _shape(self):
        n = sum(self._sizes())
        batch = np.broadcast_shapes(*[tuple(o.batch_shape.as_list()) for r in self._rows
                                      for o in r])
        return list(batch) + [n, n]

    def _to_dense(self):
        sizes = self._sizes()
        grid = [[r[j].to_dense() if j < len(r) else None for j in range(len(sizes))]
                for r in self._rows]
        return _blocks_dense(sizes, sizes, grid)

    def _log_abs_det(self):
        return sum(r[-1].log_abs_determinant() for r in self._rows)

    def inverse(self, name="inverse"):
        """Blockwise forward substitution: still block lower triangular."""
        from .linear_operator import LinearOperatorFullMatrix
        n = len(self._rows)
        inv = [[None] * n for _ in range(n)]
        for i in range(n):
            diag_inv = self._rows[i][i].inverse()
            inv[i][i] = LinearOperatorFullMatrix(diag_inv.to_dense())
            for j in range(i):
                acc = sum(self._rows[i][k].matmul(inv[k][j].to_dense()) for k in range(j, i))
                inv[i][j] = LinearOperatorFullMatrix(-diag_inv.matmul(acc))
        return LinearOperatorBlockLowerTriangular([inv[i][:i + 1] for i in range(n)])


class LinearOperatorKronecker(LinearOperator):
    """The Kronecker product ``operators[0] ⊗ operators[1] ⊗ ...``."""

    def __init__(self, operators, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name=None):
        self._ops = list(operators)
        if not self._ops:
            raise ValueError(f"Expected a non-empty list of operators. Found: {operators}")
        super().__init__(self._ops[0].dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square,
                         name or "_x_".join(o.name for o in self._ops),
                         {"operators": operators})

    @property
    def operators(self):
        return list(self._ops)

    def _shape(self):
        batch = np.broadcast_shapes(*[tuple(o.batch_shape.as_list()) for o in self._ops])
        return list(batch) + [int(np.prod([o.range_dimension for o in self._ops])),
                              int(np.prod([o.domain_dimension for o in self._ops]))]

    def _to_dense(self):
        out = self._ops[0].to_dense()
        for op in self._ops[1:]:
            b = op.to_dense()
            m, n = out.shape[-2], out.shape[-1]
            p, q = b.shape[-2], b.shape[-1]
            prod = _a.expand_dims(_a.expand_dims(out, -1), -3) * \
                _a.expand_dims(_a.expand_dims(b, -3), -2)          # [..., m, p, n, q]
            batch = prod.shape.as_list()[:-4]
            out = _a.reshape(prod, batch + [m * p, n * q])
        return out

    def adjoint(self, name="adjoint"):
        return LinearOperatorKronecker([o.adjoint() for o in self._ops])

    def inverse(self, name="inverse"):
        return LinearOperatorKronecker([o.inverse() for o in self._ops])

    def _log_abs_det(self):
        total, n = 0.0, self.shape[-1]
        for op in self._ops:
            total = total + op.log_abs_determinant() * (n // op.domain_dimension)
        return total


class LinearOperatorLowRankUpdate(LinearOperator):
    """``base_operator + U diag(diag_update) V^H`` (V = U, diag = 1 by default)."""

    def __init__(self, base_operator, u, diag_update=None, v=None,
                 is_diag_update_positive=None, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None,
                 name="LinearOperatorLowRankUpdate"):
        self._base = base_operator
        self._u = convert_to_tensor(u, base_operator.dtype)
        self._v = self._u if v is None else convert_to_tensor(v, base_operator.dtype)
        self._d = None if diag_update is None else convert_to_tensor(diag_update,
                                                                     base_operator.dtype)
        if is_self_adjoint is None and v is None and base_operator.is_self_adjoint:
            is_self_adjoint = True
        super().__init__(base_operator.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, is_square, name,
                         {"base_operator": base_operator, "u": u, "diag_update": diag_update,
                          "v": v})

    def _shape(self):
        return self._base.shape.as_list()

    def _to_dense(self):
        u = self._u if self._d is None else self._u * _a.expand_dims(self._d, -2)
        return self._base.to_dense() + _dense_matmul(u, _adj(self._v))


class LinearOperatorPermutation(LinearOperator):
    """The permutation matrix sending row ``i`` to ``perm[i]`` (rows of I permuted)."""

    def __init__(self, perm, dtype=_dt.float32, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorPermutation"):
        self._perm = convert_to_tensor(perm)
        super().__init__(dtype, None, is_non_singular, is_self_adjoint, is_positive_definite, True,
                         name, {"perm": perm})

    @property
    def perm(self):
        return self._perm

    def _shape(self):
        s = self._perm.shape.as_list()
        return s + [s[-1]]

    def _to_dense(self):
        from .index_ops import one_hot
        return one_hot(self._perm, self._perm.shape[-1], dtype=self.dtype)

    def _log_abs_det(self):
        return _a.zeros(self._perm.shape.as_list()[:-1], self.dtype)


class LinearOperatorToeplitz(LinearOperator):
    """Toeplitz matrix with first column ``col`` and first row ``row`` (row[0] ignored)."""

    def __init__(self, col, row, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorToeplitz"):
        self._col, self._row = convert_to_tensor(col), convert_to_tensor(row)
        super().__init__(self._col.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name, {"col": col, "row": row})

    def _shape(self):
        batch = np.broadcast_shapes(tuple(self._col.shape.as_list()[:-1]),
                                    tuple(self._row.shape.as_list()[:-1]))
        n = self._col.shape[-1]
        return list(batch) + [n, n]

    def _to_dense(self):
        from .index_ops import gather
        from .manip_ops import reverse
        n = self._col.shape[-1]
        # values[k] for k = i - j + (n - 1): reversed row tail, then the column
        values = _a.concat([reverse(self._row[..., 1:], [-1]), self._col], -1)
        idx = (np.arange(n)[:, None] - np.arange(n)[None, :] + n - 1).astype(np.int32)
        return gather(values, convert_to_tensor(idx), axis=len(values.shape) - 1,
                      batch_dims=len(values.shape) - 1) if len(values.shape) > 1 else \
            gather(values, convert_to_tensor(idx))


class LinearOperatorHouseholder(LinearOperator):
    """The reflection ``I - 2 v v^H / ||v||^2`` about ``reflection_axis`` v."""

    def __init__(self, reflection_axis, is_non_singular=None, is_self_adjoint=None,
                 is_positive_definite=None, is_square=None, name="LinearOperatorHouseholder"):
        self._v = convert_to_tensor(reflection_axis)
        if is_self_adjoint is False:
            raise ValueError("A Householder operator is always self adjoint.")
        super().__init__(self._v.dtype, None, is_non_singular, True, is_positive_definite,
                         True, name,
                         {"reflection_axis": reflection_axis})

    @property
    def reflection_axis(self):
        return self._v

    def _shape(self):
        s = self._v.shape.as_list()
        return s + [s[-1]]

    def _to_dense(self):
        from .linalg_ops import eye
        v = _a.expand_dims(self._v, -1)
        norm2 = _r.reduce_sum(_m.real(_m.conj(self._v) * self._v) if self.dtype.is_complex
                              else self._v * self._v, -1)
        norm2 = _a.expand_dims(_a.expand_dims(_m.cast(norm2, self.dtype), -1), -1)
        return eye(self._v.shape[-1], dtype=self.dtype) - 2 * _dense_matmul(v, _adj(v)) / norm2

    def _matmul(self, x, adjoint=False):
        v = _a.expand_dims(self._v, -1)
        norm2 = _dense_matmul(v, v, adjoint_a=True)
        return x - 2 * v * _dense_matmul(v, x, adjoint_a=True) / norm2

    _solve = _matmul

    def inverse(self, name="inverse"):
        return self          # a reflection is its own inverse

    def _det(self):
        return -_a.ones(self._v.shape.as_list()[:-1], self.dtype)

    def _log_abs_det(self):
        return _a.zeros(self._v.shape.as_list()[:-1], self.dtype)


class LinearOperatorTridiag(LinearOperator):
    """Tridiagonal operator; ``diagonals`` as "compact" [..., 3, N] (super, main, sub),
    "sequence" (3 tensors) or "matrix" [..., N, N]."""

    def __init__(self, diagonals, diagonals_format="compact", is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=None,
                 name="LinearOperatorTridiag"):
        if diagonals_format not in ("compact", "sequence", "matrix"):
            raise ValueError(f"Diagonals Format must be one of compact, matrix, sequence. "
                             f"Got {diagonals_format}")
        if diagonals_format == "sequence":
            diagonals = [convert_to_tensor(d) for d in diagonals]
            self._compact = _a.stack(diagonals, -2)
        elif diagonals_format == "matrix":
            from .linalg_ops import matrix_diag_part
            m = convert_to_tensor(diagonals)
            self._compact = matrix_diag_part(m, k=(-1, 1), align="LEFT_RIGHT")
        else:
            self._compact = convert_to_tensor(diagonals)
        self._format, self._diagonals = diagonals_format, diagonals
        super().__init__(self._compact.dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name,
                         {"diagonals": diagonals, "diagonals_format": diagonals_format})

    @property
    def diagonals(self):
        return self._diagonals

    def _shape(self):
        s = self._compact.shape.as_list()
        return s[:-2] + [s[-1], s[-1]]

    def _to_dense(self):
        from .linalg_ops import matrix_diag
        c = self._compact
        n = c.shape[-1]
        sup, main, sub = c[..., 0, :n - 1], c[..., 1, :], c[..., 2, 1:]
        return matrix_diag(main) + matrix_diag(sup, k=1) + matrix_diag(sub, k=-1)


def _circulant_dense(spectrum, rank, dtype):
    """Columns ifft(spectrum * fft(e_j)) over the last ``rank`` spectrum axes."""
    from . import signal_ops as s
    spec = _m.cast(spectrum, _dt.complex128 if spectrum.dtype in (
        _dt.float64, _dt.complex128) else _dt.complex64)
    dims_ = spec.shape.as_list()[-rank:]
    n = int(np.prod(dims_))
    batch = spec.shape.as_list()[:-rank]
    eye = np.eye(n).reshape([n] + dims_)                    # basis images e_j
    fwd = {1: s.fft, 2: s.fft2d, 3: s.fft3d}[rank]
    inv = {1: s.ifft, 2: s.ifft2d, 3: s.ifft3d}[rank]
    cols = inv(_a.expand_dims(spec, len(batch)) * fwd(convert_to_tensor(eye.astype(
        spec.dtype.np))))                                   # [..., n(j), *dims(i)]
    dense = _a.reshape(cols, batch + [n, n])
    from .linalg_ops import matrix_transpose
    dense = matrix_transpose(dense)
    return _m.cast(dense, dtype) if dtype.is_complex else _m.cast(_m.real(dense), dtype)


class _Circulant(LinearOperator):
    _rank = 1

    def __init__(self, spectrum, input_output_dtype=_dt.complex64, is_non_singular=None,
                 is_self_adjoint=None, is_positive_definite=None, is_square=True, name=None):
        self._spectrum = convert_to_tensor(spectrum)
        super().__init__(input_output_dtype, None, is_non_singular, is_self_adjoint,
                         is_positive_definite, True, name or type(self).__name__,
                         {"spectrum": spectrum, "input_output_dtype": input_output_dtype})

    @property
    def spectrum(self):
        return self._spectrum

    def _shape(self):
        s = self._spectrum.shape.as_list()
        n = int(np.prod(s[-self._rank:]))
        return s[:-self._rank] + [n, n]

    def _to_dense(self):
        return _circulant_dense(self._spectrum, self._rank, self.dtype)


class LinearOperatorCirculant(_Circulant):
    """Circulant operator with the FFT ``spectrum`` [..., N]: x -> ifft(spectrum fft(x))."""
    _rank = 1


class LinearOperatorCirculant2D(_Circulant):
    """Block-circulant with circulant blocks, from a [..., N0, N1] spectrum."""
    _rank = 2


class LinearOperatorCirculant3D(_Circulant):
    """Nested circulant from a [..., N0, N1, N2] spectrum."""
    _rank = 3

