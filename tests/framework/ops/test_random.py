"""Seed semantics of cf.random (TF 2's rules) and dropout; distributions are checked
statistically by the registry tests (opdb_random.py)."""
from __future__ import annotations

import cuflow as cf
import numpy as np
import pytest
from cuflow.errors import InvalidArgumentError


@pytest.fixture(autouse=True)
def _no_global_seed():
    cf.random.set_seed(None)
    yield
    cf.random.set_seed(None)


def _np(t):
    return np.asarray(t.numpy())


def test_global_seed_replays_the_same_sequence():
    cf.random.set_seed(42)
    first = [_np(cf.random.uniform([4])), _np(cf.random.normal([3])),
             _np(cf.random.uniform([4], seed=7)), _np(cf.random.uniform([4], seed=7))]
    cf.random.set_seed(42)
    again = [_np(cf.random.uniform([4])), _np(cf.random.normal([3])),
             _np(cf.random.uniform([4], seed=7)), _np(cf.random.uniform([4], seed=7))]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    # successive ops (and successive calls of one seeded op) differ
    assert not np.array_equal(first[0], _np(cf.random.uniform([4])))
    assert not np.array_equal(first[2], first[3])


def test_different_global_seeds_differ():
    cf.random.set_seed(1)
    a = _np(cf.random.uniform([8]))
    cf.random.set_seed(2)
    assert not np.array_equal(a, _np(cf.random.uniform([8])))


def test_op_seed_without_global_seed_is_reproducible_per_program():
    a1, a2 = _np(cf.random.uniform([4], seed=3)), _np(cf.random.uniform([4], seed=3))
    assert not np.array_equal(a1, a2)
    cf.random.set_seed(None)  # a fresh program's state
    np.testing.assert_array_equal(a1, _np(cf.random.uniform([4], seed=3)))


def test_unseeded_ops_differ():
    assert not np.array_equal(_np(cf.random.uniform([8])), _np(cf.random.uniform([8])))


def test_stateless_ops_depend_only_on_the_seed():
    for fn in (cf.random.stateless_uniform, cf.random.stateless_normal,
               cf.random.stateless_truncated_normal):
        a = _np(fn([3, 2], seed=[1, 2]))
        np.testing.assert_array_equal(a, _np(fn([3, 2], seed=cf.constant([1, 2]))))
        assert not np.array_equal(a, _np(fn([3, 2], seed=[1, 3])))
    ints = _np(cf.random.stateless_uniform([1000], [5, 6], minval=None, maxval=None,
                                           dtype=cf.int64))
    assert ints.dtype == np.int64 and ints.min() < -2 ** 60 and ints.max() > 2 ** 60


def test_stateless_split_and_fold_in():
    seeds = cf.random.experimental.stateless_split([1, 2], num=3)
    assert seeds.shape == (3, 2) and seeds.dtype == cf.int32  # the seed's dtype, as TF
    np.testing.assert_array_equal(_np(seeds), _np(cf.random.experimental.stateless_split(
        [1, 2], num=3)))
    rows = [tuple(r) for r in _np(seeds)]
    assert len(set(rows)) == 3
    f1 = _np(cf.random.experimental.stateless_fold_in([1, 2], 1))
    f2 = _np(cf.random.experimental.stateless_fold_in([1, 2], 2))
    assert f1.shape == (2,) and not np.array_equal(f1, f2)


def test_generator_reproducible_and_advancing():
    g1, g2 = cf.random.Generator.from_seed(11), cf.random.Generator.from_seed(11)
    a, b = _np(g1.normal([5])), _np(g2.normal([5]))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, _np(g1.normal([5])))
    state = g1.state
    assert state.dtype == cf.int64 and state.shape == (3,)
    c = _np(g1.uniform([4]))
    g1.reset(state)
    np.testing.assert_array_equal(c, _np(g1.uniform([4])))
    g1.reset_from_seed(11)
    np.testing.assert_array_equal(a, _np(g1.normal([5])))


def test_generator_methods_and_split():
    g = cf.random.Generator.from_seed(3)
    u = _np(g.uniform([1000], minval=2, maxval=9, dtype=cf.int32))
    assert u.dtype == np.int32 and u.min() == 2 and u.max() == 8
    t = _np(g.truncated_normal([5000], stddev=3.0))
    assert np.abs(t).max() <= 6.0
    assert g.uniform_full_int([4]).dtype == cf.uint64
    assert g.make_seeds(3).shape == (2, 3)
    children = g.split(2)
    x, y = _np(children[0].normal([6])), _np(children[1].normal([6]))
    assert not np.array_equal(x, y)
    nondet = cf.random.Generator.from_non_deterministic_state()
    assert nondet.normal([2]).shape == (2,)
    with pytest.raises(ValueError, match="maxval"):
        g.uniform([2], dtype=cf.int32)


def test_global_generator_follows_set_seed():
    cf.random.set_seed(5)
    a = _np(cf.random.get_global_generator().normal([3]))
    cf.random.set_seed(5)
    np.testing.assert_array_equal(a, _np(cf.random.get_global_generator().normal([3])))
    g = cf.random.Generator.from_seed(1)
    cf.random.set_global_generator(g)
    assert cf.random.get_global_generator() is g


def test_uniform_dtypes_and_ranges():
    for dt in (cf.float16, cf.bfloat16, cf.float32, cf.float64):
        x = cf.random.uniform([2000], minval=-1, maxval=1, dtype=dt, seed=1)
        assert x.dtype == dt
        v = np.asarray(x.numpy(), np.float64)
        assert v.min() >= -1 and v.max() < 1
    x = cf.random.uniform([2000], minval=cf.constant(2.0), maxval=cf.constant(4.0))
    assert 2 <= float(cf.reduce_min(x)) and float(cf.reduce_max(x)) < 4


def test_truncated_normal_bounds():
    x = _np(cf.random.truncated_normal([20000], mean=5.0, stddev=2.0, seed=2))
    assert x.min() >= 1.0 and x.max() <= 9.0
    assert abs(x.mean() - 5.0) < 0.05


def test_mean_and_stddev_get_gradients():
    m, s = cf.constant(1.0), cf.constant(2.0)
    with cf.GradientTape() as tape:
        tape.watch([m, s])
        y = cf.reduce_sum(cf.random.normal([10], mean=m, stddev=s, seed=1))
    gm, gs = tape.gradient(y, [m, s])
    assert float(gm) == 10.0 and gs is not None


def test_categorical_shapes_and_never_impossible_classes():
    s = cf.random.categorical([[0.0, -np.inf, 0.0]] * 4, 500, seed=3)
    assert s.shape == (4, 500) and s.dtype == cf.int64
    assert 1 not in set(_np(s).ravel().tolist())
    assert cf.random.categorical([[0.0, 1.0]], 3, dtype=cf.int32).dtype == cf.int32


def test_shuffle_keeps_rows():
    x = np.arange(20).reshape(10, 2)
    y = _np(cf.random.shuffle(x, seed=1))
    assert sorted(map(tuple, y)) == sorted(map(tuple, x))


def test_gamma_poisson_shapes():
    assert cf.random.gamma([4], alpha=[[1.0], [2.0]], beta=[1.0, 2.0, 3.0]).shape == (4, 2, 3)
    p = cf.random.poisson([3, 2], lam=[1.0, 2.0, 3.0], dtype=cf.int64)
    assert p.shape == (3, 2, 3) and p.dtype == cf.int64


def test_dropout_scaling_rate_and_noise_shape():
    x = cf.ones([200, 50])
    y = _np(cf.nn.dropout(x, rate=0.3, seed=1))
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.02
    z = _np(cf.nn.dropout(x, 0.5, noise_shape=[200, 1], seed=2))
    assert all(len(set(row.tolist())) == 1 for row in z)
    assert cf.nn.dropout(x, 0.0) is x or np.array_equal(_np(cf.nn.dropout(x, 0.0)), _np(x))
    with pytest.raises(ValueError, match="range"):
        cf.nn.dropout(x, 1.0)
    with pytest.raises(ValueError, match="floating point"):
        cf.nn.dropout(cf.ones([2], cf.int32), 0.5)
    with pytest.raises(ValueError, match="noise_shape"):
        cf.nn.dropout(x, 0.5, noise_shape=[3, 1])


def test_dropout_gradient_matches_mask():
    x = cf.constant(np.ones((4, 5), np.float32))
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = cf.nn.dropout(x, 0.5, seed=4)
    g = _np(tape.gradient(y, x))
    np.testing.assert_array_equal(g, _np(y))


def test_bad_stateless_seed():
    with pytest.raises(InvalidArgumentError, match="seed"):
        cf.random.stateless_normal([2], seed=[1, 2, 3])
