"""cf.function with inputs of unknown rank (TensorSpec(shape=None)), as TF runs them."""
import numpy as np
import pytest

import cuflow as cf

SPEC = cf.TensorSpec(shape=None, dtype=cf.float32)
X = np.arange(6, dtype=np.float32).reshape(2, 3) - 2
V = np.array([1.0, -2.0], np.float32)


def _grad(x):
    with cf.GradientTape() as tape:
        tape.watch(x)
        y = cf.reduce_sum(x * x)
    return tape.gradient(y, x)


CASES = {
    "scale": (lambda x: x * 2.0, lambda a: a * 2),
    "mean_last": (lambda x: cf.reduce_mean(x, axis=-1), lambda a: a.mean(-1)),
    "reshape": (lambda x: cf.reshape(x, [-1]), lambda a: a.reshape(-1)),
    "softmax": (cf.nn.softmax, lambda a: np.exp(a) / np.exp(a).sum(-1, keepdims=True)),
    "transpose": (cf.transpose, lambda a: a.T),
    "slice": (lambda x: x[0], lambda a: a[0]),
    "ones": (lambda x: cf.ones(cf.shape(x)), np.ones_like),
    "grad": (_grad, lambda a: 2 * a),
    "cond": (lambda x: cf.cond(cf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x),
             lambda a: a * 2 if a.sum() > 0 else a),
    "rank": (cf.rank, np.ndim),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_unknown_rank_signature_runs_every_rank(name):
    fn, ref = CASES[name]
    f = cf.function(fn, input_signature=[SPEC])
    for a in (X, V, X, np.float32(3.0) if name in ("scale", "ones", "grad", "rank") else V):
        np.testing.assert_allclose(np.asarray(f(cf.constant(a))), ref(a), rtol=1e-6)


def test_graph_of_unknown_rank_keeps_what_is_known():
    f = cf.function(lambda x: (cf.reduce_sum(x * 2.0), cf.shape(x), cf.rank(x), x + 1.0),
                    input_signature=[SPEC])
    outs = f.get_concrete_function().structured_outputs
    assert [o.shape.rank for o in outs] == [0, 1, 0, None]
    total, shape, rank, plus = f(cf.constant(X))
    assert float(total) == float((X * 2).sum()) and shape.numpy().tolist() == [2, 3]
    assert int(rank) == 2 and plus.shape == (2, 3)


def test_broadcast_against_a_vector_is_of_unknown_rank():
    f = cf.function(lambda x: x + cf.constant([1.0, 2.0, 3.0]), input_signature=[SPEC])
    assert f.get_concrete_function().structured_outputs.shape.rank is None
    np.testing.assert_allclose(f(cf.constant(X)).numpy(), X + [1, 2, 3])
    with pytest.raises(cf.errors.InvalidArgumentError):
        f(cf.constant(V))


def test_keras_input_needs_a_shape():
    with pytest.raises(ValueError, match=r"^You must pass a `shape` argument\.$"):
        cf.keras.Input(shape=None)
