"""Side-by-side parity of cf.nn / cf.random / cf.image with TensorFlow (values, dtypes,
shapes, error types, gradients) on ~280 cases. Not a test (TF is not a test dependency).

    <tf-venv>/bin/python bench/tf_parity_nn.py tf /tmp/parity   # writes tf.npz
    .venv/bin/python bench/tf_parity_nn.py cf /tmp/parity        # writes cf.npz
    .venv/bin/python bench/tf_parity_nn.py compare /tmp/parity   # prints differences
"""
# ruff: noqa: B023 - every lambda is called at once by case(), inside its loop iteration
import sys

import numpy as np

out = {}


def case(name, fn):
    try:
        r = fn()
        rs = r if isinstance(r, (list, tuple)) else [r]
        for i, t in enumerate(rs):
            out[f"{name}#{i}"] = np.asarray(t) if t is not None else np.array("None")
    except Exception as e:  # noqa: BLE001 - errors are compared too
        out[name + "!err"] = np.array(f"{type(e).__name__}: {e}"[:200])


def meta(name, fn):
    try:
        r = fn()
        rs = r if isinstance(r, (list, tuple)) else [r]
        out[name + "!meta"] = np.array(str([(tuple(t.shape), t.dtype.name) for t in rs]))
    except Exception as e:  # noqa: BLE001
        out[name + "!err"] = np.array(f"{type(e).__name__}: {e}"[:200])


def grad(T, f, *xs):
    xs = [T.constant(a) for a in xs]
    with T.GradientTape() as tape:
        for a in xs:
            tape.watch(a)
        y = f(*xs)
    return tape.gradient(y, xs)


def _cases(T):
    rng = np.random.default_rng(0)
    img = rng.uniform(0, 1, (2, 7, 9, 3)).astype(np.float32)
    img8 = rng.integers(0, 256, (2, 7, 9, 3)).astype(np.uint8)
    x4 = rng.standard_normal((2, 8, 7, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    dw = rng.standard_normal((3, 3, 3, 2)).astype(np.float32)
    v = rng.standard_normal((4, 6)).astype(np.float32) * 3
    v[0, :3] = 0
    R = T.image.resize
    for m in ["bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic"]:
        for sz in [(14, 18), (3, 4), (7, 5), (11, 2)]:
            case(f"resize_{m}_{sz}", lambda: R(img, sz, m))
        case(f"resize_{m}_aa", lambda: R(img, (3, 4), m, antialias=True))
    case("resize_u8", lambda: R(img8, (5, 13)))
    case("resize_u8_nearest", lambda: R(img8, (5, 13), "nearest"))
    case("resize_aspect", lambda: R(img, (20, 20), preserve_aspect_ratio=True))
    case("resize_with_pad", lambda: T.image.resize_with_pad(img, 10, 6))
    case("resize_with_pad2", lambda: T.image.resize_with_pad(img8, 5, 20))
    case("central_crop", lambda: T.image.central_crop(img, 0.5))
    case("crop_or_pad", lambda: T.image.resize_with_crop_or_pad(img, 4, 12))
    case("crop_or_pad2", lambda: T.image.resize_with_crop_or_pad(img, 10, 3))
    case("gray_u8", lambda: T.image.rgb_to_grayscale(img8))
    case("gray_f", lambda: T.image.rgb_to_grayscale(img))
    case("contrast_u8", lambda: T.image.adjust_contrast(img8, 1.7))
    case("bright_u8", lambda: T.image.adjust_brightness(img8, 0.2))
    case("bright_f", lambda: T.image.adjust_brightness(img, -0.3))
    case("gamma_u8", lambda: T.image.adjust_gamma(img8, 0.5, 1.2))
    case("std_u8", lambda: T.image.per_image_standardization(img8))
    case("std_f64", lambda: T.image.per_image_standardization(img.astype(np.float64)))
    case("cvt_f_u8", lambda: T.image.convert_image_dtype(img * 1.2 - 0.1, T.uint8, saturate=True))
    case("cvt_f_u8_nosat", lambda: T.image.convert_image_dtype(img, T.uint8))
    case("cvt_u8_i32", lambda: T.image.convert_image_dtype(img8, T.int32))
    case("cvt_i32_u8", lambda: T.image.convert_image_dtype(img8.astype(np.int32) * 8388608, T.uint8))
    case("cvt_u8_f16", lambda: T.image.convert_image_dtype(img8, T.float16))
    case("rot90_3", lambda: T.image.rot90(img, 3))
    case("tv", lambda: T.image.total_variation(img))
    case("grad", lambda: T.image.image_gradients(img))
    nn = T.nn
    for p in ["SAME", "VALID"]:
        for s in [1, 2, 3]:
            case(f"conv_{p}_{s}", lambda: nn.conv2d(x4, w, s, p))
            case(f"maxpool_{p}_{s}", lambda: nn.max_pool2d(x4, 3, s, p))
            case(f"avgpool_{p}_{s}", lambda: nn.avg_pool2d(x4, [2, 3], s, p))
            case(f"dw_{p}_{s}", lambda: nn.depthwise_conv2d(x4, dw, [1, s, s, 1], p))
    case("conv_dil", lambda: nn.conv2d(x4, w, 1, "SAME", dilations=2))
    case("conv_explicit", lambda: nn.conv2d(x4, w, 2, [[0, 0], [1, 2], [0, 1], [0, 0]]))
    case("conv1d", lambda: nn.conv1d(x4[:, 0], w[0], 2, "SAME"))
    case("convT", lambda: nn.conv2d_transpose(x4[..., :3], rng.standard_normal((3, 3, 2, 3)).astype(np.float32), [2, 16, 14, 2], 2))
    case("convT_valid", lambda: nn.conv2d_transpose(x4[..., :3], np.ones((3, 3, 2, 3), np.float32), [2, 17, 15, 2], 2, "VALID"))
    case("pool_avg_dil", lambda: nn.pool(x4, [2, 2], "AVG", padding="SAME", dilations=[2, 2]))
    case("pool_max_dil", lambda: nn.pool(x4, [2, 2], "MAX", padding="SAME", dilations=[2, 2]))
    for fn in ["relu", "relu6", "elu", "selu", "softplus", "softsign", "leaky_relu", "gelu", "silu", "log_softmax", "softmax", "crelu"]:
        case(fn, lambda: getattr(nn, fn)(v))
    case("gelu_tanh", lambda: nn.gelu(v, approximate=True))
    case("log_sigmoid", lambda: T.math.log_sigmoid(v))
    case("softmax_ax0", lambda: nn.softmax(v, axis=0))
    lab = rng.random((4, 6)).astype(np.float32)
    case("xent", lambda: nn.softmax_cross_entropy_with_logits(lab, v))
    case("sxent", lambda: nn.sparse_softmax_cross_entropy_with_logits(np.array([0, 5, 2, 1]), v))
    case("sigxent", lambda: nn.sigmoid_cross_entropy_with_logits(lab, v))
    case("wxent", lambda: nn.weighted_cross_entropy_with_logits(lab, v, 3.0))
    case("poisson", lambda: nn.log_poisson_loss(lab * 3, v, compute_full_loss=True))
    case("avg_loss", lambda: nn.compute_average_loss(v[:, 0], sample_weight=lab[:, 0]))
    case("moments", lambda: nn.moments(v, [0]))
    case("l2n", lambda: nn.l2_normalize(v, 1))
    case("fbn", lambda: nn.fused_batch_norm(x4, np.ones(3, np.float32) * 2, np.zeros(3, np.float32) + 0.5))
    case("zero_frac", lambda: nn.zero_fraction(v))
    case("bias_nchw", lambda: nn.bias_add(x4, np.arange(8, dtype=np.float32), data_format="NCHW"))
    case("sxent_bad", lambda: nn.sparse_softmax_cross_entropy_with_logits(np.array([0, 6, 2, 1]), v))
    case("bias_bad", lambda: nn.bias_add(v, np.ones(5, np.float32)))
    case("dropout_bad", lambda: nn.dropout(v, 1.0))
    case("uniform_bad", lambda: T.random.uniform([2], dtype=T.int32))
    case("resize_bad", lambda: R(img, [3]))
    case("crop_bad", lambda: T.image.crop_to_bounding_box(img, 0, 5, 3, 5))
    # gradients
    case("g_relu0", lambda: grad(T, lambda a: nn.relu(a), np.array([-1.0, 0.0, 1.0], np.float32)))
    case("g_relu6", lambda: grad(T, lambda a: nn.relu6(a), np.array([0.0, 3.0, 6.0, 7.0], np.float32)))
    case("g_leaky0", lambda: grad(T, lambda a: nn.leaky_relu(a), np.array([-1.0, 0.0, 1.0], np.float32)))
    case("g_elu0", lambda: grad(T, lambda a: nn.elu(a), np.array([-1.0, 0.0, 1.0], np.float32)))
    case("g_maxpool_ties", lambda: grad(T, lambda a: nn.max_pool2d(a, 2, 1, "VALID"), np.ones((1, 3, 3, 1), np.float32)))
    case("g_conv", lambda: grad(T, lambda a, b: nn.conv2d(a, b, 2, "SAME") ** 2, x4, w))
    case("g_resize", lambda: grad(T, lambda a: R(a, (5, 13)) ** 2, img))
    case("g_resize_n", lambda: grad(T, lambda a: R(a, (5, 13), "nearest") ** 2, img))
    case("g_xent_labels", lambda: grad(T, lambda a, b: nn.softmax_cross_entropy_with_logits(a, b), lab, v))
    case("g_sigxent0", lambda: grad(T, lambda b: nn.sigmoid_cross_entropy_with_logits(lab[0], b), np.array([0, 1, -1, 0, 2, 0], np.float32)))
    case("g_avgpool", lambda: grad(T, lambda a: nn.avg_pool2d(a, 3, 2, "SAME") ** 2, x4))


def _cases2(T):
    rng = np.random.default_rng(1)
    h = rng.standard_normal((3, 5)).astype(np.float16)
    i = rng.integers(-5, 5, (3, 5)).astype(np.int32)
    img16 = rng.uniform(0, 1, (5, 6, 3)).astype(np.float16)
    img64 = rng.uniform(0, 1, (5, 6, 3)).astype(np.float64)
    imgb = rng.integers(0, 255, (5, 6, 3)).astype(np.uint8)
    nn = T.nn
    for f in ["relu", "relu6", "elu", "selu", "softplus", "softsign", "gelu", "silu", "softmax", "log_softmax", "leaky_relu", "crelu"]:
        case(f + "_f16", lambda: getattr(nn, f)(h))
        meta(f + "_i32", lambda: getattr(nn, f)(i))
    meta("l2n_f16", lambda: nn.l2_normalize(h))
    meta("moments_f16", lambda: nn.moments(h, [0]))
    meta("moments_keep", lambda: nn.moments(h.astype(np.float32), [0, 1], keepdims=True))
    meta("zf_i32", lambda: nn.zero_fraction(i))
    meta("sxent_f16", lambda: nn.sparse_softmax_cross_entropy_with_logits(np.array([1, 2, 3]), h))
    meta("xent_f16", lambda: nn.softmax_cross_entropy_with_logits(np.ones((3, 5), np.float16) / 5, h))
    for m in ["bilinear", "nearest", "bicubic", "area"]:
        meta(f"resize_f16_{m}", lambda: T.image.resize(img16, (3, 4), m))
        meta(f"resize_f64_{m}", lambda: T.image.resize(img64, (3, 4), m))
        meta(f"resize_u8_{m}", lambda: T.image.resize(imgb, (3, 4), m))
        case(f"resize_vals_u8_{m}", lambda: T.image.resize(imgb, (8, 9), m))
    meta("gray_f16", lambda: T.image.rgb_to_grayscale(img16))
    meta("std_f16", lambda: T.image.per_image_standardization(img16))
    meta("std_f64", lambda: T.image.per_image_standardization(img64))
    case("std_f16v", lambda: T.image.per_image_standardization(img16))
    meta("bright_f16", lambda: T.image.adjust_brightness(img16, 0.1))
    meta("contrast_f64", lambda: T.image.adjust_contrast(img64, 0.1))
    case("cvt_f16_u8", lambda: T.image.convert_image_dtype(img16, T.uint8))
    case("cvt_u8_i16", lambda: T.image.convert_image_dtype(imgb, T.int16))
    case("cvt_i16_u8", lambda: T.image.convert_image_dtype(imgb.astype(np.int16) * 100, T.uint8))
    case("cvt_i32_f32", lambda: T.image.convert_image_dtype(imgb.astype(np.int32) * 1000, T.float32))
    case("cvt_u8_f64", lambda: T.image.convert_image_dtype(imgb, T.float64))
    # random meta
    R = T.random
    meta("r_uniform", lambda: R.uniform([2, 3]))
    meta("r_uniform_i64", lambda: R.uniform([2], 0, 10, dtype=T.int64))
    meta("r_normal_f64", lambda: R.normal([2], dtype=T.float64))
    meta("r_cat", lambda: R.categorical(np.zeros((2, 3), np.float32), 4))
    meta("r_cat_i32", lambda: R.categorical(np.zeros((2, 3), np.float32), 4, dtype=T.int32))
    meta("r_gamma", lambda: R.gamma([3, 2], np.array([1.0, 2.0]), beta=np.array([[1.0], [2.0], [3.0]])))
    meta("r_gamma64", lambda: R.gamma([3], 1.0, dtype=T.float64))
    meta("r_poisson", lambda: R.poisson([3, 2], np.array([1.0, 2.0, 3.0])))
    meta("r_poisson_i", lambda: R.poisson([3], 2.0, dtype=T.int64))
    meta("r_shuffle", lambda: R.shuffle(np.arange(6).reshape(3, 2)))
    meta("r_sl_uniform", lambda: R.stateless_uniform([2], [1, 2]))
    meta("r_sl_int", lambda: R.stateless_uniform([2], [1, 2], minval=None, maxval=None, dtype=T.int32))
    meta("r_sl_uint", lambda: R.stateless_uniform([2], [1, 2], minval=None, maxval=None, dtype=T.uint32))
    meta("r_sl_cat", lambda: R.stateless_categorical(np.zeros((2, 3), np.float32), 4, [1, 2]))
    meta("r_split", lambda: R.experimental.stateless_split([1, 2], 3))
    meta("r_fold", lambda: R.experimental.stateless_fold_in([1, 2], 3))
    meta("r_gen_full", lambda: R.Generator.from_seed(1).uniform_full_int([2]))
    meta("r_gen_state", lambda: R.Generator.from_seed(1).state)
    meta("r_gen_seeds", lambda: R.Generator.from_seed(1).make_seeds(3))
    meta("r_gen_unif_int", lambda: R.Generator.from_seed(1).uniform([2], maxval=5, dtype=T.int32))
    meta("r_gen_full_i64", lambda: R.Generator.from_seed(1).uniform([2], minval=None, maxval=None, dtype=T.int64))
    case("r_uniform_f16_bad", lambda: R.uniform([2], dtype=T.uint8, maxval=3))
    case("r_uniform_eq", lambda: R.uniform([2], 3, 3, dtype=T.int32))
    case("r_uniform_neg", lambda: R.uniform([-1]))
    case("r_cat_1d", lambda: R.categorical(np.zeros(3, np.float32), 2))
    case("r_sl_bad", lambda: R.stateless_uniform([2], [1, 2, 3]))
    case("dropout_int", lambda: nn.dropout(i, 0.5))
    case("dropout_ns", lambda: nn.dropout(h, 0.5, noise_shape=[2, 1]))
    case("conv_bad_depth", lambda: nn.conv2d(np.zeros((1, 4, 4, 3), np.float32), np.zeros((3, 3, 2, 4), np.float32), 1, "SAME"))
    case("conv_bad_groups", lambda: nn.conv2d(np.zeros((1, 4, 4, 4), np.float32), np.zeros((3, 3, 2, 3), np.float32), 1, "SAME"))
    case("conv_groups", lambda: nn.conv2d(rng.standard_normal((1, 4, 4, 4)).astype(np.float32), rng.standard_normal((3, 3, 2, 6)).astype(np.float32), 1, "SAME"))
    case("maxpool_explicit", lambda: nn.max_pool2d(rng.standard_normal((1, 4, 4, 1)).astype(np.float32), 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]))
    case("avgpool_explicit", lambda: nn.avg_pool2d(rng.standard_normal((1, 4, 4, 1)).astype(np.float32), 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]))
    case("maxpool_same_big", lambda: nn.max_pool2d(np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1), 5, 1, "SAME"))
    case("avgpool_same_big", lambda: nn.avg_pool2d(np.arange(4, dtype=np.float32).reshape(1, 2, 2, 1), 5, 1, "SAME"))
    case("maxpool_i32", lambda: nn.max_pool2d(np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1), 2, 2, "SAME"))
    case("maxpool_u8", lambda: nn.max_pool2d(np.arange(16, dtype=np.uint8).reshape(1, 4, 4, 1), 2, 2, "SAME"))
    case("avgpool_i32", lambda: nn.avg_pool2d(np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1), 2, 2, "SAME"))
    case("conv_f64", lambda: nn.conv2d(rng.standard_normal((1, 4, 4, 2)), rng.standard_normal((2, 2, 2, 3)), 1, "SAME"))
    case("conv_i32", lambda: nn.conv2d(np.ones((1, 4, 4, 2), np.int32), np.ones((2, 2, 2, 3), np.int32), 1, "SAME"))
    case("convT_bad", lambda: nn.conv2d_transpose(np.zeros((1, 2, 2, 3), np.float32), np.zeros((3, 3, 2, 3), np.float32), [1, 5, 5, 2], 2))
    case("bias_i32", lambda: nn.bias_add(i, np.arange(5, dtype=np.int32)))
    case("emb", lambda: nn.embedding_lookup(rng.standard_normal((5, 2)).astype(np.float32), np.array([[0, 4], [2, 2]])))
    case("emb_list", lambda: nn.embedding_lookup([np.arange(6, dtype=np.float32).reshape(3, 2), np.arange(6, 10, dtype=np.float32).reshape(2, 2)], np.array([4, 0, 3])))
    case("emb_maxnorm", lambda: nn.embedding_lookup(np.arange(6, dtype=np.float32).reshape(3, 2), np.array([2, 1]), max_norm=2.0))
    case("emb_bad", lambda: nn.embedding_lookup(np.zeros((3, 2), np.float32), np.array([3])))
    case("l2loss_f16", lambda: nn.l2_loss(h))
    case("avgloss_gbs", lambda: nn.compute_average_loss(np.ones(4, np.float32), global_batch_size=8))
    case("scale_reg", lambda: nn.scale_regularization_loss([np.float32(1.0), np.float32(2.0)]))
    case("bn", lambda: nn.batch_normalization(h.astype(np.float32), 0.5, 2.0, 0.1, 3.0, 1e-3))
    case("wmoments", lambda: nn.weighted_moments(h.astype(np.float32), [1], np.arange(5, dtype=np.float32)))
    case("norm_moments", lambda: nn.normalize_moments(4.0, np.float32(8.0), np.float32(20.0), 1.0))
    case("leaky_i", lambda: nn.leaky_relu(i, 0.3))
    case("sel", lambda: nn.selu(np.array([-100.0, 100.0], np.float32)))
    case("softplus_big", lambda: nn.softplus(np.array([-100.0, 0.0, 100.0], np.float32)))


def _cases3(T):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 7, 6, 3)).astype(np.float32)
    for p in ["SAME", "VALID"]:
        case(f"patches_{p}", lambda: T.image.extract_patches(x, [1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 2, 1], p))
        case(f"argmax_{p}", lambda: T.nn.max_pool_with_argmax(x, 3, 2, p))
        case(f"argmax_b_{p}", lambda: T.nn.max_pool_with_argmax(x, [2, 3], [1, 2], p, include_batch_in_index=True))
    case("lrn", lambda: T.nn.local_response_normalization(x, 2, 0.5, 0.3, 0.75))
    case("lrn_def", lambda: T.nn.lrn(x))
    case("atrous", lambda: T.nn.atrous_conv2d(x, rng.standard_normal((3, 3, 3, 2)).astype(np.float32), 2, "SAME"))
    case("conv1dT", lambda: T.nn.conv1d_transpose(x[:, 0], rng.standard_normal((3, 2, 3)).astype(np.float32), [2, 12, 2], 2))
    case("suff", lambda: T.nn.sufficient_statistics(x, [0, 1], shift=0.5))
    case("suff2", lambda: T.nn.sufficient_statistics(x, [1], keepdims=True))


def _cases4(T):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 6, 4, 3)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3, 4)).astype(np.float32)
    for p in ["SAME", "VALID"]:
        for s in [[1, 1, 1, 1, 1], [1, 2, 2, 1, 1], [1, 2, 3, 2, 1]]:
            case(f"c3_{p}_{s}", lambda: T.nn.conv3d(x, w, s, p))
            case(f"mp3_{p}_{s}", lambda: T.nn.max_pool3d(x, [1, 2, 3, 2, 1], s, p))
            case(f"ap3_{p}_{s}", lambda: T.nn.avg_pool3d(x, [1, 2, 3, 2, 1], s, p))
    case("c3_dil", lambda: T.nn.conv3d(x, w, [1, 1, 1, 1, 1], "SAME", dilations=[1, 2, 1, 2, 1]))
    case("g_c3", lambda: grad(T, lambda a, b: T.nn.conv3d(a, b, [1, 2, 1, 2, 1], "SAME") ** 2, x, w))
    case("g_mp3", lambda: grad(T, lambda a: T.nn.max_pool3d(a, 2, 2, "SAME") ** 2, x))
    case("g_ap3", lambda: grad(T, lambda a: T.nn.avg_pool3d(a, 2, 2, "SAME") ** 2, x))
    case("mp_generic5", lambda: T.nn.max_pool(x, 2, 2, "SAME"))


def compare(folder):
    a = np.load(f"{folder}/tf.npz")
    b = np.load(f"{folder}/cf.npz")
    bad = 0
    for k in sorted(set(a) | set(b)):
        if k not in a or k not in b:
            print("only in", "tf" if k in a else "cf", k)
            bad += 1
            continue
        x, y = a[k], b[k]
        if k.endswith("!err"):
            print("error  ", k, "| tf:", str(x)[:100], "| cf:", str(y)[:100])
        elif x.dtype.kind == "U":
            if str(x) != str(y):
                print("meta   ", k, x, "|", y)
                bad += 1
        elif x.shape != y.shape or x.dtype != y.dtype:
            print("shape  ", k, x.shape, x.dtype, y.shape, y.dtype)
            bad += 1
        elif x.dtype.kind in "fc" and x.size:
            d = np.max(np.abs(x.astype(np.float64) - y.astype(np.float64)))
            if d / max(np.max(np.abs(x.astype(np.float64))), 1) > 2e-5:
                print("value  ", k, d)
                bad += 1
        elif x.dtype.kind not in "fc" and not np.array_equal(x, y):
            print("value  ", k, np.sum(x != y))
            bad += 1
    print(f"{len(set(a) | set(b))} outputs, {bad} differences")


if __name__ == "__main__":
    lib, folder = sys.argv[1], sys.argv[2]
    if lib == "compare":
        compare(folder)
    else:
        T = __import__("tensorflow" if lib == "tf" else "cuflow")
        for fn in (_cases, _cases2, _cases3, _cases4):
            fn(T)
        np.savez(f"{folder}/{lib}.npz", **out)
        print(lib, len(out))
