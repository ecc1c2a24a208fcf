"""cf.io.gfile on local paths, checked against what tf.io.gfile does (TF 2.21)."""
from __future__ import annotations

import os

import cuflow as cf
import pytest
from cuflow.errors import AlreadyExistsError, NotFoundError

g = cf.io.gfile


def test_gfile_read_write(tmp_path):
    p = str(tmp_path / "a.txt")
    with g.GFile(p, "w") as f:
        f.write("hello\nworld\n")
    with g.GFile(p) as f:
        assert f.read() == "hello\nworld\n" and f.size() == 12 and f.tell() == 12
    with g.GFile(p, "rb") as f:
        assert f.readline() == b"hello\n" and list(f) == [b"world\n"] and f.name == p
    assert list(g.GFile(p)) == ["hello\n", "world\n"]
    with g.GFile(p, "a") as f:
        f.write(b"!")
    with g.GFile(p, "rb") as f:
        f.seek(5)
        assert f.read(2) == b"\nw" and f.readlines() == [b"orld\n", b"!"]
    assert cf.io.read_file(p).numpy() == b"hello\nworld\n!"
    with pytest.raises(NotFoundError, match="No such file"):
        g.GFile(str(tmp_path / "nope")).read()


def test_gfile_filesystem(tmp_path):
    d = str(tmp_path)
    p = os.path.join(d, "a.txt")
    with g.GFile(p, "wb") as f:
        f.write(b"12345")
    assert g.exists(p) and g.isdir(d) and not g.isdir(p) and g.listdir(d) == ["a.txt"]
    assert g.glob(os.path.join(d, "*.txt")) == [p]
    st = g.stat(p)
    assert st.length == 5 and not st.is_directory and isinstance(st.mtime_nsec, int)
    g.makedirs(os.path.join(d, "x", "y"))
    g.mkdir(os.path.join(d, "x"))  # exists already: no error, as TF
    assert sorted(g.listdir(d)) == ["a.txt", "x"]
    assert [(os.path.relpath(r, d), sorted(ds), fs) for r, ds, fs in g.walk(d)] == [
        (".", ["x"], ["a.txt"]), ("x", ["y"], []), (os.path.join("x", "y"), [], [])]
    g.copy(p, os.path.join(d, "b.txt"))
    with pytest.raises(AlreadyExistsError, match="file already exists"):
        g.copy(p, os.path.join(d, "b.txt"))
    g.rename(os.path.join(d, "b.txt"), os.path.join(d, "c.txt"), overwrite=True)
    g.remove(os.path.join(d, "c.txt"))
    with pytest.raises(NotFoundError, match="No such file or directory"):
        g.remove(os.path.join(d, "c.txt"))
    with pytest.raises(NotFoundError, match="Could not find directory"):
        g.listdir(os.path.join(d, "nope"))
    with pytest.raises(NotFoundError):
        g.stat(os.path.join(d, "nope"))
    g.rmtree(os.path.join(d, "x"))
    assert g.listdir(d) == ["a.txt"] and g.join("a", "b") == os.path.join("a", "b")
