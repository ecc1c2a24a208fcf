"""Keras-cache loaders (mnist.npz, fashion-mnist, cifar10, imdb, boston_housing) on small
files in Keras's formats, against Keras 3.15's loaders run on the same files."""
import gzip
import json
import os
import pickle

import numpy as np
import pytest

import cuflow as cf

D = cf.keras.datasets


def _idx(arr):
    return bytes([0, 0, 8, arr.ndim]) + b"".join(int(s).to_bytes(4, "big")
                                                 for s in arr.shape) + arr.astype("uint8").tobytes()


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    """Files laid out as Keras caches them (hash checks off: they are not the real files)."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    for module in (D.imdb, D.boston_housing, D.cifar10, D.mnist):
        monkeypatch.setattr(module, "SHA256", None)
    monkeypatch.setattr(D.imdb, "WORD_INDEX_MD5", None)
    d = tmp_path / "datasets"
    os.makedirs(d / "fashion-mnist")
    rng = np.random.RandomState(0)
    seqs = []
    for n in (7, 5):
        arr = np.empty(n, dtype=object)
        for i in range(n):
            arr[i] = list(map(int, rng.randint(1, 40, rng.randint(3, 12))))
        seqs.append(arr)
    np.savez(d / "imdb.npz", x_train=seqs[0], y_train=rng.randint(0, 2, 7), x_test=seqs[1],
             y_test=rng.randint(0, 2, 5))
    (d / "imdb_word_index.json").write_text(json.dumps({"the": 1, "movie": 2}))
    np.savez(d / "boston_housing.npz", x=rng.rand(11, 13), y=rng.rand(11))
    np.savez(d / "mnist.npz", x_train=rng.randint(0, 255, (4, 28, 28)).astype("uint8"),
             y_train=np.arange(4, dtype="uint8"),
             x_test=rng.randint(0, 255, (2, 28, 28)).astype("uint8"),
             y_test=np.arange(2, dtype="uint8"))
    for split, n in (("train", 6), ("t10k", 3)):
        with gzip.open(d / "fashion-mnist" / f"{split}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(_idx(rng.randint(0, 10, n)))
        with gzip.open(d / "fashion-mnist" / f"{split}-images-idx3-ubyte.gz", "wb") as f:
            f.write(_idx(rng.randint(0, 255, (n, 28, 28))))
    return tmp_path


def _ints(x):
    return [list(map(int, s)) for s in x]


def test_imdb_matches_keras(keras_home):
    (xt, yt), (xs, ys) = D.imdb.load_data()
    assert xt.dtype == object and _ints(xt) == [
        [1, 28, 28, 16, 5, 2, 27, 28, 21, 41], [1, 18, 36, 5, 13, 36, 35],
        [1, 4, 7, 7, 13, 23, 25, 40, 27], [1, 39, 2, 15, 22],
        [1, 13, 24, 20, 9, 19, 4, 22, 39, 28, 33, 23], [1, 27, 39, 15, 32, 38, 4, 4],
        [1, 9, 2, 21, 19, 8, 35, 5]]
    assert yt[:5].tolist() == [0, 0, 0, 1, 1] and int(yt.sum()) == 4
    assert _ints(xs)[0] == [1, 18, 19, 24, 39, 27, 19, 17] and ys[:5].tolist() == [0, 0, 1, 0, 1]
    (xt, yt), (xs, ys) = D.imdb.load_data(num_words=20, skip_top=5, maxlen=10, seed=3)
    assert _ints(xt) == [[2, 2, 2, 15, 2, 2, 2, 2], [2, 2, 2, 15, 2], [2, 9, 2, 2, 19, 8, 2, 5],
                         [2, 18, 2, 5, 13, 2, 2], [2, 2, 7, 7, 13, 2, 2, 2, 2]]
    assert yt.tolist() == [1, 1, 1, 0, 0]
    (xt, _), (xs, _) = D.imdb.load_data(start_char=None, oov_char=None, index_from=0,
                                         num_words=25)
    assert _ints(xt)[:2] == [[13, 2, 24, 18], [15, 2, 10]] and _ints(xs)[2] == [4]
    assert D.imdb.get_word_index() == {"the": 1, "movie": 2}


def test_boston_mnist_fashion_match_keras(keras_home):
    (xt, yt), (xs, ys) = D.boston_housing.load_data()
    assert xt.shape == (8, 13) and xs.shape == (3, 13)
    np.testing.assert_allclose([xt.sum(), yt.sum(), xs.sum(), ys.sum()],
                               [51.133627, 4.589623, 19.659135, 1.957189], atol=1e-6)
    np.testing.assert_allclose(yt[:3], [0.1856359443059522, 0.7980468339125637,
                                        0.9473705904889242])
    (xt, yt), (xs, ys) = D.boston_housing.load_data(test_split=0.3, seed=7)
    assert xt.shape == (7, 13) and ys.tolist()[:2] == [0.7980468339125637, 0.6874882763878153]
    with pytest.raises(ValueError, match="test_split"):
        D.boston_housing.load_data(test_split=1.0)
    (xt, yt), (xs, ys) = D.mnist.load_data()
    assert xt.shape == (4, 28, 28) and xt.dtype == np.uint8 and int(xt.sum()) == 393672
    (xt, yt), (xs, ys) = D.fashion_mnist.load_data()
    assert (xt.shape, xs.shape) == ((6, 28, 28), (3, 28, 28))
    assert (int(xt.sum()), yt.tolist(), int(xs.sum()), ys.tolist()) == \
        (603759, [8, 7, 7, 8, 1, 9], 300376, [0, 4, 4])


def test_cifar10_layout(keras_home):
    rng = np.random.RandomState(1)
    base = keras_home / "datasets" / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    os.makedirs(base)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batches[name] = {b"data": rng.randint(0, 255, (3, 3072)).astype("uint8"),
                         b"labels": list(map(int, rng.randint(0, 10, 3)))}
        with open(base / name, "wb") as f:
            pickle.dump(batches[name], f)
    (xt, yt), (xs, ys) = D.cifar10.load_data()
    assert xt.shape == (15, 32, 32, 3) and yt.shape == (15, 1) and xs.shape == (3, 32, 32, 3)
    np.testing.assert_array_equal(xt[3], batches["data_batch_2"][b"data"][0].reshape(3, 32, 32)
                                  .transpose(1, 2, 0))
    assert ys.ravel().tolist() == batches["test_batch"][b"labels"] and ys.dtype == np.uint8


def test_missing_files_and_malicious_pickles_raise(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    for loader in (D.imdb.load_data, D.boston_housing.load_data, D.fashion_mnist.load_data,
                   D.cifar10.load_data, D.mnist.load_data):
        with pytest.raises(FileNotFoundError, match="downloads are off"):
            loader()
    bad = tmp_path / "evil.pkl"
    with open(bad, "wb") as f:
        pickle.dump({b"data": os.system}, f)
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        D.cifar10.load_batch(str(bad))
