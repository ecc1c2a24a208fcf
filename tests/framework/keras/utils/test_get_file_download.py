"""get_file downloads missing files (served by a local HTTP server: the http_server
fixture of tests/framework/keras/conftest.py): atomic placement, Keras's messages and
errors, hashes, archives, and a dataset loader fetching through it."""
import hashlib
import io
import os
import tarfile
from pathlib import Path

import cuflow as cf
import numpy as np
import pytest

U = cf.keras.utils


def test_downloads_once_into_the_cache(http_server, capsys):
    base, root, requests = http_server
    (root / "data.csv").write_text("a,b\n1,2\n")
    path = U.get_file(origin=base + "data.csv")
    assert path == os.path.join(os.environ["KERAS_HOME"], "datasets", "data.csv")
    assert Path(path).read_text() == "a,b\n1,2\n"
    assert f"Downloading data from {base}data.csv" in capsys.readouterr().out
    assert U.get_file(origin=base + "data.csv") == path and len(requests) == 1
    assert os.listdir(os.path.dirname(path)) == ["data.csv"]   # no partial file left
    U.get_file(origin=base + "data.csv", force_download=True)
    assert len(requests) == 2


def test_http_errors_leave_nothing_behind(http_server):
    base, _, _ = http_server
    with pytest.raises(Exception, match=r"URL fetch failure on .*missing.bin: 404"):
        U.get_file(origin=base + "missing.bin")
    folder = os.path.join(os.environ["KERAS_HOME"], "datasets")
    assert not os.path.exists(folder) or os.listdir(folder) == []


def test_hashes_redownload_stale_files_and_reject_bad_downloads(http_server):
    base, root, requests = http_server
    (root / "w.bin").write_bytes(b"weights")
    good = hashlib.sha256(b"weights").hexdigest()
    folder = os.path.join(os.environ["KERAS_HOME"], "datasets")
    os.makedirs(folder)
    with open(os.path.join(folder, "w.bin"), "wb") as f:
        f.write(b"truncated")                       # an old, incomplete copy
    path = U.get_file("w.bin", base + "w.bin", file_hash=good)
    assert Path(path).read_bytes() == b"weights" and len(requests) == 1
    with pytest.raises(ValueError, match="hash does not match"):
        U.get_file("w2.bin", base + "w.bin", file_hash="0" * 64)


def test_archives_are_extracted_after_download(http_server):
    base, root, _ = http_server
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        data = b"hello"
        info = tarfile.TarInfo("pack/readme.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    (root / "pack.tar.gz").write_bytes(buf.getvalue())
    out = U.get_file("pack", base + "pack.tar.gz", untar=True)
    assert Path(out, "pack", "readme.txt").read_text() == "hello"


def test_a_dataset_loader_downloads_its_file(http_server, monkeypatch):
    base, root, _ = http_server
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    y = np.array([3, 4], np.uint8)
    np.savez(root / "mnist.npz", x_train=x, y_train=y, x_test=x[:1], y_test=y[:1])
    from cuflow.keras.datasets import _cache, mnist
    monkeypatch.setattr(_cache, "ORIGIN", base)
    monkeypatch.setattr(mnist, "SHA256",
                        hashlib.sha256((root / "mnist.npz").read_bytes()).hexdigest())
    (xt, yt), (xs, ys) = cf.keras.datasets.mnist.load_data()
    np.testing.assert_array_equal(xt, x)
    assert yt.tolist() == [3, 4] and xs.shape == (1, 28, 28) and ys.tolist() == [3]
