"""TF's default JPEG decoding (``dct_method=""``: libjpeg's fast integer IDCT with fancy
chroma upsampling) on top of Pillow.

Pillow decodes with the accurate IDCT; its only switch to the fast one (the decoder's
draft flag) also turns fancy upsampling off. So for chroma-subsampled files the planes
are read in draft mode as YCbCr -- fast IDCT, chroma replicated, hence recoverable
exactly -- and libjpeg's h2v1/h2v2 "fancy" (triangle-filter) upsampling and its
fixed-point YCbCr->RGB conversion are redone here in integers. Bit-exact with TF's
decode_jpeg on 4:2:0 and 4:2:2 files (checked against TF 2.21).
"""
from __future__ import annotations

import numpy as np

_SCALE = 16


def _fix(x):
    return int(x * (1 << _SCALE) + 0.5)


_X = np.arange(256, dtype=np.int64) - 128
_HALF = 1 << (_SCALE - 1)
_CR_R = (_fix(1.40200) * _X + _HALF) >> _SCALE         # jdcolor.c build_ycc_rgb_table
_CB_B = (_fix(1.77200) * _X + _HALF) >> _SCALE
_CR_G = -_fix(0.71414) * _X
_CB_G = -_fix(0.34414) * _X + _HALF


def fancy_upsample(c, vertical):
    """libjpeg's h2v2 (``vertical``) or h2v1 fancy upsampling of one chroma plane."""
    c = c.astype(np.int32)
    if vertical:        # 3 * nearer row + farther row (edge rows replicated)
        up = np.concatenate([c[:1], c[:-1]])
        down = np.concatenate([c[1:], c[-1:]])
        s = np.empty((2 * c.shape[0], c.shape[1]), np.int32)
        s[0::2], s[1::2] = 3 * c + up, 3 * c + down
        even, odd, shift = 8, 7, 4
    else:
        s, even, odd, shift = c, 1, 2, 2
    left = np.concatenate([s[:, :1], s[:, :-1]], 1)
    right = np.concatenate([s[:, 1:], s[:, -1:]], 1)
    out = np.empty((s.shape[0], 2 * s.shape[1]), np.int32)
    out[:, 0::2] = (3 * s + left + even) >> shift
    out[:, 1::2] = (3 * s + right + odd) >> shift
    return out


def ycc_to_rgb(y, cb, cr):
    """libjpeg's fixed-point YCbCr -> RGB (uint8 planes in, [H, W, 3] uint8 out)."""
    y = y.astype(np.int64)
    r = y + _CR_R[cr]
    g = y + ((_CB_G[cb] + _CR_G[cr]) >> _SCALE)
    b = y + _CB_B[cb]
    return np.clip(np.stack([r, g, b], -1), 0, 255).astype(np.uint8)


def decode_fast(im):
    """[H, W, 3] uint8 as TF decodes a 4:2:0 / 4:2:2 YCbCr JPEG by default, or None when
    the file is of another kind (the caller then decodes with Pillow as usual)."""
    from PIL import JpegImagePlugin
    if im.mode != "RGB" or im.info.get("adobe_transform") == 0:
        return None
    layer = getattr(im, "layer", None)
    if not layer or len(layer) != 3 or any(l[1:3] != (1, 1) for l in layer[1:]):
        return None
    h_f, v_f = layer[0][1:3]
    if (h_f, v_f) not in ((2, 2), (2, 1)) or JpegImagePlugin.get_sampling(im) not in (1, 2):
        return None
    w, h = im.size
    im.draft("YCbCr", im.size)
    if im.mode != "YCbCr":
        return None
    im.decoderconfig = ((im.decoderconfig or (1,))[0], 1)     # fast IDCT, chroma replicated
    a = np.asarray(im)
    step = 2 if v_f == 2 else 1
    cb = fancy_upsample(a[::step, ::2, 1], v_f == 2)[:h, :w]
    cr = fancy_upsample(a[::step, ::2, 2], v_f == 2)[:h, :w]
    return ycc_to_rgb(a[..., 0], cb, cr)
