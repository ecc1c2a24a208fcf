"""CTC beam search (vs exhaustive CTC path sums and TF's numbers), collapse_repeated,
ctc_unique_labels."""
import itertools

import numpy as np
import pytest

import cuflow as cf


def _exact_label_probs(logp):
    """log P(labels) by summing every alignment (blank = last class)."""
    t, c = logp.shape
    probs = {}
    for path in itertools.product(range(c), repeat=t):
        merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
        labels = tuple(k for k in merged if k != c - 1)
        probs[labels] = np.logaddexp(probs.get(labels, -np.inf),
                                     logp[np.arange(t), list(path)].sum())
    return sorted(probs.items(), key=lambda kv: -kv[1])


def test_wide_beam_is_exact():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(5, 2, 3)) * 2
    decoded, logp = cf.nn.ctc_beam_search_decoder(x, [5, 4], beam_width=200, top_paths=3)
    for b, length in enumerate([5, 4]):
        lp = x[:length, b] - np.log(np.exp(x[:length, b]).sum(-1, keepdims=True))
        want = _exact_label_probs(lp)[:3]
        for i, (labels, p) in enumerate(want):
            d = cf.sparse.to_dense(decoded[i]).numpy()[b]
            got = d[:len(labels)].tolist()
            assert got == list(labels) and not d[len(labels):].any()
            assert logp.numpy()[b, i] == pytest.approx(p, abs=1e-9)


def test_matches_tf_values():
    x = np.log(np.array([[[0.1, 0.2, 0.7]], [[0.6, 0.3, 0.1]], [[0.6, 0.3, 0.1]],
                         [[0.2, 0.2, 0.6]], [[0.5, 0.1, 0.4]]], np.float32))
    decoded, logp = cf.nn.ctc_beam_search_decoder(x, [5], 5, 3)
    assert [d.values.numpy().tolist() for d in decoded] == [[1, 0], [0], [0, 1]]
    np.testing.assert_allclose(logp.numpy(), [[-1.7188064, -1.8947227, -2.1119647]],
                               rtol=1e-6)
    assert logp.dtype == cf.float32
    with pytest.raises(cf.errors.InvalidArgumentError):
        cf.nn.ctc_beam_search_decoder(x, [5], 2, 3)


def test_collapse_repeated_and_unique_labels():
    y, n = cf.nn.collapse_repeated([[1, 1, 2, 2, 1], [1, 2, 3, 4, 5], [7, 7, 7, 7, 7]],
                                   [5, 4, 2])
    assert y.numpy().tolist() == [[1, 2, 1, 0], [1, 2, 3, 4], [7, 0, 0, 0]]
    assert n.numpy().tolist() == [3, 4, 1] and n.dtype == cf.int32
    u, i = cf.nn.ctc_unique_labels([[3, 4, 4, 3], [1, 1, 1, 0], [5, 6, 7, 8]])
    assert u.numpy().tolist() == [[3, 4, 0, 0], [1, 0, 0, 0], [5, 6, 7, 8]]
    assert i.numpy().tolist() == [[0, 1, 1, 0], [0, 0, 0, 1], [0, 1, 2, 3]]
    assert (u.dtype, i.dtype) == (cf.int64, cf.int32)
