"""N-d FFTs against NumPy (values, dtypes, gradients) and the MDCT against its formula."""
import numpy as np
import pytest

import cuflow as cf

rng = np.random.default_rng(5)
X = (rng.normal(size=(2, 3, 4)) + 1j * rng.normal(size=(2, 3, 4))).astype(np.complex64)
XR = rng.normal(size=(2, 3, 4))


@pytest.mark.parametrize("name,kw,ref", [
    ("fftnd", {}, lambda: np.fft.fftn(X)),
    ("fftnd", {"fft_length": [3, 2], "axes": [0, 2]}, lambda: np.fft.fftn(X, [3, 2], [0, 2])),
    ("ifftnd", {"norm": "ortho", "axes": [1, 2]}, lambda: np.fft.ifftn(X, axes=[1, 2],
                                                                      norm="ortho")),
    ("fftnd", {"axes": [-1], "norm": "forward"}, lambda: np.fft.fftn(X, axes=[2],
                                                                    norm="forward")),
])
def test_complex_nd(name, kw, ref):
    got = getattr(cf.signal, name)(X, **kw)
    assert got.dtype == cf.complex64
    np.testing.assert_allclose(got.numpy(), ref(), rtol=1e-5, atol=1e-5)


def test_real_nd_roundtrip_and_top_level():
    spec = cf.signal.rfftnd(XR, fft_length=[4, 6], axes=[0, 2])
    assert spec.dtype == cf.complex128
    np.testing.assert_allclose(spec.numpy(), np.fft.rfftn(XR, [4, 6], [0, 2]), rtol=1e-10)
    back = cf.signal.irfftnd(cf.signal.rfftnd(XR))
    np.testing.assert_allclose(back.numpy(), XR, rtol=1e-10, atol=1e-12)
    raw = cf.rfftnd(XR.astype(np.float32), [3, 4], [1, 2])
    np.testing.assert_allclose(raw.numpy(), np.fft.rfftn(XR, axes=[1, 2]), rtol=1e-5,
                               atol=1e-5)
    with pytest.raises(ValueError, match="RFFT requires"):
        cf.signal.rfftnd(X)


def test_nd_fft_gradient_matches_finite_differences():
    x0 = XR.copy()

    def f(v):
        return cf.reduce_sum(cf.abs(cf.signal.rfftnd(v, fft_length=[3, 5], axes=[0, 2])) ** 2)
    v = cf.Variable(x0)
    with cf.GradientTape() as tape:
        loss = f(v)
    g = tape.gradient(loss, v).numpy()
    num = np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        d = np.zeros_like(x0)
        d[idx] = 1e-6
        num[idx] = (float(f(cf.constant(x0 + d))) - float(f(cf.constant(x0 - d)))) / 2e-6
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-6)


def test_mdct_formula_and_perfect_reconstruction():
    sig = rng.normal(size=(64,))
    n = 16
    got = cf.signal.mdct(sig, n).numpy()
    w = cf.signal.vorbis_window(n, dtype=cf.float64).numpy()
    half = n // 2
    k, m = np.arange(half)[:, None], np.arange(n)[None, :]
    basis = np.cos(np.pi / half * (m + 0.5 + half / 2) * (k + 0.5))
    frames = np.stack([sig[i:i + n] for i in range(0, len(sig) - n + 1, half)])
    np.testing.assert_allclose(got, 2 * (frames * w) @ basis.T, rtol=1e-9, atol=1e-9)
    for norm in (None, "ortho"):
        back = cf.signal.inverse_mdct(cf.signal.mdct(sig, n, norm=norm), norm=norm).numpy()
        np.testing.assert_allclose(back[half:-half], sig[half:len(back) - half], atol=1e-9)
    with pytest.raises(ValueError, match="multiple of 4"):
        cf.signal.mdct(sig, 10)
