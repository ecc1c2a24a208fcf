"""Writes the image-codec and tf.io fixtures with real TensorFlow (run once; committed).

    PYTHONPATH=<dir holding PIL> /work/tfenv/bin/python tests/framework/io/make_tf_fixtures.py

``codecs.npz``: encoded files (PNG in every colour type, JPEG colour / grey, GIF, BMP) as
uint8 byte arrays ``file_<name>`` and TF's decodes ``tf_<name>_<channels>_<dtype>``.
``tensor_proto.npz``: tf.io.serialize_tensor bytes for common dtypes.
"""
import io
import os

import numpy as np
import tensorflow as tf
from PIL import Image

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def _pil(img, mode, **kw):
    buf = io.BytesIO()
    Image.fromarray(img, mode).save(buf, **kw) if mode else img.save(buf, **kw)
    return buf.getvalue()


def _files(rng):
    rgb = rng.integers(0, 256, (9, 11, 3)).astype(np.uint8)
    rgba = rng.integers(0, 256, (9, 11, 4)).astype(np.uint8)
    gray = rng.integers(0, 256, (9, 11, 1)).astype(np.uint8)
    ga = rng.integers(0, 256, (9, 11, 2)).astype(np.uint8)
    g16 = rng.integers(0, 65536, (9, 11, 1)).astype(np.uint16)
    c16 = rng.integers(0, 65536, (9, 11, 3)).astype(np.uint16)
    smooth = (np.add.outer(np.arange(24), np.arange(32))[..., None] * [3, 5, 7] % 256)
    smooth = (smooth + rng.integers(0, 20, smooth.shape)).clip(0, 255).astype(np.uint8)
    pal = Image.fromarray(rgb[..., 0] // 32, "P")
    pal.putpalette(list(rng.integers(0, 256, 768).astype(np.uint8)))
    palt = pal.copy()
    palt.info["transparency"] = bytes(rng.integers(0, 256, 8).astype(np.uint8))
    frames = [Image.fromarray(rgb[..., 0] // (k + 1), "L").convert("P") for k in range(3)]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:])
    return {
        "png_rgb": tf.io.encode_png(rgb).numpy(), "png_rgba": tf.io.encode_png(rgba).numpy(),
        "png_gray": tf.io.encode_png(gray).numpy(), "png_ga": tf.io.encode_png(ga).numpy(),
        "png_g16": tf.io.encode_png(g16).numpy(), "png_c16": tf.io.encode_png(c16).numpy(),
        "png_pal": _pil(pal, None, format="PNG"), "png_palt": _pil(palt, None, format="PNG"),
        "jpeg_rgb": tf.io.encode_jpeg(smooth, quality=90).numpy(),
        "jpeg_gray": tf.io.encode_jpeg(smooth[..., :1], quality=90).numpy(),
        "jpeg_420": _pil(smooth, "RGB", format="JPEG", quality=80),
        "gif": gif.getvalue(), "bmp": _pil(rgb, "RGB", format="BMP"),
        "bmp32": _pil(rgba, "RGBA", format="BMP"),
        "webp": _pil(rgb, "RGB", format="WEBP", lossless=True),
        "webpa": _pil(rgba, "RGBA", format="WEBP", lossless=True),
    }


def codecs():
    rng = np.random.default_rng(0)
    out = {}
    for name, data in _files(rng).items():
        out[f"file_{name}"] = np.frombuffer(data, np.uint8)
        if name.startswith("webp"):
            out[f"tf_{name}"] = tf.io.decode_image(data).numpy()
            out[f"tf_{name}_first"] = tf.io.decode_image(data, expand_animations=False).numpy()
            continue
        if name == "gif":
            out["tf_gif"] = tf.io.decode_gif(data).numpy()
            out["tf_gif_image"] = tf.io.decode_image(data).numpy()
            continue
        chans = {"bmp": (0, 3, 4), "bmp32": (0, 3, 4)}.get(name, (0, 1, 3) if name.startswith("jpeg") else (0, 1, 3, 4))
        for c in chans:
            fn = tf.io.decode_png if name.startswith("png") else tf.io.decode_image
            out[f"tf_{name}_{c}_uint8"] = fn(data, channels=c).numpy()
            if name.startswith("png"):
                out[f"tf_{name}_{c}_uint16"] = fn(data, channels=c, dtype=tf.uint16).numpy()
        if name.startswith("jpeg"):
            for m in ("INTEGER_FAST", "INTEGER_ACCURATE"):
                out[f"tf_{name}_0_{m}"] = tf.io.decode_jpeg(data, dct_method=m).numpy()
    for r in (2, 4):
        out[f"tf_jpeg_rgb_ratio{r}"] = tf.io.decode_jpeg(
            out["file_jpeg_rgb"].tobytes(), ratio=r, dct_method="INTEGER_ACCURATE").numpy()
    out["tf_png_rgb_float32"] = tf.io.decode_image(out["file_png_rgb"].tobytes(),
                                                   dtype=tf.float32).numpy()
    np.savez_compressed(os.path.join(HERE, "codecs.npz"), **out)


def tensor_protos():
    values = {
        "f32": tf.constant([[1.5, -2.0, 3.25]], tf.float32), "f64": tf.constant([1e-3, 2.0]),
        "f16": tf.constant([0.5, 1.0], tf.float16), "bf16": tf.constant([1.5, -2.0], tf.bfloat16),
        "i32": tf.constant(7), "i64": tf.constant([[1, -2], [3, 4]], tf.int64),
        "u8": tf.constant([0, 255], tf.uint8), "i8": tf.constant([-1, 5], tf.int8),
        "i16": tf.constant([-300], tf.int16), "u16": tf.constant([65535], tf.uint16),
        "u32": tf.constant([7], tf.uint32), "u64": tf.constant([9], tf.uint64),
        "b": tf.constant([True, False, True]), "c64": tf.constant([1 + 2j], tf.complex64),
        "c128": tf.constant([[1 - 1j]], tf.complex128),
        "s": tf.constant([b"ab", b"", b"xyz" * 50]), "s0": tf.constant(b"hello"),
        "empty": tf.zeros([0, 3]), "scalar_f": tf.constant(2.5),
    }
    out = {}
    for k, v in values.items():
        out[k] = np.frombuffer(tf.io.serialize_tensor(v).numpy(), np.uint8)
    np.savez_compressed(os.path.join(HERE, "tensor_proto.npz"), **out)


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    codecs()
    tensor_protos()
