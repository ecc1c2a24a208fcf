"""Image codecs (``tf.io.decode_*`` / ``encode_*``, also under ``tf.image``): host ops on
scalar string tensors, so they run eagerly, inside ``cf.data`` maps and as nodes of a
``cf.function`` graph.

Decoding uses Pillow (imported on first use); the channel conversions are done here with
libpng's integer arithmetic as TensorFlow configures it (grey = (9797 R + 19234 G + 3737 B)
>> 15 for 8-bit, rounded for 16-bit; 8 -> 16 bits multiplies by 257, 16 -> 8 keeps the high
byte), so PNG decodes are bit-exact with TF. JPEG decodes come from Pillow's libjpeg(-turbo)
(ISLOW DCT, fancy upsampling). PNG encoding is written here (filter 0 rows + zlib), so
every TF-supported layout (1-4 channels, 8 or 16 bits) round-trips exactly.
"""
from __future__ import annotations

import io
import struct
import zlib

import numpy as np

from .. import dtypes as _dt
from ..errors import InvalidArgumentError
from .constant import convert_to_tensor
from .dispatch import apply as _apply
from .registry import OPAQUE, defop

_FORMATS = "Unknown image file format. One of JPEG, JPEG XL, PNG, GIF, BMP, WebP required."
_OPNAME = {"png": "DecodePng", "jpeg": "DecodeJpeg", "gif": "DecodeGif", "bmp": "DecodeBmp",
           "webp": "DecodeWebP", "image": "DecodeImage"}


def _pil():
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - pillow is a dependency
        raise ImportError("cuflow's image codecs need Pillow: pip install pillow") from e
    return Image


def _bytes(contents, op):
    if contents.ndim != 0:
        raise InvalidArgumentError(None, op, f"{op}: contents must be scalar, got shape "
                                   f"{list(contents.shape)}")
    data = contents[()]
    return data.encode() if isinstance(data, str) else bytes(data)


def _sniff(data):
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:3] == b"GIF":
        return "gif"
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


# --- channel conversion, libpng's arithmetic ------------------------------------------------
def _gray(rgb, bits16):
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    y = (9797 * r + 19234 * g + 3737 * b + (16384 if bits16 else 0)) >> 15
    return y[..., None].astype(rgb.dtype)


def _convert_channels(x, channels):
    """[H, W, c] -> [H, W, channels] (0 keeps c) as libpng's transforms do."""
    c = x.shape[-1]
    if channels in (0, c):
        return x
    top = np.iinfo(x.dtype).max
    color, alpha = (x[..., :3], x[..., 3:]) if c >= 3 else (np.repeat(x[..., :1], 3, -1),
                                                           x[..., 1:])
    if channels == 1:
        return x[..., :1] if c <= 2 else _gray(color, x.dtype == np.uint16)
    if channels == 3:
        return np.ascontiguousarray(color)
    if alpha.shape[-1] == 0:
        alpha = np.full(x.shape[:-1] + (1,), top, x.dtype)
    return np.concatenate([color, alpha], -1)


def _as_depth(x, dtype):
    if x.dtype == dtype:
        return x
    if dtype == np.uint16:
        return x.astype(np.uint16) * np.uint16(257)
    return (x >> 8).astype(np.uint8)


# --- decoding ------------------------------------------------------------------------------
def _pil_array(im):
    """Pillow image -> [H, W, c] uint8 / uint16 with the file's own channels."""
    if im.mode == "P" or im.mode == "PA":
        im = im.convert("RGBA" if "transparency" in im.info or im.mode == "PA" else "RGB")
    elif im.mode == "1":
        im = im.convert("L")
    elif im.mode == "CMYK":
        im = im.convert("RGB")
    elif im.mode in ("I", "I;16B", "I;16L"):
        im = im.convert("I;16")
    arr = np.asarray(im)
    if arr.dtype.kind == "i" or arr.dtype.byteorder not in "=|" + ("<" if
                                                                   np.little_endian else ">"):
        arr = arr.astype(np.uint16)
    return arr[..., None] if arr.ndim == 2 else arr


def _check_channels(op, kind, channels):
    allowed = {"jpeg": (0, 1, 3), "gif": (0, 3), "bmp": (0, 3, 4), "webp": (0, 3, 4)}.get(
        kind, (0, 1, 3, 4))
    if kind == "webp" and channels not in allowed:
        raise InvalidArgumentError(None, op, f"{op}: WebP only supports 3 or 4 channels")
    if channels not in allowed:
        spelled = ", ".join(map(str, allowed[:-1])) + f" or {allowed[-1]}"
        raise InvalidArgumentError(None, op, f"{op}: `channels` must be {spelled} for "
                                   f"{kind.upper()}, but got {channels}")


def _png_bit_depth(data):
    return data[24] if len(data) > 25 else 8


def _decode_impl(xp, contents, fmt, channels, dtype, expand_animations, ratio, fast=True):
    op = _OPNAME[fmt]
    data = _bytes(contents, op)
    kind = _sniff(data)
    if kind is None:
        raise InvalidArgumentError(None, op, f"{op}: {_FORMATS}")
    _check_channels(op, kind, channels)
    Image = _pil()
    try:
        im = Image.open(io.BytesIO(data))
        if kind == "jpeg":
            if channels == 1 and im.mode != "L":
                im.draft("L", im.size)  # libjpeg's grey output: the Y plane
            if ratio != 1:  # Pillow picks the largest 1/k scale with size // k >= this
                im.draft(im.mode, (max(im.size[0] // ratio, 1), max(im.size[1] // ratio, 1)))
            if fast and ratio == 1 and channels in (0, 3):
                from .image_jpeg_fast import decode_fast
                arr = decode_fast(im)
                if arr is not None:
                    return xp.asarray(_as_depth(arr, np.dtype(dtype)))
            if fast and _no_upsampling(im):
                # TF's default dct_method ("" = INTEGER_FAST) is libjpeg's JDCT_IFAST, which
                # Pillow selects through its decoder's draft flag -- a flag that also turns
                # fancy upsampling off, so only where no chroma plane is upsampled
                im.decoderconfig = ((im.decoderconfig or (1,))[0], 1)
        if kind in ("gif", "webp"):  # animations: [frames, H, W, C] as TF
            frames = _frames(im, kind)
            if kind == "webp" and channels not in (0, frames.shape[-1]):
                raise InvalidArgumentError(None, op, f"{op}: Number of channels requested "
                                           "does not match input")
            out = frames if (fmt != "image" or expand_animations) else frames[0]
            return xp.asarray(_as_depth(out, np.dtype(dtype)))
        if kind == "bmp" and _bmp_plain(data):
            return xp.asarray(_as_depth(_convert_channels(_decode_bmp(data), channels),
                                        np.dtype(dtype)))
        if kind == "png" and _png_bit_depth(data) == 16 and im.mode not in ("I;16", "I",
                                                                             "I;16B"):
            arr = _decode_png16(data)
        else:
            arr = _pil_array(im)
    except InvalidArgumentError:
        raise
    except Exception as e:
        raise InvalidArgumentError(None, op, f"{op}: Invalid {kind.upper()} data: {e}") from e
    return xp.asarray(_as_depth(_convert_channels(arr, channels), np.dtype(dtype)))


def _frames(im, kind):
    mode = "RGBA" if kind == "webp" and "A" in im.mode else "RGB"
    frames = []
    for i in range(getattr(im, "n_frames", 1)):
        im.seek(i)
        frames.append(np.asarray(im.convert(mode)))
    return np.stack(frames)


def _bmp_plain(data):
    """An uncompressed (or BITFIELDS) 24/32-bit BMP, which TF reads byte by byte."""
    if len(data) < 34:
        return False
    bpp, comp = struct.unpack("<HI", data[28:34])
    return bpp in (24, 32) and comp in (0, 3)


def _decode_bmp(data):
    """24/32-bit BMP: BGR(A) rows padded to 4 bytes, bottom-up unless height < 0; the
    fourth byte of 32-bit pixels is alpha (as TF keeps it)."""
    offset = struct.unpack("<I", data[10:14])[0]
    w, h = struct.unpack("<ii", data[18:26])
    c = struct.unpack("<H", data[28:30])[0] // 8
    stride = (w * c + 3) // 4 * 4
    rows = np.frombuffer(data, np.uint8, abs(h) * stride, offset).reshape(abs(h), stride)
    px = rows[:, :w * c].reshape(abs(h), w, c)
    px = px[::-1] if h > 0 else px
    return np.ascontiguousarray(px[..., [2, 1, 0, 3][:c]])


def _decode_png16(data):
    """16-bit colour PNGs, which Pillow narrows to 8 bits: zlib + PNG's row filters here
    (non-interlaced; interlaced 16-bit colour files raise)."""
    i, idat, ihdr = 8, [], None
    while i < len(data):
        n, kind = struct.unpack(">I4s", data[i:i + 8])
        body = data[i + 8:i + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        i += 12 + n
    w, h, _depth, ctype, _c, _f, interlace = ihdr
    if interlace:
        raise ValueError("interlaced 16-bit colour PNGs are not supported")
    c = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    bpp, stride = 2 * c, 2 * c * w
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(h, stride + 1)
    out = np.zeros((h, stride), np.int64)
    prev = np.zeros(stride, np.int64)
    for y in range(h):
        f, row = raw[y, 0], raw[y, 1:].astype(np.int64)
        if f == 2:
            row = row + prev
        elif f in (1, 3, 4):
            row = _unfilter_seq(row, prev, f, bpp)
        out[y] = prev = row & 255
    be = out.astype(np.uint8).reshape(h, w * c, 2)
    return (be[..., 0].astype(np.uint16) << 8 | be[..., 1]).reshape(h, w, c)


def _unfilter_seq(row, prev, f, bpp):
    cur = row.copy()
    for i in range(len(cur)):
        a = cur[i - bpp] if i >= bpp else 0
        b, cc = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1:
            pred = a
        elif f == 3:
            pred = (a + b) >> 1
        else:
            p = a + b - cc
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else cc)
        cur[i] = (cur[i] + pred) & 255
    return cur


def _decode_infer(contents, fmt, channels, dtype, expand_animations, ratio, fast=True):
    if fmt == "gif":
        return [None, None, None, 3], dtype
    if fmt == "webp":
        return [None, None, None, channels or None], dtype
    if fmt == "image" and expand_animations:
        return None, dtype
    return [None, None, channels or None], dtype


_DECODE = defop("decode_image", OPAQUE, dtypes=_dt.ANY, differentiable=False,
                infer=_decode_infer)(_decode_impl)


def _decode(fmt, contents, channels=0, dtype=_dt.uint8, expand_animations=True, ratio=1,
            dct_method=""):
    contents = convert_to_tensor(contents, _dt.string)
    out_dt = _dt.as_dtype(dtype)
    raw = out_dt if out_dt in (_dt.uint8, _dt.uint16) else _dt.uint8
    if fmt != "image" and out_dt not in (_dt.uint8, _dt.uint16):
        raise TypeError(f"decode_{fmt}: dtype must be uint8 or uint16, got {out_dt.name}")
    if ratio not in (1, 2, 4, 8):
        raise InvalidArgumentError(None, "DecodeJpeg", f"ratio must be 1, 2, 4 or 8, got {ratio}")
    img = _apply(_DECODE, (contents,), {"fmt": fmt, "channels": int(channels or 0),
                                         "dtype": raw.np, "expand_animations":
                                         bool(expand_animations), "ratio": int(ratio),
                                         "fast": _fast_dct(dct_method)})
    if raw != out_dt:  # TF's kernel divides by 255 (closer to its output than 1/255 *)
        from .math_ops import cast
        img = cast(cast(img, _dt.float32) / np.float32(255), out_dt)
    return img


def _no_upsampling(im):
    """A greyscale JPEG (or one read as its Y plane) or 4:4:4 chroma."""
    if im.mode == "L" or im.tile and im.tile[0][3][0] == "L":
        return True
    from PIL import JpegImagePlugin
    return JpegImagePlugin.get_sampling(im) == 0


def _fast_dct(dct_method):
    if dct_method not in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
        raise InvalidArgumentError(None, "DecodeJpeg", "dct_method must be one of '', "
                                   f"'INTEGER_FAST', 'INTEGER_ACCURATE'; got {dct_method!r}")
    return dct_method != "INTEGER_ACCURATE"


def decode_png(contents, channels=0, dtype=_dt.uint8, name=None):
    """Decodes a PNG (or any supported format) to [height, width, channels] uint8/uint16.

    >>> import cuflow as cf
    >>> png = cf.io.encode_png(cf.zeros([2, 3, 1], cf.uint8))
    >>> cf.io.decode_png(png, channels=3).shape
    TensorShape([2, 3, 3])
    """
    return _decode("png", contents, channels, dtype)


def decode_jpeg(contents, channels=0, ratio=1, fancy_upscaling=True,
                try_recover_truncated=False, acceptable_fraction=1, dct_method="", name=None):
    """Decodes a JPEG to [height, width, channels] uint8 (``ratio`` downscales 2/4/8x)."""
    return _decode("jpeg", contents, channels, _dt.uint8, ratio=ratio, dct_method=dct_method)


def decode_gif(contents, name=None):
    """Decodes every frame of a GIF: [frames, height, width, 3] uint8."""
    return _decode("gif", contents)


def decode_webp(contents, channels=0, dtype=_dt.uint8, name=None, expand_animations=True):
    """Decodes a WebP: [frames, H, W, channels] (3 or 4 channels, as stored)."""
    return _decode("image" if not expand_animations else "webp", contents, channels, dtype,
                   expand_animations)


def decode_bmp(contents, channels=0, name=None):
    """Decodes a BMP to [height, width, channels] uint8."""
    return _decode("bmp", contents, channels)


def decode_image(contents, channels=None, dtype=_dt.uint8, name=None, expand_animations=True):
    """Decodes PNG, JPEG, GIF, BMP or WebP; float ``dtype`` rescales to [0, 1].

    GIFs give [frames, H, W, 3] unless ``expand_animations=False`` (first frame).

    >>> import cuflow as cf
    >>> png = cf.io.encode_png(cf.constant([[[0], [255]]], cf.uint8))
    >>> cf.io.decode_image(png, dtype=cf.float32).numpy().ravel().tolist()
    [0.0, 1.0]
    """
    return _decode("image", contents, channels, dtype, expand_animations)


def decode_and_crop_jpeg(contents, crop_window, channels=0, ratio=1, fancy_upscaling=True,
                         try_recover_truncated=False, acceptable_fraction=1, dct_method="",
                         name=None):
    """decode_jpeg then the window [y, x, height, width] of ``crop_window``."""
    from ._util import static_value
    img = decode_jpeg(contents, channels, ratio, dct_method=dct_method)
    y, x, h, w = (int(v) for v in np.asarray(static_value(crop_window)).ravel())
    H, W = (d if d is not None else np.inf for d in img.shape[:2])  # unknown while tracing
    if y < 0 or x < 0 or h <= 0 or w <= 0 or y + h > H or x + w > W:
        raise InvalidArgumentError(None, "DecodeAndCropJpeg", "DecodeAndCropJpeg: Invalid "
                                   f"JPEG data or crop window: window {[y, x, h, w]}, image "
                                   f"{[H, W]}")
    return img[y:y + h, x:x + w]


def is_jpeg(contents, name=None):
    """True when the bytes start with JPEG's marker."""
    from .constant import constant
    data = _bytes(np.asarray(convert_to_tensor(contents, _dt.string).numpy(), object),
                  "IsJpeg")
    return constant(_sniff(data) == "jpeg")


def extract_jpeg_shape(contents, output_type=_dt.int32, name=None):
    """[height, width, channels] of a JPEG without decoding its pixels."""
    from .constant import constant
    data = _bytes(np.asarray(convert_to_tensor(contents, _dt.string).numpy(), object),
                  "ExtractJpegShape")
    if _sniff(data) != "jpeg":
        raise InvalidArgumentError(None, "ExtractJpegShape", "ExtractJpegShape: Invalid "
                                   "JPEG data or crop window.")
    im = _pil().open(io.BytesIO(data))
    return constant([im.size[1], im.size[0], len(im.getbands())], output_type)


# --- encoding ------------------------------------------------------------------------------
def _chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(
        ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _encode_png_impl(xp, image, compression):
    x = np.asarray(image)
    h, w, c = x.shape
    ctype = {1: 0, 2: 4, 3: 2, 4: 6}[c]
    depth = 16 if x.dtype == np.uint16 else 8
    rows = x.astype(">u2") if depth == 16 else x
    raw = np.concatenate([np.zeros((h, 1), np.uint8),
                          rows.reshape(h, -1).view(np.uint8).reshape(h, -1)], 1)
    level = 6 if compression == -1 else compression
    png = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype,
                                                               0, 0, 0))
           + _chunk(b"IDAT", zlib.compress(raw.tobytes(), level)) + _chunk(b"IEND", b""))
    out = np.empty((), object)
    out[()] = png
    return out


_ENCODE_PNG = defop("encode_png", OPAQUE, dtypes=frozenset(map(np.dtype, (np.uint8, np.uint16))),
                    differentiable=False, infer=lambda x, compression: ([], _dt.string))(
    _encode_png_impl)


def _image3(op, image, allowed_c):
    image = convert_to_tensor(image)
    s = list(image.shape)
    if len(s) != 3 or (s[-1] is not None and s[-1] not in allowed_c):
        raise InvalidArgumentError(None, op, f"{op}: image must be 3-dimensional with "
                                   f"{' or '.join(map(str, allowed_c))} channels, got shape "
                                   f"{s} ({image.dtype.name})")
    return image


def encode_png(image, compression=-1, name=None):
    """Encodes a [height, width, 1-4] uint8 or uint16 image as PNG bytes (scalar string)."""
    image = _image3("EncodePng", image, (1, 2, 3, 4))
    if not -1 <= int(compression) <= 9:
        raise InvalidArgumentError(None, "EncodePng", f"EncodePng: compression must be in "
                                   f"[-1, 9], got {compression}")
    return _apply(_ENCODE_PNG, (image,), {"compression": int(compression)})


def _encode_jpeg_impl(xp, image, quality, progressive, optimize_size, subsampling, dpi, xmp):
    x = np.asarray(image)
    im = _pil().fromarray(x[..., 0] if x.shape[-1] == 1 else x, "L" if x.shape[-1] == 1
                          else "RGB")
    buf = io.BytesIO()
    kw = {"xmp": xmp} if xmp else {}
    im.save(buf, "JPEG", quality=quality, progressive=progressive, optimize=optimize_size,
            subsampling=subsampling, dpi=dpi, **kw)
    out = np.empty((), object)
    out[()] = buf.getvalue()
    return out


_ENCODE_JPEG = defop("encode_jpeg", OPAQUE, dtypes=frozenset([np.dtype(np.uint8)]),
                     differentiable=False, infer=lambda x, **a: ([], _dt.string))(
    _encode_jpeg_impl)


def encode_jpeg(image, format="", quality=95, progressive=False, optimize_size=False,
                chroma_downsampling=True, density_unit="in", x_density=300, y_density=300,
                xmp_metadata="", name=None):
    """Encodes a [height, width, 1 or 3] uint8 image as JPEG bytes (scalar string)."""
    image = _image3("EncodeJpeg", image, (1, 3))
    if format not in ("", "grayscale", "rgb"):
        raise ValueError(f"encode_jpeg: format must be '', 'grayscale' or 'rgb', got {format!r}")
    if not 0 <= int(quality) <= 100:
        raise InvalidArgumentError(None, "EncodeJpeg", f"EncodeJpeg: quality must be in "
                                   f"[0, 100], got {quality}")
    xmp = xmp_metadata.encode() if isinstance(xmp_metadata, str) else bytes(xmp_metadata)
    scale = 2.54 if density_unit == "cm" else 1.0
    return _apply(_ENCODE_JPEG, (image,), {
        "quality": int(quality), "progressive": bool(progressive),
        "optimize_size": bool(optimize_size), "subsampling": 2 if chroma_downsampling else 0,
        "dpi": (int(x_density * scale), int(y_density * scale)), "xmp": xmp})


# --- JPEG-quality augmentation (tensorflow.org "Data augmentation") -------------------
def adjust_jpeg_quality(image, jpeg_quality, dct_method="", name=None):
    """The image after a JPEG round trip at ``jpeg_quality`` (in its own dtype).

    As TF: convert to uint8 (saturating), encode at that quality, decode, convert back.

    >>> import cuflow as cf
    >>> x = cf.constant([[[1, 2, 3], [4, 5, 6]], [[7, 8, 9], [10, 11, 12]]], cf.uint8)
    >>> cf.image.adjust_jpeg_quality(x, 100).shape
    TensorShape([2, 2, 3])
    """
    from ._util import static_value
    from .constant import convert_to_tensor
    from .image_ops import convert_image_dtype
    image = convert_to_tensor(image)
    if image.shape.rank != 3:
        raise InvalidArgumentError(None, "EncodeJpegVariableQuality", "image must be "
                                   f"3-dimensional, got shape {image.shape}")
    channels = image.shape[-1]
    q = int(np.asarray(static_value(jpeg_quality)))
    if not 0 <= q <= 100:
        raise InvalidArgumentError(None, "EncodeJpegVariableQuality", "quality must be in "
                                   f"[0,100], got {q}")
    orig = image.dtype
    u8 = convert_image_dtype(image, _dt.uint8, saturate=True)
    out = decode_jpeg(encode_jpeg(u8, quality=q), channels=channels or 0,
                      dct_method=dct_method)
    return convert_image_dtype(out, orig, saturate=True)


def _check_jpeg_range(lo, hi):
    if lo < 0 or hi < 0 or lo > 100 or hi > 100:
        raise ValueError("jpeg encoding range must be between 0 and 100.")
    if lo >= hi:
        raise ValueError("`min_jpeg_quality` must be less than `max_jpeg_quality`.")


def random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed=None):
    """adjust_jpeg_quality at a quality drawn from [min, max)."""
    from . import random_ops
    _check_jpeg_range(min_jpeg_quality, max_jpeg_quality)
    q = random_ops.uniform([], min_jpeg_quality, max_jpeg_quality, _dt.int32, seed=seed)
    return adjust_jpeg_quality(image, q)


def stateless_random_jpeg_quality(image, min_jpeg_quality, max_jpeg_quality, seed):
    """random_jpeg_quality with a stateless ``seed`` (shape [2])."""
    from . import random_generator
    _check_jpeg_range(min_jpeg_quality, max_jpeg_quality)
    q = random_generator.stateless_uniform([], seed, min_jpeg_quality, max_jpeg_quality,
                                           _dt.int32)
    return adjust_jpeg_quality(image, q)
