"""Transposed convolutions, depthwise backprops and erosion: adjoint identities and
agreement with the tape's gradients of the forward ops."""
import numpy as np
import pytest

import cuflow as cf

rng = np.random.default_rng(0)


def r(*s):
    return rng.normal(size=s)


@pytest.mark.parametrize("nd,stride,padding,dil", [
    (1, 2, "SAME", 1), (2, 2, "SAME", 1), (2, 1, "VALID", 2), (3, 2, "SAME", 1),
    (3, 1, "VALID", 1)])
def test_conv_transpose_is_the_adjoint_of_convolution(nd, stride, padding, dil):
    x = r(2, *[7] * nd, 3)
    w = r(*[3] * nd, 3, 4)
    y = cf.nn.convolution(x, w, stride, padding, dilations=dil)
    dy = r(*y.shape)
    xt = cf.nn.conv_transpose(dy, w, list(x.shape), stride, padding, dilations=dil)
    np.testing.assert_allclose(np.sum(y.numpy() * dy), np.sum(x * xt.numpy()), rtol=1e-10)
    if nd == 3:
        same = cf.nn.conv3d_transpose(dy, w, list(x.shape), stride, padding, dilations=dil)
        np.testing.assert_array_equal(same.numpy(), xt.numpy())


def test_conv_transpose_channels_first_and_bad_shape():
    x, w = r(1, 4, 5, 3), r(3, 3, 2, 3)
    want = cf.nn.conv_transpose(x, w, [1, 8, 10, 2], 2)
    got = cf.nn.conv_transpose(np.transpose(x, [0, 3, 1, 2]), w, [1, 2, 8, 10], 2,
                               data_format="NCHW")
    np.testing.assert_allclose(np.transpose(got.numpy(), [0, 2, 3, 1]), want.numpy())
    with pytest.raises(cf.errors.InvalidArgumentError, match="does not match output_shape"):
        cf.nn.conv3d_transpose(r(1, 2, 2, 2, 3), r(2, 2, 2, 4, 3), [1, 5, 5, 5, 4], 2)
    with pytest.raises(ValueError, match="length 3, 4 or 5"):
        cf.nn.conv_transpose(x, w, [1, 8], 2)


def test_atrous_conv2d_transpose_is_the_adjoint_of_atrous_conv2d():
    x, w = r(1, 9, 8, 2), r(3, 3, 2, 4)
    for padding in ("SAME", "VALID"):
        y = cf.nn.atrous_conv2d(x, w, 2, padding)
        dy = r(*y.shape)
        xt = cf.nn.atrous_conv2d_transpose(dy, w, list(x.shape), 2, padding)
        np.testing.assert_allclose(np.sum(y.numpy() * dy), np.sum(x * xt.numpy()),
                                   rtol=1e-10)
    with pytest.raises(ValueError, match="less than one"):
        cf.nn.atrous_conv2d_transpose(dy, w, list(x.shape), 0, "SAME")


@pytest.mark.parametrize("strides,padding,dil", [([1, 2, 2, 1], "SAME", None),
                                                 ([1, 1, 1, 1], "VALID", [2, 1])])
def test_depthwise_backprops_match_tape(strides, padding, dil):
    x, w = cf.constant(r(2, 7, 6, 3)), cf.constant(r(3, 2, 3, 2))
    with cf.GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        y = cf.nn.depthwise_conv2d(x, w, strides, padding, dilations=dil)
        loss = cf.reduce_sum(y * y)
    dy = 2 * y
    dx = cf.nn.depthwise_conv2d_backprop_input([2, 7, 6, 3], w, dy, strides, padding,
                                               dilations=dil)
    dw = cf.nn.depthwise_conv2d_backprop_filter(x, [3, 2, 3, 2], dy, strides, padding,
                                                dilations=dil)
    np.testing.assert_allclose(dx.numpy(), tape.gradient(loss, x).numpy(), rtol=1e-10)
    np.testing.assert_allclose(dw.numpy(), tape.gradient(loss, w).numpy(), rtol=1e-10)


def test_erosion2d_is_min_of_value_minus_reflected_filter():
    x, w = r(1, 5, 5, 2), r(2, 3, 2)
    got = cf.nn.erosion2d(x, w, [1, 1, 1, 1], "VALID", "NHWC", [1, 1, 1, 1]).numpy()
    want = np.full((1, 4, 3, 2), np.inf)
    for a in range(2):
        for b in range(3):
            want = np.minimum(want, x[:, a:a + 4, b:b + 3] - w[1 - a, 2 - b])  # reflected
    np.testing.assert_allclose(got, want)
    with pytest.raises(ValueError, match="NHWC"):
        cf.nn.erosion2d(x, w, [1, 1, 1, 1], "VALID", "NCHW", [1, 1, 1, 1])


@pytest.mark.parametrize("padding", ["SAME", "VALID"])
def test_extract_volume_patches_against_direct_windows(padding):
    x = r(2, 5, 6, 7, 2)
    k, s = [1, 3, 2, 3, 1], [1, 2, 3, 2, 1]
    got = cf.extract_volume_patches(x, k, s, padding).numpy()
    pads = []
    for n, kk, ss in zip(x.shape[1:4], k[1:4], s[1:4]):
        out = -(-n // ss) if padding == "SAME" else (n - kk) // ss + 1
        tot = max((out - 1) * ss + kk - n, 0) if padding == "SAME" else 0
        pads.append((out, tot // 2))
    xp = np.pad(x, [(0, 0)] + [(p, p + 3) for _, p in pads] + [(0, 0)])
    assert got.shape == (2, *[o for o, _ in pads], 3 * 2 * 3 * 2)
    for i in range(pads[0][0]):
        for j in range(pads[1][0]):
            for m in range(pads[2][0]):
                win = xp[:, i * 2:i * 2 + 3, j * 3:j * 3 + 2, m * 2:m * 2 + 3]
                np.testing.assert_array_equal(got[:, i, j, m], win.reshape(2, -1))
