"""Writes fixtures/tf_image_ops.npz with real TensorFlow (run once; committed):

    /work/tfenv/bin/python tests/framework/ops/make_tf_image_fixtures.py

Colour conversions and hue / saturation adjustment, SSIM / PSNR, Sobel edges,
non-max suppression and crop_and_resize (values and gradients)."""
import os

import numpy as np
import tensorflow as tf

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def colour(rng, out):
    x = rng.random((2, 5, 6, 3)).astype(np.float32)
    x[0, 0, :3] = [[0.5, 0.5, 0.5], [0.2, 0.2, 0.7], [0.9, 0.1, 0.9]]  # ties
    x[0, 1, 0] = 0
    out["rgb"] = x
    out["rgb_to_hsv"] = tf.image.rgb_to_hsv(x).numpy()
    out["hsv_to_rgb"] = tf.image.hsv_to_rgb(x).numpy()
    out["rgb_u8"] = u8 = rng.integers(0, 256, (4, 5, 3)).astype(np.uint8)
    for i, d in enumerate((-0.7, -0.1, 0.0, 0.25, 0.9)):
        out[f"adjust_hue_{i}"] = tf.image.adjust_hue(x, d).numpy()
        out[f"adjust_hue_u8_{i}"] = tf.image.adjust_hue(u8, d).numpy()
    for i, s in enumerate((0.0, 0.5, 1.0, 2.5)):
        out[f"adjust_saturation_{i}"] = tf.image.adjust_saturation(x, s).numpy()
        out[f"adjust_saturation_u8_{i}"] = tf.image.adjust_saturation(u8, s).numpy()
    xd = tf.constant(x.astype(np.float64))
    with tf.GradientTape() as t:
        t.watch(xd)
        y = tf.image.rgb_to_hsv(xd)
    out["rgb_to_hsv_grad"] = t.gradient(y, xd, output_gradients=tf.constant(
        np.linspace(-1, 1, x.size).reshape(x.shape))).numpy()


def quality(rng, out):
    a = rng.random((2, 16, 17, 3)).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1).astype(np.float32)
    out["q_a"], out["q_b"] = a, b
    out["ssim"] = tf.image.ssim(a, b, 1.0).numpy()
    out["ssim_k"] = tf.image.ssim(a * 255, b * 255, 255, filter_size=7, filter_sigma=1.0,
                                  k1=0.02, k2=0.05).numpy()
    out["ssim_ms"] = tf.image.ssim_multiscale(
        np.tile(a, (1, 11, 11, 1))[:, :176, :176], np.tile(b, (1, 11, 11, 1))[:, :176, :176],
        1.0).numpy()
    out["psnr"] = tf.image.psnr(a, b, 1.0).numpy()
    u_a, u_b = (a * 255).astype(np.uint8), (b * 255).astype(np.uint8)
    out["q_ua"], out["q_ub"] = u_a, u_b
    out["ssim_u8"] = tf.image.ssim(u_a, u_b, 255).numpy()
    out["psnr_u8"] = tf.image.psnr(u_a, u_b, 255).numpy()
    out["sobel"] = tf.image.sobel_edges(tf.constant(a)).numpy()
    ad, bd = tf.constant(a[:1, :12, :12].astype(np.float64)), tf.constant(b[:1, :12, :12]
                                                                            .astype(np.float64))
    with tf.GradientTape() as t:
        t.watch(ad)
        y = tf.reduce_sum(tf.image.ssim(ad, bd, 1.0, filter_size=5))
    out["ssim_grad"] = t.gradient(y, ad).numpy()


def boxes(rng, out):
    b = rng.random((30, 4)).astype(np.float32)
    b = np.concatenate([np.minimum(b[:, :2], b[:, 2:]), np.maximum(b[:, :2], b[:, 2:])], 1)
    b[::7] = b[::7, [2, 3, 0, 1]]  # some flipped corners
    s = rng.random(30).astype(np.float32)
    s[3] = s[5]  # a tie
    out["nms_boxes"], out["nms_scores"] = b, s
    out["nms"] = tf.image.non_max_suppression(b, s, 10, 0.3).numpy()
    out["nms_thr"] = tf.image.non_max_suppression(b, s, 20, 0.5, score_threshold=0.4).numpy()
    sel, sc = tf.image.non_max_suppression_with_scores(b, s, 12, 0.4, soft_nms_sigma=0.5)
    out["nms_soft_idx"], out["nms_soft_scores"] = sel.numpy(), sc.numpy()
    sel, n = tf.image.non_max_suppression_padded(b, s, 15, 0.3, pad_to_max_output_size=True)
    out["nms_pad_idx"], out["nms_pad_n"] = sel.numpy(), n.numpy()
    img = rng.random((2, 6, 7, 2)).astype(np.float32)
    cb = np.array([[0.1, 0.2, 0.8, 0.9], [0.5, 0.5, 0.5, 0.5], [-0.2, 0.3, 1.1, 0.6],
                   [0.9, 0.8, 0.1, 0.05]], np.float32)
    ci = np.array([0, 1, 1, 0], np.int32)
    out["car_img"], out["car_boxes"], out["car_idx"] = img, cb, ci
    for m in ("bilinear", "nearest"):
        out[f"car_{m}"] = tf.image.crop_and_resize(img, cb, ci, [3, 4], m, 0.5).numpy()
    it, bt = tf.constant(img), tf.constant(cb * np.float32(0.9))
    g = np.linspace(-1, 1, 4 * 3 * 4 * 2).reshape(4, 3, 4, 2).astype(np.float32)
    with tf.GradientTape(persistent=True) as t:
        t.watch([it, bt])
        y = tf.image.crop_and_resize(it, bt, ci, [3, 4])
    gi, gb = t.gradient(y, [it, bt], output_gradients=tf.constant(g))
    out["car_grad_img"], out["car_grad_boxes"] = gi.numpy(), gb.numpy()
    g1 = np.linspace(-1, 1, 4 * 2).reshape(4, 1, 1, 2).astype(np.float32)
    with tf.GradientTape(persistent=True) as t:
        t.watch([it, bt])
        y = tf.image.crop_and_resize(it, bt, ci, [1, 1], "nearest")
    gi, gb = t.gradient(y, [it, bt], output_gradients=tf.constant(g1))
    out["car1_nearest"], out["car1_grad_img"], out["car1_grad_boxes"] = (
        y.numpy(), gi.numpy(), gb.numpy())
    lo = rng.random((600, 2))
    many = np.concatenate([lo, lo + rng.random((600, 2)) * 0.1], 1).astype(np.float32)
    ms = rng.random(600).astype(np.float32)
    out["nms_many_boxes"], out["nms_many_scores"] = many, ms
    for i, thr in enumerate((0.5, 0.0)):
        sel, n = tf.image.non_max_suppression_padded(np.stack([many, many[::-1]]),
                                                     np.stack([ms, ms[::-1]]), 550, thr,
                                                     pad_to_max_output_size=True)
        out[f"nms_many_idx_{i}"], out[f"nms_many_n_{i}"] = sel.numpy(), n.numpy()


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    out = {}
    colour(rng, out)
    quality(rng, out)
    boxes(rng, out)
    np.savez_compressed(os.path.join(HERE, "tf_image_ops.npz"), **out)
