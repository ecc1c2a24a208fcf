"""``cf.keras.preprocessing``: the legacy paths tutorials still import
(``preprocessing.sequence.pad_sequences``, ``preprocessing.image.load_img``, the
dataset-from-directory helpers)."""
from . import image, sequence, text  # noqa: F401
from ..utils.array_dataset_utils import timeseries_dataset_from_array  # noqa: F401
from ..utils.dataset_utils import (image_dataset_from_directory,  # noqa: F401
                                   text_dataset_from_directory)
