"""The NumPy references against independent float64 computations and known answers."""
import math

import numpy as np
import pytest
import scipy.special as sp

from cuflow_kernels.reference import (crossentropy, dropout, elementwise, embedding, im2col,
                                      layernorm, optim, pooling, quant, reductions, softmax)

from .cases import TOLERANCE, dtype_of

RNG = np.random.default_rng(1)
DTYPES = ["float32", "float64", "float16"]


def _x(shape, dt, scale=3.0):
    return (RNG.standard_normal(shape) * scale).astype(dtype_of(dt))


def _close(got, want, dt):
    tol = TOLERANCE[dt]
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("shape", [(0, 3), (1, 1), (3, 33), (2, 4, 50)])
def test_softmax_family_vs_scipy(dt, shape):
    x = _x(shape, dt)
    x64 = x.astype(np.float64)
    _close(softmax.softmax_rows(x), sp.softmax(x64, axis=-1), dt)
    _close(softmax.log_softmax_rows(x), sp.log_softmax(x64, axis=-1), dt)
    _close(softmax.logsumexp_rows(x), sp.logsumexp(x64, axis=-1), dt)
    assert softmax.softmax_rows(x).dtype == x.dtype


def test_softmax_extremes():
    x = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 0.0]], np.float32)
    np.testing.assert_allclose(softmax.softmax_rows(x), [[1, 0, 0], [0, 0.5, 0.5]])
    assert softmax.logsumexp_rows(np.full((1, 3), -np.inf, np.float32))[0] == -np.inf
    assert softmax.logsumexp_rows(np.zeros((2, 0), np.float32)).tolist() == [-np.inf] * 2


def test_softmax_backward_vs_finite_differences():
    x = _x((2, 5), "float64", 1.0)
    dy = _x((2, 5), "float64", 1.0)
    y = softmax.softmax_rows(x)
    num = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[idx] = 1e-6
        num[idx] = ((softmax.softmax_rows(x + e) - softmax.softmax_rows(x - e)) * dy).sum() / 2e-6
    np.testing.assert_allclose(softmax.softmax_rows_backward(y, dy), num, atol=1e-8)


@pytest.mark.parametrize("dt", DTYPES)
def test_layernorm_forward_vs_formula(dt):
    x = _x((4, 33), dt) + np.asarray(100, dtype_of(dt))  # large mean: one-pass var fails
    g, b = _x((33,), dt, 1), _x((33,), dt, 1)
    y, mean, rstd = layernorm.layernorm_rows(x, g, b, eps=1e-3)
    x64 = x.astype(np.float64)
    mu = x64.mean(-1, keepdims=True)
    want = (x64 - mu) / np.sqrt(x64.var(-1, keepdims=True) + 1e-3) * g.astype(
        np.float64) + b.astype(np.float64)
    _close(y, want, dt)
    _close(mean, mu[:, 0], dt)


def test_layernorm_backward_vs_finite_differences():
    x, g, b, dy = _x((3, 6), "float64"), _x((6,), "float64"), _x((6,), "float64"), \
        _x((3, 6), "float64")

    def loss(x, g, b):
        return (layernorm.layernorm_rows(x, g, b)[0] * dy).sum()

    _, mean, rstd = layernorm.layernorm_rows(x, g, b)
    dx, dg, db = layernorm.layernorm_rows_backward(dy, x, g, mean, rstd)
    for arr, grad, i in ((x, dx, 0), (g, dg, 1), (b, db, 2)):
        num = np.zeros_like(arr)
        for idx in np.ndindex(arr.shape):
            args = [x.copy(), g.copy(), b.copy()]
            args[i][idx] += 1e-6
            up = loss(*args)
            args[i][idx] -= 2e-6
            num[idx] = (up - loss(*args)) / 2e-6
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-6)


def _direct_conv(x, w, s, pad, d):
    """float64 direct loops over output pixels: an independent conv2d."""
    g = im2col.conv_geometry("t", x.shape, w.shape[:2], s, pad, d)
    xp = np.pad(x.astype(np.float64), ((0, 0), (g["pt"], g["pb"]), (g["pl"], g["pr"]), (0, 0)))
    out = np.zeros((g["n"], g["oh"], g["ow"], w.shape[3]))
    for i in range(g["oh"]):
        for j in range(g["ow"]):
            for a in range(g["kh"]):
                for b in range(g["kw"]):
                    out[:, i, j] += xp[:, i * g["sh"] + a * g["dh"], j * g["sw"] + b * g["dw"]] \
                        @ w[a, b].astype(np.float64)
    return out


@pytest.mark.parametrize("geom", [((2, 7, 6, 3), (3, 3), 1, "SAME", 1),
                                  ((1, 9, 8, 2), (3, 2), 2, "VALID", 1),
                                  ((1, 9, 9, 4), (3, 3), (2, 1), "SAME", 2),
                                  ((1, 6, 6, 2), (2, 2), 1, ((1, 0), (0, 2)), 1)])
def test_conv2d_and_col2im_adjoint(geom):
    shape, k, s, pad, d = geom
    x = _x(shape, "float64")
    w = _x(k + (shape[3], 5), "float64")
    np.testing.assert_allclose(im2col.conv2d_nhwc(x, w, s, pad, d), _direct_conv(x, w, s, pad, d),
                               atol=1e-10)
    cols = im2col.im2col_nhwc(x, k, s, pad, d)
    c = _x(cols.shape, "float64")
    # <im2col(x), c> == <x, col2im(c)>: col2im is exactly the adjoint
    assert np.isclose((cols * c).sum(), (x * im2col.col2im_nhwc(c, shape, k, s, pad, d)).sum())


def test_same_padding_matches_tf_rule():
    assert im2col.conv_output_size(7, 3, 2, 1, "SAME") == (4, 1, 1)
    assert im2col.conv_output_size(6, 3, 2, 1, "SAME") == (3, 0, 1)  # TF pads more after
    assert im2col.conv_output_size(7, 3, 2, 1, "VALID") == (3, 0, 0)
    with pytest.raises(ValueError, match="padding"):
        im2col.conv_output_size(7, 3, 2, 1, "FULL")


def _naive_pool(x, k, s, pad, fn):
    g = im2col.conv_geometry("t", x.shape, k, s, pad, 1)
    out = np.zeros((g["n"], g["oh"], g["ow"], g["c"]))
    for i in range(g["oh"]):
        for j in range(g["ow"]):
            r0, c0 = i * g["sh"] - g["pt"], j * g["sw"] - g["pl"]
            win = x[:, max(r0, 0):r0 + g["kh"], max(c0, 0):c0 + g["kw"], :].astype(np.float64)
            out[:, i, j] = fn(win, axis=(1, 2))
    return out


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("k,s,pad", [(3, 2, "SAME"), (2, 2, "VALID"), ((3, 2), (1, 2), "SAME")])
def test_pooling_vs_naive(dt, k, s, pad):
    x = _x((2, 7, 6, 3), dt)
    _close(pooling.max_pool2d_nhwc(x, k, s, pad), _naive_pool(x, k, s, pad, np.max), dt)
    _close(pooling.avg_pool2d_nhwc(x, k, s, pad), _naive_pool(x, k, s, pad, np.mean), dt)


def test_pooling_gradients():
    x = _x((1, 6, 5, 2), "float64")
    for k, s, pad in [(3, 2, "SAME"), (2, 1, "VALID")]:
        y = pooling.avg_pool2d_nhwc(x, k, s, pad)
        dy = _x(y.shape, "float64")
        dx = pooling.avg_pool2d_nhwc_backward(x.shape, dy, k, s, pad)
        assert np.isclose((y * dy).sum(), (x * dx).sum())  # linear: adjoint identity
        dxm = pooling.max_pool2d_nhwc_backward(x, dy, k, s, pad)
        e = 1e-6 * _x(x.shape, "float64", 1)
        up = (pooling.max_pool2d_nhwc(x + e, k, s, pad) * dy).sum()
        down = (pooling.max_pool2d_nhwc(x, k, s, pad) * dy).sum()
        assert np.isclose(up - down, (dxm * e).sum(), rtol=1e-4)  # no ties in random x


def test_maxpool_ties_go_to_first():
    x = np.ones((1, 2, 2, 1), np.float32)
    dx = pooling.max_pool2d_nhwc_backward(x, np.ones((1, 1, 1, 1), np.float32), 2, 2)
    assert dx[0, :, :, 0].tolist() == [[1, 0], [0, 0]]


def _keras_adam_loop(p, g, m, v, lr, b1, b2, eps, step, wd):
    """Keras 3 adam.py, element by element in float64."""
    p, m, v = p.astype(np.float64).copy(), m.astype(np.float64).copy(), v.astype(
        np.float64).copy()
    p -= p * wd * lr
    alpha = lr * math.sqrt(1 - b2 ** step) / (1 - b1 ** step)
    m += (g - m) * (1 - b1)
    v += (g * g - v) * (1 - b2)
    return p - (m * alpha) / (np.sqrt(v) + eps), m, v


@pytest.mark.parametrize("dt", ["float32", "float64"])
@pytest.mark.parametrize("wd", [0.0, 0.01])
def test_adam_matches_keras_formula(dt, wd):
    p, g, m = _x((40,), dt), _x((40,), dt), _x((40,), dt, 0.1)
    v = np.abs(_x((40,), dt, 0.1))
    want = _keras_adam_loop(p, g.astype(np.float64), m, v, 1e-2, 0.9, 0.999, 1e-7, 3, wd)
    got = optim.adam_update(p, g, m, v, lr=1e-2, step=3, weight_decay=wd)
    for a, b in zip(got, want):
        _close(a, b, dt)


def test_adam_epsilon_forms_differ_only_through_eps():
    p, g, m, v = (np.full(4, 1.0), np.full(4, 0.5), np.zeros(4), np.zeros(4))
    a = optim.adam_update(p.copy(), g, m.copy(), v.copy(), lr=0.1, step=1, eps=0.0)[0]
    b = optim.adam_update(p.copy(), g, m.copy(), v.copy(), lr=0.1, step=1, eps=0.0,
                          epsilon_hat=False)[0]
    np.testing.assert_allclose(a, b)
    # paper Algorithm 1 with eps: lr * m_hat / (sqrt(v_hat) + eps) at step 1 = lr*g/(|g|+eps)
    c = optim.adam_update(p.copy(), g, m.copy(), v.copy(), lr=0.1, step=1, eps=0.5,
                          epsilon_hat=False)[0]
    np.testing.assert_allclose(c, 1.0 - 0.1 * 0.5 / (0.5 + 0.5))


def test_sgd_matches_keras():
    p, g, vel = np.array([1.0, 2.0]), np.array([0.5, -1.0]), np.array([0.1, 0.0])
    new_v = 0.9 * vel - 0.1 * g
    want_p = p + 0.9 * new_v - 0.1 * g
    got_p, got_v = optim.sgd_momentum_update(p.copy(), g, vel.copy(), lr=0.1, momentum=0.9,
                                             nesterov=True)
    np.testing.assert_allclose(got_v, new_v)
    np.testing.assert_allclose(got_p, want_p)
    with pytest.raises(ValueError, match="float32 or float64"):
        optim.sgd_momentum_update(p.astype(np.float16), g, None, lr=0.1)


def test_embedding_gather_scatter_adjoint():
    table = _x((6, 4), "float64")
    ids = np.array([[0, 5, 5], [2, 0, 1]])
    np.testing.assert_array_equal(embedding.gather_rows(table, ids), table[ids])
    up = _x((2, 3, 4), "float64")
    dense = embedding.scatter_add_rows(ids, up, 6)
    assert np.isclose((embedding.gather_rows(table, ids) * up).sum(), (table * dense).sum())
    with pytest.raises(ValueError, match=r"\[0, 6\)"):
        embedding.gather_rows(table, np.array([6]))


def test_philox_known_answers():
    """Random123's published Philox4x32-10 test vectors."""
    cases = [((0, 0, 0, 0), (0, 0), (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
             ((0xffffffff,) * 4, (0xffffffff,) * 2, (0x408f276d, 0x41c83b0e, 0xa20bc7c6,
                                                     0x6d5451fd)),
             ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0xa4093822, 0x299f31d0),
              (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1))]
    for ctr, key, want in cases:
        got = dropout.philox4x32_10(np.array([ctr], np.uint32), key)[0]
        assert [int(v) for v in got] == list(want)


def test_dropout_statistics_and_offsets():
    u = dropout.philox_uniform(100_003, seed=7, offset=0)
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    # offset counts blocks of 4: offset 2 continues the stream at element 8
    np.testing.assert_array_equal(dropout.philox_uniform(10, 7, 2), u[8:18])
    x = np.ones((200, 500), np.float32)
    y, mask = dropout.dropout(x, 0.3, seed=1)
    assert abs(mask.mean() - 0.7) < 0.01
    np.testing.assert_allclose(y[mask], 1 / 0.7, rtol=1e-6)
    assert (y[~mask] == 0).all()


def test_crossentropy_vs_formula_and_gradient():
    x = _x((3, 7), "float64")
    lab = sp.softmax(_x((3, 7), "float64"), axis=-1)
    loss, grad = crossentropy.softmax_cross_entropy_with_logits(x, lab)
    np.testing.assert_allclose(loss, -(lab * sp.log_softmax(x, axis=-1)).sum(-1))
    e = np.zeros_like(x)
    e[1, 2] = 1e-6
    num = (crossentropy.softmax_cross_entropy_with_logits(x + e, lab)[0].sum()
           - crossentropy.softmax_cross_entropy_with_logits(x - e, lab)[0].sum()) / 2e-6
    assert np.isclose(grad[1, 2], num)
    ids = np.array([0, 6, 3])
    sl, sg = crossentropy.sparse_softmax_cross_entropy_with_logits(x, ids)
    dl, dg = crossentropy.softmax_cross_entropy_with_logits(x, np.eye(7)[ids])
    np.testing.assert_allclose(sl, dl)
    np.testing.assert_allclose(sg, dg)
    with pytest.raises(ValueError, match="labels must lie"):
        crossentropy.sparse_softmax_cross_entropy_with_logits(x, np.array([0, 7, 1]))


@pytest.mark.parametrize("dt", DTYPES)
def test_reductions(dt):
    x = _x((5, 33), dt, 1)
    x64 = x.astype(np.float64)
    _close(reductions.sum_rows(x), x64.sum(1), dt)
    _close(reductions.sum_cols(x), x64.sum(0), dt)
    _close(reductions.max_rows(x), x64.max(1), dt)
    _close(reductions.max_cols(x), x64.max(0), dt)
    with pytest.raises(ValueError, match="empty"):
        reductions.max_rows(np.zeros((2, 0), np.float32))


def test_int8_matmul_exact():
    a = RNG.integers(-128, 128, (9, 70)).astype(np.int8)
    b = RNG.integers(-128, 128, (70, 5)).astype(np.int8)
    want = (a.astype(np.int64) - 3) @ (b.astype(np.int64) + 2)
    np.testing.assert_array_equal(quant.matmul_int8(a, b, 3, -2), want)
    q = quant.quantize_int8(np.array([-1.0, 0.26, 300.0]), 0.1, 1)
    assert q.tolist() == [-9, 4, 127]
    np.testing.assert_allclose(quant.dequantize_int8(q, 0.1, 1), [-1.0, 0.3, 12.6], rtol=1e-6)


def test_axpy():
    x, y = _x((3, 4), "float32"), _x((3, 4), "float32")
    np.testing.assert_allclose(elementwise.axpy(2.0, x, y), 2 * x + y, rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda: softmax.softmax_rows(np.zeros((2, 3), np.int32)),
    lambda: layernorm.layernorm_rows(np.zeros((2, 3), np.float32), np.ones(4, np.float32)),
    lambda: pooling.max_pool2d_nhwc(np.zeros((2, 3, 3), np.float32), 2),
    lambda: im2col.col2im_nhwc(np.zeros((3, 3), np.float32), (1, 4, 4, 1), 2),
    lambda: optim.adam_update(np.zeros(3), np.zeros(4), np.zeros(3), np.zeros(3), lr=1, step=1),
    lambda: quant.matmul_int8(np.zeros((2, 3), np.int8), np.zeros((2, 3), np.int8)),
])
def test_bad_input_raises_value_error_with_shapes(call):
    with pytest.raises(ValueError, match=r"\("):
        call()
