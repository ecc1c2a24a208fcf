"""Datasets from folders (Keras's ``image_dataset_utils``/``text_dataset_utils``):
image_dataset_from_directory, text_dataset_from_directory.

Folder layout, file order, seeded shuffling of the file list, validation splits, label
modes and printed messages follow Keras 3, so the same ``seed`` selects the same files
for training and validation as in TF. Images are decoded with Pillow (see image_utils).

>>> import os, tempfile
>>> from cuflow.keras.utils import text_dataset_from_directory
>>> root = tempfile.mkdtemp()
>>> for c in ("neg", "pos"):
...     os.mkdir(os.path.join(root, c))
...     with open(os.path.join(root, c, "a.txt"), "w") as f:
...         _ = f.write(c + " text")
>>> ds = text_dataset_from_directory(root, shuffle=False, verbose=False)
>>> [t.tolist() for t in next(iter(ds.as_numpy_iterator()))]
[[b'neg text', b'pos text'], [0, 1]]
"""
from __future__ import annotations

import os

import numpy as np

from ...data import Dataset
from ...data.options import AUTOTUNE
from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops.constant import constant
from ...ops.index_ops import one_hot
from ...tensor import Tensor

IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5",
                  "gaussian", "mitchellcubic")


# --- indexing a folder tree ---------------------------------------------------------------
def _valid_files(directory, follow_links, formats):
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links),
                                 key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def index_directory(directory, labels, formats, class_names=None, shuffle=True, seed=None,
                    follow_links=False, verbose=True):
    """(file paths, labels, class names): one class per subfolder (sorted), files sorted
    within each; a seeded NumPy shuffle of paths and labels as Keras does."""
    if labels == "inferred":
        subdirs = [d.rstrip("/") for d in sorted(os.listdir(directory))
                   if os.path.isdir(os.path.join(directory, d)) and not d.startswith(".")]
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError("The `class_names` passed did not match the names of the "
                                 f"subdirectories of the target directory. Expected: {subdirs} "
                                 f"(or a subset of it), but received: class_names={class_names}")
            subdirs = list(class_names)
    else:
        if class_names is not None:
            raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be "
                             "specified." if labels is None else
                             "When argument `labels` is specified, argument `class_names` "
                             "cannot be specified (the `class_names` will be the sorted list "
                             "of labels).")
        subdirs = [""]
    index = {name: i for i, name in enumerate(subdirs)}
    filenames, found = [], []
    for sub in subdirs:
        top = os.path.join(directory, sub)
        base = os.path.basename(top)
        for root, fname in _valid_files(top, follow_links, formats):
            filenames.append(os.path.join(base, os.path.relpath(os.path.join(root, fname),
                                                                top)))
            found.append(index[base])
    if labels == "inferred":
        labels, class_names = np.asarray(found, "int32"), subdirs
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError("Expected the lengths of `labels` to match the number of files in "
                             f"the target directory. len(labels) is {len(labels)} while we "
                             f"found {len(filenames)} files in directory {directory}.")
        class_names = [str(v) for v in sorted(set(labels))]
    if verbose:
        print(f"Found {len(filenames)} files." if labels is None else
              f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    paths = [os.path.join(directory, f) for f in filenames]
    if shuffle:
        seed = np.random.randint(1e6) if seed is None else seed
        np.random.RandomState(seed).shuffle(paths)
        if labels is not None:
            np.random.RandomState(seed).shuffle(labels)
    return paths, labels, class_names


def check_validation_split_arg(validation_split, subset, shuffle, seed):
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: "
                         f"{validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError('`subset` must be either "training", "validation" or "both", '
                         f"received: {subset}")
    if validation_split and shuffle and seed is None:
        raise ValueError("If using `validation_split` and shuffling the data, you must "
                         "provide a `seed` argument, to make sure that there is no overlap "
                         "between the training and validation subset.")


def split_samples(samples, labels, validation_split, subset):
    """Keras's training / validation cut: the last ``int(split * n)`` are validation."""
    if not validation_split:
        return samples, labels
    n_val = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - n_val} files for training.")
        cut = slice(None, -n_val)
    elif subset == "validation":
        print(f"Using {n_val} files for validation.")
        cut = slice(-n_val, None)
    else:
        raise ValueError('`subset` must be either "training" or "validation", received: '
                         f"{subset}")
    return samples[cut], None if labels is None else labels[cut]


def _labels_dataset(labels, label_mode, num_classes):
    ds = Dataset.from_tensor_slices(np.asarray(labels, "int32"))
    if label_mode == "binary":
        return ds.map(lambda x: _a.expand_dims(_m.cast(x, "float32"), -1))
    if label_mode == "categorical":
        return ds.map(lambda x: one_hot(x, num_classes))
    return ds


def _check_label_args(labels, label_mode, class_names, what):
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(f"`labels` argument should be a list/tuple of integer labels, of "
                             f"the same size as the number of {what} files in the target "
                             "directory. If you wish to infer the labels from the subdirectory "
                             'names in the target directory, pass `labels="inferred"`. If you '
                             f"wish to get a dataset that only contains {what} files (no "
                             f"labels), pass `labels=None`. Received: labels={labels}")
        if class_names:
            raise ValueError('You can only pass `class_names` if `labels="inferred"`. '
                             f"Received: labels={labels}, and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", '
                         f"or None. Received: label_mode={label_mode}")


def _from_paths(paths, labels, label_mode, num_classes, load, shuffle, buffer, seed,
                batch_size):
    ds = Dataset.from_tensor_slices(np.asarray(paths, dtype=object))
    if label_mode:
        ds = Dataset.zip((ds, _labels_dataset(labels, label_mode, num_classes)))
    if shuffle:
        ds = ds.shuffle(buffer_size=buffer, seed=seed)
    ds = ds.map((lambda p, y: (load(p), y)) if label_mode else load,
                num_parallel_calls=AUTOTUNE)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds.prefetch(AUTOTUNE)


def _from_folder(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                 validation_split, subset, follow_links, verbose, formats, load, what):
    """The shared body of image/text_dataset_from_directory."""
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats, class_names,
                                                 shuffle, seed, follow_links, verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError('When passing `label_mode="binary"`, there must be exactly 2 '
                         f"class_names. Received: class_names={class_names}")
    buffer = batch_size * 8 if batch_size is not None else 1024
    n_classes = len(class_names) if class_names else 0
    subsets = ["training", "validation"] if subset == "both" else [subset]
    out = []
    for part in subsets:
        p, lab = split_samples(paths, labels, validation_split, part)
        if not p:
            kind = {"training": "training ", "validation": "validation "}.get(
                part if subset == "both" else None, "")
            raise ValueError(f"No {kind}{what} found in directory {directory}. Allowed "
                             f"formats: {formats}")
        train = shuffle and part != "validation" if subset == "both" else shuffle
        ds = _from_paths(p, lab, label_mode, n_classes, load, train, buffer, seed, batch_size)
        ds.class_names, ds.file_paths = class_names, list(p)
        out.append(ds)
    return out if subset == "both" else out[0]


# --- images -------------------------------------------------------------------------------
def _decode(path, num_channels):
    """The file through cf.io.decode_image, as Keras's loader (TF's decoders: JPEG's
    fast IDCT, libpng's grey conversion; GIFs give their first frame)."""
    from ...ops.image_codec_ops import decode_image
    with open(path, "rb") as f:
        data = f.read()
    return decode_image(constant(data), channels=num_channels, expand_animations=False)


def _image_loader(image_size, num_channels, interpolation, data_format, crop, pad):
    from ...ops.image_ops import resize, resize_with_pad
    from .image_utils import smart_resize

    def load(path):
        if not isinstance(path, Tensor) or path.shape.rank != 0:
            raise ValueError("one path at a time")        # not liftable to batches
        p = path.numpy()
        img = _decode(p.decode() if isinstance(p, bytes) else str(p), num_channels)
        if crop:
            out = smart_resize(img, image_size, interpolation=interpolation)
        elif pad:
            out = resize_with_pad(img, image_size[0], image_size[1], method=interpolation)
        else:
            out = resize(img, image_size, method=interpolation)
        # no cast: "nearest" keeps uint8, as tf.image.resize in Keras's loader
        return _a.transpose(out, [2, 0, 1]) if data_format == "channels_first" else out
    return load


def image_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                 class_names=None, color_mode="rgb", batch_size=32,
                                 image_size=(256, 256), shuffle=True, seed=None,
                                 validation_split=None, subset=None, interpolation="bilinear",
                                 follow_links=False, crop_to_aspect_ratio=False,
                                 pad_to_aspect_ratio=False, data_format=None, format="tf",
                                 verbose=True):
    """A dataset of (image, label) batches from ``directory/<class>/<image files>``;
    images are float32 (uint8 for "nearest") (h, w, c) resized to ``image_size``; ``.class_names`` and
    ``.file_paths`` ride on the dataset."""
    _check_label_args(labels, label_mode, class_names, "image")
    if labels is None or label_mode is None:
        labels = label_mode = None
    channels = {"rgb": 3, "rgba": 4, "grayscale": 1}.get(color_mode)
    if channels is None:
        raise ValueError('`color_mode` must be one of {"rgb", "rgba", "grayscale"}. '
                         f"Received: color_mode={color_mode}")
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or len(image_size) != 2:
        raise ValueError("Invalid `image_size` value. Expected a tuple of 2 integers. "
                         f"Received: image_size={image_size}")
    interpolation = interpolation.lower()
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be "
                         "set to `True`.")
    if format != "tf":
        raise ValueError(f'`format` should be "tf" in cuflow. Received: format={format}')
    load = _image_loader(tuple(image_size), channels, interpolation,
                         data_format or "channels_last", crop_to_aspect_ratio,
                         pad_to_aspect_ratio)
    return _from_folder(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                        validation_split, subset, follow_links, verbose, IMAGE_FORMATS, load,
                        "images")


# --- text ---------------------------------------------------------------------------------
def _text_loader(max_length):
    def load(path):
        if not isinstance(path, Tensor) or path.shape.rank != 0:
            raise ValueError("one path at a time")
        p = path.numpy()
        with open(p.decode() if isinstance(p, bytes) else str(p), "rb") as f:
            data = f.read()
        return constant(data[:max_length] if max_length is not None else data)
    return load


def text_dataset_from_directory(directory, labels="inferred", label_mode="int",
                                class_names=None, batch_size=32, max_length=None, shuffle=True,
                                seed=None, validation_split=None, subset=None,
                                follow_links=False, format="tf", verbose=True):
    """A dataset of (text, label) batches from ``directory/<class>/*.txt``; texts are
    string tensors (the file's bytes, cut to ``max_length`` bytes)."""
    _check_label_args(labels, label_mode, class_names, "text")
    if format != "tf":
        raise ValueError(f'`format` should be "tf" in cuflow. Received: format={format}')
    if labels is None or label_mode is None:
        labels = label_mode = None
    return _from_folder(directory, labels, label_mode, class_names, batch_size, shuffle, seed,
                        validation_split, subset, follow_links, verbose, (".txt",),
                        _text_loader(max_length), "text files")
