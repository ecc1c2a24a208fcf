"""cpu/native.py builds csrc/*.c with the system compiler; cpu/optim.py's C loops are
bit-identical to reference/optim.py; without a compiler everything falls back."""
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from cuflow_kernels.cpu import _c_optim, native
from cuflow_kernels.cpu import optim as cpu_optim
from cuflow_kernels.reference import optim as ref

needs_cc = pytest.mark.skipif(native.compiler() is None, reason="no C compiler on the PATH")


def _arrays(dt, shape, seed=0):
    rng = np.random.default_rng(seed)
    p, g = (rng.standard_normal(shape).astype(dt) for _ in range(2))
    m = (0.1 * rng.standard_normal(shape)).astype(dt)
    v = np.abs(0.1 * rng.standard_normal(shape)).astype(dt)
    return p, g, m, v


@needs_cc
def test_library_builds_and_is_cached_on_disk(tmp_path):
    env = dict(os.environ, CUFLOW_CACHE_DIR=str(tmp_path))
    code = ("from cuflow_kernels.cpu import _c_optim, native; "
            "assert _c_optim.library() is not None, native.why")
    for _ in range(2):   # second run loads the cached library
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
    files = sorted(os.listdir(tmp_path / "native"))
    assert [f for f in files if f.startswith("optim-")] and all(f.endswith(".so") for f in files)
    # one library per source (the second run only loaded), plus the cuflow_pycall
    # extension when the Python headers are there
    assert sorted(f.split("-")[0] for f in files) == (
        ["optim", "pycall"] if native.pycall() is not None else ["optim"])


@needs_cc
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("wd", [0.0, 0.004])
@pytest.mark.parametrize("shape", [(784, 128), (10,), (0,), (3, 0, 2)])
def test_adam_bit_identical_to_reference(dt, wd, shape):
    p, g, m, v = _arrays(dt, shape)
    want = [a.copy() for a in (p, m, v)]
    got = [a.copy() for a in (p, m, v)]
    for step in (1, 2, 7):
        ref.adam_update(want[0], g, want[1], want[2], lr=1e-3, step=step, weight_decay=wd)
        cpu_optim.adam_update(got[0], g, got[1], got[2], lr=1e-3, step=step, weight_decay=wd)
    for a, b in zip(got, want):
        assert a.dtype == b.dtype and np.array_equal(a, b)


@needs_cc
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("kw", [dict(momentum=0.9, nesterov=True, weight_decay=0.01),
                                dict(momentum=0.5), dict(weight_decay=0.1)])
def test_sgd_bit_identical_to_reference(dt, kw):
    p, g, vel, _ = _arrays(dt, (37, 5))
    if not kw.get("momentum"):
        vel = None
    want_p, got_p = p.copy(), p.copy()
    want_v, got_v = (None, None) if vel is None else (vel.copy(), vel.copy())
    for _ in range(3):
        ref.sgd_momentum_update(want_p, g, want_v, lr=0.1, **kw)
        cpu_optim.sgd_momentum_update(got_p, g, got_v, lr=0.1, **kw)
    assert np.array_equal(got_p, want_p)
    if vel is not None:
        assert np.array_equal(got_v, want_v)


def test_parallel_path_matches_reference(monkeypatch):
    """Above PARALLEL_MIN the Numba loop runs (fastmath: close, not bit-identical)."""
    pytest.importorskip("numba")
    monkeypatch.setattr(cpu_optim, "PARALLEL_MIN", 16)
    p, g, m, v = _arrays("float32", (40, 3))
    want = [a.copy() for a in (p, m, v)]
    ref.adam_update(*want[:1], g, *want[1:], lr=1e-2, step=3)
    cpu_optim.adam_update(p, g, m, v, lr=1e-2, step=3)
    for a, b in zip((p, m, v), want):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("env", [{"CUFLOW_NATIVE": "0"}, {"CC": "false", "PATH": ""}])
def test_without_a_compiler_everything_falls_back(tmp_path, env):
    """No library: load() says why, optim keeps working (Numba) and equals the reference."""
    env = dict(os.environ, CUFLOW_CACHE_DIR=str(tmp_path), **env)
    if env.get("PATH") == "":
        env["PATH"] = os.path.dirname(shutil.which("false") or "/bin/false") + "_none"
    code = """
import numpy as np
from cuflow_kernels.cpu import _c_optim, native, optim
from cuflow_kernels.reference import optim as ref
assert _c_optim.library() is None and native.why["optim"], native.why
p = np.linspace(-1, 1, 12, dtype=np.float32); g = p[::-1].copy()
m = np.zeros_like(p); v = np.zeros_like(p)
a = [x.copy() for x in (p, m, v)]
optim.adam_update(p, g, m, v, lr=0.1, step=1)
ref.adam_update(a[0], g, a[1], a[2], lr=0.1, step=1)
np.testing.assert_allclose(p, a[0], rtol=1e-5, atol=1e-6)
print(native.why["optim"])
"""
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert ("CUFLOW_NATIVE=0" in r.stdout) if "CUFLOW_NATIVE" in env else \
        ("no C compiler" in r.stdout or "failed" in r.stdout)


@pytest.fixture
def scratch_csrc(tmp_path, monkeypatch):
    """An empty csrc folder for native.load, with its own cache (tmp_path/cache)."""
    src = tmp_path / "src"
    src.mkdir()
    monkeypatch.setattr(native, "_SRC", str(src))
    monkeypatch.setenv("CUFLOW_CACHE_DIR", str(tmp_path / "cache"))
    return src


@needs_cc
def test_a_failing_build_leaves_no_file(tmp_path, scratch_csrc):
    """A compile error is reported in ``why`` and writes nothing into the cache."""
    (scratch_csrc / "broken.c").write_text("this is not C\n")
    assert native.load("broken") is None
    assert "failed" in native.why["broken"]
    assert os.listdir(tmp_path / "cache" / "native") == []
    native._LIBS.pop("broken", None)


@needs_cc
def test_address_of_read_only_and_writable_arrays():
    a = np.arange(5, dtype=np.float32)
    b = a.copy()
    b.flags.writeable = False
    assert native.address(a) == a.ctypes.data and native.address(b) == b.ctypes.data
    assert _c_optim.library() is not None


# --- csrc/rows.c and csrc/exact.c ---------------------------------------------------------
@needs_cc
@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(128, 10), (3, 1), (2, 3, 700), (0, 5), (1, 300)])
def test_row_kernels_match_reference(dt, shape):
    from cuflow_kernels.cpu import _c_rows
    from cuflow_kernels.reference import crossentropy as ref_ce
    from cuflow_kernels.reference import softmax as ref_sm
    assert _c_rows.library() is not None, native.why
    rng = np.random.default_rng(1)
    x = (3 * rng.standard_normal(shape)).astype(dt)
    labels = rng.random(shape).astype(dt)
    # log-softmax near 0 cancels: absolute error ~ ulp of |x| (x up to ~12 here)
    tol = dict(rtol=2e-6, atol=5e-6) if dt == "float32" else dict(rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(_c_rows.softmax(x), ref_sm.softmax_rows(x), **tol)
    np.testing.assert_allclose(_c_rows.log_softmax(x), ref_sm.log_softmax_rows(x), **tol)
    if x.size:
        want = ref_ce.softmax_cross_entropy_with_logits(x, labels)[0]
        np.testing.assert_allclose(_c_rows.xent(labels, x), want, **tol)
    for largest, fn in ((True, np.argmax), (False, np.argmin)):
        got = _c_rows.arg(x, largest)
        assert got.dtype == np.int64 and np.array_equal(got, fn(x, axis=-1))


@needs_cc
def test_row_kernels_decline_non_finite_rows_and_keep_ties():
    from cuflow_kernels.cpu import _c_rows
    x = np.zeros((4, 6), np.float32)
    assert _c_rows.arg(x, True).tolist() == [0] * 4     # first index on ties
    for bad in (np.nan, np.inf, -np.inf):
        y = x.copy()
        y[2, 3] = bad
        assert _c_rows.softmax(y) is None and _c_rows.log_softmax(y) is None
        assert _c_rows.arg(y, True) is None and _c_rows.xent(x, y) is None
        assert _c_rows.xent(y, x) is None


@needs_cc
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_exact_kernels_are_bit_identical_to_numpy(dt):
    from cuflow_kernels.cpu import _c_rows
    rng = np.random.default_rng(2)
    for shape in ((128, 128), (7, 3, 5), (0, 4), (1, 9)):
        x = rng.standard_normal(shape).astype(dt)
        rows = shape[0]
        cols = int(np.prod(shape[1:]))
        got = _c_rows.sum_cols(x, rows, cols)
        assert np.array_equal(got, np.add.reduce(x.reshape(rows, cols), axis=0))
        g = rng.standard_normal(shape).astype(dt)
        g.flat[:1] = np.nan
        want = g * (x > 0)
        np.testing.assert_array_equal(_c_rows.relu_grad(g, x), want)
    s = np.float32(2.5)
    assert _c_rows.relu_grad(np.asarray(s), np.asarray(s)).shape == ()


def test_source_flags_line_is_read():
    assert native.source_flags(b"/* cuflow-cflags: -ffinite-math-only -fno-x\n */") == (
        "-ffinite-math-only", "-fno-x")
    assert native.source_flags(b"/* nothing */\n") == ()


@needs_cc
def test_included_headers_build_and_key_the_cache(tmp_path, scratch_csrc):
    """csrc/<name>.c may include csrc headers; editing one rebuilds (a new cache file)."""
    src = scratch_csrc
    (src / "k.c").write_text('#include "k.h"\nint value(void) { return VALUE; }\n')
    got = []
    for v in (3, 4):
        (src / "k.h").write_text(f"#define VALUE {v}\n")
        native._LIBS.pop("k", None)
        got.append(native.load("k").value())
    assert got == [3, 4] and len(os.listdir(tmp_path / "cache" / "native")) == 2
    native._LIBS.pop("k", None)


def test_c_kernels_leave_openmp_settings_alone():
    """Only the Numba kernels set OMP_WAIT_POLICY (it reaches every OpenMP library of the
    process: PyTorch's training loop ran at half speed beside cuflow with it)."""
    code = """
import os
from cuflow_kernels.cpu import optim, _c_rows
import numpy as np
p = np.ones(10, np.float32)
optim.adam_update(p, p.copy(), np.zeros_like(p), np.zeros_like(p), lr=0.1, step=1)
_c_rows.library()
assert "OMP_WAIT_POLICY" not in os.environ, os.environ["OMP_WAIT_POLICY"]
from cuflow_kernels.cpu import _threads
assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"
"""
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]


needs_pycall = pytest.mark.skipif(native.pycall() is None,
                                  reason=f"cuflow_pycall not built: {native.why.get('pycall')}")


@needs_pycall
def test_pycall_checks_its_arguments():
    lib = native.load("exact")
    relu_grad = native.bind(lib, "relu_grad_f32", "pppn")
    g = np.arange(-3, 3, dtype=np.float32)
    out = np.empty_like(g)
    assert relu_grad(g, g, out, g.size) == 0 and np.array_equal(out, g * (g > 0))
    with pytest.raises(TypeError, match="takes 4 arguments, got 3"):
        relu_grad(g, g, out)
    with pytest.raises(ValueError, match="not a C-contiguous"):
        relu_grad(g[::2], g[::2], out[:3], 3)
    with pytest.raises(TypeError, match="expected an int, got list"):
        relu_grad(g, g, out, [6])
    with pytest.raises(TypeError, match="expected an array, an address or None"):
        relu_grad("x", g, out, 6)
    with pytest.raises(ValueError, match="unknown code"):
        native.pycall().call(0x1000, "pz", g, g)


@needs_cc
def test_ctypes_fallback_gives_the_same_results(tmp_path):
    """CUFLOW_PYCALL=0: the same bindings through ctypes (arrays by address)."""
    code = (
        "import numpy as np\n"
        "from cuflow_kernels.cpu import _c_rows, _c_optim, native\n"
        "assert (native.pycall() is None) == OFF\n"
        "assert _c_rows.library() and _c_optim.library()\n"
        "x = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)\n"
        "p = x.copy(); m = np.zeros_like(x); v = np.zeros_like(x)\n"
        "_c_optim.adam(p, x, m, v, 1e-3, 0.1, 0.001, 1e-7, 0.0)\n"
        "print(repr(_c_rows.softmax(x).tobytes()), repr(p.tobytes()),\n"
        "      _c_rows.arg(x, False).tolist())\n")
    outs = []
    for flag in ("0", "1"):
        env = dict(os.environ, CUFLOW_PYCALL=flag)
        off = flag == "0" or native.pycall() is None
        outs.append(subprocess.run([sys.executable, "-c", f"OFF = {off}\n" + code], env=env,
                                   check=True,
                                   capture_output=True, text=True).stdout)
    assert outs[0] == outs[1] and outs[0].strip()


def test_rnn_bindings_match_the_c_prototypes():
    """_c_rnn's argument codes against csrc/rnn.c's parameter lists (a pointer passed as
    a size, or the reverse, would only fail at run time)."""
    import re

    from cuflow_kernels.cpu import _c_rnn
    with open(os.path.join(native._SRC, "rnn.c")) as f:
        src = f.read()
    for name, (sig, _) in _c_rnn.SIGNATURES.items():
        params = re.search(rf"(?:int|void) {name}\(([^)]*)\)", src).group(1).split(",")
        codes = "".join("p" if "*" in prm else "i" if prm.split()[0] == "int" else "n"
                        for prm in params)
        assert codes == sig, name
