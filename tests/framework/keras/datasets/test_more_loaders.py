"""cifar100 / reuters / california_housing loaders on small files in Keras's cache layout,
against Keras 3.15's loaders run on the same files (numbers recorded from Keras)."""
import os
import pickle

import numpy as np
import pytest

import cuflow as cf

D = cf.keras.datasets


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    for module in (D.reuters, D.california_housing, D.cifar100):
        monkeypatch.setattr(module, "SHA256", None)  # not the real files
    monkeypatch.setattr(D.reuters, "WORD_INDEX_MD5", None)
    d = tmp_path / "datasets"
    os.makedirs(d)
    rng = np.random.RandomState(5)
    x = np.empty(9, dtype=object)
    for i in range(9):
        x[i] = list(map(int, rng.randint(1, 30, rng.randint(2, 9))))
    np.savez(d / "reuters.npz", x=x, y=rng.randint(0, 46, 9))
    (d / "reuters_word_index.json").write_text('{"said": 1, "mln": 2}')
    np.savez(d / "california_housing.npz", x=rng.rand(700, 8), y=rng.rand(700) * 1e5)
    base = d / "cifar-100-python-target" / "cifar-100-python"
    os.makedirs(base)
    for name, n in (("train", 4), ("test", 2)):
        with open(base / name, "wb") as f:
            pickle.dump({b"data": rng.randint(0, 255, (n, 3072)).astype("uint8"),
                         b"fine_labels": list(map(int, rng.randint(0, 100, n))),
                         b"coarse_labels": list(map(int, rng.randint(0, 20, n)))}, f)
    return tmp_path


def _ints(x):
    return [list(map(int, s)) for s in x]


def test_reuters_matches_keras(keras_home):
    (xt, yt), (xs, ys) = D.reuters.load_data()
    assert xt.dtype == object and yt.dtype == np.int64
    assert _ints(xt) == [[1, 18, 19, 10, 26, 20], [1, 12, 8, 11], [1, 2, 16],
                         [1, 13, 23, 2, 6, 8, 10], [1, 8, 18], [1, 5, 22, 11, 20, 18, 9, 30, 4],
                         [1, 2, 20, 20, 11, 16, 19, 21, 25]]
    assert yt.tolist() == [41, 19, 18, 30, 45, 44, 19]
    assert _ints(xs) == [[1, 15, 5, 19, 24, 26, 22, 29], [1, 14, 13, 13]] and ys.tolist() == [7, 36]
    (xt, yt), (xs, ys) = D.reuters.load_data(num_words=15, skip_top=4, maxlen=8, seed=2,
                                             test_split=0.3)
    assert _ints(xt) == [[2, 12, 8, 11], [2, 2, 2], [2, 2, 2, 10, 2, 2], [2, 14, 13, 13]]
    assert yt.tolist() == [19, 18, 41, 36]
    assert _ints(xs) == [[2, 8, 2], [2, 13, 2, 2, 6, 8, 10]] and ys.tolist() == [45, 30]
    (xt, _), (xs, _) = D.reuters.load_data(start_char=None, oov_char=None, index_from=2,
                                           num_words=20)
    assert _ints(xt) == [[17, 18, 9, 19], [11, 7, 10], [15], [12, 5, 7, 9], [7, 17],
                         [4, 10, 19, 17, 8, 3], [19, 19, 10, 15, 18]]
    assert _ints(xs) == [[14, 4, 18], [13, 12, 12]]
    assert D.reuters.get_word_index() == {"said": 1, "mln": 2}
    names = D.reuters.get_label_names()
    assert len(names) == 46 and names[:3] == ("cocoa", "grain", "veg-oil") and names[-1] == "lead"


def test_california_housing_matches_keras(keras_home):
    (xt, yt), (xs, ys) = D.california_housing.load_data()
    assert (xt.shape, xs.shape, xt.dtype) == ((560, 8), (140, 8), np.float64)
    np.testing.assert_allclose([xt.sum(), yt.sum(), xs.sum(), ys[:2].sum()],
                               [2247.9758516932716, 26236223.16156535, 574.5876653335324,
                                130636.69555919406], rtol=1e-12)
    (xt, yt), (xs, ys) = D.california_housing.load_data(version="small", test_split=0.1, seed=1)
    assert (xt.shape, xs.shape) == ((540, 8), (60, 8))
    np.testing.assert_allclose([xt.sum(), ys.sum()], [2168.60060316605, 3030485.987889136],
                               rtol=1e-12)
    with pytest.raises(ValueError, match=r"^Argument `version` must be one of 'small', "
                                         r"'large'. Received: version=m$"):
        D.california_housing.load_data(version="m")
    with pytest.raises(ValueError, match="Invalid `test_split` argument: 1. It must be"):
        D.california_housing.load_data(test_split=1)


def test_cifar100_matches_keras(keras_home):
    (xt, yt), (xs, ys) = D.cifar100.load_data()
    assert (xt.shape, xt.dtype, yt.shape, yt.dtype) == ((4, 32, 32, 3), np.uint8, (4, 1),
                                                        np.int64)
    assert yt.ravel().tolist() == [89, 41, 92, 54] and ys.ravel().tolist() == [53, 99]
    assert (int(xt.sum()), int(xt[1, 2, 3, 1]), int(xs.sum())) == (1554405, 157, 775216)
    (_, yt), (_, ys) = D.cifar100.load_data("coarse")
    assert yt.ravel().tolist() == [17, 0, 18, 6] and ys.ravel().tolist() == [10, 3]
    with pytest.raises(ValueError, match=r'must be one of `"fine"`, `"coarse"`. Received: '
                                         r"label_mode=x.$"):
        D.cifar100.load_data("x")


def test_missing_files_raise_offline(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    for loader in (D.reuters.load_data, D.reuters.get_word_index,
                   D.california_housing.load_data, D.cifar100.load_data):
        with pytest.raises(FileNotFoundError, match="downloads are off"):
            loader()
