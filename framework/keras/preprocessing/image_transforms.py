"""NumPy image transforms of ``tf.keras.preprocessing.image`` (Keras 2's legacy API):
affine warps with ``scipy.ndimage``, channel and brightness shifts, and their random
versions (drawn from NumPy's global RNG, as Keras does: seed it with ``np.random.seed``).

Images are single 3-D arrays; the ``random_*`` functions default to channels-first axes
(``row_axis=1, col_axis=2, channel_axis=0``) as Keras's do.

    >>> import numpy as np
    >>> from cuflow.keras.preprocessing.image import apply_affine_transform
    >>> x = np.arange(16.0).reshape(4, 4, 1)
    >>> apply_affine_transform(x, tx=1, row_axis=0, col_axis=1, channel_axis=2)[:, 0, 0]
    array([ 1.,  5.,  9., 13.])
"""
from __future__ import annotations

import numpy as np

from ..utils import image_utils

__all__ = ["apply_affine_transform", "apply_brightness_shift", "apply_channel_shift",
           "random_brightness", "random_channel_shift", "random_rotation", "random_shear",
           "random_shift", "random_zoom"]


def _compose(*matrices):
    out = None
    for m in matrices:
        if m is not None:
            out = m if out is None else out @ m
    return out


def _about_center(matrix, h, w):
    """The transform ``matrix`` applied about the image centre instead of pixel (0, 0)."""
    oy, ox = float(h) / 2 - 0.5, float(w) / 2 - 0.5
    to_center = np.array([[1, 0, oy], [0, 1, ox], [0, 0, 1]])
    back = np.array([[1, 0, -oy], [0, 1, -ox], [0, 0, 1]])
    return to_center @ matrix @ back


def apply_affine_transform(x, theta=0, tx=0, ty=0, shear=0, zx=1, zy=1, row_axis=1, col_axis=2,
                           channel_axis=0, fill_mode="nearest", cval=0.0, order=1):
    """Rotates by ``theta`` degrees, shifts by ``tx`` (width) / ``ty`` (height) pixels,
    shears by ``shear`` degrees and zooms by ``zx`` / ``zy``, all about the centre (Keras's
    conventions: the matrix is built in (x, y) and swapped for row-major images);
    the output samples the input through the inverse map (``scipy.ndimage.affine_transform``
    with ``fill_mode``/``cval``/spline ``order``)."""
    import scipy.ndimage

    axes = [row_axis, col_axis, channel_axis]
    if np.unique(axes).size != 3:
        raise ValueError("'row_axis', 'col_axis', and 'channel_axis' must be distinct")
    if set(axes) != {0, 1, 2}:
        raise ValueError(f"Invalid axis' indices: {set(axes) - {0, 1, 2}}")
    if x.ndim != 3:
        raise ValueError("Input arrays must be multi-channel 2D images.")
    if channel_axis not in (0, 2):
        raise ValueError("Channels are allowed and the first and last dimensions.")
    rotation = shift = shear_m = zoom = None
    if theta != 0:
        t = np.deg2rad(theta)
        rotation = np.array([[np.cos(t), -np.sin(t), 0], [np.sin(t), np.cos(t), 0], [0, 0, 1]])
    if tx != 0 or ty != 0:
        shift = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]])
    if shear != 0:
        s = np.deg2rad(shear)
        shear_m = np.array([[1, -np.sin(s), 0], [0, np.cos(s), 0], [0, 0, 1]])
    if zx != 1 or zy != 1:
        zoom = np.array([[zx, 0, 0], [0, zy, 0], [0, 0, 1]])
    matrix = _compose(rotation, shift, shear_m, zoom)
    if matrix is None:
        return x
    matrix = _about_center(matrix, x.shape[row_axis], x.shape[col_axis])
    x = np.rollaxis(x, channel_axis, 0)
    if col_axis > row_axis:  # the matrix is (row, col); the channel images are (row, col)
        matrix[:, [0, 1]] = matrix[:, [1, 0]]
        matrix[[0, 1]] = matrix[[1, 0]]
    channels = [scipy.ndimage.affine_transform(c, matrix[:2, :2], matrix[:2, 2], order=order,
                                               mode=fill_mode, cval=cval) for c in x]
    return np.rollaxis(np.stack(channels, axis=0), 0, channel_axis + 1)


def apply_channel_shift(x, intensity, channel_axis=0):
    """Adds ``intensity`` to every channel, clipped to the image's own [min, max]."""
    x = np.rollaxis(x, channel_axis, 0)
    lo, hi = np.min(x), np.max(x)
    x = np.stack([np.clip(c + intensity, lo, hi) for c in x], axis=0)
    return np.rollaxis(x, 0, channel_axis + 1)


def apply_brightness_shift(x, brightness, scale=True):
    """Scales brightness with PIL's ``ImageEnhance.Brightness`` (values are rounded to
    uint8 on the way, as in Keras); ``scale=False`` maps out-of-[0, 255] images back to
    their own range."""
    image_utils._pil("apply_brightness_shift")
    from PIL import ImageEnhance

    lo, hi = np.min(x), np.max(x)
    local_scale = lo < 0 or hi > 255
    img = image_utils.array_to_img(x, scale=local_scale or scale)
    x = image_utils.img_to_array(ImageEnhance.Brightness(img).enhance(brightness))
    if not scale and local_scale:
        x = x / 255 * (hi - lo) + lo
    return x


def random_rotation(x, rg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                    cval=0.0, interpolation_order=1):
    theta = np.random.uniform(-rg, rg)
    return apply_affine_transform(x, theta=theta, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shift(x, wrg, hrg, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    """Shifts by up to ``hrg`` of the height and ``wrg`` of the width (fractions)."""
    h, w = x.shape[row_axis], x.shape[col_axis]
    tx = np.random.uniform(-hrg, hrg) * h
    ty = np.random.uniform(-wrg, wrg) * w
    return apply_affine_transform(x, tx=tx, ty=ty, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_shear(x, intensity, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                 cval=0.0, interpolation_order=1):
    shear = np.random.uniform(-intensity, intensity)
    return apply_affine_transform(x, shear=shear, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_zoom(x, zoom_range, row_axis=1, col_axis=2, channel_axis=0, fill_mode="nearest",
                cval=0.0, interpolation_order=1):
    if len(zoom_range) != 2:
        raise ValueError("`zoom_range` should be a tuple or list of two floats. "
                         f"Received: {zoom_range}")
    if zoom_range[0] == 1 and zoom_range[1] == 1:
        zx, zy = 1, 1
    else:
        zx, zy = np.random.uniform(zoom_range[0], zoom_range[1], 2)
    return apply_affine_transform(x, zx=zx, zy=zy, row_axis=row_axis, col_axis=col_axis,
                                  channel_axis=channel_axis, fill_mode=fill_mode, cval=cval,
                                  order=interpolation_order)


def random_channel_shift(x, intensity_range, channel_axis=0):
    intensity = np.random.uniform(-intensity_range, intensity_range)
    return apply_channel_shift(x, intensity, channel_axis=channel_axis)


def random_brightness(x, brightness_range, scale=True):
    if len(brightness_range) != 2:
        raise ValueError("`brightness_range should be tuple or list of two floats. "
                         f"Received: {brightness_range}")
    u = np.random.uniform(brightness_range[0], brightness_range[1])
    return apply_brightness_shift(x, u, scale)
