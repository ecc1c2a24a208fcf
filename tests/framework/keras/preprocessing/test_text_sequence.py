"""tf.keras.preprocessing.text and .sequence (Keras 2's legacy helpers).

Values marked "TF 2.21" came from /work/tfenv (TensorFlow 2.21, Keras 3.15)."""
import random

import numpy as np
import pytest

import cuflow as cf

T = cf.keras.preprocessing.text
Q = cf.keras.preprocessing.sequence
TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "Cats and dogs; cats & DOGS"]


def test_text_to_word_sequence_and_hashing():
    assert T.text_to_word_sequence(TEXTS[2]) == ["cats", "and", "dogs", "cats", "dogs"]
    assert T.text_to_word_sequence("A,B;c d", filters=",", lower=False, split=";") == ["A", "B",
                                                                                       "c d"]
    assert T.hashing_trick("a bb ccc", 7, hash_function=len) == [2, 3, 4]
    assert T.hashing_trick(TEXTS[0], 20, hash_function="md5") == T.hashing_trick(
        TEXTS[0].upper(), 20, hash_function="md5")
    assert all(1 <= i < 10 for i in T.one_hot(TEXTS[0], 10))


def test_tokenizer():
    tok = T.Tokenizer(num_words=4, oov_token="?")
    tok.fit_on_texts(TEXTS)
    assert list(tok.word_index.items())[:5] == [("?", 1), ("the", 2), ("cats", 3), ("dogs", 4),
                                                ("cat", 5)]
    assert tok.document_count == 3 and tok.word_docs["the"] == 2
    assert tok.texts_to_sequences(["the cat and the zebra"]) == [[2, 1, 1, 2, 1]]
    assert tok.sequences_to_texts([[1, 2, 3, 40]]) == ["? the cats ?"]  # TF 2.21
    m = tok.texts_to_matrix(TEXTS[:2], mode="count")
    assert m.tolist() == [[0.0, 4.0, 2.0, 0.0], [0.0, 4.0, 1.0, 0.0]]  # TF 2.21
    tfidf = tok.texts_to_matrix(TEXTS[:1], mode="tfidf")
    idf = np.log(1 + 3 / (1 + 2))
    assert tfidf[0, 2] == pytest.approx((1 + np.log(2)) * idf)
    with pytest.raises(ValueError, match="Unknown vectorization mode"):
        tok.sequences_to_matrix([[1]], mode="log")
    with pytest.raises(ValueError, match="Specify a dimension"):
        T.Tokenizer().sequences_to_matrix([[1]])
    with pytest.raises(TypeError, match="Unrecognized keyword"):
        T.Tokenizer(foo=1)
    char = T.Tokenizer(char_level=True)
    char.fit_on_texts(["abca"])
    assert char.word_index == {"a": 1, "b": 2, "c": 3}


def test_tokenizer_json_round_trip():
    tok = T.Tokenizer(num_words=6, oov_token="<u>")
    tok.fit_on_texts(TEXTS)
    tok2 = T.tokenizer_from_json(tok.to_json())
    assert tok2.texts_to_sequences(TEXTS) == tok.texts_to_sequences(TEXTS)
    assert tok2.index_word[1] == "<u>" and tok2.num_words == 6 and tok2.document_count == 3


def test_timeseries_generator():
    data, targ = np.arange(40).reshape(20, 2), np.arange(20) * 10
    g = Q.TimeseriesGenerator(data, targ, length=4, sampling_rate=2, batch_size=3)
    assert len(g) == 6 and isinstance(g, cf.keras.utils.PyDataset)
    x, y = g[0]
    assert x.tolist() == [[[0, 1], [4, 5]], [[2, 3], [6, 7]], [[4, 5], [8, 9]]]
    assert y.tolist() == [40, 50, 60]
    g = Q.TimeseriesGenerator(data, targ, length=2, stride=3, batch_size=2, start_index=2,
                              end_index=15)
    assert len(g) == 2 and g[1][1].tolist() == [100, 130]  # TF 2.21
    rev = Q.TimeseriesGenerator(data, targ, length=3, reverse=True)[0][0]
    assert rev[0].tolist() == [[4, 5], [2, 3], [0, 1]]
    with pytest.raises(ValueError, match="same length"):
        Q.TimeseriesGenerator(data, targ[:5], length=2)
    with pytest.raises(ValueError, match="disallowed"):
        Q.TimeseriesGenerator(data, targ, length=25)
    assert '"length": 3' in Q.TimeseriesGenerator(data, targ, length=3).to_json()


def test_sampling_table_and_skipgrams():
    np.testing.assert_allclose(Q.make_sampling_table(5, sampling_factor=0.01),  # TF 2.21
                               [0.09968283, 0.09968283, 0.17316546, 0.23450073, 0.288658], rtol=1e-6)
    couples, labels = Q.skipgrams([1, 2, 0, 3], 4, window_size=1, negative_samples=0,
                                  shuffle=False)
    assert couples == [[1, 2], [2, 1]] and labels == [1, 1]
    random.seed(0)
    couples, labels = Q.skipgrams([1, 2, 0, 3, 4, 2, 5], 6, window_size=2, seed=3)
    assert len(couples) == 28 and sorted(labels) == [0] * 14 + [1] * 14  # TF 2.21
    assert couples[:4] == [[4, 3], [5, 1], [4, 5], [1, 3]]  # TF 2.21 (same random draws)
    assert all(lb == 1 or 1 <= c[1] < 6 for c, lb in zip(couples, labels))
