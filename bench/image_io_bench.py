"""Image codecs and tf.image box/quality ops: cuflow vs TensorFlow, one process,
alternating rounds, medians and ratios (cuflow time / TF time; > 1 = cuflow slower).

    PYTHONPATH=<dir with cuflow, cuflow_kernels and PIL> /work/tfenv/bin/python \
        -m bench.image_io_bench [--repeat 7]

Each workload checks cuflow's result against TF's before timing (PNG bit-exact, JPEG mean
absolute difference reported, box ops allclose). JPEG: scikit-learn's china.jpg
(427x640x3) when found, else a synthetic 480x640 image encoded by TF.
"""
from __future__ import annotations

import argparse
import glob
import os

import numpy as np

from bench.harness import interleaved


def _jpeg_bytes(tf):
    hits = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "sklearn", "datasets",
                                  "images", "china.jpg"))
    hits += glob.glob("/work/wt/*/.venv/lib/python3*/site-packages/sklearn/datasets/images/"
                      "china.jpg")
    if hits:
        with open(hits[0], "rb") as f:
            return f.read(), "china.jpg 427x640x3"
    y, x = np.mgrid[:480, :640]
    img = np.stack([(x + y) % 256, (x * 2) % 256, (y * 3) % 256], -1).astype(np.uint8)
    return tf.io.encode_jpeg(img, quality=90).numpy(), "synthetic 480x640x3"


def main():
    import cuflow as cf
    import tensorflow as tf
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=7)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    rows = []

    def bench(name, cf_fn, tf_fn, number=1):
        t = interleaved({"cf": cf_fn, "tf": tf_fn}, repeat=args.repeat, number=number)
        rows.append((name, t["cf"] * 1e3, t["tf"] * 1e3, t["cf"] / t["tf"]))

    img = rng.integers(0, 256, (256, 256, 3)).astype(np.uint8)
    png = tf.io.encode_png(img).numpy()
    assert np.array_equal(cf.io.decode_png(png).numpy(), tf.io.decode_png(png).numpy())
    bench("decode_png 256x256x3 (noise)", lambda: cf.io.decode_png(png),
          lambda: tf.io.decode_png(png), number=5)
    bench("encode_png 256x256x3", lambda: cf.io.encode_png(img), lambda: tf.io.encode_png(img),
          number=3)
    jpg, what = _jpeg_bytes(tf)
    a, b = cf.io.decode_jpeg(jpg).numpy(), tf.io.decode_jpeg(jpg).numpy()
    acc = tf.io.decode_jpeg(jpg, dct_method="INTEGER_ACCURATE").numpy()
    diff = np.abs(a.astype(int) - b)
    print(f"JPEG {what}: vs TF default mean |diff| {diff.mean():.4f}, max {diff.max()}; "
          f"vs INTEGER_ACCURATE mean {np.abs(a.astype(int) - acc).mean():.4f}")
    bench(f"decode_jpeg {what}", lambda: cf.io.decode_jpeg(jpg), lambda: tf.io.decode_jpeg(jpg),
          number=3)
    bench("encode_jpeg q95", lambda: cf.io.encode_jpeg(a), lambda: tf.io.encode_jpeg(a))

    x = rng.random((8, 64, 64, 3)).astype(np.float32)
    boxes = np.sort(rng.random((100, 2, 2)), 1).reshape(100, 4)[:, [0, 2, 1, 3]]
    boxes = boxes.astype(np.float32)
    ind = rng.integers(0, 8, 100).astype(np.int32)
    np.testing.assert_allclose(cf.image.crop_and_resize(x, boxes, ind, [14, 14]).numpy(),
                               tf.image.crop_and_resize(x, boxes, ind, [14, 14]).numpy(),
                               atol=1e-5)
    bench("crop_and_resize 8x64x64x3, 100 boxes -> 14x14",
          lambda: cf.image.crop_and_resize(x, boxes, ind, [14, 14]),
          lambda: tf.image.crop_and_resize(x, boxes, ind, [14, 14]))
    nb = np.concatenate([rng.random((1000, 2)), rng.random((1000, 2)) * 0.2], 1)
    nb[:, 2:] += nb[:, :2]
    nb = nb.astype(np.float32)
    ns = rng.random(1000).astype(np.float32)
    assert np.array_equal(cf.image.non_max_suppression(nb, ns, 100, 0.5).numpy(),
                          tf.image.non_max_suppression(nb, ns, 100, 0.5).numpy())
    bench("non_max_suppression 1000 boxes -> 100",
          lambda: cf.image.non_max_suppression(nb, ns, 100, 0.5),
          lambda: tf.image.non_max_suppression(nb, ns, 100, 0.5))
    q1, q2 = rng.random((8, 128, 128, 3)).astype(np.float32), rng.random(
        (8, 128, 128, 3)).astype(np.float32)
    np.testing.assert_allclose(cf.image.ssim(q1, q2, 1.0).numpy(),
                               tf.image.ssim(q1, q2, 1.0).numpy(), rtol=1e-5, atol=1e-6)
    bench("ssim 8x128x128x3", lambda: cf.image.ssim(q1, q2, 1.0),
          lambda: tf.image.ssim(q1, q2, 1.0))
    bench("adjust_hue 8x128x128x3", lambda: cf.image.adjust_hue(q1, 0.2),
          lambda: tf.image.adjust_hue(q1, 0.2))

    with open("/proc/loadavg") as f:
        print(f"load: {f.read().strip()}")
    print("| workload | cuflow ms | TF ms | cuflow / TF |\n|---|---|---|---|")
    for name, c, t, r in rows:
        print(f"| {name} | {c:.3f} | {t:.3f} | {r:.2f} |")


if __name__ == "__main__":
    main()
