"""``keras.layers.MaxNumBoundingBoxes``: pads (with ``fill_value``) or truncates the
bounding boxes and their labels of a batch to ``max_number`` per image, so batches of
images with different box counts stack (Keras 3.15's layer; images pass unchanged)."""
from __future__ import annotations

from ...ops import array_ops as _a
from ...ops import math_ops as _m
from ...ops.manip_ops import pad as _pad
from ...ops.constant import convert_to_tensor
from ..backend import standardize_data_format as _standardize_data_format
from .base import Layer


class MaxNumBoundingBoxes(Layer):
    """Fixes the number of boxes per image.

    >>> import numpy as np, cuflow as cf
    >>> layer = cf.keras.layers.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")
    >>> out = layer({"images": np.zeros((1, 4, 4, 3)),
    ...              "bounding_boxes": {"boxes": np.ones((1, 2, 4)),
    ...                                 "labels": np.ones((1, 2))}})
    >>> out["bounding_boxes"]["labels"].numpy().tolist()
    [[1.0, 1.0, -1.0]]
    """

    _allow_non_tensor_positional_args = True  # as Keras's image preprocessing layers

    def __init__(self, max_number, fill_value=-1, bounding_box_format=None, data_format=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.max_number = int(max_number)
        self.fill_value = int(fill_value)
        self.bounding_box_format = bounding_box_format
        self.data_format = _standardize_data_format(data_format)

    def call(self, data, training=True):
        if not isinstance(data, dict):
            return data
        if "bounding_boxes" in data and self.bounding_box_format is None:
            raise ValueError("You passed an input with a 'bounding_boxes' key, but you didn't "
                             "specify a bounding box format. Pass a `bounding_box_format` "
                             f"argument to your {type(self).__name__} layer, e.g. "
                             "`bounding_box_format='xyxy'`.")
        out = dict(data)
        out["images"] = self._image(data["images"])
        if "bounding_boxes" in data:
            out["bounding_boxes"] = self._pad(data["bounding_boxes"])
        return out

    def _image(self, x):
        x = convert_to_tensor(x)
        return _m.cast(x, self.compute_dtype) if x.dtype.is_floating and \
            x.dtype.name != self.compute_dtype else x

    def _pad(self, bounding_boxes):
        boxes = convert_to_tensor(bounding_boxes["boxes"])
        labels = convert_to_tensor(bounding_boxes["labels"])
        unbatched = len(boxes.shape) == 2
        if unbatched:
            boxes, labels = _a.expand_dims(boxes, 0), _a.expand_dims(labels, 0)
        pad = max(self.max_number - int(boxes.shape[1]), 0)
        boxes = _pad(boxes[:, :self.max_number], [[0, 0], [0, pad], [0, 0]],
                       constant_values=self.fill_value)
        labels = _pad(labels[:, :self.max_number], [[0, 0], [0, pad]],
                        constant_values=self.fill_value)
        out = dict(bounding_boxes)
        out["boxes"] = boxes[0] if unbatched else boxes
        out["labels"] = labels[0] if unbatched else labels
        return out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):  # Keras 3.15 leaves fill_value out of the config too
        return {**super().get_config(), "data_format": self.data_format,
                "bounding_box_format": self.bounding_box_format,
                "max_number": self.max_number}
