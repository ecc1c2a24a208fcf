"""Differential cases: nn, linalg, math and image ops, random draws (dtype/shape only),
tree and config."""
from __future__ import annotations

import numpy as np

from tests.tf_compat.inputs import arr

X = arr("nx", (2, 5), "float32")
IMG = arr("img", (2, 6, 6, 3), "float32", 0, 1)
KER = arr("ker", (3, 3, 3, 4), "float32", -0.5, 0.5)
SEQ = arr("seq", (2, 7, 3), "float32")
K1 = arr("k1", (3, 3, 2), "float32", -0.5, 0.5)
SPD = (lambda a: a @ a.T + 3 * np.eye(3, dtype="float32"))(arr("spd", (3, 3), "float32"))
Y = np.array([0, 3], "int32")
P = np.abs(arr("p", (2, 5), "float32", 0.1, 1))
P = P / P.sum(-1, keepdims=True)
Q = arr("q", (2, 4, 2, 8), "float32")

NN = {
    "one_hot": lambda K: K.ops.one_hot(np.array([0, 2, 1]), 4),
    "one_hot/axis0": lambda K: K.ops.one_hot(np.array([0, 2]), 3, axis=0),
    "one_hot/dtype": lambda K: K.ops.one_hot(np.array([0, 2]), 3, dtype="int32"),
    "multi_hot": lambda K: K.ops.multi_hot(np.array([[0, 2], [1, 1]]), 4),
    "normalize": lambda K: K.ops.normalize(X),
    "normalize/l1": lambda K: K.ops.normalize(X, axis=0, order=1),
    "moments": lambda K: K.ops.moments(X, axes=[0]),
    "moments/keep": lambda K: K.ops.moments(IMG, axes=[0, 1, 2], keepdims=True),
    "batch_normalization": lambda K: K.ops.batch_normalization(
        X, np.zeros(5, "float32"), np.ones(5, "float32") * 2, axis=-1,
        offset=np.ones(5, "float32"), scale=np.full(5, 3.0, "float32")),
    "layer_normalization": lambda K: K.ops.layer_normalization(X),
    "rms_normalization": lambda K: K.ops.rms_normalization(X, scale=2.0),
    "softmax/axis0": lambda K: K.ops.softmax(X, axis=0),
    "log_softmax/tuple": lambda K: K.ops.log_softmax(IMG, axis=(1, 2)),
    "leaky_relu/slope": lambda K: K.ops.leaky_relu(X, negative_slope=0.1),
    "elu/alpha": lambda K: K.ops.elu(X, alpha=0.5),
    "gelu/exact": lambda K: K.ops.gelu(X, approximate=False),
    "threshold": lambda K: K.ops.threshold(X, 0.5, -1.0),
    "binary_crossentropy": lambda K: K.ops.binary_crossentropy(
        (X > 0).astype("float32"), 1 / (1 + np.exp(-X))),
    "binary_crossentropy/logits": lambda K: K.ops.binary_crossentropy(
        (X > 0).astype("float32"), X, from_logits=True),
    "categorical_crossentropy": lambda K: K.ops.categorical_crossentropy(
        np.eye(5, dtype="float32")[[1, 3]], P),
    "categorical_crossentropy/logits": lambda K: K.ops.categorical_crossentropy(
        np.eye(5, dtype="float32")[[1, 3]], X, from_logits=True),
    "sparse_categorical_crossentropy": lambda K: K.ops.sparse_categorical_crossentropy(Y, P),
    "sparse_categorical_crossentropy/logits": lambda K: K.ops.sparse_categorical_crossentropy(
        Y, X, from_logits=True),
    "conv2d": lambda K: K.ops.conv(IMG, KER),
    "conv2d/same_stride": lambda K: K.ops.conv(IMG, KER, strides=2, padding="same"),
    "conv2d/dilated": lambda K: K.ops.conv(IMG, KER, dilation_rate=2),
    "conv1d": lambda K: K.ops.conv(SEQ, K1, padding="same"),
    "conv2d/cfirst": lambda K: K.ops.conv(IMG.transpose(0, 3, 1, 2), KER,
                                          data_format="channels_first"),
    "depthwise_conv": lambda K: K.ops.depthwise_conv(IMG, KER[:, :, :, :2]),
    "separable_conv": lambda K: K.ops.separable_conv(IMG, KER[:, :, :, :1],
                                                     arr("pw", (1, 1, 3, 5), "float32")),
    "conv_transpose": lambda K: K.ops.conv_transpose(IMG, KER.transpose(0, 1, 3, 2)[..., :3],
                                                     strides=2, padding="same"),
    "conv_transpose/valid": lambda K: K.ops.conv_transpose(
        IMG, KER.transpose(0, 1, 3, 2)[..., :3]),
    "max_pool": lambda K: K.ops.max_pool(IMG, 2),
    "max_pool/same": lambda K: K.ops.max_pool(IMG, 3, strides=2, padding="same"),
    "average_pool": lambda K: K.ops.average_pool(IMG, (2, 3), strides=(1, 2)),
    "average_pool/1d": lambda K: K.ops.average_pool(SEQ, 2),
    "adaptive_average_pool": lambda K: K.ops.adaptive_average_pool(IMG, (2, 3)),
    "adaptive_max_pool": lambda K: K.ops.adaptive_max_pool(IMG, 3),
    "depth_to_space": lambda K: K.ops.depth_to_space(
        arr("d2s", (1, 2, 2, 8), "float32"), 2),
    "space_to_depth": lambda K: K.ops.space_to_depth(IMG[:, :4, :4], 2),
    "dot_product_attention": lambda K: K.ops.dot_product_attention(Q, Q, Q),
    "dot_product_attention/causal": lambda K: K.ops.dot_product_attention(
        Q, Q, Q, is_causal=True, scale=0.5),
    "dot_product_attention/mask": lambda K: K.ops.dot_product_attention(
        Q, Q, Q, mask=np.tril(np.ones((4, 4), bool))[None, None]),
    "ctc_loss": lambda K: K.ops.ctc_loss(np.array([[1, 2, 0], [2, 0, 0]]), SEQ[:, :, :],
                                         np.array([2, 1]), np.array([7, 5])),
    "ctc_decode": lambda K: K.ops.ctc_decode(SEQ, np.array([7, 5]), mask_index=0),
    "psnr": lambda K: K.ops.psnr(IMG, IMG * 0.9, 1.0),
    "polar": lambda K: K.ops.polar(np.abs(X), X),
    "glu/axis0": lambda K: K.ops.glu(arr("glu", (4, 3), "float32"), axis=0),
    # math
    "segment_sum": lambda K: K.ops.segment_sum(X, np.array([0, 0])),
    "segment_sum/num": lambda K: K.ops.segment_sum(V5(), np.array([0, 2, 2, 1, 0]), 4),
    "segment_max": lambda K: K.ops.segment_max(V5(), np.array([0, 0, 1, 1, 1]),
                                               sorted=True),
    "segment_min": lambda K: K.ops.segment_min(V5(), np.array([1, 0, 1, 0, 1]), 2),
    "segment_prod": lambda K: K.ops.segment_prod(V5(), np.array([1, 0, 1, 0, 1]), 2),
    "top_k": lambda K: K.ops.top_k(X, 2),
    "in_top_k": lambda K: K.ops.in_top_k(Y, X, 2),
    "logsumexp/keep": lambda K: K.ops.logsumexp(X, axis=1, keepdims=True),
    "erfinv/f64": lambda K: K.ops.erfinv(np.array([0.1, -0.5])),
    "fft": lambda K: K.ops.fft((X, X[::-1])),
    "fft2": lambda K: K.ops.fft2((IMG[0, :, :, 0], IMG[1, :, :, 0])),
    "ifft2": lambda K: K.ops.ifft2((IMG[0, :, :, 0], IMG[1, :, :, 0])),
    "rfft": lambda K: K.ops.rfft(X),
    "rfft/len": lambda K: K.ops.rfft(X, fft_length=8),
    "irfft": lambda K: K.ops.irfft((X[:, :3], X[:, 2:])),
    "stft": lambda K: K.ops.stft(arr("sig", (2, 32), "float32"), 8, 4, 8),
    "istft": lambda K: K.ops.istft(K.ops.stft(arr("sig", (2, 32), "float32"), 8, 4, 8,
                                              center=True), 8, 4, 8),
    "extract_sequences": lambda K: K.ops.extract_sequences(V5(), 2, 1),
    "rsqrt/int": lambda K: K.ops.rsqrt(np.array([1, 4])),
    "view_as_real": lambda K: K.ops.view_as_real(np.array([1 + 2j, 3 - 1j], "complex64")),
    "view_as_complex": lambda K: K.ops.view_as_complex(np.ones((2, 2), "float32")),
    # linalg
    "cholesky": lambda K: K.ops.cholesky(SPD),
    "cholesky/upper": lambda K: K.ops.cholesky(SPD, upper=True),
    "cholesky_inverse": lambda K: K.ops.cholesky_inverse(np.linalg.cholesky(SPD)),
    "det": lambda K: K.ops.det(SPD),
    "inv": lambda K: K.ops.inv(SPD),
    "solve": lambda K: K.ops.solve(SPD, np.eye(3, dtype="float32")),
    "solve_triangular": lambda K: K.ops.solve_triangular(np.tril(SPD), np.ones(
        (3, 2), "float32"), lower=True),
    "norm": lambda K: K.ops.norm(X),
    "norm/axis": lambda K: K.ops.norm(X, axis=1),
    "norm/ord1": lambda K: K.ops.norm(X, ord=1, axis=-1),
    "norm/fro": lambda K: K.ops.norm(SPD, ord="fro"),
    "norm/inf": lambda K: K.ops.norm(X, ord=np.inf, axis=1, keepdims=True),
    "norm/int": lambda K: K.ops.norm(np.array([3, 4])),
    "eigh/values": lambda K: K.ops.eigh(SPD)[0],
    "svd/values": lambda K: K.ops.svd(SPD, compute_uv=False),
    "slogdet": lambda K: K.ops.slogdet(SPD),
    "logdet": lambda K: K.ops.logdet(SPD),
    "pinv": lambda K: K.ops.pinv(SPD),
    "matrix_rank": lambda K: K.ops.linalg.matrix_rank(SPD),
    "lstsq": lambda K: K.ops.lstsq(SPD, np.ones((3, 1), "float32")),
    "qr/r_abs": lambda K: K.ops.abs(K.ops.qr(SPD)[1]),
    # image
    "image/resize": lambda K: K.ops.image.resize(IMG, (3, 4)),
    "image/resize/nearest": lambda K: K.ops.image.resize(IMG, (9, 9),
                                                         interpolation="nearest"),
    "image/resize/crop": lambda K: K.ops.image.resize(IMG[:, :, :4], (2, 2),
                                                      crop_to_aspect_ratio=True),
    "image/rgb_to_grayscale": lambda K: K.ops.image.rgb_to_grayscale(IMG),
    "image/rgb_to_hsv": lambda K: K.ops.image.rgb_to_hsv(IMG),
    "image/hsv_to_rgb": lambda K: K.ops.image.hsv_to_rgb(IMG),
    "image/extract_patches": lambda K: K.ops.image.extract_patches(IMG, 2),
    "image/pad_images": lambda K: K.ops.image.pad_images(IMG, 1, 2, target_height=9,
                                                         target_width=10),
    "image/crop_images": lambda K: K.ops.image.crop_images(IMG, 1, 2, target_height=3,
                                                           target_width=2),
    # random: dtype and shape only (values differ by design)
    "random/normal": lambda K: _meta(K.random.normal((2, 3), seed=1)),
    "random/uniform": lambda K: _meta(K.random.uniform((4,), 1, 2, dtype="float64", seed=1)),
    "random/randint": lambda K: _meta(K.random.randint((3,), 0, 5, seed=2)),
    "random/truncated_normal": lambda K: _meta(K.random.truncated_normal((2, 2), seed=3)),
    "random/categorical": lambda K: _meta(K.random.categorical(np.log(P), 4, seed=1)),
    "random/dropout": lambda K: _meta(K.random.dropout(X, 0.5, seed=1)),
    "random/shuffle": lambda K: _meta(K.random.shuffle(X, seed=1)),
    "random/gamma": lambda K: _meta(K.random.gamma((3,), 2.0, seed=1)),
    "random/beta": lambda K: _meta(K.random.beta((3,), 2.0, 3.0, seed=1)),
    "random/binomial": lambda K: _meta(K.random.binomial((3,), 5, 0.5, seed=1)),
    # tree
    "tree/flatten": lambda K: K.tree.flatten({"b": [1, (2, None)], "a": 3}),
    "tree/map": lambda K: K.tree.map_structure(lambda v: v * 2, {"b": [1, 2], "a": (3,)}),
    "tree/map_none": lambda K: K.tree.map_structure(lambda v: v is None, [None, 1]),
    "tree/pack": lambda K: K.tree.pack_sequence_as({"b": [0, 0], "a": 0}, [1, 2, 3]),
    "tree/is_nested": lambda K: (K.tree.is_nested([1]), K.tree.is_nested(1),
                                 K.tree.is_nested({})),
    "tree/assert_same": lambda K: K.tree.assert_same_structure([1, (2,)], [3, [4]]),
    "tree/lists_to_tuples": lambda K: str(K.tree.lists_to_tuples([1, [2, 3]])),
    "tree/flatten_with_path": lambda K: str(K.tree.flatten_with_path({"a": [1, 2]})),
    "tree/traverse": lambda K: str(K.tree.traverse(
        lambda v: v * 10 if isinstance(v, int) else None, [1, [2]])),
    "tree/up_to": lambda K: str(K.tree.map_structure_up_to([0, 0], lambda v: str(v),
                                                           [[1], (2, 3)])),
    "config": lambda K: (K.config.floatx(), K.config.epsilon(), K.config.image_data_format(),
                         K.config.backend(), K.config.is_interactive_logging_enabled(),
                         K.config.dtype_policy().name, K.config.max_epochs()),
}


def V5():
    return arr("v5", (5,), "float32")


def _meta(t):
    return (str(t.dtype.name), tuple(t.shape))


def add(c):
    for name, fn in NN.items():
        c.add(f"nn/{name}", fn, tol=(1e-4, 1e-4))
    add_extra(c)

EXTRA = {
    "cdist": lambda K: K.ops.cdist(arr("cd1", (3, 2), "float32"), arr("cd2", (4, 2), "float32")),
    "cdist/int": lambda K: K.ops.cdist(np.array([[0, 0]]), np.array([[3, 4], [1, 0]])),
    "rearrange": lambda K: K.ops.rearrange(IMG, "b h w c -> b c (h w)"),
    "rearrange/split": lambda K: K.ops.rearrange(IMG, "b (h p) w c -> b h p (w c)", p=2),
    "unfold": lambda K: K.ops.unfold(IMG.transpose(0, 3, 1, 2), 2),
    "unfold/args": lambda K: K.ops.unfold(IMG.transpose(0, 3, 1, 2), (3, 2), dilation=1,
                                          padding=1, stride=2),
    "fold": lambda K: K.ops.fold(K.ops.unfold(IMG.transpose(0, 3, 1, 2), 2), (6, 6), 2),
    "fold/overlap": lambda K: K.ops.fold(K.ops.unfold(IMG.transpose(0, 3, 1, 2), 3,
                                                      padding=1), 6, 3, padding=1),
    "vectorize": lambda K: K.ops.vectorize(lambda a, b: a * 2 + b)(X, 1.0),
    "image/sobel_edges": lambda K: K.ops.image.sobel_edges(IMG),
    "image/ssim": lambda K: K.ops.image.ssim(IMG, IMG * 0.8 + 0.1),
    "image/affine_transform": lambda K: K.ops.image.affine_transform(
        IMG, np.array([1, 0.1, 0.5, 0, 1, -1, 0, 0], "float32")),
    "image/affine_transform/nearest": lambda K: K.ops.image.affine_transform(
        IMG, np.array([[0.9, 0, 0, 0.1, 1, 0, 0, 0]] * 2, "float32"),
        interpolation="nearest", fill_mode="reflect"),
    "image/map_coordinates": lambda K: K.ops.image.map_coordinates(
        IMG[0, :, :, 0], np.array([[0.5, 2.2, 7.0], [1.0, 3.5, -1.0]]), 1),
    "image/map_coordinates/nearest": lambda K: K.ops.image.map_coordinates(
        IMG[0, :, :, 0], np.array([[0.5, 2.2, 5.0], [1.0, 3.5, 0.0]]), 0, fill_mode="nearest"),
    "image/gaussian_blur": lambda K: K.ops.image.gaussian_blur(IMG),
    "image/resize/pad": lambda K: K.ops.image.resize(IMG[:, :, :4], (3, 3),
                                                     pad_to_aspect_ratio=True),
    "image/resize/bicubic": lambda K: K.ops.image.resize(IMG, (4, 5), interpolation="bicubic"),
    "image/resize/cfirst": lambda K: K.ops.image.resize(IMG.transpose(0, 3, 1, 2), (3, 3),
                                                        data_format="channels_first"),
    "jvp": lambda K: K.ops.jvp(lambda a: a * a, (V5(),), (np.ones(5, "float32"),)),
    "ctc_decode/nomerge": lambda K: K.ops.ctc_decode(SEQ, np.array([7, 6]),
                                                      merge_repeated=False),
    "argpartition/2d": lambda K: K.ops.argpartition(arr("ap", (3, 5), "int32", 0, 9), 1),
    "sparsemax/axis0": lambda K: K.ops.sparsemax(arr("sm", (4, 2), "float32"), axis=0),
    "binomial/float": lambda K: _meta(K.random.binomial((2, 3), 4.0, 0.3, seed=2)),
    "randint/int64": lambda K: _meta(K.random.randint((2,), 0, 9, dtype="int64", seed=2)),
}


def add_extra(c):
    for name, fn in EXTRA.items():
        c.add(f"nn/{name}", fn, tol=(1e-4, 1e-4))

VOL = arr("vol", (1, 4, 4, 4, 2), "float32")
PTS = np.array([[0, 0], [5, 0], [0, 5], [5, 5]], "float32")
EXTRA.update({
    "image/perspective_transform": lambda K: K.ops.image.perspective_transform(
        IMG, PTS, PTS + np.array([[0.5, 0.2], [-0.3, 0.1], [0.2, -0.4], [0.1, 0.3]],
                                 "float32")),
    "image/perspective_transform/nearest": lambda K: K.ops.image.perspective_transform(
        IMG[0], PTS, PTS * 0.9 + 0.25, interpolation="nearest", fill_value=1.0),
    "image/extract_patches_3d": lambda K: K.ops.image.extract_patches_3d(VOL, 2),
    "image/extract_patches_3d/same": lambda K: K.ops.image.extract_patches_3d(
        VOL[0], (2, 3, 2), strides=1, padding="same"),
    "image/elastic_transform": lambda K: _meta(K.ops.image.elastic_transform(IMG, seed=1)),
    "image/extract_patches/stride": lambda K: K.ops.image.extract_patches(
        IMG, (3, 2), strides=(2, 1), padding="same"),
})
EXTRA.update({
    "image/scale_and_translate": lambda K: K.ops.image.scale_and_translate(
        IMG, (2, 9, 4, 3), np.array([1.5, 0.7], "float32"), np.array([0.5, -1.0], "float32"),
        (1, 2), "bilinear"),
    "image/scale_and_translate/cubic": lambda K: K.ops.image.scale_and_translate(
        IMG, (2, 3, 3, 3), np.array([0.5, 0.5], "float32"), np.array([0.0, 0.0], "float32"),
        (1, 2), "bicubic", antialias=False),
    "image/scale_and_translate/lanczos": lambda K: K.ops.image.scale_and_translate(
        IMG[0, :, :, 0], (4, 8), np.array([0.7, 1.3], "float32"),
        np.array([0.2, 0.0], "float32"), (0, 1), "lanczos3"),
    "image/scale_and_translate/int": lambda K: K.ops.image.scale_and_translate(
        (IMG * 100).astype("int32"), (2, 3, 3, 3), np.array([0.5, 0.5], "float32"),
        np.array([0.0, 0.0], "float32"), (1, 2), "linear"),
})
