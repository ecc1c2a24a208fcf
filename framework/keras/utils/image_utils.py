"""Image file helpers (Keras's ``image_utils``): load_img, save_img, img_to_array,
array_to_img, smart_resize. Files are read and written with Pillow, imported on first
use (an optional dependency: a clear ImportError names it when missing).

>>> import numpy as np
>>> from cuflow.keras.utils import img_to_array
>>> img_to_array(np.zeros((2, 3), "uint8")).shape
(2, 3, 1)
"""
from __future__ import annotations

import io
import pathlib
import warnings

import numpy as np


def _pil(what):
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(f"Could not import PIL.Image. The use of `{what}` requires PIL "
                          "(pip install pillow).") from None
    return Image


def _resample(image_mod, interpolation):
    r = getattr(image_mod, "Resampling", image_mod)
    methods = {"nearest": r.NEAREST, "bilinear": r.BILINEAR, "bicubic": r.BICUBIC,
               "hamming": r.HAMMING, "box": r.BOX, "lanczos": r.LANCZOS}
    if interpolation not in methods:
        raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported "
                         f"methods are {', '.join(methods)}")
    return methods[interpolation]


def img_to_array(img, data_format=None, dtype=None):
    """A PIL image (or array) as a float32 (h, w, c) array ((c, h, w) channels_first)."""
    x = np.asarray(img, dtype=dtype or "float32")
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[..., None]
    raise ValueError(f"Unsupported image shape: {x.shape}")


def array_to_img(x, data_format=None, scale=True, dtype=None):
    """A rank-3 array as a PIL image (RGB, RGBA or grayscale); ``scale`` maps min..max
    to 0..255."""
    image = _pil("array_to_img")
    x = np.array(x, dtype=dtype or "float32")
    if x.ndim != 3:
        raise ValueError("Expected image array to have rank 3 (single image). Got array with "
                         f"shape: {x.shape}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        top = np.max(x)
        if top != 0:
            x /= top
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return image.fromarray(x.astype("uint8"), "RGB" if channels == 3 else "RGBA")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path, x, data_format=None, file_format=None, scale=True, **kwargs):
    """Writes an image array to ``path`` (format from the suffix unless given)."""
    if file_format is None and isinstance(path, (str, pathlib.Path)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("The JPEG format does not support RGBA images, converting to RGB.")
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)


def load_img(path, color_mode="rgb", target_size=None, interpolation="nearest",
             keep_aspect_ratio=False):
    """Loads an image file as a PIL image in ``color_mode`` ('rgb', 'rgba', 'grayscale'),
    resized to ``target_size`` (height, width) when given."""
    image = _pil("load_img")
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(str(pathlib.Path(path.decode() if isinstance(path, bytes) else path)
                      .resolve()), "rb") as f:
            img = image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    img = _convert(img, color_mode)
    if target_size is None:
        return img
    size = (target_size[1], target_size[0])
    if img.size == size:
        return img
    resample = _resample(image, interpolation)
    if not keep_aspect_ratio:
        return img.resize(size, resample)
    width, height = img.size
    crop_h = min(height, (width * size[1]) // size[0])
    crop_w = min(width, (height * size[0]) // size[1])
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return img.resize(size, resample, box=[left, top, left + crop_w, top + crop_h])


def _convert(img, color_mode):
    if color_mode == "grayscale":
        return img if img.mode in ("L", "I;16", "I") else img.convert("L")
    if color_mode in ("rgb", "rgba"):
        mode = color_mode.upper()
        return img if img.mode == mode else img.convert(mode)
    raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')


def smart_resize(x, size, interpolation="bilinear", data_format="channels_last"):
    """Resizes to ``size`` after a centred crop to the target aspect ratio (no
    distortion). NumPy in, NumPy out; tensors in, tensors out."""
    from ...ops.constant import convert_to_tensor
    from ...ops.image_ops import resize
    if len(size) != 2:
        raise ValueError(f"Expected `size` to be a tuple of 2 integers, but got: {size}.")
    img = convert_to_tensor(x)
    if len(img.shape) not in (3, 4):
        raise ValueError("Expected an image array with shape `(height, width, channels)`, or "
                         "`(batch_size, height, width, channels)`, but got input with "
                         f"incorrect rank, of shape {tuple(img.shape)}.")
    first = data_format == "channels_first"
    h, w = (int(d) for d in (img.shape[-2:] if first else img.shape[-3:-1]))
    th, tw = size
    ch = max(min(h, int(float(w * th) / tw)), 1)
    cw = max(min(w, int(float(h * tw) / th)), 1)
    top, left = int(float(h - ch) / 2), int(float(w - cw) / 2)
    if first:
        img = img[..., top:top + ch, left:left + cw]
        from ...ops.array_ops import transpose
        perm = [0, 2, 3, 1] if len(img.shape) == 4 else [1, 2, 0]
        back = [0, 3, 1, 2] if len(img.shape) == 4 else [2, 0, 1]
        out = transpose(resize(transpose(img, perm), size, method=interpolation), back)
    else:
        img = img[..., top:top + ch, left:left + cw, :]
        out = resize(img, size, method=interpolation)
    return np.asarray(out.numpy()) if isinstance(x, np.ndarray) else out
