"""Sparse embedding lookups, fractional pooling (TF's sequences), with_space_to_batch and
approx top-k."""
import numpy as np
import pytest

import cuflow as cf

rng = np.random.default_rng(4)
P = rng.normal(size=(10, 3)).astype(np.float32)
IDX = [[0, 0], [0, 1], [2, 0], [2, 1], [2, 2], [3, 0]]
IDS = cf.sparse.SparseTensor(IDX, cf.constant([1, 3, 0, 0, 9, 4], cf.int64), [5, 3])
WTS = cf.sparse.SparseTensor(IDX, [2.0, 0.5, 1.0, -1.0, 3.0, 0.0], [5, 3])


@pytest.mark.parametrize("combiner", ["mean", "sqrtn", "sum"])
def test_embedding_lookup_sparse_matches_numpy(combiner):
    got = cf.nn.embedding_lookup_sparse(P, IDS, WTS, combiner=combiner).numpy()
    w = np.array([2.0, 0.5, 1.0, -1.0, 3.0, 0.0], np.float32)
    rows = {0: [0, 1], 2: [2, 3, 4], 3: [5]}
    ids = [1, 3, 0, 0, 9, 4]
    want = np.zeros((4, 3), np.float32)
    for r, js in rows.items():
        s = sum(w[j] * P[ids[j]] for j in js)
        norm = {"sum": 1.0, "mean": sum(w[j] for j in js),
                "sqrtn": np.sqrt(sum(w[j] ** 2 for j in js))}[combiner]
        want[r] = s / norm if norm else 0.0
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="combiner"):
        cf.nn.embedding_lookup_sparse(P, IDS, None, combiner="max")


def test_safe_embedding_lookup_sparse_matches_tf():
    got = cf.nn.safe_embedding_lookup_sparse(P, IDS, None, combiner="sqrtn", default_id=7)
    assert got.shape == [5, 3]
    np.testing.assert_allclose(got.numpy()[1], P[7], rtol=1e-6)          # empty row
    np.testing.assert_allclose(got.numpy()[0], (P[1] + P[3]) / np.sqrt(2), rtol=1e-6)
    ids3 = cf.sparse.SparseTensor([[0, 0, 0], [0, 1, 1], [1, 1, 0]],
                                  cf.constant([1, -1, 5], cf.int64), [2, 2, 2])
    got = cf.nn.safe_embedding_lookup_sparse(P, ids3).numpy()         # TF 2.21's values
    np.testing.assert_allclose(got, [[[0.65914774, -1.6413972, -0.00520326], [0, 0, 0]],
                                     [[0, 0, 0], [2.2527292, -1.9156456, 1.1018019]]],
                               rtol=1e-6, atol=1e-7)


TF_SEQUENCES = {  # (pseudo_random, seed, ratio) -> TF 2.21's (rows, cols) for a 7x11 input
    (False, 3, 1.44): ([0, 1, 3, 5, 7], [0, 1, 3, 5, 7, 8, 10, 11]),
    (False, 12345, 1.7): ([0, 2, 4, 7], [0, 2, 4, 6, 8, 9, 11]),
    (True, 3, 1.44): ([0, 1, 3, 5, 7], [0, 1, 3, 4, 6, 7, 9, 11]),
    (True, 12345, 1.7): ([0, 2, 5, 7], [0, 2, 4, 6, 8, 10, 11]),
}


@pytest.mark.parametrize("key", list(TF_SEQUENCES))
def test_fractional_pool_sequences_are_tfs(key):
    pseudo, seed, rc = key
    rr = 1.5 if rc == 1.44 else 2.0
    x = cf.reshape(cf.range(154.0), [1, 7, 11, 2])
    out, rows, cols = cf.nn.fractional_max_pool(x, [1.0, rr, rc, 1.0], pseudo, False, seed)
    assert (rows.numpy().tolist(), cols.numpy().tolist()) == TF_SEQUENCES[key]
    assert out.shape == [1, len(rows.numpy()) - 1, len(cols.numpy()) - 1, 2]


@pytest.mark.parametrize("overlapping", [False, True])
def test_fractional_pools_values_and_gradients(overlapping):
    x = rng.normal(size=(2, 7, 11, 3))
    mx, rows, cols = cf.nn.fractional_max_pool(x, [1.0, 1.5, 1.44, 1.0],
                                               overlapping=overlapping, seed=5)
    av, _, _ = cf.nn.fractional_avg_pool(x, [1.0, 1.5, 1.44, 1.0], overlapping=overlapping,
                                         seed=5)
    r, c = rows.numpy(), cols.numpy()
    extra = 1 if overlapping else 0
    for i in range(len(r) - 1):
        for j in range(len(c) - 1):
            win = x[:, r[i]:min(r[i + 1] + extra, 7), c[j]:min(c[j + 1] + extra, 11)]
            np.testing.assert_allclose(mx.numpy()[:, i, j], win.max((1, 2)))
            np.testing.assert_allclose(av.numpy()[:, i, j], win.mean((1, 2)))
    v = cf.Variable(x)
    with cf.GradientTape() as tape:
        loss = cf.reduce_sum(cf.nn.fractional_max_pool(v, [1.0, 1.5, 1.44, 1.0],
                                                       overlapping=overlapping, seed=5)[0])
    g = tape.gradient(loss, v).numpy()
    assert g.sum() == pytest.approx(np.prod(mx.shape)) and set(np.unique(g)) <= {0, 1, 2, 3, 4}


def test_with_space_to_batch_is_the_dilated_op():
    x = rng.normal(size=(2, 9, 8, 3))
    w = rng.normal(size=(3, 3, 3, 4))
    for padding in ("SAME", "VALID"):
        got = cf.nn.with_space_to_batch(x, [2, 3], padding,
                                        lambda t, n, p: cf.nn.conv2d(t, w, 1, p),
                                        filter_shape=[3, 3])
        want = cf.nn.conv2d(x, w, 1, padding, dilations=[2, 3])
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="filter_shape"):
        cf.nn.with_space_to_batch(x, [2, 2], "SAME", lambda t, n, p: t)


def test_approx_top_k_is_exact():
    x = rng.normal(size=(2, 5, 7)).astype(np.float32)
    v, i = cf.nn.approx_max_k(x, 3)
    np.testing.assert_array_equal(i.numpy(), np.argsort(-x, -1, kind="stable")[..., :3])
    v, i = cf.math.approx_min_k(x, 2, reduction_dimension=1)
    np.testing.assert_array_equal(v.numpy(), np.sort(x, 1)[:, :2])
    assert i.dtype == cf.int32
    with pytest.raises(cf.errors.InvalidArgumentError):
        cf.nn.approx_max_k(cf.constant([1, 2]), 1)


def test_experimental_dropouts_match_tf():
    got = cf.nn.experimental.stateless_dropout(cf.ones([3, 5]), rate=0.8, seed=[2, 0])
    want = np.zeros((3, 5), np.float32)
    want[0, 0] = want[1, 3] = 5.0                    # TF's documented example
    np.testing.assert_array_equal(got.numpy(), want)
    shared = cf.nn.experimental.stateless_dropout(cf.ones([2, 5]), 0.4, seed=[1, 2],
                                                  noise_shape=[1, 5]).numpy()
    np.testing.assert_array_equal(shared[0], shared[1])
    g = cf.nn.experimental.general_dropout(
        cf.ones([2, 5]), 0.5, lambda shape, dtype: cf.random.stateless_uniform(
            shape, [3, 4], dtype=dtype))
    np.testing.assert_array_equal(g.numpy(), [[0, 2, 0, 0, 2], [2, 2, 0, 0, 2]])
    with pytest.raises(ValueError, match="floating"):
        cf.nn.experimental.stateless_dropout(cf.ones([2], cf.int32), 0.5, seed=[1, 1])
    v, i = cf.approx_top_k(cf.constant([[1.0, 3.0, 2.0]]), 2, is_max_k=False)
    assert i.numpy().tolist() == [[0, 2]]
