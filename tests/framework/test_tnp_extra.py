"""The rest of tf.experimental.numpy: values against NumPy, TF's dtype rules, gradients."""
import numpy as np
import pytest

import cuflow as cf

tnp = cf.experimental.numpy

X = np.array([[0.3, -1.2, 2.0], [1.5, 0.7, -0.4]])
CASES = [  # (name, args, numpy reference)
    ("arccos", (X / 3,), np.arccos), ("arcsinh", (X,), np.arcsinh),
    ("cosh", (X,), np.cosh), ("exp2", (X,), np.exp2), ("log2", (np.abs(X),), np.log2),
    ("log10", (np.abs(X),), np.log10), ("cbrt", (X,), np.cbrt), ("fix", (X,), np.fix),
    ("sinc", (np.array([0.0, 0.5, -1.5]),), np.sinc), ("deg2rad", (X,), np.deg2rad),
    ("hypot", (X, X.T[:2, :1]), np.hypot), ("logaddexp", (X, 0.5), np.logaddexp),
    ("logaddexp2", (X, X[::-1]), np.logaddexp2), ("arctan2", (X, X[::-1]), np.arctan2),
    ("heaviside", (np.array([-1.0, 0.0, 2.0]), 0.5), np.heaviside),
    ("kron", (X, X[:1, :2]), np.kron), ("inner", (X, X), np.inner),
    ("cross", (np.arange(6.0).reshape(2, 3), X), np.cross), ("vdot", (X, X), np.vdot),
    ("ptp", (X,), np.ptp), ("trace", (X,), np.trace), ("diag", (X,), np.diag),
    ("diagonal", (np.arange(24).reshape(2, 3, 4), 1, 1, 2), np.diagonal),
    ("tril", (X, 1), np.tril), ("triu", (X, -1), np.triu), ("vander", ([1, 2, 3], 4), np.vander),
    ("rot90", (X, 3), np.rot90), ("flip", (X,), np.flip), ("roll", (X, 2), np.roll),
    ("moveaxis", (np.zeros((1, 2, 3)), 0, -1), np.moveaxis),
    ("take_along_axis", (X, np.array([[2, 0, 1], [0, 0, -1]]), 1), np.take_along_axis),
    ("nansum", (np.array([1.0, np.nan, 2.0]),), np.nansum),
    ("nanmean", (np.array([[1.0, np.nan], [2.0, 4.0]]), 0), np.nanmean),
    ("average", (X, 1, [1.0, 2.0, 3.0]), np.average), ("gcd", ([12, 0, -4], [18, 5, 6]), np.gcd),
    ("lcm", ([4, 0, 6], [6, 3, -4]), np.lcm), ("cumprod", (X,), np.cumprod),
    ("polyval", ([1.0, -2.0, 3.0], X), np.polyval), ("count_nonzero", ([[1, 0], [2, 3]],),
                                                      np.count_nonzero),
    ("vstack", ([X, X],), np.vstack), ("hstack", ([X, X],), np.hstack),
    ("dstack", ([X, X],), np.dstack), ("append", (X, [1.0]), np.append),
    ("compress", ([True, False, True], X, 1), np.compress),
    ("einsum", ("ij,kj->ik", X, X), np.einsum), ("tensordot", (X, X.T, 1), np.tensordot),
    ("geomspace", (1.0, 1000.0, 4), np.geomspace), ("logspace", (0.0, 2.0, 3), np.logspace),
]


@pytest.mark.parametrize("name,args,ref", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy(name, args, ref):
    got = getattr(tnp, name)(*args)
    want = ref(*args)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-6, atol=1e-9)
    assert got.dtype.np == np.asarray(want).dtype


def test_tf_dtype_rules():
    i32 = cf.constant([1, 2], cf.int32)
    assert tnp.sinh(i32).dtype == cf.float64          # ints go to the default float
    assert tnp.sinh(cf.constant([1.0], cf.float32)).dtype == cf.float32
    assert tnp.cumprod(i32).dtype == cf.int64          # small ints widen as NumPy's
    assert tnp.real(i32).dtype == cf.int32
    assert tnp.angle(cf.constant([-1], cf.int32)).dtype == cf.float32   # TF's quirk
    assert tnp.diag_indices(2)[0].dtype == cf.int32
    assert tnp.argsort([3, 1, 2]).numpy().tolist() == [1, 2, 0]
    assert tnp.take([1, 2, 3], [0, 5]).numpy().tolist() == [1, 3]     # mode="clip"
    assert tnp.size([[1, 2]]) == 2 and tnp.ndim([[1]]) == 2 and tnp.isscalar(1.0)
    q, r = tnp.divmod(cf.constant([7, -7], cf.int32), 2)
    assert q.numpy().tolist() == [3, -4] and r.numpy().tolist() == [1, 1]


def test_splits_and_select():
    parts = tnp.split(tnp.arange(6), [1, 4])
    assert [p.numpy().tolist() for p in parts] == [[0], [1, 2, 3], [4, 5]]
    assert [p.shape.as_list() for p in tnp.hsplit(tnp.ones([2, 4]), 2)] == [[2, 2], [2, 2]]
    with pytest.raises(ValueError):
        tnp.vsplit(tnp.ones([4]), 2)
    out = tnp.select([cf.constant([True, False, False]), cf.constant([True, True, False])],
                     [cf.constant([1, 2, 3]), cf.constant([4, 5, 6])], -1)
    assert out.numpy().tolist() == [1, 5, -1]
    rows, cols = tnp.ix_([0, 1], [2])
    assert rows.shape.as_list() == [2, 1] and cols.shape.as_list() == [1, 1]
    assert tnp.pad([[1, 2, 3]], [[0, 0], [1, 2]], mode="reflect").numpy().tolist() == [
        [2, 1, 2, 3, 2, 1]]
    with pytest.raises(ValueError):
        tnp.pad([1], 1, mode="edge")


@pytest.mark.parametrize("fn", [
    lambda x: tnp.cbrt(x) + tnp.sinc(x), lambda x: tnp.hypot(x, 2.0 * x),
    lambda x: tnp.logaddexp(x, x[::-1]), lambda x: tnp.kron(x, x[:1]),
    lambda x: tnp.take_along_axis(x, tnp.argsort(x, axis=1), 1),
    lambda x: tnp.cross(x, x[::-1]), lambda x: tnp.average(x, 1, [1.0, 2.0, 3.0]),
    lambda x: tnp.rot90(tnp.tril(x), 1) * tnp.vstack([x, x])[:3, :2],
])
def test_gradients_flow(fn):
    x = cf.Variable(X + 0.1)
    with cf.GradientTape() as tape:
        y = cf.reduce_sum(fn(x))
    g = tape.gradient(y, x)
    eps, x0 = 1e-6, X + 0.1
    num = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        d = np.zeros_like(x0)
        d[idx] = eps
        num[idx] = (float(cf.reduce_sum(fn(cf.constant(x0 + d))))
                    - float(cf.reduce_sum(fn(cf.constant(x0 - d))))) / (2 * eps)
    np.testing.assert_allclose(g.numpy(), num, rtol=1e-4, atol=1e-5)
