"""Differential cases: cf.nn (no conv/pool), composites, image colour ops, stateless
random, sparse, signal and top-level aliases."""
from __future__ import annotations

import numpy as np

from .inputs import CaseList, arr, const, grad

V = arr("nnv", (3, 5), "float32", -4, 4)
LAB = np.array([0, 4, 2], np.int32)
PROB = np.abs(arr("nnp", (3, 5), "float32")) / 10
IMG = arr("img", (2, 4, 5, 3), "float32", 0, 1)

ACT = ["relu", "relu6", "elu", "selu", "softplus", "softsign", "leaky_relu", "gelu", "silu",
       "swish", "sigmoid", "tanh", "softmax", "log_softmax", "crelu", "log_sigmoid"]


def _nn(c):
    for fn in ACT:
        ns = "math" if fn == "log_sigmoid" else "nn"
        for dt in ("float16", "bfloat16", "float32", "float64", "int32"):
            c.add(f"nn/{fn}/{dt}", lambda T, fn=fn, dt=dt, ns=ns: getattr(getattr(T, ns), fn)(
                const(T, V.astype(dt) if dt != "bfloat16" else V, dt)))
        c.add(f"nn/{fn}/empty", lambda T, fn=fn, ns=ns: getattr(getattr(T, ns), fn)(
            T.zeros((0, 3))))
        c.add(f"grad/nn/{fn}", lambda T, fn=fn, ns=ns: grad(
            T, lambda a: getattr(getattr(T, ns), fn)(a) * T.range(5.0), V), tol=(1e-4, 1e-5))
    for ax in (0, -1, 1):
        c.add(f"nn/softmax/axis{ax}", lambda T, ax=ax: T.nn.softmax(V, axis=ax))
        c.add(f"nn/log_softmax/axis{ax}", lambda T, ax=ax: T.nn.log_softmax(V, axis=ax))
    c.add("nn/softmax/bad_axis", lambda T: T.nn.softmax(V, axis=2))
    c.add("nn/softmax/1d", lambda T: T.nn.softmax([1.0, 2.0, 3.0]))
    c.add("nn/leaky_relu/alpha", lambda T: T.nn.leaky_relu(V, alpha=0.01))
    c.add("nn/gelu/approx", lambda T: T.nn.gelu(V, approximate=True))
    c.add("nn/elu/big", lambda T: T.nn.elu(np.array([-100.0, 100.0], np.float32)))
    c.add("nn/relu/int8", lambda T: T.nn.relu(T.constant(np.array([-1, 2], np.int8))))
    c.add("nn/relu/uint8", lambda T: T.nn.relu(T.constant(np.array([1, 2], np.uint8))))
    c.add("nn/relu/list", lambda T: T.nn.relu([-1.0, 2.0]))
    c.add("nn/silu/beta", lambda T: T.nn.silu(V, beta=2.0))
    c.add("nn/sxent", lambda T: T.nn.sparse_softmax_cross_entropy_with_logits(labels=LAB,
                                                                              logits=V))
    c.add("nn/sxent_i64", lambda T: T.nn.sparse_softmax_cross_entropy_with_logits(
        labels=LAB.astype(np.int64), logits=V))
    c.add("nn/sxent_bad_rank", lambda T: T.nn.sparse_softmax_cross_entropy_with_logits(
        labels=LAB[:, None], logits=V))
    c.add("nn/xent", lambda T: T.nn.softmax_cross_entropy_with_logits(labels=PROB, logits=V))
    c.add("nn/xent_axis0", lambda T: T.nn.softmax_cross_entropy_with_logits(
        labels=PROB, logits=V, axis=0))
    c.add("nn/sigxent", lambda T: T.nn.sigmoid_cross_entropy_with_logits(labels=PROB,
                                                                         logits=V))
    c.add("nn/sigxent_bad", lambda T: T.nn.sigmoid_cross_entropy_with_logits(
        labels=PROB[:, :2], logits=V))
    c.add("nn/wxent", lambda T: T.nn.weighted_cross_entropy_with_logits(PROB, V, 2.0))
    c.add("grad/sxent", lambda T: grad(T, lambda a: T.nn.sparse_softmax_cross_entropy_with_logits(
        LAB, a), V))
    c.add("grad/xent", lambda T: grad(T, lambda a, b: T.nn.softmax_cross_entropy_with_logits(
        b, a), V, PROB))
    c.add("nn/l2_loss", lambda T: T.nn.l2_loss(V))
    c.add("nn/l2_normalize", lambda T: T.nn.l2_normalize(V, axis=-1))
    c.add("nn/l2_normalize_int", lambda T: T.nn.l2_normalize(T.constant([3, 4])))
    c.add("nn/moments", lambda T: T.nn.moments(V, axes=[0]))
    c.add("nn/moments_keep", lambda T: T.nn.moments(V, axes=[0, 1], keepdims=True))
    c.add("nn/bias_add", lambda T: T.nn.bias_add(V, np.arange(5, dtype=np.float32)))
    c.add("nn/batch_norm", lambda T: T.nn.batch_normalization(V, 0.1, 2.0, 0.5, 1.5, 1e-3))
    c.add("nn/zero_fraction", lambda T: T.nn.zero_fraction(T.nn.relu(V)))
    c.add("nn/embedding_lookup", lambda T: T.nn.embedding_lookup(V, [[2, 0], [1, 1]]))
    c.add("nn/top_k", lambda T: T.nn.top_k(V, 2))
    c.add("nn/in_top_k", lambda T: T.nn.in_top_k(LAB, V, 2))
    c.add("nn/dropout_zero", lambda T: T.nn.dropout(V, rate=0.0))
    c.add("nn/compute_average_loss", lambda T: T.nn.compute_average_loss(V[0], global_batch_size=10))
    cl = arr("ctc2", (3, 6, 5), "float32")
    lab3 = np.array([[1, 2, 2], [3, 0, 0], [4, 1, 0]], np.int32)
    c.add("nn/ctc_loss_batch_major", lambda T: T.nn.ctc_loss(
        lab3, cl, [3, 1, 2], [6, 4, 5], logits_time_major=False, blank_index=0))
    c.add("nn/ctc_loss_blank_last", lambda T: T.nn.ctc_loss(
        lab3 % 4, cl, [3, 1, 2], [6, 6, 3], logits_time_major=False, blank_index=-1))
    c.add("nn/ctc_loss_f64", lambda T: T.nn.ctc_loss(
        lab3, cl.astype(np.float64), [3, 1, 2], [6, 4, 5], logits_time_major=False,
        blank_index=0))
    c.add("grad/nn/ctc_loss", lambda T: grad(T, lambda a: T.nn.ctc_loss(
        lab3, a, [3, 1, 2], [6, 4, 5], logits_time_major=False, blank_index=0), cl),
        tol=(1e-4, 1e-5))
    c.add("nn/ctc_greedy", lambda T: T.nn.ctc_greedy_decoder(
        np.transpose(cl, (1, 0, 2)), [6, 4, 5]))
    c.add("nn/ctc_greedy_nomerge", lambda T: T.nn.ctc_greedy_decoder(
        np.transpose(cl, (1, 0, 2)), [6, 6, 2], merge_repeated=False, blank_index=0))
    c.add("nn/ctc_loss", lambda T: T.nn.ctc_loss(
        labels=np.array([[1, 2], [1, 1]], np.int32), logits=arr("ctc", (4, 2, 3), "float32"),
        label_length=[2, 2], logit_length=[4, 4], logits_time_major=True, blank_index=0))


def _math_extra(c):
    M = arr("mx", (2, 3), "float32", 0.2, 3)
    c.add("add_n/basic", lambda T: T.add_n([M, M, M * 2]))
    c.add("add_n/one", lambda T: T.math.add_n([M]))
    c.add("add_n/int", lambda T: T.add_n([[1, 2], [3, 4]]))
    c.add("add_n/bad", lambda T: T.add_n([M, M[0:1]]))
    c.add("grad/add_n", lambda T: grad(T, lambda a, b: T.add_n([a, b, a]), M, M))
    c.add("accumulate_n", lambda T: T.math.accumulate_n([M, M]))
    c.add("math/softmax", lambda T: T.math.softmax(M))
    c.add("math/log_softmax", lambda T: T.math.log_softmax(M))
    c.add("math/softsign", lambda T: T.math.softsign(M))
    c.add("math/zero_fraction", lambda T: T.math.zero_fraction(M))
    c.add("math/multiply_no_nan", lambda T: T.math.multiply_no_nan(
        [np.inf, np.nan, 2.0], [0.0, 0.0, 3.0]))
    c.add("math/reciprocal_no_nan", lambda T: T.math.reciprocal_no_nan([0.0, 2.0]))
    c.add("math/polyval", lambda T: T.math.polyval([1.0, 2.0, 3.0], M))
    c.add("math/lbeta", lambda T: T.math.lbeta(M))
    c.add("math/ndtri", lambda T: T.math.ndtri([0.1, 0.5, 0.9]))
    c.add("math/erfcinv", lambda T: T.math.erfcinv([0.1, 1.0, 1.5]))
    for f in ("bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e"):
        c.add(f"math/{f}", lambda T, f=f: getattr(T.math, f)(M), tol=(1e-4, 1e-5))
    c.add("math/igamma", lambda T: T.math.igamma(M, M[::-1]), tol=(1e-4, 1e-5))
    c.add("math/igammac", lambda T: T.math.igammac(M, M[::-1]), tol=(1e-4, 1e-5))
    c.add("math/betainc", lambda T: T.math.betainc(M, M[::-1], M / 4), tol=(1e-4, 1e-5))
    c.add("math/polygamma", lambda T: T.math.polygamma(np.ones((2, 3), np.float32), M),
          tol=(1e-4, 1e-5))
    c.add("math/zeta", lambda T: T.math.zeta(M + 1, M), tol=(1e-4, 1e-5))
    c.add("math/xlog1py", lambda T: T.math.xlog1py([0.0, 2.0], [-1.0, 3.0]))
    c.add("math/nextafter", lambda T: T.math.nextafter([1.0, 2.0], [2.0, 0.0]))
    c.add("math/is_non_decreasing", lambda T: T.math.is_non_decreasing([1, 2, 2]))
    c.add("math/is_strictly_increasing", lambda T: T.math.is_strictly_increasing([1, 2, 2]))
    c.add("math/scalar_mul", lambda T: T.math.scalar_mul(2.0, M))
    c.add("math/special_dawsn", lambda T: T.math.special.dawsn(M), tol=(1e-4, 1e-5))
    c.add("math/special_expint", lambda T: T.math.special.expint(M), tol=(1e-4, 1e-5))
    c.add("math/special_spence", lambda T: T.math.special.spence(M), tol=(1e-4, 1e-5))
    c.add("math/special_fresnel_cos", lambda T: T.math.special.fresnel_cos(M), tol=(1e-4, 1e-5))
    c.add("math/reduce_euclidean_norm_int", lambda T: T.math.reduce_euclidean_norm([3, 4]))
    for name in ("sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh",
                 "atanh", "acosh"):
        c.add(f"toplevel/{name}", lambda T, name=name: getattr(T, name)(M / 4 + 0.5 if name
                                                                         != "acosh" else M + 1))
    c.add("toplevel/atan2", lambda T: T.atan2(M, M[::-1]))
    c.add("toplevel/complex", lambda T: T.complex(M, M))
    c.add("toplevel/truncatediv", lambda T: T.truncatediv([7, -7], [2, 2]))
    c.add("toplevel/truncatemod", lambda T: T.truncatemod([7, -7], [2, 2]))
    c.add("toplevel/realdiv", lambda T: T.realdiv(M, M + 1))
    c.add("toplevel/scalar_mul", lambda T: T.scalar_mul(3, M))
    c.add("toplevel/executing_eagerly", lambda T: T.executing_eagerly())
    c.add("toplevel/get_static_value", lambda T: T.get_static_value(T.constant([1, 2])))
    c.add("toplevel/no_op", lambda T: T.no_op())
    c.add("toplevel/group", lambda T: T.group(T.constant(1)))
    c.add("toplevel/tuple", lambda T: T.tuple([T.constant(1), T.constant(2.0)]))
    c.add("toplevel/bitcast", lambda T: T.bitcast(T.constant([1.0], T.float32), T.int32))
    c.add("toplevel/parallel_stack", lambda T: T.parallel_stack([[1.0], [2.0]]))
    c.add("toplevel/version", lambda T: isinstance(T.version.VERSION, str))
    c.add("toplevel/batch_to_space", lambda T: T.batch_to_space(
        T.reshape(T.range(8.0), [4, 1, 2, 1]), [2, 2], [[0, 0], [0, 1]]))
    c.add("toplevel/space_to_batch", lambda T: T.space_to_batch(
        T.reshape(T.range(8.0), [1, 2, 4, 1]), [2, 2], [[0, 0], [0, 0]]))
    c.add("toplevel/space_to_batch_nd", lambda T: T.space_to_batch_nd(
        T.reshape(T.range(8.0), [1, 2, 4, 1]), [2, 2], [[0, 0], [0, 0]]))
    c.add("toplevel/histogram_fixed_width_bins", lambda T: T.histogram_fixed_width_bins(
        [-1.0, 0.0, 1.5, 2.0, 5.0, 15.0], [0.0, 5.0], nbins=5))
    c.add("toplevel/constant_initializer", lambda T: T.constant_initializer(2.0)([2], T.float32))
    c.add("toplevel/zeros_initializer", lambda T: T.zeros_initializer()([2], T.float32))
    c.add("toplevel/ones_initializer", lambda T: T.ones_initializer()([2], T.int32))
    c.add("toplevel/edit_distance_batch", lambda T: T.edit_distance(
        T.SparseTensor([[0, 0], [0, 1], [1, 0]], ["a", "b", "c"], [3, 2]),
        T.SparseTensor([[0, 0], [1, 0], [1, 1], [1, 2]], ["a", "c", "d", "e"], [2, 3])))
    c.add("toplevel/edit_distance_raw", lambda T: T.edit_distance(
        T.SparseTensor([[0, 0, 0], [0, 0, 1]], [1, 2], [1, 2, 2]),
        T.SparseTensor([[0, 0, 0], [0, 1, 0]], [1, 3], [1, 2, 1]), normalize=False))
    c.add("toplevel/edit_distance", lambda T: T.edit_distance(
        T.sparse.from_dense([[1, 2, 3]]), T.sparse.from_dense([[1, 3, 3]])))
    c.add("toplevel/vectorized_map", lambda T: T.vectorized_map(lambda x: x * 2, M))
    c.add("toplevel/guarantee_const", lambda T: T.guarantee_const(T.constant(M)))
    c.add("toplevel/grad_pass_through", lambda T: grad(T, T.grad_pass_through(T.round), M))


def _image(c):
    I = lambda T: T.image
    for f in ("rgb_to_hsv", "hsv_to_rgb", "rgb_to_yuv", "yuv_to_rgb", "rgb_to_yiq",
              "yiq_to_rgb", "rgb_to_grayscale", "sobel_edges", "per_image_standardization",
              "flip_left_right", "flip_up_down", "transpose", "rot90"):
        c.add(f"image/{f}", lambda T, f=f: getattr(I(T), f)(T.constant(IMG)), tol=(1e-4, 1e-5))
    c.add("image/adjust_hue", lambda T: I(T).adjust_hue(IMG, 0.2), tol=(1e-4, 1e-5))
    c.add("image/adjust_saturation", lambda T: I(T).adjust_saturation(IMG, 1.5),
          tol=(1e-4, 1e-5))
    c.add("image/adjust_brightness", lambda T: I(T).adjust_brightness(IMG, 0.1))
    c.add("image/adjust_contrast", lambda T: I(T).adjust_contrast(IMG, 1.5))
    c.add("image/adjust_gamma", lambda T: I(T).adjust_gamma(IMG, 2.0))
    c.add("image/psnr", lambda T: I(T).psnr(IMG, IMG[::-1], max_val=1.0))
    c.add("image/ssim", lambda T: I(T).ssim(arr("ss1", (1, 16, 16, 1), "float32", 0, 1),
                                            arr("ss2", (1, 16, 16, 1), "float32", 0, 1), 1.0,
                                            filter_size=5), tol=(1e-4, 1e-5))
    c.add("image/total_variation", lambda T: I(T).total_variation(IMG))
    c.add("image/crop_and_resize", lambda T: I(T).crop_and_resize(
        IMG, [[0.0, 0.0, 1.0, 1.0], [0.2, 0.1, 0.7, 0.9]], [0, 1], [3, 3]), tol=(1e-4, 1e-5))
    c.add("image/non_max_suppression", lambda T: I(T).non_max_suppression(
        np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3], [0, 2.05, 1, 3]], np.float32),
        np.array([0.9, 0.8, 0.7, 0.95], np.float32), 3, iou_threshold=0.5))
    c.add("image/draw_bounding_boxes", lambda T: I(T).draw_bounding_boxes(
        IMG, np.array([[[0.1, 0.1, 0.8, 0.8]]] * 2, np.float32), np.array([[1.0, 0.0, 0.0, 1.0]],
                                                                          np.float32)))
    c.add("image/draw_boxes_default", lambda T: I(T).draw_bounding_boxes(
        IMG, np.array([[[0.1, 0.1, 0.8, 0.8], [-0.2, 0.5, 0.6, 1.3], [0.5, 0.5, 0.2, 0.9]],
                       [[0.0, 0.0, 1.0, 1.0], [0.3, 0.3, 0.31, 0.9], [0, 0, 0, 0]]],
                      np.float32), None))
    c.add("image/draw_boxes_gray", lambda T: I(T).draw_bounding_boxes(
        IMG[..., :1], np.array([[[0.1, 0.2, 0.9, 0.7]]] * 2, np.float32), None))
    c.add("image/convert_image_dtype", lambda T: I(T).convert_image_dtype(IMG, T.uint8))
    c.add("image/resize_bilinear", lambda T: I(T).resize(IMG, [3, 7]), tol=(1e-4, 1e-5))
    c.add("image/central_crop", lambda T: I(T).central_crop(IMG, 0.5))
    c.add("image/stateless_random_brightness", lambda T: I(T).stateless_random_brightness(
        IMG, 0.2, seed=(1, 2)))
    c.add("image/stateless_random_flip", lambda T: I(T).stateless_random_flip_left_right(
        IMG, seed=(1, 2)))
    c.add("image/stateless_random_flip_3d", lambda T: I(T).stateless_random_flip_up_down(
        IMG[0], seed=(3, 4)))
    u8 = (IMG * 255).astype(np.uint8)
    c.add("image/adjust_hue_u8", lambda T: I(T).adjust_hue(u8, -0.3))
    c.add("image/adjust_saturation_u8", lambda T: I(T).adjust_saturation(u8, 0.4))
    c.add("image/adjust_hue_f64", lambda T: I(T).adjust_hue(IMG.astype(np.float64), 0.7),
          tol=(1e-5, 1e-5))  # both compute in float32
    c.add("image/adjust_hue_bad", lambda T: I(T).adjust_hue(IMG, 1.5))
    c.add("image/hsv_roundtrip", lambda T: I(T).hsv_to_rgb(I(T).rgb_to_hsv(IMG)),
          tol=(1e-5, 1e-5))
    c.add("image/rgb_to_hsv_gray", lambda T: I(T).rgb_to_hsv(np.full((2, 2, 3), 0.5, np.float32)))
    c.add("image/stateless_random_contrast", lambda T: I(T).stateless_random_contrast(
        IMG, 0.5, 1.5, seed=(5, 6)), tol=(1e-5, 1e-5))
    c.add("image/stateless_random_hue", lambda T: I(T).stateless_random_hue(
        IMG, 0.3, seed=(7, 8)), tol=(1e-4, 1e-5))
    c.add("image/stateless_random_saturation", lambda T: I(T).stateless_random_saturation(
        IMG, 0.2, 1.8, seed=(9, 1)), tol=(1e-4, 1e-5))
    c.add("image/stateless_random_crop", lambda T: I(T).stateless_random_crop(
        IMG, [1, 2, 3, 3], seed=(2, 3)))
    c.add("image/random_hue_shape", lambda T: T.shape(I(T).random_hue(IMG, 0.2)))
    c.add("image/random_hue_bad", lambda T: I(T).random_hue(IMG, 0.7))
    c.add("image/psnr_u8", lambda T: I(T).psnr(u8, u8[::-1], 255))
    c.add("image/ssim_u8", lambda T: I(T).ssim(
        (arr("ss1", (2, 12, 12, 3), "float32", 0, 1) * 255).astype(np.uint8),
        (arr("ss2", (2, 12, 12, 3), "float32", 0, 1) * 255).astype(np.uint8), 255,
        filter_size=7), tol=(1e-4, 1e-5))
    c.add("image/ssim_small", lambda T: I(T).ssim(IMG, IMG, 1.0))
    c.add("image/crop_and_resize_nearest", lambda T: I(T).crop_and_resize(
        IMG, [[0.0, 0.0, 1.0, 1.0], [-0.2, 0.1, 1.3, 0.9]], [1, 0], [4, 3], method="nearest",
        extrapolation_value=-1.0))
    c.add("image/crop_and_resize_1px", lambda T: I(T).crop_and_resize(
        IMG, [[0.1, 0.2, 0.6, 0.9]], [1], [1, 1]), tol=(1e-5, 1e-5))
    c.add("grad/image/crop_and_resize", lambda T: grad(
        T, lambda a: I(T).crop_and_resize(a, [[0.0, 0.1, 0.8, 1.0]], [1], [3, 2]) ** 2, IMG),
        tol=(1e-4, 1e-5))
    c.add("grad/image/adjust_saturation", lambda T: grad(
        T, lambda a: I(T).adjust_saturation(a, 1.3) ** 2, IMG), tol=(1e-3, 1e-4))
    c.add("image/nms_threshold", lambda T: I(T).non_max_suppression(
        np.array([[0, 0, 1, 1], [0, 0.1, 1, 1.1], [0, 2, 1, 3], [1, 3, 0, 2.05]], np.float32),
        np.array([0.5, 0.8, 0.7, 0.95], np.float32), 10, iou_threshold=0.3,
        score_threshold=0.6))


def _random(c):
    R = lambda T: T.random
    for dt in ("float32", "float64", "float16", "bfloat16"):
        c.add(f"random/stateless_uniform/{dt}", lambda T, dt=dt: R(T).stateless_uniform(
            [2, 3], seed=[1, 2], dtype=getattr(T, dt)))
        c.add(f"random/stateless_normal/{dt}", lambda T, dt=dt: R(T).stateless_normal(
            [2, 3], seed=[3, 4], dtype=getattr(T, dt)))
        c.add(f"random/stateless_truncated_normal/{dt}", lambda T, dt=dt: R(T)
              .stateless_truncated_normal([2, 3], seed=[5, 6], dtype=getattr(T, dt)))
    for dt in ("int32", "int64"):
        c.add(f"random/stateless_uniform_int/{dt}", lambda T, dt=dt: R(T).stateless_uniform(
            [5], seed=[1, 2], minval=-3, maxval=10, dtype=getattr(T, dt)))
    c.add("random/stateless_uniform_range", lambda T: R(T).stateless_uniform(
        [4], seed=[7, 8], minval=2.0, maxval=5.0))
    c.add("random/stateless_categorical", lambda T: R(T).stateless_categorical(
        np.log(np.array([[0.5, 0.3, 0.2]], np.float32)), 6, seed=[1, 2]))
    c.add("random/stateless_bad_seed", lambda T: R(T).stateless_uniform([2], seed=[1]))
    c.add("random/stateless_binomial", lambda T: R(T).stateless_binomial(
        [4], seed=[1, 2], counts=10.0, probs=0.5))
    c.add("random/fold_in", lambda T: R(T).fold_in([1, 2], 3))
    c.add("random/split", lambda T: R(T).split([1, 2], 2))
    c.add("random/experimental_split", lambda T: R(T).experimental.stateless_split([1, 2], 2))
    c.add("random/uniform_shape", lambda T: T.shape(R(T).uniform([2, 3], dtype=T.float64)))
    c.add("random/normal_dtype", lambda T: R(T).normal([2]).dtype)


def _sparse_signal(c):
    D = np.array([[0.0, 2.0, 0.0], [1.0, 0.0, 3.0]], np.float32)
    S = lambda T: T.sparse
    c.add("sparse/from_dense", lambda T: S(T).from_dense(D))
    c.add("sparse/to_dense", lambda T: S(T).to_dense(S(T).from_dense(D)))
    c.add("sparse/ctor", lambda T: S(T).to_dense(T.SparseTensor([[0, 1], [1, 2]], [1.0, 2.0],
                                                                [2, 3])))
    c.add("sparse/ctor_ns", lambda T: S(T).to_dense(S(T).SparseTensor([[0, 1]], [1.0], [2, 3])))
    c.add("sparse/add", lambda T: S(T).to_dense(S(T).add(S(T).from_dense(D), S(T).from_dense(D))))
    c.add("sparse/add_dense", lambda T: S(T).add(S(T).from_dense(D), D))
    c.add("sparse/reduce_sum", lambda T: S(T).reduce_sum(S(T).from_dense(D), axis=1))
    c.add("sparse/reduce_max", lambda T: S(T).reduce_max(S(T).from_dense(D), axis=0))
    c.add("sparse/matmul", lambda T: S(T).sparse_dense_matmul(S(T).from_dense(D), D.T))
    c.add("sparse/transpose", lambda T: S(T).to_dense(S(T).transpose(S(T).from_dense(D))))
    c.add("sparse/reshape", lambda T: S(T).to_dense(S(T).reshape(S(T).from_dense(D), [3, 2])))
    c.add("sparse/concat", lambda T: S(T).to_dense(S(T).concat(
        0, [S(T).from_dense(D), S(T).from_dense(D)])))
    c.add("sparse/slice", lambda T: S(T).to_dense(S(T).slice(S(T).from_dense(D), [0, 1],
                                                             [2, 2])))
    c.add("sparse/retain", lambda T: S(T).to_dense(S(T).retain(S(T).from_dense(D),
                                                               [True, False, True])))
    c.add("sparse/reorder", lambda T: S(T).reorder(T.SparseTensor([[1, 0], [0, 1]], [1.0, 2.0],
                                                                  [2, 2])))
    c.add("sparse/softmax", lambda T: S(T).to_dense(S(T).softmax(S(T).from_dense(D))))
    c.add("sparse/eye", lambda T: S(T).to_dense(S(T).eye(3)))
    c.add("sparse/maximum", lambda T: S(T).to_dense(S(T).maximum(S(T).from_dense(D),
                                                                 S(T).from_dense(D * -1))))
    c.add("sparse/fill_empty_rows", lambda T: S(T).fill_empty_rows(
        T.SparseTensor([[0, 1]], [1.0], [3, 2]), 9.0))
    c.add("sparse/expand_dims", lambda T: S(T).to_dense(S(T).expand_dims(S(T).from_dense(D), 0)))
    c.add("sparse/segment_sum", lambda T: S(T).segment_sum(D, [0, 1], [0, 0]))
    N = np.array([[0.0, -2.0, 0.0], [-1.0, 0.0, 3.0]], np.float32)
    c.add("sparse/reduce_max_neg", lambda T: S(T).reduce_max(S(T).from_dense(N), axis=1))
    c.add("sparse/reduce_max_all", lambda T: S(T).reduce_max(S(T).from_dense(N)))
    c.add("sparse/reduce_sum_keep", lambda T: S(T).reduce_sum(S(T).from_dense(N), 0,
                                                              keepdims=True))
    c.add("sparse/minimum", lambda T: S(T).to_dense(S(T).minimum(S(T).from_dense(N),
                                                                 S(T).from_dense(D))))
    c.add("sparse/add_threshold", lambda T: S(T).to_dense(S(T).add(
        S(T).from_dense(N), S(T).from_dense(D), threshold=1.5)))
    c.add("sparse/matmul_adj", lambda T: S(T).sparse_dense_matmul(
        S(T).from_dense(D), D, adjoint_a=True))
    c.add("sparse/segment_mean", lambda T: S(T).segment_mean(D, [1, 0, 1], [0, 0, 1]))
    c.add("sparse/segment_sqrt_n", lambda T: S(T).segment_sqrt_n(N, [1, 0, 1], [0, 0, 2]))
    c.add("sparse/softmax_3d", lambda T: S(T).to_dense(S(T).softmax(
        S(T).from_dense(np.stack([D, N])))))
    c.add("sparse/reshape_neg", lambda T: S(T).to_dense(S(T).reshape(S(T).from_dense(D), [-1])))
    c.add("sparse/transpose_perm", lambda T: S(T).to_dense(S(T).transpose(
        S(T).from_dense(np.stack([D, N])), [2, 0, 1])))
    c.add("sparse/eye_rect", lambda T: S(T).to_dense(S(T).eye(2, 4, dtype=T.int32)))
    c.add("sparse/indices_dtype", lambda T: (S(T).from_dense(D).indices.dtype,
                                             S(T).from_dense(D).dense_shape.dtype))
    c.add("sparse/bincount_rows", lambda T: S(T).bincount([[1, 2, 1], [0, 3, 3]], axis=-1))
    c.add("sparse/bincount_weights", lambda T: S(T).bincount(
        [1, 2, 1, 5], minlength=7, weights=[1.0, 2.0, 3.0, 4.0]))
    c.add("sparse/bincount_binary", lambda T: S(T).bincount([1, 2, 1, 5], maxlength=3,
                                                            binary_output=True))
    c.add("sparse/bincount_sparse", lambda T: S(T).bincount(
        S(T).from_dense([[0, 2, 2], [1, 0, 0]]), axis=-1))
    c.add("sparse/bincount_2d_all", lambda T: S(T).bincount([[1, 2], [2, 4]]))
    c.add("sparse/to_indicator", lambda T: S(T).to_indicator(
        T.SparseTensor([[0, 0], [0, 1], [1, 0]], [2, 0, 3], [2, 4]), 5))
    c.add("sparse/map_values", lambda T: S(T).to_dense(S(T).map_values(
        T.math.multiply, S(T).from_dense(D), 3.0)))
    c.add("sparse/reset_shape", lambda T: S(T).reset_shape(T.SparseTensor(
        [[0, 1], [2, 0]], [1.0, 2.0], [5, 5])).dense_shape)
    c.add("sparse/reset_shape_given", lambda T: S(T).to_dense(S(T).reset_shape(
        S(T).from_dense(D), [3, 4])))
    c.add("sparse/split", lambda T: [S(T).to_dense(p) for p in S(T).split(
        sp_input=S(T).from_dense(np.concatenate([D, N], 1)), num_split=4, axis=1)])
    c.add("sparse/mask", lambda T: T.convert_to_tensor(S(T).mask(T.IndexedSlices(
        T.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), T.constant([0, 2, 3]),
        T.constant([4, 2])), [2])))
    c.add("grad/sparse/matmul", lambda T: grad(
        T, lambda b: S(T).sparse_dense_matmul(S(T).from_dense(D), b) ** 2, D.T.copy()))
    c.add("grad/sparse/segment_sum", lambda T: grad(
        T, lambda a: S(T).segment_sum(a, [1, 0, 1], [0, 0, 1]) ** 2, D))
    c.add("sparse/bincount", lambda T: S(T).to_dense(S(T).bincount([[1, 2, 1]])))
    sig = arr("sig", (16,), "float32")
    Sg = lambda T: T.signal
    c.add("signal/fft", lambda T: Sg(T).fft(T.cast(sig, T.complex64)), tol=(1e-4, 1e-4))
    c.add("signal/ifft", lambda T: Sg(T).ifft(T.cast(sig, T.complex64)), tol=(1e-4, 1e-4))
    c.add("signal/rfft", lambda T: Sg(T).rfft(sig), tol=(1e-4, 1e-4))
    c.add("signal/irfft", lambda T: Sg(T).irfft(Sg(T).rfft(sig)), tol=(1e-4, 1e-4))
    c.add("signal/rfft_len", lambda T: Sg(T).rfft(sig, [8]), tol=(1e-4, 1e-4))
    c.add("signal/fft2d", lambda T: Sg(T).fft2d(T.cast(T.reshape(sig, [4, 4]), T.complex64)),
          tol=(1e-4, 1e-4))
    c.add("signal/rfft2d", lambda T: Sg(T).rfft2d(T.reshape(sig, [4, 4])), tol=(1e-4, 1e-4))
    c.add("signal/fftshift", lambda T: Sg(T).fftshift(sig))
    c.add("signal/ifftshift", lambda T: Sg(T).ifftshift(sig))
    c.add("signal/hann_window", lambda T: Sg(T).hann_window(8))
    c.add("signal/hann_window_sym", lambda T: Sg(T).hann_window(8, periodic=False))
    c.add("signal/hamming_window", lambda T: Sg(T).hamming_window(8))
    c.add("signal/frame", lambda T: Sg(T).frame(sig, 4, 3))
    c.add("signal/frame_pad", lambda T: Sg(T).frame(sig, 4, 3, pad_end=True))
    c.add("signal/stft", lambda T: Sg(T).stft(sig, 8, 4), tol=(1e-4, 1e-4))
    c.add("signal/dct", lambda T: Sg(T).dct(sig), tol=(1e-4, 1e-4))
    c.add("signal/dct_ortho", lambda T: Sg(T).dct(sig, norm="ortho"), tol=(1e-4, 1e-4))
    c.add("signal/idct", lambda T: Sg(T).idct(sig), tol=(1e-4, 1e-4))
    c.add("signal/overlap_and_add", lambda T: Sg(T).overlap_and_add(T.reshape(sig, [4, 4]), 2))
    c.add("signal/linear_to_mel", lambda T: Sg(T).linear_to_mel_weight_matrix(
        8, 17, 8000, 20.0, 4000.0), tol=(1e-4, 1e-5))
    c.add("grad/signal/rfft", lambda T: grad(T, lambda a: T.abs(Sg(T).rfft(a)), sig),
          tol=(1e-3, 1e-4))
    c.add("grad/signal/rfft_odd_len", lambda T: grad(
        T, lambda a: T.math.real(Sg(T).rfft(a, [9]) * T.constant(np.arange(5) + 1j, T.complex64)),
        sig), tol=(1e-3, 1e-4))
    c.add("grad/signal/irfft", lambda T: grad(
        T, lambda a: Sg(T).irfft(T.complex(a, a * 0.5)) * T.range(14.0), sig[:8]),
        tol=(1e-3, 1e-4))
    c.add("grad/signal/fft", lambda T: grad(
        T, lambda a: T.math.imag(Sg(T).fft(T.complex(a, a * a))) * T.range(16.0), sig),
        tol=(1e-3, 1e-4))
    c.add("grad/signal/rfft2d", lambda T: grad(
        T, lambda a: T.abs(Sg(T).rfft2d(T.reshape(a, [4, 4]))), sig), tol=(1e-3, 1e-4))
    c.add("grad/signal/stft", lambda T: grad(
        T, lambda a: T.abs(Sg(T).stft(a, 8, 4)), sig), tol=(1e-3, 1e-4))
    c.add("grad/signal/dct", lambda T: grad(
        T, lambda a: Sg(T).dct(a) * T.range(16.0), sig), tol=(1e-3, 1e-4))
    c.add("signal/fft_c128", lambda T: Sg(T).fft(T.cast(sig.astype(np.float64), T.complex128)))
    c.add("signal/fft_float_bad", lambda T: Sg(T).fft(sig))
    c.add("signal/rfft_f64", lambda T: Sg(T).rfft(T.constant(sig.astype(np.float64))))
    c.add("signal/rfft_np_f64", lambda T: Sg(T).rfft(sig.astype(np.float64)))
    c.add("signal/fft_tensor_f32_bad", lambda T: Sg(T).fft(T.constant(sig)))
    c.add("signal/rfft_pad", lambda T: Sg(T).rfft(sig, [20]), tol=(1e-4, 1e-4))
    c.add("signal/irfft_len", lambda T: Sg(T).irfft(Sg(T).rfft(sig), [15]), tol=(1e-4, 1e-4))
    c.add("signal/irfft2d", lambda T: Sg(T).irfft2d(Sg(T).rfft2d(T.reshape(sig, [4, 4]))),
          tol=(1e-4, 1e-4))
    c.add("signal/fft3d", lambda T: Sg(T).fft3d(T.cast(T.reshape(sig, [2, 2, 4]), T.complex64)),
          tol=(1e-4, 1e-4))
    c.add("signal/ifft2d", lambda T: Sg(T).ifft2d(T.cast(T.reshape(sig, [4, 4]), T.complex64)),
          tol=(1e-4, 1e-4))
    c.add("signal/fftshift_axes", lambda T: Sg(T).fftshift(T.reshape(sig, [4, 4]), axes=1))
    c.add("signal/ifftshift_odd", lambda T: Sg(T).ifftshift(sig[:7]))
    c.add("signal/hann_odd", lambda T: Sg(T).hann_window(7))
    c.add("signal/hann_1", lambda T: Sg(T).hann_window(1))
    c.add("signal/hamming_f64", lambda T: Sg(T).hamming_window(6, periodic=False,
                                                               dtype=T.float64))
    c.add("signal/frame_axis0", lambda T: Sg(T).frame(T.reshape(sig, [8, 2]), 3, 2, axis=0))
    c.add("signal/frame_short", lambda T: Sg(T).frame(sig[:3], 4, 2))
    c.add("signal/frame_pad_value", lambda T: Sg(T).frame(sig[:10], 4, 3, pad_end=True,
                                                          pad_value=9.0))
    c.add("signal/stft_pad_fft", lambda T: Sg(T).stft(sig, 6, 3, fft_length=8, pad_end=True),
          tol=(1e-4, 1e-4))
    c.add("signal/stft_batch", lambda T: Sg(T).stft(T.reshape(sig, [2, 8]), 4, 2),
          tol=(1e-4, 1e-4))
    c.add("signal/inverse_stft", lambda T: Sg(T).inverse_stft(Sg(T).stft(sig, 8, 4), 8, 4),
          tol=(1e-4, 1e-4))
    c.add("signal/inverse_stft_window", lambda T: Sg(T).inverse_stft(
        Sg(T).stft(sig, 8, 2), 8, 2, window_fn=Sg(T).inverse_stft_window_fn(2)), tol=(1e-4, 1e-4))
    for ty in (1, 2, 3, 4):
        c.add(f"signal/dct{ty}", lambda T, ty=ty: Sg(T).dct(sig, type=ty), tol=(1e-4, 1e-4))
        c.add(f"signal/idct{ty}", lambda T, ty=ty: Sg(T).idct(sig, type=ty), tol=(1e-4, 1e-4))
        if ty != 1:
            c.add(f"signal/dct{ty}_ortho", lambda T, ty=ty: Sg(T).dct(sig, type=ty, norm="ortho"),
                  tol=(1e-4, 1e-4))
    c.add("signal/dct_n", lambda T: Sg(T).dct(T.reshape(sig, [2, 8]), n=5), tol=(1e-4, 1e-4))
    c.add("signal/dct_f64", lambda T: Sg(T).dct(sig.astype(np.float64)))
    c.add("signal/mfccs", lambda T: Sg(T).mfccs_from_log_mel_spectrograms(
        T.reshape(sig, [2, 8])), tol=(1e-4, 1e-4))
    for n in (1, 6, 7):
        c.add(f"signal/kaiser/{n}", lambda T, n=n: Sg(T).kaiser_window(n), tol=(1e-5, 1e-6))
        c.add(f"signal/vorbis/{n}", lambda T, n=n: Sg(T).vorbis_window(n), tol=(1e-5, 1e-6))
    c.add("signal/kaiser_f64", lambda T: Sg(T).kaiser_window(9, beta=5.0, dtype=T.float64))
    c.add("signal/kbd", lambda T: Sg(T).kaiser_bessel_derived_window(8), tol=(1e-5, 1e-6))
    c.add("nn/bn_global", lambda T: T.nn.batch_norm_with_global_normalization(
        V, 0.1, 2.0, 0.5, 1.5, 1e-3, True))
    c.add("nn/bn_global_noscale", lambda T: T.nn.batch_norm_with_global_normalization(
        V, 0.1, 2.0, 0.5, 1.5, 1e-3, False))
    c.add("nn/space_to_batch", lambda T: T.nn.space_to_batch(
        T.reshape(T.range(8.0), [1, 2, 4, 1]), [2, 2], [[0, 0], [0, 0]]))
    c.add("signal/mel_default", lambda T: Sg(T).linear_to_mel_weight_matrix(), tol=(1e-4, 1e-5))
    c.add("strings/length", lambda T: T.strings.length(["ab", "c"]))
    c.add("strings/upper", lambda T: T.strings.upper(["ab", "c"]))
    c.add("strings/join", lambda T: T.strings.join(["ab", "c"], separator="-"))
    c.add("strings/split", lambda T: T.strings.split("a b c").numpy())
    W = ["  Hello World ", "été", "x1-2", ""]
    c.add("strings/length_utf8", lambda T: T.strings.length(W, unit="UTF8_CHAR"))
    c.add("strings/length_bytes", lambda T: T.strings.length(T.constant([W, W[::-1]])))
    c.add("strings/lower_strip", lambda T: T.strings.strip(T.strings.lower(W)))
    c.add("strings/regex_full_match", lambda T: T.strings.regex_full_match(W, r"x\d-\d"))
    c.add("strings/regex_replace", lambda T: T.strings.regex_replace(W, r"(\w)(\d)", r"\2\1"))
    c.add("strings/regex_replace_once", lambda T: T.strings.regex_replace(
        W, "l", "L", replace_global=False))
    c.add("strings/substr", lambda T: T.strings.substr(W, 1, 3))
    c.add("strings/substr_utf8", lambda T: T.strings.substr(["été!"], -3, 2, unit="UTF8_CHAR"))
    c.add("strings/substr_bad", lambda T: T.strings.substr(["ab"], 5, 1))
    c.add("strings/to_number", lambda T: T.strings.to_number(["1.5", " -2", "3e2"]))
    c.add("strings/to_number_int", lambda T: T.strings.to_number(["7", "-12"], T.int64))
    c.add("strings/to_number_bad", lambda T: T.strings.to_number(["x"]))
    c.add("strings/as_string_float", lambda T: T.strings.as_string([1.5, -2.25]))
    c.add("strings/as_string_prec", lambda T: T.strings.as_string([3.14159], precision=2))
    c.add("strings/as_string_int", lambda T: T.strings.as_string([7, -3], width=4, fill="0"))
    c.add("strings/as_string_sci", lambda T: T.strings.as_string([1234.5], scientific=True))
    c.add("strings/as_string_bool", lambda T: T.strings.as_string([True, False]))
    c.add("strings/join_bcast", lambda T: T.strings.join([["a", "b"], "-x"], separator="+"))
    c.add("strings/reduce_join", lambda T: T.strings.reduce_join([["a", "b"], ["c", "d"]],
                                                                 axis=1, separator=","))
    c.add("strings/reduce_join_all", lambda T: T.strings.reduce_join([["a", "b"], ["c", "d"]]))
    c.add("strings/reduce_join_keep", lambda T: T.strings.reduce_join(
        [["a", "b"], ["c", "d"]], axis=0, keepdims=True))
    c.add("strings/traced", lambda T: T.function(lambda s: T.strings.upper(s))(
        T.constant(W)))


def cases():
    c = CaseList()
    _nn(c)
    _math_extra(c)
    _image(c)
    _random(c)
    _sparse_signal(c)
    return c.items + seeded_cases() + generator_cases()


def _seeded(T, fn):
    T.random.set_seed(1234)
    return fn()


def seeded_cases():
    """Stateful random ops under tf.random.set_seed / op seeds (TF's kernel streams)."""
    c = CaseList()
    R = lambda T: T.random
    c.add("seeded/uniform_sequence", lambda T: _seeded(T, lambda: [
        R(T).uniform([3]), R(T).uniform([2, 2]), R(T).normal([5]), R(T).uniform([3])]))
    c.add("seeded/op_seed_repeat", lambda T: _seeded(T, lambda: [
        R(T).uniform([3], seed=7), R(T).uniform([3], seed=7), R(T).normal([2], seed=7),
        R(T).uniform([4], seed=7, dtype=T.float64)]))
    c.add("seeded/dtypes", lambda T: _seeded(T, lambda: [
        R(T).uniform([5], dtype=T.float16), R(T).normal([3], dtype=T.float64),
        R(T).truncated_normal([6], stddev=2.0), R(T).uniform([4], 0, 10, dtype=T.int32),
        R(T).uniform([3], -5, 5, dtype=T.int64), R(T).uniform([2], 2.0, 3.0)]))
    c.add("seeded/dropout", lambda T: _seeded(T, lambda: [
        T.nn.dropout(T.ones([3, 4]), 0.5), T.nn.dropout(T.ones([6]), 0.3, seed=3),
        T.nn.dropout(T.ones([2, 3]), 0.5, noise_shape=[2, 1])]))
    lg = np.log(np.array([[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]], np.float32))
    c.add("seeded/categorical", lambda T: _seeded(T, lambda: [
        R(T).categorical(lg, 7), R(T).categorical(lg, 5, seed=3),
        R(T).categorical(lg, 5, seed=3), R(T).categorical(lg, 2, dtype=T.int32)]))
    c.add("seeded/shuffle", lambda T: _seeded(T, lambda: [
        R(T).shuffle(T.range(10)), R(T).shuffle(T.reshape(T.range(12), [6, 2]), seed=4),
        R(T).shuffle(T.range(10), seed=4), R(T).shuffle(T.range(10), seed=4)]))
    c.add("seeded/zero_seed", lambda T: _seeded(T, lambda: (
        T.random.set_seed(0), R(T).uniform([3], seed=0))[1]))

    def op_seed_only(T):
        T.random.set_seed(None)
        return [R(T).uniform([3], seed=5), R(T).normal([2], seed=5)]
    c.add("seeded/op_seed_only", op_seed_only)
    return c.items


def generator_cases():
    """tf.random.Generator: TF's state layout, counter advance and stateless v2 draws."""
    c = CaseList()

    def draws(T):
        g = T.random.Generator.from_seed(1234)
        snap = lambda: T.identity(g.state)
        out = [snap(), g.uniform([3]), g.normal([2, 2]), snap(),
               g.truncated_normal([5]), g.uniform([4], 0, 10, dtype=T.int32),
               g.uniform_full_int([2], dtype=T.int64), g.uniform([3], dtype=T.float64),
               g.make_seeds(3)]
        g.skip(5)
        out += [snap(), g.normal([3], dtype=T.float16)]
        return out
    c.add("generator/draws", draws)

    def split(T):
        g = T.random.Generator.from_seed([7, 8])
        kids = g.split(2)
        states = [T.identity(g.state)] + [T.identity(k.state) for k in kids]
        return states + [k.normal([2]) for k in kids]
    c.add("generator/split", split)

    def reset(T):
        g = T.random.Generator.from_seed(5)
        a = g.uniform([2])
        g.reset_from_seed(5)
        b = g.uniform([2])
        return a, b, T.identity(T.random.Generator.from_state(g.state, "philox").state)
    c.add("generator/reset", reset)
    c.add("generator/big_seed", lambda T: T.random.Generator.from_seed(2 ** 70 + 3).state)
    c.add("generator/create_rng_state", lambda T: T.random.create_rng_state(1234, "philox"))
    return c.items
