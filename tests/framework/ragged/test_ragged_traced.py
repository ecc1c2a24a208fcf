"""RaggedTensor / SparseTensor operations inside cf.function (symbolic row splits and
indices): the same values as eagerly (TF 2.21's), and gradients to the values."""
import pytest

import cuflow as cf

RT = [[1, 2, 3], [], [4, 5]]


def _both(fn, *args):
    """(traced result, eager result) as lists."""
    def plain(x):
        return x.to_list() if isinstance(x, cf.RaggedTensor) else x.numpy().tolist()
    return plain(cf.function(fn)(*args)), plain(fn(*args))


@pytest.mark.parametrize("fn", [
    lambda x: x[0], lambda x: x[-1], lambda x: x[1:], lambda x: x[:, :2],
    lambda x: x[:, 1:], lambda x: x[:, -1:], lambda x: cf.concat([x, x], axis=0),
    lambda x: cf.concat([x, x * 10], axis=1), lambda x: cf.gather(x, [2, 0, 2]),
    lambda x: x.bounding_shape(), lambda x: cf.ragged.boolean_mask(x, x > 2),
    lambda x: cf.sparse.to_dense(x.to_sparse()), lambda x: x.row_starts(),
    lambda x: cf.reduce_mean(cf.cast(x, cf.float64), axis=0),
], ids=["row", "last row", "rows", "cols head", "cols tail", "cols neg", "concat0",
        "concat1", "gather", "bounding", "boolean_mask", "to_sparse", "row_starts",
        "mean axis0"])
def test_traced_matches_eager(fn):
    traced, eager = _both(fn, cf.ragged.constant(RT))
    assert traced == eager


def test_nested_rows_and_gather():
    r2 = cf.ragged.constant([[[1], [2, 3]], [[4]], []])
    for fn in (lambda x: x[0], lambda x: x[:2], lambda x: cf.gather(x, [1, 0]),
               lambda x: cf.concat([x, x], axis=0)):
        traced, eager = _both(fn, r2)
        assert traced == eager


def test_column_pick_and_constructors():
    r = cf.ragged.constant([[1, 2, 3], [4, 5]])
    for fn in (lambda x: x[:, 0], cf.function(lambda x: x[:, -1])):    # as TF
        with pytest.raises(ValueError, match="inner ragged dimension"):
            fn(r)
    u = cf.RaggedTensor.from_tensor(cf.constant([[1, 2], [3, 4]]))
    assert u.shape.as_list() == [2, 2] and u[:, 1].numpy().tolist() == [2, 4]
    t = cf.constant([[1, 0, 0], [2, 3, 0], [0, 0, 0]])
    for kw in ({"padding": 0}, {}, {"lengths": [1, 0, 2]}):
        traced, eager = _both(lambda x: cf.RaggedTensor.from_tensor(x, **kw), t)
        assert traced == eager
    args = (cf.constant([0, 5, 3]), cf.constant([3, 0, 10]), cf.constant([1, -2, 3]))
    traced, eager = _both(cf.ragged.range, *args)
    assert traced == eager == [[0, 1, 2], [5, 3, 1], [3, 6, 9]]


def test_gradients_flow_through_traced_gather_and_concat():
    v = cf.constant([1.0, 2.0, 3.0])

    def loss(values):
        rt = cf.RaggedTensor.from_row_lengths(values, [2, 1])
        joined = cf.concat([rt, cf.gather(rt, [1, 0]) * 10.0], axis=1)
        return cf.reduce_sum(joined.flat_values * cf.range(1.0, 7.0))
    with cf.GradientTape() as tape:
        tape.watch(v)
        y = cf.function(loss)(v)
    with cf.GradientTape() as tape2:
        tape2.watch(v)
        y2 = loss(v)
    assert float(y) == float(y2)
    assert tape.gradient(y, v).numpy().tolist() == tape2.gradient(y2, v).numpy().tolist()


def test_sparse_ops_inside_a_function():
    st = cf.sparse.SparseTensor([[1, 0], [0, 2], [0, 1]], [1.0, 2.0, 3.0], [2, 3])
    assert _both(lambda s: cf.sparse.sparse_dense_matmul(cf.sparse.reorder(s),
                                                         cf.ones([3, 2])), st)[0] == \
        [[5.0, 5.0], [1.0, 1.0]]
    assert _both(lambda s: cf.sparse.reorder(s).indices, st) == \
        ([[0, 1], [0, 2], [1, 0]],) * 2
    assert _both(lambda s: cf.sparse.retain(s, [True, False, True]).values, st) == \
        ([1.0, 3.0],) * 2
    assert _both(lambda s: cf.sparse.map_values(cf.math.square, s).values, st) == \
        ([1.0, 4.0, 9.0],) * 2
    assert _both(lambda s: (s * 2.0).values, st) == ([2.0, 4.0, 6.0],) * 2
    dense = cf.constant([[0, 1], [2, 0]])
    assert _both(lambda d: cf.sparse.from_dense(d).indices, dense) == ([[0, 1], [1, 0]],) * 2


def test_unsupported_traced_indexing_says_so():
    with pytest.raises(ValueError, match="not supported"):
        cf.function(lambda x: x[0, 1:])(cf.ragged.constant([[[1]], [[2]]]))
